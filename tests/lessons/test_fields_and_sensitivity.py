"""DOMAIN.md 5.1 lesson fields: the date it happened, the summary, and sensitivity, which limits
who reads a lesson everywhere it can surface (show, search, votes, share, expert lookup)."""

from __future__ import annotations

from tests.helpers import Chat, text_of
from tests.lessons.test_lessons import GOOD, lesson_number, submit


async def published(chat: Chat, sensitivity: str, **changes: str) -> int:
    number = lesson_number(await submit(chat, sensitivity=sensitivity, **changes))
    assert "Published" in await chat.text(f"lesson publish {number}", as_="lead")
    return number


async def test_card_shows_date_summary_and_who_can_read(chat: Chat, community: str) -> None:
    number = await published(chat, "community")
    shown = await chat.text(f"lesson show {number}", as_="bo")
    assert "Happened on: 17 Feb 2026" in shown
    assert f"Summary: {GOOD['abstract']}" in shown
    assert "Who can read it: Members of the community" in shown
    assert "To complete it" not in shown
    # The summary is searchable.
    assert "Backfills need their own queue" in await chat.text("lessons weekend starved", as_="bo")
    # The edit form comes back with the same values.
    form = (await chat(f"lesson edit {number}", as_="ada"))[0].form
    assert form is not None
    initial = {f.name: f.initial for f in form.fields}
    assert initial["event_date"] == "2026-02-17" and initial["sensitivity"] == "community"
    assert initial["abstract"] == GOOD["abstract"]


async def test_a_quick_lesson_tells_its_author_what_is_missing(chat: Chat, community: str) -> None:
    replies = await chat("lesson Pin versions | When upgrading, pin versions #terraform", as_="ada")
    number = lesson_number(replies)
    mine = await chat.text(f"lesson show {number}", as_="ada")
    assert "To complete it, add: the date it happened, a summary, context" in mine
    assert "Who can read it: Anyone in the organisation" in mine
    await chat(f"lesson publish {number}", as_="lead")
    assert "To complete it" not in await chat.text(f"lesson show {number}", as_="bo")


async def test_community_only_lessons_stay_in_the_community(chat: Chat, community: str) -> None:
    number = await published(chat, "community")
    for line in (f"lesson show {number}", f"lesson helped {number}"):
        assert "can't find lesson" in await chat.text(line, as_="stranger"), line
    assert "No lessons match" in await chat.text("lessons backfill", as_="stranger")
    assert "Backfills need their own queue" in await chat.text("lessons backfill", as_="bo")
    assert "Thanks, noted" in await chat.text(f"lesson helped {number}", as_="bo")
    await chat("sme add @bo airflow", as_="lead")
    assert "Backfills" not in await chat.text("expert airflow", as_="stranger")
    assert "Backfills" in text_of(await chat("expert airflow", as_="lead"))


async def test_restricted_lessons_reach_leaders_and_smes_of_the_topic_only(
    chat: Chat, community: str
) -> None:
    number = await published(chat, "restricted")
    assert "can't find lesson" in await chat.text(f"lesson show {number}", as_="bo")
    assert "No lessons match" in await chat.text("lessons backfill", as_="bo")
    assert "Backfills need their own queue" in await chat.text("lessons backfill", as_="lead")
    mine = await chat("lesson show 1", as_="ada")
    assert "Share in channel" not in [c.label for c in mine[0].choices]
    assert "not posted in a channel" in await chat.text(f"lesson share {number}", as_="ada")
    # An SME of another topic still can't; an SME of one of its topics can.
    await chat("sme add @bo kubernetes", as_="lead")
    assert "No lessons match" in await chat.text("lessons backfill", as_="bo")
    await chat("sme add @bo airflow", as_="lead")
    assert "Backfills need their own queue" in await chat.text("lessons backfill", as_="bo")
    assert "Who can read it: Restricted" in await chat.text(f"lesson show {number}", as_="bo")


async def test_org_lessons_are_for_everyone(chat: Chat, community: str) -> None:
    number = await published(chat, "org")
    assert "Backfills" in await chat.text(f"lesson show {number}", as_="stranger")
    assert "Backfills need their own queue" in await chat.text("lessons backfill", as_="stranger")
    assert "Backfills" in text_of(await chat("expert airflow", as_="stranger"))
