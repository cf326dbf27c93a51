"""Respect for people's time: working hours and snooze, applied by the dispatcher."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from bot import delivery
from bot.app import Core
from bot.availability import (
    BULK_KIND,
    NOTICE,
    REPLY,
    WANTED,
    held_until,
    next_working_time,
    parse_hours,
    stored_hours,
)
from bot.clock import FrozenClock
from bot.config import Settings
from bot.errors import UserError
from bot.messages import Reply
from bot.ports import PortRegistry
from storage import communities, people
from storage.db import Database
from storage.tables import OutboxMessage
from tests.helpers import Chat, FakePort

BERLIN = ZoneInfo("Europe/Berlin")
ONE_QUESTION = {
    "title": "Quick check",
    "questions": "a5: The last session was useful",
    "audience": "members",
    "anonymous": "yes",
    "opens": "now",
    "closes": "7d",
}


@pytest.fixture
def settings() -> Settings:
    # The shipped default, spelled out: the suite's other tests send at any hour.
    return Settings(
        DATABASE_URL="sqlite+aiosqlite:///unused.db",
        COPBOT_ADMINS="root",
        COPBOT_WORK_HOURS="09:00-18:00 mon-fri",
    )


def invites(port: FakePort, who: str) -> list[str]:
    return [t for t in port.texts(who) if "Quick check" in t]


async def outbox_rows(chat: Chat, prefix: str) -> list[OutboxMessage]:
    async with chat.core.services.db.session() as session:
        rows = (await session.exec(select(OutboxMessage))).all()
        return [r for r in rows if r.key.startswith(prefix)]


async def at(chat: Chat, clock: FrozenClock, moment: datetime) -> None:
    clock.set(moment)
    await chat.deliver()


# -- the rules ------------------------------------------------------------------------------------


def test_hours_are_read_and_written_back() -> None:
    assert str(parse_hours("08:00-16:00 mon-thu")) == "08:00-16:00 mon-thu"
    assert str(parse_hours("9-17")) == "09:00-17:00 mon-fri"
    assert str(parse_hours("8:30-12:00 mon,wed,fri")) == "08:30-12:00 mon,wed,fri"
    assert str(parse_hours("22:00-23:00 sat-sun")) == "22:00-23:00 sat,sun"
    for bad in ("soon", "18:00-09:00", "25:00-26:00", "9-17 someday"):
        with pytest.raises(UserError):
            parse_hours(bad)
    assert stored_hours("off") is None
    assert str(stored_hours(None)) == "09:00-18:00 mon-fri"
    assert stored_hours(None, "off") is None


def test_each_kind_waits_for_what_it_should() -> None:
    saturday_night = datetime(2026, 3, 7, 23, 0, tzinfo=UTC)
    snooze_end = datetime(2026, 3, 20, 12, 0, tzinfo=UTC)
    hours = stored_hours(None)
    common = {"zone": BERLIN, "hours": hours}
    monday = datetime(2026, 3, 9, 8, 0, tzinfo=UTC)  # 09:00 in Berlin
    assert held_until(saturday_night, kind=BULK_KIND, snoozed_until=None, **common) == (
        monday,
        "hours",
    )
    assert held_until(saturday_night, kind=NOTICE, snoozed_until=None, **common) == (
        monday,
        "hours",
    )
    assert held_until(saturday_night, kind=WANTED, snoozed_until=None, **common) is None
    assert held_until(saturday_night, kind=REPLY, snoozed_until=snooze_end, **common) is None
    # A snooze holds a wanted reminder too, and ends on a working hour for the rest.
    assert held_until(saturday_night, kind=WANTED, snoozed_until=snooze_end, **common) == (
        snooze_end,
        "snooze",
    )
    friday_evening = datetime(2026, 3, 20, 18, 0, tzinfo=UTC)
    assert held_until(saturday_night, kind=BULK_KIND, snoozed_until=friday_evening, **common) == (
        datetime(2026, 3, 23, 8, 0, tzinfo=UTC),
        "snooze",
    )


@pytest.mark.parametrize(
    ("friday_evening", "monday_morning"),
    [
        # Europe's clocks go forward on 29 March 2026 and back on 25 October 2026.
        (datetime(2026, 3, 27, 20, 0, tzinfo=UTC), datetime(2026, 3, 30, 7, 0, tzinfo=UTC)),
        (datetime(2026, 10, 23, 20, 0, tzinfo=UTC), datetime(2026, 10, 26, 8, 0, tzinfo=UTC)),
    ],
)
def test_the_next_working_hour_across_a_dst_change(
    friday_evening: datetime, monday_morning: datetime
) -> None:
    assert next_working_time(friday_evening, BERLIN, stored_hours(None)) == monday_morning


# -- through the dispatcher -----------------------------------------------------------------------


async def test_a_survey_prompt_waits_for_each_recipients_morning(
    chat: Chat,
    community: str,
    clock: FrozenClock,
    port: FakePort,
    settings: Settings,
    database: Database,
) -> None:
    await chat("timezone Europe/Berlin", as_="ada")
    await chat("timezone America/New_York", as_="bo")
    await chat("hours off", as_="lead")
    clock.set(datetime(2026, 3, 2, 2, 30, tzinfo=UTC))  # Monday 03:30 in Berlin
    await chat.submit("survey.new:data-eng", ONE_QUESTION, as_="lead")
    await chat.deliver()
    assert invites(port, "ada") == [] and invites(port, "bo") == []
    assert len(invites(port, "lead")) == 1  # who turned hours off gets it at once
    held = {r.member_id: r for r in await outbox_rows(chat, "survey:1:invite:")}
    assert {r.held for r in held.values()} == {"hours", None}
    # The launcher is not kept waiting with them.
    await chat.tick()
    (done,) = [t for t in port.texts("lead") if "reached" in t]
    assert "reached 1 of 3 members; 2 will get it in their working hours" in done

    # A restarted process, and a second replica, hold it just the same: the row decides.
    ports = PortRegistry()
    ports.register(port)
    replica = Core(settings, clock=clock, ports=ports, db=database, worker="replica")
    clock.set(datetime(2026, 3, 2, 7, 59, tzinfo=UTC))
    await asyncio.gather(chat.deliver(), replica.heartbeat.deliver())
    assert invites(port, "ada") == []
    clock.set(datetime(2026, 3, 2, 8, 0, tzinfo=UTC))  # 09:00 in Berlin
    await asyncio.gather(chat.deliver(), replica.heartbeat.deliver())
    assert len(invites(port, "ada")) == 1 and invites(port, "bo") == []
    await at(chat, clock, datetime(2026, 3, 2, 14, 0, tzinfo=UTC))  # 09:00 in New York
    assert len(invites(port, "bo")) == 1
    assert len(invites(port, "ada")) == 1


async def test_a_reminder_someone_asked_for_comes_on_time(
    chat: Chat, community: str, clock: FrozenClock, port: FakePort
) -> None:
    await chat("charter edit timezone Europe/Berlin", as_="lead")
    for who in ("ada", "bo"):
        await chat("timezone Europe/Berlin", as_=who)
    # Wednesday 07:00 in Berlin: both reminders fall before anyone's working hours.
    await chat('meeting new "Early sync" on 2026-03-04 07:00 30m', as_="lead")
    await chat("rsvp 1 going", as_="ada")
    clock.set(datetime(2026, 3, 4, 5, 45, tzinfo=UTC))  # 06:45 in Berlin, 15 minutes before
    await chat.tick()
    await chat.submit("survey.new:data-eng", ONE_QUESTION, as_="lead")
    await chat.deliver()
    assert [t for t in port.texts("ada") if "Reminder: Early sync" in t]
    assert invites(port, "ada") == []  # the survey prompt still waits for 09:00
    assert not [t for t in port.texts("bo") if "Reminder: Early sync" in t]


async def test_snooze_holds_everything_proactive_until_off(
    chat: Chat, community: str, clock: FrozenClock, port: FakePort
) -> None:
    await chat('meeting new "Sync" on 2026-03-04 11:00 30m', as_="lead")  # in UTC
    await chat("rsvp 1 going", as_="ada")
    await chat.deliver()
    welcomed = len(port.to("ada"))
    answer = await chat.text("snooze 2w", as_="ada")
    assert "Snoozed until Mon 16 Mar 2026, 09:00 (UTC)" in answer
    assert "(UTC)" in answer
    await chat("role add @ada facilitator", as_="lead")  # a notice
    await chat.submit("survey.new:data-eng", ONE_QUESTION, as_="lead")  # a prompt
    clock.set(datetime(2026, 3, 4, 10, 45, tzinfo=UTC))
    await chat.tick()  # the reminder she asked for
    await chat.deliver()
    assert len(port.to("ada")) == welcomed
    assert len(invites(port, "bo")) == 1  # nobody else waits
    status = await chat.text("snooze", as_="ada")
    assert "You are snoozed until" in status

    released = await chat.text("snooze off", as_="ada")
    assert "Snooze off" in released and "3 waiting messages" in released
    await chat.deliver()
    texts = port.texts("ada")
    assert any("Quick check" in t for t in texts)
    assert any("facilitator" in t for t in texts)
    assert any("Reminder: Sync" in t for t in texts)
    assert await chat.text("snooze off", as_="ada") == "You were not snoozed."


async def test_snooze_until_a_date_ends_at_its_start_across_dst(
    chat: Chat, community: str, clock: FrozenClock, port: FakePort
) -> None:
    await chat("timezone Europe/Berlin", as_="ada")
    clock.set(datetime(2026, 3, 27, 12, 0, tzinfo=UTC))  # Friday before the change
    answer = await chat.text("snooze until 2026-03-31", as_="ada")
    assert "Tue 31 Mar 2026, 00:00 (Europe/Berlin)" in answer
    await chat.submit("survey.new:data-eng", ONE_QUESTION, as_="lead")
    await chat.deliver()
    (row,) = [r for r in await outbox_rows(chat, "survey:1:invite:") if r.held]
    # Midnight CEST is 22:00 UTC; then her working day opens at 09:00 CEST = 07:00 UTC.
    assert row.held == "snooze"
    assert row.next_attempt_at == datetime(2026, 3, 31, 7, 0, tzinfo=UTC)
    await at(chat, clock, datetime(2026, 3, 31, 6, 59, tzinfo=UTC))
    assert invites(port, "ada") == []
    await at(chat, clock, datetime(2026, 3, 31, 7, 0, tzinfo=UTC))
    assert len(invites(port, "ada")) == 1


async def test_hours_are_shown_set_and_released(
    chat: Chat, community: str, clock: FrozenClock, port: FakePort
) -> None:
    assert "09:00-18:00 mon-fri (the default)" in await chat.text("hours", as_="ada")
    set_ = await chat.text("hours 08:00-16:00 mon-thu", as_="ada")
    assert "08:00-16:00 mon-thu" in set_
    assert "08:00-16:00 mon-thu, in UTC" in await chat.text("hours", as_="ada")
    bad = await chat.text("hours 18-9", as_="ada")
    assert "must end after they start" in bad
    clock.set(datetime(2026, 3, 6, 10, 0, tzinfo=UTC))  # a Friday: not one of her days
    await chat.submit("survey.new:data-eng", ONE_QUESTION, as_="lead")
    await chat.deliver()
    assert invites(port, "ada") == [] and len(invites(port, "bo")) == 1
    (row,) = [r for r in await outbox_rows(chat, "survey:1:invite:") if r.held]
    assert row.next_attempt_at == datetime(2026, 3, 9, 8, 0, tzinfo=UTC)
    assert "any time" in await chat.text("hours off", as_="ada")
    await chat.deliver()
    assert len(invites(port, "ada")) == 1
    bad_snooze = await chat.text("snooze forever", as_="ada")
    assert "snooze 2w" in bad_snooze


async def test_what_was_queued_for_a_paused_community_is_not_sent(
    chat: Chat, community: str, clock: FrozenClock, port: FakePort
) -> None:
    await chat.deliver()
    before = len(port.to("ada"))
    async with chat.core.services.db.session() as session:
        found = await communities.find_community(session, community)
        ada = await people.find_identity(session, "console", "ada")
        assert found is not None and ada is not None
        for kind in (BULK_KIND, REPLY):
            await delivery.notify_member(
                session,
                ada.member_id,
                Reply(f"a {kind}"),
                f"test:{kind}",
                now=clock.now(),
                community_id=found.id,
                kind=kind,
            )
        found.paused_at = clock.now() - timedelta(minutes=1)
        session.add(found)
    await chat.deliver()
    # The answer to her own action still comes; the prompt for the paused community does not.
    assert [r.text for r in port.to("ada")[before:]] == ["a reply"]
    (row,) = await outbox_rows(chat, "test:bulk")
    assert row.status == "cancelled"


# -- messages that are moot after a moment ----------------------------------------------------


def reminders(port: FakePort, who: str) -> list[str]:
    return [t for t in port.texts(who) if "Reminder: Sync" in t]


async def both_reminders_in_her_snooze(chat: Chat, clock: FrozenClock, *going: str) -> None:
    """ "Sync" on Wed 4 Mar 11:00-11:30 UTC (with its join link), `going` said so, and ada
    snoozed for two weeks: the day-before and the 15-minute reminders both fall in her snooze."""
    await chat('meeting new "Sync" on 2026-03-04 11:00 30m https://meet.example/s', as_="lead")
    for who in going:
        await chat("rsvp 1 going", as_=who)
    await chat("snooze 2w", as_="ada")
    for moment in (
        datetime(2026, 3, 3, 11, 0, tzinfo=UTC),
        datetime(2026, 3, 4, 10, 45, tzinfo=UTC),
    ):
        await at(chat, clock, moment)
        await chat.tick()
    await chat.deliver()


async def test_a_reminder_held_past_its_meeting_is_dropped_as_expired(
    chat: Chat, community: str, clock: FrozenClock, port: FakePort
) -> None:
    await both_reminders_in_her_snooze(chat, clock, "ada", "bo")
    assert len(reminders(port, "bo")) == 2  # nobody else waits
    assert reminders(port, "ada") == []
    held = await outbox_rows(chat, "meeting-reminder:1:")
    assert {r.held for r in held if r.member_id is not None and r.status == "pending"} == {"snooze"}

    await at(chat, clock, datetime(2026, 3, 4, 12, 0, tzinfo=UTC))  # the meeting is over
    mine = [r for r in await outbox_rows(chat, "meeting-reminder:1:") if r.status != "sent"]
    assert len(mine) == 2 and {r.status for r in mine} == {"expired"}
    assert "*Expired* 2 (console 2)" in await chat.text("delivery", as_="root")
    # Her snooze ending later brings back nothing stale.
    assert "Snooze off" in await chat.text("snooze off", as_="ada")
    await chat.deliver()
    await at(chat, clock, datetime(2026, 3, 16, 9, 0, tzinfo=UTC))
    assert reminders(port, "ada") == []
    assert len(reminders(port, "bo")) == 2


async def test_a_snooze_ending_mid_meeting_still_brings_the_join_reminder(
    chat: Chat, community: str, clock: FrozenClock, port: FakePort
) -> None:
    """The day-before reminder ("starts in 1 day") is moot once the session starts; the short
    one carries the join link and Check in, which still serve someone joining late."""
    await both_reminders_in_her_snooze(chat, clock, "ada")
    assert reminders(port, "ada") == []

    clock.set(datetime(2026, 3, 4, 11, 10, tzinfo=UTC))  # ten minutes into the session
    await chat("snooze off", as_="ada")
    await chat.deliver()
    (late,) = reminders(port, "ada")
    assert "meet.example/s" in late and "Check in" in late
    statuses = {r.key.split(":")[2]: r.status for r in await outbox_rows(chat, "meeting-reminder")}
    assert statuses == {"1440": "expired", "15": "sent"}


async def test_a_survey_invitation_held_past_the_close_is_not_sent(
    chat: Chat, community: str, clock: FrozenClock, port: FakePort
) -> None:
    for who in ("ada", "bo", "lead"):
        await chat("hours off", as_=who)
    await chat("snooze 2w", as_="ada")
    await chat.submit("survey.new:data-eng", ONE_QUESTION, as_="lead")  # closes in 7 days
    await chat.deliver()
    assert len(invites(port, "bo")) == 1 and invites(port, "ada") == []
    await at(chat, clock, datetime(2026, 3, 9, 9, 1, tzinfo=UTC))  # closed a minute ago
    (row,) = [r for r in await outbox_rows(chat, "survey:1:invite:") if r.status != "sent"]
    assert row.status == "expired"
    await at(chat, clock, datetime(2026, 3, 16, 9, 0, tzinfo=UTC))  # her snooze is over
    assert invites(port, "ada") == []
