"""The .ics calendar file, the attendance CSV (direct and behind signed links) and demo data."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from typing import Any

from icalendar import Calendar

from bot.app import Core, create_app
from bot.clock import FrozenClock
from bot.config import Settings
from storage.db import Database
from tests.demo_copy import seed_demo
from tests.helpers import Chat, text_of

WEEKLY = 'meeting new "Clinic" every week on tuesday 15:00 60m https://meet.example/abc'
START = datetime(2026, 3, 3, 14, 0, tzinfo=UTC)


def parse_ics(data: bytes) -> Any:
    calendar = Calendar.from_ical(data)
    events = calendar.walk("VEVENT")
    assert len(events) == 1
    return calendar, events[0]


async def test_ics_has_the_series_with_tzid_rrule_and_skipped_dates(
    chat: Chat, berlin: str
) -> None:
    await chat(WEEKLY, as_="lead")
    await chat("agenda 1 series Open Q&A", as_="lead")
    await chat("meeting skip 1 2026-03-10", as_="lead")
    replies = await chat("meeting ics 1", as_="ada")
    attachment = replies[0].file
    assert attachment is not None and attachment.filename == "meeting-1.ics"
    assert attachment.mime == "text/calendar"
    calendar, event = parse_ics(attachment.data)
    assert str(event["summary"]) == "Clinic"
    start = event.decoded("dtstart")
    assert start == datetime(2026, 3, 3, 15, 0, tzinfo=start.tzinfo)
    assert event["dtstart"].params["TZID"] == "Europe/Berlin"
    assert event["rrule"]["FREQ"] == ["WEEKLY"] and event["rrule"]["BYDAY"] == ["TU"]
    assert event.decoded("duration") == timedelta(hours=1)
    excluded = [d.dt for d in event["exdate"].dts]
    assert [d.astimezone(UTC) for d in excluded] == [datetime(2026, 3, 10, 14, 0, tzinfo=UTC)]
    assert "Open Q&A" in str(event["description"])
    assert str(event["location"]) == "https://meet.example/abc"
    assert [str(tz["tzid"]) for tz in calendar.walk("VTIMEZONE")] == ["Europe/Berlin"]


async def test_ics_of_a_cancelled_one_off_meeting(chat: Chat, berlin: str) -> None:
    await chat('meeting new "Retro" once 2026-03-10 15:00', as_="lead")
    await chat("meeting cancel 1 confirm", as_="lead")
    replies = await chat("meeting ics 1", as_="ada")
    assert replies[0].file is not None
    _calendar, event = parse_ics(replies[0].file.data)
    assert "rrule" not in event and str(event["status"]) == "CANCELLED"


async def test_attendance_export_for_leaders(
    chat: Chat, berlin: str, clock: FrozenClock, core: Core
) -> None:
    await chat(WEEKLY, as_="lead")
    await chat("rsvp 1 going", as_="ada")
    await chat("rsvp 1 maybe", as_="bo")
    clock.set(START + timedelta(minutes=5))
    await chat("checkin 1", as_="ada")
    await chat("attendance 1 @lead", as_="lead")
    assert "Only leaders" in await chat.text("attendance export 1", as_="ada")
    replies = await chat("attendance export 1", as_="lead")
    attachment = replies[0].file
    assert attachment is not None and attachment.mime == "text/csv"
    rows = list(csv.reader(io.StringIO(attachment.data.decode())))
    assert rows[0] == ["occurrence_start", "member", "department", "rsvp", "attended"]
    assert rows[1:] == [
        ["2026-03-03 15:00", "Ada", "", "going", "yes"],
        ["2026-03-03 15:00", "Bo", "", "maybe", "no"],
        ["2026-03-03 15:00", "Lead", "", "", "yes"],
    ]
    assert any(c.url and "/files/attendance/1?" in c.url for c in replies[0].choices)


async def test_downloads_over_http(
    aiohttp_client: Any,
    chat: Chat,
    berlin: str,
    settings: Settings,
    database: Database,
    clock: FrozenClock,
) -> None:
    await chat(WEEKLY, as_="lead")
    shown = await chat("meeting show 1", as_="ada")
    url = next(c.url for c in shown[0].choices if c.label == "Add to calendar")
    assert url is not None
    exported = await chat("attendance export 1", as_="lead")
    csv_url = next(c.url for c in exported[0].choices if c.url)
    assert csv_url is not None
    app = create_app(settings, clock=clock, db=database, run_scheduler=False, migrate=False)
    client = await aiohttp_client(app)
    response = await client.get(url.removeprefix(settings.base_url))
    assert response.status == 200
    _calendar, event = parse_ics(await response.read())
    assert str(event["summary"]) == "Clinic"
    response = await client.get(csv_url.removeprefix(settings.base_url))
    assert response.status == 200
    assert (await response.text()).startswith("occurrence_start,member")
    tampered = url.removeprefix(settings.base_url).replace("/ics/1?", "/ics/2?")
    assert (await client.get(tampered)).status in {403, 404}


async def test_demo_has_a_series_with_past_attendance(chat: Chat, core: Core) -> None:
    assert await seed_demo(core.services)
    listing = await chat.text("meetings", as_="grace")
    assert "Monthly data clinic" in listing
    safety = await chat.text("meetings in safety", as_="tove")
    assert "Inspection huddle" in safety
    exported = await chat("attendance export 1", as_="grace")
    assert exported[0].file is not None
    rows = list(csv.reader(io.StringIO(exported[0].file.data.decode())))
    assert len(rows) > 10 and any(r[4] == "yes" for r in rows[1:])
    assert "Data Platform" in {r[2] for r in rows}
    assert text_of(await chat("home", as_="grace"))
