"""Lessons: form and quick capture, validation workflow, edit/delete/restore, share, reuse."""

from __future__ import annotations

from bot.messages import Reply
from storage import activity as activity_store
from storage.db import Database
from tests.helpers import Chat, FakePort, text_of

GOOD = {
    "title": "Backfills need their own queue",
    "kind": "problem",
    "event_date": "2026-02-17",
    "abstract": "A year-long backfill starved the daily loads for a weekend.",
    "statement": "When backfilling a year of data, run it in a separate pool because it "
    "starves the daily jobs.",
    "topics": "Airflow, data pipelines",
    "context": "Migration of the billing warehouse",
    "planned": "Backfill over the weekend",
    "actual": "Daily loads were six hours late on Monday",
    "why": "Backfill tasks filled every worker slot",
    "sustain": "Announcing backfills in the channel",
    "improve": "Use a dedicated pool with a slot limit",
}


async def submit(chat: Chat, who: str = "ada", **changes: str) -> list[Reply]:
    form = (await chat("lesson", as_=who))[0].form
    assert form is not None and form.form_id.startswith("lesson.new")
    return await chat.submit(form.form_id, {**GOOD, **changes}, as_=who)


def lesson_number(replies: list[Reply]) -> int:
    text = text_of(replies)
    return int(text.split("Saved lesson ")[1].split(" ")[0])


async def test_lesson_opens_a_form_with_required_fields(chat: Chat, community: str) -> None:
    reply = (await chat("lesson", as_="ada"))[0]
    assert reply.form is not None
    required = {f.name for f in reply.form.fields if f.required}
    assert required == {"title", "kind", "event_date", "statement", "sensitivity"}
    kinds = {f.name: f.kind for f in reply.form.fields}
    assert kinds["event_date"] == "date" and kinds["sensitivity"] == "choice"
    assert {f.name for f in reply.form.fields} >= {"planned", "actual", "why", "sustain"}


async def test_form_validation_names_each_field(chat: Chat, community: str) -> None:
    replies = await submit(chat, title="", statement="  ", event_date="")
    errors = dict(replies[0].errors)
    assert set(errors) == {"title", "statement", "event_date"}
    replies = await submit(chat, event_date="2026-03-03", abstract="y" * 301)
    errors = dict(replies[0].errors)
    assert errors["event_date"] == "On or before 2026-03-02."
    assert "At most 300" in errors["abstract"]
    replies = await submit(chat, event_date="17/02/2026", sensitivity="secret")
    errors = dict(replies[0].errors)
    assert "2026-02-17" in errors["event_date"] and "restricted" in errors["sensitivity"]
    replies = await submit(chat, title="x" * 151, kind="weird")
    errors = dict(replies[0].errors)
    assert "At most 150" in errors["title"] and "kind" in errors
    assert "No lessons match" in await chat.text("lessons", as_="ada")


async def test_new_lesson_is_a_draft_and_leaders_are_asked(
    chat: Chat, community: str, port: FakePort, database: Database
) -> None:
    replies = await submit(chat)
    assert "as a draft" in text_of(replies) and "asked 1 leader" in text_of(replies)
    number = lesson_number(replies)
    await chat.deliver()
    review = port.to("lead")[-1]
    assert "Backfills need their own queue" in review.text
    assert {c.command for c in review.choices} >= {
        f"lesson publish {number}",
        f"lesson edit {number}",
    }
    # Members don't see someone else's draft; the author does.
    assert "can't find lesson" in await chat.text(f"lesson show {number}", as_="bo")
    shown = await chat.text(f"lesson show {number}", as_="ada")
    assert "Draft, waiting for validation" in shown and "airflow, data-pipelines" in shown
    assert "Why was there a difference?: Backfill tasks filled every worker slot" in shown


async def test_publish_permissions_and_author_notified(
    chat: Chat, community: str, port: FakePort
) -> None:
    number = lesson_number(await submit(chat))
    refused = await chat.text(f"lesson publish {number}", as_="ada")
    assert "Only leaders of the community or SMEs of airflow, data-pipelines" in refused
    # An SME of another topic may not; an SME of one of its topics may.
    await chat("sme add @bo kubernetes", as_="lead")
    assert "can't find lesson" in await chat.text(f"lesson publish {number}", as_="bo")
    await chat("sme add @bo airflow", as_="lead")
    assert "Published lesson" in await chat.text(f"lesson publish {number}", as_="bo")
    assert "already published" in await chat.text(f"lesson publish {number}", as_="lead")
    await chat.deliver()
    assert any("published your lesson" in t for t in port.texts("ada"))
    assert "validated by Bo" in await chat.text(f"lesson show {number}", as_="lead")


async def test_sme_is_asked_to_review_lessons_on_their_topic(
    chat: Chat, community: str, port: FakePort
) -> None:
    await chat("sme add @bo airflow", as_="lead")
    await chat.deliver()
    await submit(chat)
    await chat.deliver()
    assert any("A lesson to validate" in t for t in port.texts("bo"))
    pending = await chat.text("lessons pending", as_="bo")
    assert "Backfills need their own queue" in pending
    assert "don't validate lessons" in await chat.text("lessons pending", as_="ada")
    home = await chat.text("home", as_="lead")
    assert "1 lesson waiting for your validation" in home


