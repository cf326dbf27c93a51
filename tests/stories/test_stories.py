"""Stories: the form, listing, showing, featuring (leaders) with the channel thank-you."""

from __future__ import annotations

from bot.stories.forms import parse_quantity
from storage import stories
from storage.db import Database
from tests.conftest import START
from tests.demo_copy import seed_demo
from tests.helpers import Chat, FakePort, text_of

STORY = {
    "title": "Backfills no longer block the nightly jobs",
    "situation": "A backfill starved the daily jobs.",
    "activity": "Bo answered Ada's question in the community.",
    "gained": "A pattern: a dedicated pool.",
    "used": "Every backfill now uses its own pool.",
    "result": "Saved about 14 hours of reruns a month.",
    "cycle": "realised",
    "people": "@bo",
    "consent": "yes",
}


async def _share(chat: Chat, values: dict[str, str], as_: str = "ada") -> str:
    form_reply = (await chat("story", as_=as_))[0]
    assert form_reply.form is not None and form_reply.form.form_id == "story.new:data-eng"
    return text_of(await chat.submit(form_reply.form.form_id, values, as_=as_))


async def test_share_list_show_and_feature(
    chat: Chat, community: str, port: FakePort, database: Database
) -> None:
    await chat("community link data-eng", as_="lead", channel="C1")
    assert "Saved story 1" in await _share(chat, STORY)
    assert "Feature it" not in await chat.text("story 1", as_="ada")
    shown = await chat.text("story 1", as_="bo")
    assert "Realised" in shown and "14 hours" in shown and "Thanks to: Bo" in shown
    listing = await chat.text("stories", as_="bo")
    assert "*1.* Backfills no longer block the nightly jobs\n" in listing
    refused = await chat.text("story feature 1", as_="ada")
    assert "Only leaders and coordinators" in refused
    leader_view = (await chat("story 1", as_="lead"))[0]
    feature = next(c for c in leader_view.choices if c.label == "Feature it")
    done = await chat.click(feature, as_="lead")
    assert "featured for the digests; posted it to the community's channel" in text_of(done)
    assert "already featured" in await chat.text("story feature 1", as_="lead")
    await chat.deliver()
    posts = [r for r in port.to("#C1") if r.title and "success story" in r.title]
    assert len(posts) == 1 and "Thank you, Bo!" in posts[0].text
    assert "*1.* Backfills no longer block the nightly jobs ★" in await chat.text(
        "stories data-eng", as_="bo"
    )
    async with database.session() as session:
        featured = await stories.featured_stories(session, 1, START, START.replace(year=2027))
        assert [s.title for s in featured] == [STORY["title"]]


async def test_people_are_not_named_without_consent(
    chat: Chat, community: str, port: FakePort
) -> None:
    await chat("community link data-eng", as_="lead", channel="C1")
    await _share(chat, {**STORY, "consent": "no"})
    assert "1 member (not named, as they asked)" in await chat.text("story 1", as_="lead")
    await chat("story feature 1", as_="lead")
    await chat.deliver()
    post = next(r for r in port.to("#C1") if r.title and "success story" in r.title)
    assert "Bo" not in post.text and "Thank you to everyone" in post.text


async def test_bad_story_input(chat: Chat, community: str) -> None:
    bad = await chat.submit(
        "story.new:data-eng",
        {**STORY, "title": " ", "cycle": "cosmic", "people": "@nobody", "result": ""},
        as_="ada",
    )
    fields = dict(bad[0].errors)
    assert set(fields) == {"title", "cycle", "people", "result"}
    assert "don't know anyone called `nobody`" in fields["people"]
    assert "Which story?" in await chat.text("story feature", as_="lead")
    assert "can't find story 42" in await chat.text("story 42", as_="ada")
    assert "No stories in Data Engineering yet" in await chat.text("stories", as_="ada")
    await _share(chat, STORY)
    # Not a member: the story stays unknown.
    assert "can't find story 1" in await chat.text("story 1", as_="stranger")
    assert "can't find story 1" in await chat.text("story feature 1", as_="stranger")
    for n in range(6):
        await _share(chat, {**STORY, "title": f"Story number {n}"})
    listing = await chat("stories", as_="ada")
    assert "Page 1 of 2 (7 in all)" in text_of(listing)
    more = next(c for c in listing[0].choices if c.label.startswith("Next page"))
    assert "*1.* Backfills" in text_of(await chat.click(more, as_="ada"))


def test_quantities_from_the_result() -> None:
    assert parse_quantity("Saved about 14 hours of reruns") == (14.0, "hours")
    assert parse_quantity("Cut the bill by 18%.") == (18.0, "%")
    assert parse_quantity("$3,000 saved") == (3000.0, "$ saved")
    assert parse_quantity("Audit findings dropped from 9 to 2") == (9.0, "")
    assert parse_quantity("Much happier team") == (None, "")


async def test_demo_has_stories_and_questions(chat: Chat) -> None:
    assert await seed_demo(chat.core.services)
    listing = await chat.text("stories data-eng", as_="helen")
    assert "Cost reviews are now part of how we judge a pipeline ★" in listing
    assert "Page 1 of 1 (3 in all)" in listing
    open_ones = await chat.text("questions data-eng", as_="linus")
    assert "dbt tests in CI" in open_ones and "Spark cluster cost" in open_ones
    assert "backfill of three months" not in open_ones  # solved
    gaps = await chat.text("experts gaps in safety", as_="tove")
    assert "confined-spaces" in gaps
