"""A community's life cycle: pause, archive (confirmed, read-only, members and sponsors told),
reopen; and the health check's "merge / pause / close" answer leading there."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.clock import FrozenClock
from tests.health.test_health import answers
from tests.helpers import Chat, FakePort


async def test_pause_stops_new_things_and_prompts_and_reopen_undoes_it(
    chat: Chat, community: str, clock: FrozenClock, port: FakePort
) -> None:
    refused = await chat.text("community pause", as_="ada")
    assert "Only leaders or coordinators" in refused
    paused = await chat("community pause", as_="lead")
    assert "Data Engineering is paused" in paused[0].text
    (undo,) = paused[0].choices
    assert undo.command == "community reopen data-eng"
    blocked = await chat.text('meeting new "Sync" on 2026-03-04 11:00 30m', as_="lead")
    assert "Data Engineering is paused" in blocked and "community reopen data-eng" in blocked
    assert "is paused" in await chat.text("lesson draft What we learnt", as_="ada")
    assert "is paused" in await chat.text("survey new pulse", as_="lead")
    # Still readable and listed.
    assert "Data Engineering" in await chat.text("communities", as_="bo")

    reopened = await chat.click(undo, as_="lead")
    assert "open again" in reopened[0].text
    assert "Sync" in await chat.text('meeting new "Sync" on 2026-03-04 11:00 30m', as_="lead")
    assert "open already" in await chat.text("community reopen", as_="lead")


async def test_archive_asks_first_then_points_members_on_and_tells_the_sponsor(
    chat: Chat, community: str, clock: FrozenClock, port: FakePort
) -> None:
    await chat("community new ml Machine Learning", as_="mo")
    await chat("community new ops Operations", as_="olga")
    await chat("sme add @ada kubernetes", as_="lead")
    await chat("sme add @mo kubernetes in ml", as_="mo")
    await chat("role add @sam sponsor", as_="lead")  # sam has not written yet
    await chat("help", as_="sam")
    await chat("role add @sam sponsor", as_="lead")
    await chat.deliver()
    asked = await chat("community archive", as_="lead")
    assert "Archive *Data Engineering*?" in asked[0].text
    confirm = asked[0].choices[0]
    assert confirm.command == "community archive data-eng confirm" and confirm.style == "danger"
    assert "Data Engineering" in await chat.text("communities", as_="bo")  # not yet

    done = await chat.click(confirm, as_="lead")
    assert "archived. I told 2 members" in done[0].text and "1 sponsor" in done[0].text
    await chat.deliver()
    (news,) = [r for r in port.to("bo") if "has been archived" in r.text]
    assert "*Machine Learning* (`ml`)" in news.text and "Operations" not in news.text
    assert [c.command for c in news.choices] == ["join ml"]
    assert any("which you sponsor, has been archived" in t for t in port.texts("sam"))
    assert "Data Engineering" not in await chat.text("communities", as_="bo")
    assert "not in a community" in await chat.text("lesson draft x in data-eng", as_="ada")

    back = await chat.text("community reopen data-eng", as_="lead")
    assert "open again" in back
    assert "Data Engineering" in await chat.text("communities", as_="bo")


async def test_a_merge_pause_or_close_answer_offers_the_way_there(
    chat: Chat, community: str, clock: FrozenClock
) -> None:
    clock.set(datetime(2026, 4, 1, 10, 0, tzinfo=UTC))
    await chat.tick()
    opened = await chat("health check", as_="lead")
    form = opened[0].form
    assert form is not None
    await chat.submit(form.form_id, answers(L14="close"), as_="lead")
    clock.set(clock.now() + timedelta(minutes=5))
    shown = await chat("health", as_="lead")
    commands = [c.command for c in shown[0].choices]
    assert "community archive data-eng" in commands and "community pause data-eng" in commands
    assert "The leaders suggest: close" in dict(shown[0].fields)["Decide its future"]
    await chat("role add @bo sponsor", as_="lead")
    sponsor_view = await chat("health", as_="bo")
    assert "community archive data-eng" not in [c.command for c in sponsor_view[0].choices]