async def test_quick_lesson_line_with_topics(chat: Chat, community: str) -> None:
    replies = await chat(
        "lesson Pin provider versions | When upgrading Terraform, pin provider versions "
        "because minor releases change defaults #terraform #k8s",
        as_="ada",
    )
    number = lesson_number(replies)
    shown = await chat.text(f"lesson show {number}", as_="ada")
    assert "Topics: terraform, kubernetes" in shown
    assert "pin provider versions because" in shown
    assert "Give the lesson a short title" in await chat.text("lesson | statement", as_="ada")


async def test_save_as_lesson_draft_prefills_the_form(chat: Chat, community: str) -> None:
    reply = (await chat("lesson draft The nightly load failed because the VPN dropped", as_="bo"))[
        0
    ]
    assert reply.form is not None
    initial = {f.name: f.initial for f in reply.form.fields}
    assert initial["context"] == "The nightly load failed because the VPN dropped"
    assert initial["title"]
    submitted = await chat.submit(
        reply.form.form_id,
        {
            "title": "VPN",
            "statement": "Check the VPN first",
            "context": initial["context"] or "",
            "event_date": "2026-02-27",
        },
        as_="bo",
    )
    assert "Saved lesson" in text_of(submitted)


async def test_edit_delete_and_restore(chat: Chat, community: str) -> None:
    number = lesson_number(await submit(chat))
    assert "can't find lesson" in await chat.text(f"lesson edit {number}", as_="bo")
    await chat(f"lesson publish {number}", as_="lead")
    assert "Only the author or a leader" in await chat.text(f"lesson edit {number}", as_="bo")
    form = (await chat(f"lesson edit {number}", as_="lead"))[0].form
    assert form is not None
    initial = {f.name: f.initial for f in form.fields}
    assert initial["title"] == GOOD["title"] and initial["topics"] == "airflow, data-pipelines"
    values = {k: v or "" for k, v in initial.items()}
    values["title"] = "Backfills need a separate pool"
    assert "Saved lesson" in text_of(await chat.submit(form.form_id, values, as_="lead"))
    confirm = (await chat(f"lesson delete {number}", as_="ada"))[0]
    assert confirm.choices[0].style == "danger"
    deleted = (await chat.click(confirm.choices[0], as_="ada"))[0]
    assert "Deleted lesson" in deleted.text
    assert "can't find lesson" in await chat.text(f"lesson show {number}", as_="ada")
    assert "Restored lesson" in text_of(await chat.click(deleted.choices[0], as_="ada"))
    assert "Backfills need a separate pool" in await chat.text(f"lesson show {number}", as_="ada")


async def test_reuse_votes_are_idempotent_and_logged(
    chat: Chat, community: str, database: Database, clock: object
) -> None:
    number = lesson_number(await submit(chat))
    await chat(f"lesson publish {number}", as_="lead")
    card = (await chat(f"lesson show {number}", as_="bo"))[0]
    helped = next(c for c in card.choices if c.label == "This helped")
    assert "1 person found it helpful" in text_of(await chat.click(helped, as_="bo"))
    assert "already told me" in text_of(await chat.click(helped, as_="bo"))
    assert "1 person applied it" in await chat.text(f"lesson applied {number}", as_="bo")
    assert "your own lesson" in await chat.text(f"lesson helped {number}", as_="ada")
    assert "1 found this helpful · 1 applied it" in await chat.text(
        f"lesson show {number}", as_="lead"
    )
    async with database.session() as session:
        from sqlmodel import select

        from storage.tables import ActivityEvent

        kinds = [e.kind for e in (await session.exec(select(ActivityEvent))).all()]
    assert kinds.count("lesson_reused") == 2
    assert kinds.count("lesson_submitted") == 1 and kinds.count("lesson_validated") == 1
    assert activity_store is not None


async def test_share_posts_once_in_the_community_channel(
    chat: Chat, community: str, port: FakePort
) -> None:
    number = lesson_number(await submit(chat))
    assert "Only published lessons" in await chat.text(f"lesson share {number}", as_="ada")
    await chat(f"lesson publish {number}", as_="lead")
    assert "no linked channel" in await chat.text(f"lesson share {number}", as_="ada")
    await chat("community link data-eng", as_="lead", channel="C-data")
    assert "Shared lesson" in await chat.text(f"lesson share {number}", as_="ada")
    assert "already shared" in await chat.text(f"lesson share {number}", as_="bo")
    await chat.deliver()
    posts = port.to("#C-data")
    assert sum("Backfills need their own queue" in (p.title or "") for p in posts) == 1


async def test_experts_rank_lesson_authors_and_offer_lessons(chat: Chat, community: str) -> None:
    number = lesson_number(await submit(chat))
    await chat(f"lesson publish {number}", as_="lead")
    await chat(f"lesson helped {number}", as_="bo")
    text = await chat.text("expert airflow", as_="bo")
    assert "*Ada*" in text and "wrote 1 lesson on airflow" in text
    assert '1 "this helped" vote' in text
    assert "*Lead*" in text and "validated 1" in text
    assert "Backfills need their own queue" in text
