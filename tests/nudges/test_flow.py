"""The daily evaluation end to end: when it runs, the weekly cap and priority, the three
buttons, per-community thresholds and no double evaluation."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sqlmodel import select

from bot.app import Core
from bot.clock import FrozenClock
from bot.config import Settings
from bot.messages import Choice, Reply
from bot.ports import PortRegistry
from storage import outbox, stories
from storage.db import Database
from storage.tables.nudges import Nudge, NudgeSchedule, NudgeSilence
from tests.conftest import START
from tests.helpers import Chat, FakePort, text_of


def day(n: int) -> datetime:
    """09:00 UTC on the n-th day after the fixture community was made: its daily check."""
    return START + timedelta(days=n)


def nudges_to(port: FakePort, who: str) -> list[Reply]:
    return [
        r
        for r in port.to(who)
        if any(c.command and c.command.startswith("nudge do") for c in r.choices)
    ]


def rules_to(port: FakePort, who: str) -> list[str]:
    """The rule of each nudge a person got, in order (from the nudge's footer)."""
    return [(r.context or "").split("Nudge ", 1)[1].split(";")[0] for r in nudges_to(port, who)]


def button(reply: Reply, label: str) -> Choice:
    return next(c for c in reply.choices if c.label == label)


async def at(chat: Chat, clock: FrozenClock, moment: datetime) -> None:
    clock.set(moment)
    await chat.tick()


async def rows(core: Core, model: type) -> list:
    async with core.services.db.session() as session:
        return list((await session.exec(select(model))).all())


async def test_a_new_community_is_nudged_to_find_a_rhythm_the_next_morning(
    chat: Chat, community: str, clock: FrozenClock, port: FakePort
) -> None:
    await chat.tick()
    await at(chat, clock, day(1) - timedelta(minutes=1))
    assert nudges_to(port, "lead") == []
    await at(chat, clock, day(1))
    sent = nudges_to(port, "lead")
    assert len(sent) == 1
    assert "Schedule the next session" in sent[0].text
    assert [c.label for c in sent[0].choices] == ["Do it", "Snooze", "Not relevant"]
    assert nudges_to(port, "ada") == [] and nudges_to(port, "bo") == []  # members: none


async def test_one_nudge_a_week_the_most_pressing_first_and_the_others_wait(
    chat: Chat, community: str, clock: FrozenClock, port: FakePort
) -> None:
    await chat(f"lesson Backfills need a pool | Use a separate pool in {community}", as_="ada")
    clock.set(START + timedelta(days=15))
    await chat.tick()  # the first daily check is the next 09:00: day 16
    for n in range(16, 24):
        await at(chat, clock, day(n))
        if n == 16:
            assert rules_to(port, "lead") == ["N1"]  # N1 before N10, both due
    # N10 waited a week; N1 is not repeated within 28 days.
    assert rules_to(port, "lead") == ["N1", "N10"]
    assert "has waited for validation" in nudges_to(port, "lead")[1].text


async def test_do_it_opens_what_the_nudge_suggests(
    chat: Chat, community: str, clock: FrozenClock, port: FakePort, core: Core
) -> None:
    await chat.tick()
    await at(chat, clock, day(1))
    nudge = nudges_to(port, "lead")[0]
    refused = await chat.click(button(nudge, "Do it"), as_="bo")
    assert "can't find that nudge of yours" in text_of(refused)
    opened = await chat.click(button(nudge, "Do it"), as_="lead")
    assert any(r.form is not None for r in opened), text_of(opened)  # the meeting form
    assert [n.status for n in await rows(core, Nudge)] == ["done"]


async def test_snooze_brings_the_nudge_back_in_a_week(
    chat: Chat, community: str, clock: FrozenClock, port: FakePort, core: Core
) -> None:
    await chat.tick()
    await at(chat, clock, day(1))
    snoozed = await chat.click(button(nudges_to(port, "lead")[0], "Snooze"), as_="lead")
    assert "back after 2026-03-10" in text_of(snoozed)
    assert "snoozed until 2026-03-10" in await chat.text("nudges", as_="lead")
    for n in range(2, 8):
        await at(chat, clock, day(n))
    assert rules_to(port, "lead") == ["N1"]
    await at(chat, clock, day(8))
    assert rules_to(port, "lead") == ["N1", "N1"]


async def test_not_relevant_asks_why_and_keeps_the_rule_quiet_for_90_days(
    chat: Chat, community: str, clock: FrozenClock, port: FakePort, core: Core
) -> None:
    await chat("nudges set QUIET weeks 52", as_="lead")  # only N1 holds here
    await chat("nudges set N4 growth -1", as_="lead")  # (no growth is fine here)
    await chat.tick()
    await at(chat, clock, day(1))
    asked = await chat.click(button(nudges_to(port, "lead")[0], "Not relevant"), as_="lead")
    form = next(r.form for r in asked if r.form is not None)
    assert [f.name for f in form.fields] == ["reason", "note"]
    wrong = await chat.submit(form.form_id, {"reason": "", "note": ""}, as_="lead")
    assert wrong[0].errors
    done = await chat.submit(
        form.form_id, {"reason": "fit", "note": "we meet at the site weekly"}, as_="lead"
    )
    assert "until 2026-06-01" in text_of(done)
    [nudge] = await rows(core, Nudge)
    assert nudge.status == "dismissed"
    assert nudge.reason == "It doesn't fit our community or its stage: we meet at the site weekly"
    [quiet] = await rows(core, NudgeSilence)
    assert quiet.rule == "N1" and quiet.until == day(91)
    shown = await chat.text("nudges", as_="lead")
    assert "quiet until 2026-06-01: “It doesn't fit our community" in shown
    await at(chat, clock, day(90))
    assert rules_to(port, "lead") == ["N1"]
    await at(chat, clock, day(91))
    assert rules_to(port, "lead") == ["N1", "N1"]


async def test_a_typed_reason_and_a_community_silence_setting(
    chat: Chat, community: str, clock: FrozenClock, port: FakePort, core: Core
) -> None:
    await chat("nudges set N1 silence-days 30", as_="lead")
    await chat("nudges set QUIET weeks 52", as_="lead")
    await chat("nudges set N16 days 0", as_="lead")  # only N1 holds here (N16: a new community)
    await chat.tick()
    await at(chat, clock, day(1))
    nudge_id = nudges_to(port, "lead")[0].choices[0].command.split()[-1]  # type: ignore[union-attr]
    done = await chat.text(f"nudge dismiss {nudge_id} we already meet weekly", as_="lead")
    assert "“we already meet weekly”" in done and "until 2026-04-02" in done
    await at(chat, clock, day(30))
    assert rules_to(port, "lead") == ["N1"]
    await at(chat, clock, day(31))
    assert rules_to(port, "lead") == ["N1", "N1"]


async def test_thresholds_are_per_community(
    chat: Chat, community: str, clock: FrozenClock, port: FakePort
) -> None:
    await chat("community new safety Site Safety", as_="bo")
    await chat("nudges set QUIET weeks 6", as_="lead")  # data-eng only
    clock.set(START + timedelta(days=30))
    await chat.tick()
    await at(chat, clock, day(31))
    # 31 days without any action: Site Safety has gone quiet; Data Engineering waits 6 weeks.
    assert rules_to(port, "bo") == ["QUIET"]
    assert "has gone quiet" in nudges_to(port, "bo")[0].text
    assert rules_to(port, "lead") == ["N1"]
    view = await chat.text("nudges", as_="lead")
    assert "*QUIET* Gone quiet (weeks 6*)" in view
    assert "*QUIET* Gone quiet (weeks 4)" in await chat.text("nudges in safety", as_="bo")


async def test_leaders_see_and_set_members_are_refused_politely(chat: Chat, community: str) -> None:
    for line in ("nudges", "nudges set N1 days 45"):
        refused = await chat.text(line, as_="ada")
        assert "only they can see and change them" in refused and "roles in data-eng" in refused
    view = await chat.text("nudges", as_="lead")
    assert "*N1* No meeting rhythm (days 30, ahead-days 30): not sent yet" in view
    detail = await chat.text("nudges n10", as_="lead")
    assert "`days` 14: days waiting (default 14)" in detail
    assert "N99" in await chat.text("nudges set N99 days 4", as_="lead")
    assert "has no threshold `weeks`" in await chat.text("nudges set N1 weeks 4", as_="lead")
    assert "is not a number" in await chat.text("nudges set N1 days many", as_="lead")
    assert "Say which rule" in await chat.text("nudges set N1", as_="lead")
    changed = await chat.text("nudges set N1 days 45", as_="lead")
    assert "now uses days 45 (default 30)" in changed
    assert "(days 45*, ahead-days 30)" in await chat.text("nudges", as_="lead")


async def test_the_same_day_is_never_evaluated_twice(
    chat: Chat,
    community: str,
    clock: FrozenClock,
    port: FakePort,
    core: Core,
    settings: Settings,
    database: Database,
) -> None:
    ports = PortRegistry()
    ports.register(port)
    other = Core(settings, clock=clock, ports=ports, db=database, worker="other")
    await chat.tick()
    clock.set(day(1))
    # Concurrent heartbeats may collide on SQLite's write lock; the next heartbeat retries.
    for _ in range(3):
        await asyncio.gather(core.heartbeat.tick(), other.heartbeat.tick())
    await chat.tick()
    assert len(nudges_to(port, "lead")) == 1
    assert len(await rows(core, Nudge)) == 1
    [schedule] = await rows(core, NudgeSchedule)
    assert schedule.runs == 1 and schedule.next_at == day(2)


async def test_a_question_waiting_two_days_nudges_the_leader_to_the_open_questions(
    chat: Chat, community: str, clock: FrozenClock, port: FakePort
) -> None:
    await chat.tick()
    await at(chat, clock, day(1))  # N1 first
    await chat("ask How do we backfill without starving the daily jobs? #airflow", as_="ada")
    for n in range(2, 9):
        await at(chat, clock, day(n))
    assert rules_to(port, "lead") == ["N1", "N6"]
    nudge = nudges_to(port, "lead")[1]
    assert "1 question has waited more than 48 hours" in nudge.text
    opened = text_of(await chat.click(button(nudge, "Do it"), as_="lead"))
    assert "backfill without starving" in opened


async def test_a_new_story_nudges_the_leader_to_feature_it(
    chat: Chat, community: str, clock: FrozenClock, port: FakePort, core: Core
) -> None:
    async with core.services.db.session() as session:
        await stories.create_story(
            session,
            community_id=1,
            author_id=2,
            people=[],
            title="Backfills no longer starve the daily loads",
            now=START,
        )
        await session.commit()
    await chat.tick()
    await at(chat, clock, day(1))
    assert rules_to(port, "lead") == ["N1"]
    await chat.text(
        f"{button(nudges_to(port, 'lead')[0], 'Not relevant').command} fine", as_="lead"
    )
    await at(chat, clock, day(8))
    assert rules_to(port, "lead") == ["N1", "N9"]
    assert "Backfills no longer starve" in nudges_to(port, "lead")[1].text
    assert button(nudges_to(port, "lead")[1], "Do it").command == "nudge do 2"


async def sponsor_on_monthly_digests(chat: Chat) -> None:
    await chat("help", as_="helen")
    assert "now a sponsor" in await chat.text("role add @helen sponsor", as_="lead")
    await chat("digest settings data-eng monthly", as_="lead")
    await chat("nudges set QUIET weeks 52", as_="lead")


async def test_a_sponsor_silent_through_two_digests_brings_the_leaders_a_nudge(
    chat: Chat, community: str, clock: FrozenClock, port: FakePort
) -> None:
    await sponsor_on_monthly_digests(chat)
    for n in (1, 30, 45):  # the March digest is built on 1 April
        await at(chat, clock, day(n))
    assert "N14" not in rules_to(port, "lead")
    for n in range(60, 75):  # the April digest on 1 May: two digests, no word from helen
        await at(chat, clock, day(n))
    assert "N14" in rules_to(port, "lead")
    nudge = next(r for r in nudges_to(port, "lead") if "Nudge N14" in (r.context or ""))
    assert "last 2 digests" in nudge.text and "Invite your sponsor" in nudge.text
    assert rules_to(port, "helen") == []  # the sponsor is not nudged about themselves


async def test_a_sponsor_who_answers_a_digest_brings_no_such_nudge(
    chat: Chat, community: str, clock: FrozenClock, port: FakePort
) -> None:
    await sponsor_on_monthly_digests(chat)
    for n in (1, 30):
        await at(chat, clock, day(n))
    await at(chat, clock, day(31))
    assert "figures for March 2026" in await chat.text("stats data-eng", as_="helen")
    for n in range(60, 75):
        await at(chat, clock, day(n))
    assert "N14" not in rules_to(port, "lead")


async def test_a_no_agenda_nudge_held_past_the_session_is_dropped(
    chat: Chat, community: str, clock: FrozenClock, port: FakePort
) -> None:
    await chat('meeting new "Clinic" on 2026-03-06 15:00 60m', as_="lead")  # no agenda
    await chat("snooze until 2026-03-09", as_="lead")
    await chat.tick()
    await at(chat, clock, day(1))
    await chat.deliver()
    assert nudges_to(port, "lead") == []
    async with chat.core.services.db.session() as session:
        (row,) = await outbox.list_messages(session, key_prefix="nudge:N2:")
    assert row.held == "snooze" and row.not_after == datetime(2026, 3, 6, 15, 0, tzinfo=UTC)
    clock.set(datetime(2026, 3, 9, 9, 0, tzinfo=UTC))  # her snooze is over, the session too
    await chat.deliver()
    assert nudges_to(port, "lead") == []
    async with chat.core.services.db.session() as session:
        (row,) = await outbox.list_messages(session, key_prefix="nudge:N2:")
    assert row.status == "expired"
