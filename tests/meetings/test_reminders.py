"""Reminders, the no-agenda nudge and post-meeting prompts: each exactly once, on the heartbeat."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sqlmodel import select

from bot.app import Core
from bot.clock import FrozenClock
from bot.config import Settings
from bot.meetings.core import PULSE_OPEN_FOR
from bot.ports import PortRegistry
from storage import meetings
from storage.db import Database
from storage.tables import NudgeSignal
from tests.helpers import Chat, FakePort, text_of
from tests.meetings.conftest import CHANNEL

# Tuesdays 15:00 Berlin = 14:00 UTC in March (before 29 March); first session 3 March.
WEEKLY = 'meeting new "Clinic" every week on tuesday 15:00 60m https://meet.example/abc'
START = datetime(2026, 3, 3, 14, 0, tzinfo=UTC)
CHAN = f"#{CHANNEL}"


async def scheduled(chat: Chat, *, agenda: bool = True) -> None:
    await chat(WEEKLY, as_="lead")
    if agenda:
        await chat("agenda 1 series Pipelines in production", as_="lead")
    await chat("rsvp 1 going", as_="ada")
    await chat("meeting remind me 1", as_="bo")


def reminders(port: FakePort, who: str) -> list[str]:
    return [t for t in port.texts(who) if "Reminder: Clinic" in t]


async def at(chat: Chat, clock: FrozenClock, moment: datetime) -> None:
    clock.set(moment)
    await chat.tick()


async def test_both_reminders_once_each_in_each_recipients_zone(
    chat: Chat, berlin: str, clock: FrozenClock, port: FakePort
) -> None:
    await scheduled(chat)
    await chat.tick()
    assert reminders(port, CHAN) == []
    await at(chat, clock, START - timedelta(hours=24))
    await chat.tick()
    channel = reminders(port, CHAN)
    assert len(channel) == 1
    assert "starts in 24 hours" in channel[0]
    assert "Tue 3 Mar 2026, 15:00 CET" in channel[0]
    assert "Agenda: Pipelines in production" in channel[0]
    assert "Check in" not in channel[0]
    (ada,) = reminders(port, "ada")
    assert "09:00 EST" in ada and "You said: going" in ada
    (bo,) = reminders(port, "bo")
    assert "23:00 JST" in bo
    assert reminders(port, "lead") == []  # no RSVP, no opt-in
    assert any("/files/ics/1?" in t for t in port.texts("ada"))

    await at(chat, clock, START - timedelta(minutes=15))
    await at(chat, clock, START - timedelta(minutes=5))
    channel = reminders(port, CHAN)
    assert len(channel) == 2
    assert "starts in 15 minutes" in channel[1]
    assert "Join: https://meet.example/abc" in channel[1]
    assert "checkin 1" in channel[1]
    assert len(reminders(port, "ada")) == 2 and len(reminders(port, "bo")) == 2


async def test_not_going_and_opt_out_get_no_dm(
    chat: Chat, berlin: str, clock: FrozenClock, port: FakePort
) -> None:
    await scheduled(chat)
    await chat("rsvp 1 no", as_="ada")
    await chat("rsvp 1 no", as_="bo")  # opted in to the series, but not coming this time
    await at(chat, clock, START - timedelta(hours=23))
    assert reminders(port, "ada") == [] and reminders(port, "bo") == []
    assert len(reminders(port, CHAN)) == 1


async def test_missed_reminders_catch_up_with_only_the_latest_due(
    chat: Chat, berlin: str, clock: FrozenClock, port: FakePort
) -> None:
    await scheduled(chat)
    # Down from Monday morning until 10 minutes before the start: one reminder, the short one.
    await at(chat, clock, START - timedelta(minutes=10))
    channel = reminders(port, CHAN)
    assert len(channel) == 1 and "starts in 10 minutes" in channel[0]
    assert len(reminders(port, "ada")) == 1
    await at(chat, clock, START - timedelta(minutes=1))
    assert len(reminders(port, CHAN)) == 1


async def test_no_reminder_once_the_meeting_has_begun(
    chat: Chat, berlin: str, clock: FrozenClock, port: FakePort
) -> None:
    await scheduled(chat)
    await at(chat, clock, START + timedelta(minutes=1))
    assert reminders(port, CHAN) == [] and reminders(port, "ada") == []


async def test_a_reminder_already_past_when_the_meeting_is_made_is_not_sent(
    chat: Chat, berlin: str, clock: FrozenClock, port: FakePort
) -> None:
    # Made 19 hours ahead: its 24-hour reminder is past, so only the 15-minute one goes.
    clock.set(START - timedelta(hours=19))
    await scheduled(chat)
    for moment in (START - timedelta(hours=19), START - timedelta(hours=1)):
        await at(chat, clock, moment)
        assert reminders(port, CHAN) == [] and reminders(port, "ada") == []
    await at(chat, clock, START - timedelta(minutes=15))
    await at(chat, clock, START - timedelta(minutes=5))
    (channel,) = reminders(port, CHAN)
    assert "starts in 15 minutes" in channel
    (ada,) = reminders(port, "ada")
    assert "starts in 15 minutes" in ada
    # The next session was planned more than a day ahead: both of its reminders go out.
    await at(chat, clock, START + timedelta(days=6))
    await at(chat, clock, START + timedelta(days=7) - timedelta(minutes=15))
    later = reminders(port, CHAN)[1:]
    assert len(later) == 2
    assert "starts in 24 hours" in later[0] and "starts in 15 minutes" in later[1]


async def test_skip_and_cancel_suppress_reminders(
    chat: Chat, berlin: str, clock: FrozenClock, port: FakePort
) -> None:
    await scheduled(chat)
    await chat("meeting skip 1 2026-03-03", as_="lead")
    await at(chat, clock, START - timedelta(minutes=10))
    assert reminders(port, CHAN) == []
    # The next Tuesday is reminded as usual, until the series is cancelled.
    await at(chat, clock, START + timedelta(days=6))
    assert len(reminders(port, CHAN)) == 1
    await chat("meeting cancel 1 confirm", as_="lead")
    await at(chat, clock, START + timedelta(days=7) - timedelta(minutes=10))
    assert len(reminders(port, CHAN)) == 1


async def test_exactly_once_across_a_restart(
    chat: Chat,
    berlin: str,
    clock: FrozenClock,
    port: FakePort,
    settings: Settings,
    database: Database,
) -> None:
    await scheduled(chat)
    clock.set(START - timedelta(hours=24))
    await chat.tick()
    ports = PortRegistry()
    ports.register(port)
    restarted = Core(settings, clock=clock, ports=ports, db=database, worker="restarted")
    await restarted.heartbeat.tick()
    await restarted.heartbeat.tick()
    assert len(reminders(port, CHAN)) == 1 and len(reminders(port, "ada")) == 1
    clock.set(START - timedelta(minutes=15))
    await restarted.heartbeat.tick()
    await chat.tick()
    assert len(reminders(port, CHAN)) == 2 and len(reminders(port, "ada")) == 2


async def test_exactly_once_with_two_cores_ticking_together(
    chat: Chat,
    berlin: str,
    clock: FrozenClock,
    port: FakePort,
    settings: Settings,
    database: Database,
    core: Core,
) -> None:
    await scheduled(chat)
    ports = PortRegistry()
    ports.register(port)
    other = Core(settings, clock=clock, ports=ports, db=database, worker="other")
    for moment in (START - timedelta(hours=24), START - timedelta(minutes=15)):
        clock.set(moment)
        # Concurrent ticks may collide on SQLite's write lock; the next heartbeat retries.
        for _ in range(3):
            await asyncio.gather(core.heartbeat.tick(), other.heartbeat.tick())
    assert len(reminders(port, CHAN)) == 2
    assert len(reminders(port, "ada")) == 2 and len(reminders(port, "bo")) == 2


async def test_no_agenda_nudges_the_organisers_once(
    chat: Chat, berlin: str, clock: FrozenClock, port: FakePort, core: Core
) -> None:
    await chat("role add @bo facilitator", as_="lead")
    await chat(WEEKLY, as_="bo")
    await chat.tick()
    assert not [t for t in port.texts("bo") if "no agenda" in t]  # just created
    await at(chat, clock, clock.now() + timedelta(hours=2))
    await chat.tick()
    for who in ("bo", "lead"):
        nudges = [t for t in port.texts(who) if "has no agenda yet" in t]
        assert len(nudges) == 1, who
        assert "meeting edit 1" in nudges[0]
    assert not [t for t in port.texts("ada") if "no agenda" in t]
    async with core.services.db.session() as session:
        signals = (await session.exec(select(NudgeSignal))).all()
    assert [(s.key, s.rule, s.ref) for s in signals] == [("meeting-no-agenda:1", "N2", "meeting:1")]
    # Once the next week's session comes within 7 days it is nudged too, unless it has one.
    await chat("agenda 1 series Show and tell", as_="bo")
    await at(chat, clock, START + timedelta(hours=2))
    assert len([t for t in port.texts("bo") if "has no agenda yet" in t]) == 1


async def test_after_the_meeting_pulse_to_attendees_and_lesson_prompt_to_host(
    chat: Chat, berlin: str, clock: FrozenClock, port: FakePort, core: Core
) -> None:
    await scheduled(chat)
    await chat("rsvp 1 going", as_="bo")
    clock.set(START + timedelta(minutes=5))
    await chat("checkin 1", as_="ada")
    await at(chat, clock, START + timedelta(minutes=61))
    await chat.tick()
    pulse = [r for r in port.to("ada") if r.title == "One-tap feedback"]
    assert len(pulse) == 1
    assert [c.command for c in pulse[0].choices] == [f"meeting rate 1 {n}" for n in range(1, 6)]
    assert not [r for r in port.to("bo") if r.title == "One-tap feedback"]  # did not check in
    lesson = [r for r in port.to("lead") if r.title == "Capture a lesson?"]
    assert len(lesson) == 1 and lesson[0].choices[0].command == "lesson after 1"
    assert "1 attended" in lesson[0].text
    form = await chat.click(lesson[0].choices[0], as_="lead")
    assert form[0].form is not None  # the lessons module's capture form, with the session
    initial = {f.name: f.initial for f in form[0].form.fields}
    assert form[0].form.form_id == "lesson.new:data-eng"
    assert initial["event_date"] == "2026-03-03" and initial["title"] == "Clinic, 03 Mar 2026"
    values = {**{k: v or "" for k, v in initial.items()}, "statement": "Keep demos short"}
    saved = await chat.submit(form[0].form.form_id, values, as_="lead")
    assert "Saved lesson 1" in text_of(saved)
    assert "Happened on: 03 Mar 2026" in await chat.text("lesson show 1", as_="lead")
    assert "There is no session `99`" in await chat.text("lesson after 99", as_="lead")
    thanks = await chat.click(pulse[0].choices[3], as_="ada")
    assert thanks[0].replace and "anonymously" in text_of(thanks)
    await chat.click(pulse[0].choices[4], as_="ada")
    async with core.services.db.session() as session:
        assert await meetings.pulse_summary(session, 1) == (1, 5.0)
    assert "has not happened yet" in await chat.text("meeting rate 2 4", as_="ada")


async def test_follow_up_goes_to_going_rsvps_when_nobody_checked_in(
    chat: Chat, berlin: str, clock: FrozenClock, port: FakePort
) -> None:
    await scheduled(chat)
    await at(chat, clock, START + timedelta(hours=2))
    assert len([r for r in port.to("ada") if r.title == "One-tap feedback"]) == 1
    assert not [r for r in port.to("bo") if r.title == "One-tap feedback"]  # only opted in


async def test_no_stale_follow_up_after_a_long_outage(
    chat: Chat, berlin: str, clock: FrozenClock, port: FakePort
) -> None:
    await scheduled(chat)
    await at(chat, clock, START + timedelta(days=2))
    assert not [r for r in port.to("ada") if r.title == "One-tap feedback"]
    assert not [r for r in port.to("lead") if r.title == "Capture a lesson?"]


async def test_session_rating_shows_once_feedback_closed_with_five_answers(
    chat: Chat, berlin: str, clock: FrozenClock
) -> None:
    """Like an anonymous survey: never live (before/after one tap gives it away), and only
    from COPBOT_ANONYMITY_THRESHOLD answers (5 by default)."""
    await scheduled(chat)
    for handle in ("cy", "di"):
        await chat(f"join {berlin}", as_=handle)
    clock.set(START + timedelta(hours=2))
    for handle, score in (("ada", 5), ("bo", 4), ("lead", 3), ("cy", 4), ("di", 4)):
        await chat(f"meeting rate 1 {score}", as_=handle)
    assert "Last session" not in await chat.text("meeting show 1", as_="ada")  # still open
    assert "Join Data Engineering first" in await chat.text("meeting rate 1 1", as_="stranger")
    clock.set(START + timedelta(hours=1) + PULSE_OPEN_FOR)
    assert "Last session: rated 4.0 of 5 by 5 people" in await chat.text("meeting show 1")
    late = await chat.text("meeting rate 1 1", as_="di")
    assert "Feedback on *Clinic* of Tue 3 Mar 2026, 14:00 UTC closed on Fri 6 Mar" in late
    assert "Last session: rated 4.0 of 5 by 5 people" in await chat.text("meeting show 1")


async def test_session_rating_with_four_answers_stays_hidden(
    chat: Chat, berlin: str, clock: FrozenClock
) -> None:
    await scheduled(chat)
    await chat(f"join {berlin}", as_="cy")
    clock.set(START + timedelta(hours=2))
    for handle, score in (("ada", 5), ("bo", 4), ("lead", 3), ("cy", 1)):
        await chat(f"meeting rate 1 {score}", as_=handle)
    clock.set(START + timedelta(days=4))
    assert "Last session" not in await chat.text("meeting show 1", as_="lead")


async def test_reminders_across_the_european_dst_change(
    chat: Chat, berlin: str, clock: FrozenClock, port: FakePort
) -> None:
    # Thursdays 15:00 Berlin: 14:00 UTC on 26 March, 13:00 UTC on 2 April (after 29 March).
    await chat('meeting new "Clinic" every week on thursday 15:00 60m', as_="lead")
    await chat("meeting remind me 1", as_="ada")
    await at(chat, clock, datetime(2026, 3, 25, 14, 0, tzinfo=UTC))
    (march,) = [t for t in reminders(port, CHAN) if "26 Mar" in t]
    assert "Thu 26 Mar 2026, 15:00 CET" in march and "starts in 24 hours" in march
    await at(chat, clock, datetime(2026, 4, 1, 12, 59, tzinfo=UTC))
    assert not [t for t in reminders(port, CHAN) if "2 Apr" in t]  # 24 h 1 min before
    await at(chat, clock, datetime(2026, 4, 1, 13, 0, tzinfo=UTC))
    (april,) = [t for t in reminders(port, CHAN) if "2 Apr" in t]
    assert "Thu 2 Apr 2026, 15:00 CEST" in april and "starts in 24 hours" in april
    # Ada in New York: 10:00 EDT in March (the US changed on 8 March), 09:00 EDT in April.
    ada = reminders(port, "ada")
    assert any("Thu 26 Mar 2026, 10:00 EDT" in t for t in ada)
    assert any("Thu 2 Apr 2026, 09:00 EDT" in t for t in ada)
