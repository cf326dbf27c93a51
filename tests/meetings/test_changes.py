"""Changing a series after people answered: RSVPs follow moved sessions, people are told, the
reminders follow the new time, the community's reminder offsets, and the .ics keeps the past."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from icalendar import Calendar

from bot.app import Core
from bot.clock import FrozenClock
from storage import meetings, outbox
from tests.helpers import Chat, FakePort, text_of
from tests.meetings.conftest import CHANNEL, occurrences

# Tuesdays 15:00 Berlin = 14:00 UTC in March; the first session is on 3 March.
WEEKLY = 'meeting new "Clinic" every week on tuesday 15:00 60m https://meet.example/abc'
START = datetime(2026, 3, 3, 14, 0, tzinfo=UTC)
CHAN = f"#{CHANNEL}"


def reminders(port: FakePort, who: str) -> list[str]:
    return [t for t in port.texts(who) if "Reminder: Clinic" in t]


async def rsvp_rows(core: Core, occurrence_id: int) -> dict[int, str]:
    async with core.services.db.session() as session:
        return {r.member_id: r.status for r in await meetings.rsvps_for(session, [occurrence_id])}


async def test_a_new_time_carries_rsvps_and_tells_people(
    chat: Chat, berlin: str, core: Core, clock: FrozenClock, port: FakePort
) -> None:
    await chat(WEEKLY, as_="lead")
    await chat("rsvp 1 going", as_="ada")
    await chat("rsvp 1 no", as_="bo")
    await chat("rsvp 2 maybe", as_="bo")
    await chat("agenda 1 Incident review", as_="lead")
    saved = await chat.text("meeting edit 1 time 16:30", as_="lead")
    assert "I told 2 people" in saved
    moved = {o.starts_at: o for o in await occurrences(core) if o.state == "scheduled"}
    first = moved[datetime(2026, 3, 3, 15, 30, tzinfo=UTC)]
    second = moved[datetime(2026, 3, 10, 15, 30, tzinfo=UTC)]
    assert first.id is not None and second.id is not None
    assert sorted((await rsvp_rows(core, first.id)).values()) == ["going", "no"]
    assert list((await rsvp_rows(core, second.id)).values()) == ["maybe"]
    assert first.agenda == "Incident review"
    await chat.deliver()
    (ada,) = [r for r in port.to("ada") if r.title == "Moved: Clinic"]
    assert "Tue 3 Mar 2026, 09:00 EST is now Tue 3 Mar 2026, 10:30 EST" in ada.text
    assert "(going) still stands" in ada.text
    assert ada.choices[0].command == f"rsvp {first.id} going"
    (bo,) = [r for r in port.to("bo") if r.title == "Moved: Clinic"]  # "no" on the 3rd: not told
    assert "Tue 10 Mar 2026, 23:00 JST is now Wed 11 Mar 2026, 00:30 JST" in bo.text
    # News of a session is moot once it is over: held past its end, it would be dropped.
    async with core.services.db.session() as session:
        told = await outbox.list_messages(session, key_prefix="meeting-moved:")
    assert sorted(r.not_after for r in told if r.not_after) == [first.ends_at, second.ends_at]
    # The listing and the reminders follow the carried answers.
    assert "You said: going" in await chat.text("meetings", as_="ada")
    clock.set(datetime(2026, 3, 2, 15, 30, tzinfo=UTC))  # 24 h before the new time
    await chat.tick()
    assert len(reminders(port, "ada")) == 1 and reminders(port, "bo") == []
    assert "You said: going" in reminders(port, "ada")[0]


async def test_a_session_that_disappears_is_announced_to_those_coming(
    chat: Chat, berlin: str, core: Core, port: FakePort
) -> None:
    await chat(WEEKLY, as_="lead")
    await chat("rsvp 2 going", as_="ada")  # Tuesday 10 March
    await chat("rsvp 3 maybe", as_="bo")  # Tuesday 17 March
    # Every 2 weeks on Thursday from 5 March: 5 and 19 March. The 10th is 5 days from the 5th
    # and 9 from the 19th, so it has no replacement; the 17th becomes the 19th.
    text = await chat.text("meeting edit 1 schedule every 2 weeks on thursday 15:00", as_="lead")
    assert "every 2 weeks on Thursday at 15:00" in text and "I told 2 people" in text
    await chat.deliver()
    (ada,) = [r for r in port.to("ada") if r.title == "Changed: Clinic"]
    assert "on Tue 10 Mar 2026, 10:00 EDT no longer takes place" in ada.text
    (bo,) = [r for r in port.to("bo") if r.title == "Moved: Clinic"]
    assert "is now Thu 19 Mar 2026" in bo.text
    scheduled = {o.starts_at.date(): o for o in await occurrences(core) if o.state == "scheduled"}
    new = scheduled[datetime(2026, 3, 19).date()]
    assert new.id is not None and list((await rsvp_rows(core, new.id)).values()) == ["maybe"]


async def test_an_edit_that_moves_nothing_tells_nobody(
    chat: Chat, berlin: str, port: FakePort
) -> None:
    await chat(WEEKLY, as_="lead")
    await chat("rsvp 1 going", as_="ada")
    assert "I told" not in await chat.text("meeting edit 1 duration 90m", as_="lead")
    await chat.deliver()
    assert not [r for r in port.to("ada") if r.title and "Clinic" in r.title]
    assert "You said: going" in await chat.text("meetings", as_="ada")


async def test_leaders_set_the_communitys_reminder_offsets(
    chat: Chat, berlin: str, clock: FrozenClock, port: FakePort
) -> None:
    shown = await chat.text("meeting reminders", as_="ada")
    assert "24 hours and 15 minutes before" in shown
    refused = await chat.text("meeting reminders 2h", as_="ada")
    assert "Only leaders or facilitators" in refused
    assert "like `48h 1h 10m`" in await chat.text("meeting reminders soon", as_="lead")
    assert "at most 14 days" in await chat.text("meeting reminders 30d", as_="lead")
    saved = await chat.text("meeting reminders 2d 1h 10m", as_="lead")
    assert "2 days, 1 hour and 10 minutes before" in saved
    # Made before its first 2-day reminder is due (one already past would not be sent).
    clock.set(START - timedelta(days=3))
    created = await chat.text(WEEKLY, as_="lead")
    assert "2 days, 1 hour and 10 minutes before each session" in created
    await chat("rsvp 1 going", as_="ada")
    for moment, expected in (
        (START - timedelta(days=2), "starts in 2 days"),
        (START - timedelta(hours=24), None),  # no longer an offset
        (START - timedelta(hours=1), "starts in 1 hour"),
        (START - timedelta(minutes=10), "starts in 10 minutes"),
    ):
        before = len(reminders(port, CHAN))
        clock.set(moment)
        await chat.tick()
        channel = reminders(port, CHAN)
        if expected is None:
            assert len(channel) == before
        else:
            assert len(channel) == before + 1 and expected in channel[-1]
    assert len(reminders(port, "ada")) == 3
    assert "checkin 1" in reminders(port, CHAN)[-1]  # short reminder: link and check-in
    back = await chat.text("meeting reminders default", as_="lead")
    assert "24 hours and 15 minutes before" in back


def events(data: bytes) -> list:
    return list(Calendar.from_ical(data).walk("VEVENT"))


async def test_ics_keeps_held_sessions_at_their_old_time_after_an_edit(
    chat: Chat, berlin: str, clock: FrozenClock
) -> None:
    await chat(WEEKLY, as_="lead")
    await chat("meeting skip 1 2026-03-24", as_="lead")
    clock.set(datetime(2026, 3, 12, 9, 0, tzinfo=UTC))  # 3 and 10 March were held at 15:00
    await chat("meeting edit 1 time 16:30", as_="lead")
    replies = await chat("meeting ics 1", as_="ada")
    assert replies[0].file is not None
    found = events(replies[0].file.data)
    series = [e for e in found if "rrule" in e]
    held = sorted((e for e in found if "rrule" not in e), key=lambda e: e.decoded("dtstart"))
    assert len(series) == 1
    start = series[0].decoded("dtstart")
    assert start.replace(tzinfo=None) == datetime(2026, 3, 17, 16, 30)
    assert series[0]["dtstart"].params["TZID"] == "Europe/Berlin"
    exdates = [d.dt.astimezone(UTC) for d in series[0]["exdate"].dts]
    assert exdates == [datetime(2026, 3, 24, 15, 30, tzinfo=UTC)]  # the skip moved with it
    assert [e.decoded("dtstart").astimezone(UTC) for e in held] == [
        datetime(2026, 3, 3, 14, 0, tzinfo=UTC),
        datetime(2026, 3, 10, 14, 0, tzinfo=UTC),
    ]
    assert len({str(e["uid"]) for e in found}) == 3
    assert all(str(e["summary"]) == "Clinic" for e in found)
    assert "every week on Tuesday at 16:30" in text_of(await chat("meeting show 1", as_="ada"))


async def test_the_edit_form_carries_rsvps_too(
    chat: Chat, berlin: str, core: Core, port: FakePort
) -> None:
    await chat(WEEKLY, as_="lead")
    await chat("rsvp 1 going", as_="ada")
    form = (await chat("meeting edit 1", as_="lead"))[0].form
    assert form is not None
    values = {f.name: f.initial or "" for f in form.fields}
    values["when"] = "every week on Wednesday at 15:00"
    saved = await chat.submit(form.form_id, values, as_="lead")
    assert "I told 1 person" in text_of(saved)
    wednesday = next(o for o in await occurrences(core) if o.state == "scheduled")
    assert wednesday.starts_at == datetime(2026, 3, 4, 14, 0, tzinfo=UTC)
    assert wednesday.id is not None
    assert list((await rsvp_rows(core, wednesday.id)).values()) == ["going"]
    await chat.deliver()
    assert [r for r in port.to("ada") if r.title == "Moved: Clinic"]
