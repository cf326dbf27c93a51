"""The stored due times (`remind_at`, `agenda_check_at`) follow every change to a meeting, and
an idle heartbeat costs the same number of statements for 3 meetings as for 30."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

from bench.heartbeat import seed
from bot.app import Core
from bot.clock import FrozenClock
from bot.config import Settings
from storage import meetings
from storage.db import Database
from storage.tables.meetings import MeetingOccurrence
from tests.helpers import Chat, FakePort
from tests.meetings.conftest import occurrences

# Tuesdays 15:00 Berlin = 14:00 UTC in March (13:00 UTC from 29 March); the clock starts on
# Monday 2 March 09:00 UTC, so the first session is the next day.
WEEKLY = 'meeting new "Clinic" every week on tuesday 15:00 60m https://meet.example/abc'
CREATED = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
FIRST = datetime(2026, 3, 3, 14, 0, tzinfo=UTC)
SECOND = datetime(2026, 3, 10, 14, 0, tzinfo=UTC)
DAY = timedelta(hours=24)


async def scheduled(core: Core) -> dict[datetime, MeetingOccurrence]:
    return {o.starts_at: o for o in await occurrences(core) if o.state == "scheduled"}


async def due_now(core: Core) -> tuple[list[int], list[int]]:
    """Ids of sessions the next heartbeat would look at: (reminders, agenda checks)."""
    now = core.services.clock.now()
    async with core.services.db.session() as session:
        reminders = [o.id or 0 for o, _, _ in await meetings.reminders_due(session, now)]
        agendas = [o.id or 0 for o, _, _ in await meetings.agenda_checks_due(session, now)]
    return reminders, agendas


async def test_a_new_series_stores_its_first_reminder_and_agenda_check(
    chat: Chat, berlin: str, core: Core
) -> None:
    await chat(WEEKLY, as_="lead")
    rows = await scheduled(core)
    assert len(rows) == 5
    for starts_at, row in rows.items():
        assert row.remind_at == starts_at - DAY
        assert row.agenda_check_at == max(
            starts_at - timedelta(days=7), CREATED + timedelta(hours=1)
        )
    # Nothing is due at once: the first heartbeat reads no session at all.
    await chat.tick()
    assert await due_now(core) == ([], [])


async def test_sending_a_reminder_stores_the_next_one_then_none(
    chat: Chat, berlin: str, core: Core, clock: FrozenClock, port: FakePort
) -> None:
    await chat(WEEKLY, as_="lead")
    await chat("agenda 1 series Pipelines", as_="lead")
    clock.set(FIRST - DAY)
    await chat.tick()
    assert (await scheduled(core))[FIRST].remind_at == FIRST - timedelta(minutes=15)
    assert await due_now(core) == ([], [])
    clock.set(FIRST - timedelta(minutes=15))
    await chat.tick()
    first = (await scheduled(core))[FIRST]
    assert first.reminded_offset == 15 and first.remind_at is None
    assert (await scheduled(core))[SECOND].remind_at == SECOND - DAY
    assert len([t for t in port.texts("#C-data") if "Reminder: Clinic" in t]) == 2


async def test_an_agenda_parks_the_check_and_clearing_it_brings_the_nudge_back(
    chat: Chat, berlin: str, core: Core, clock: FrozenClock, port: FakePort
) -> None:
    await chat(WEEKLY, as_="lead")
    await chat("agenda 1 series Pipelines", as_="lead")
    clock.set(CREATED + timedelta(hours=2))
    await chat.tick()
    assert all(o.agenda_check_at is None for o in (await scheduled(core)).values())
    assert not [t for t in port.texts("lead") if "has no agenda" in t]
    await chat("agenda 1 series", as_="lead")  # cleared
    await chat.tick()
    await chat.tick()
    rows = await scheduled(core)
    assert rows[FIRST].agenda_nudged  # the N2 signal is raised at once
    # The leader nudges tell the organisers at the next daily check (09:00 in Berlin).
    clock.set(datetime(2026, 3, 3, 8, 0, tzinfo=UTC))
    await chat.tick()
    nudges = [t for t in port.texts("lead") if "has no agenda" in t]
    assert len(nudges) == 1 and "2026-03-03" in nudges[0]
    rows = await scheduled(core)
    assert rows[FIRST].agenda_nudged and rows[FIRST].agenda_check_at is None
    assert rows[SECOND].agenda_check_at == SECOND - timedelta(days=7)


async def test_an_edited_time_moves_the_due_times_with_the_sessions(
    chat: Chat, berlin: str, core: Core
) -> None:
    await chat(WEEKLY, as_="lead")
    await chat("meeting edit 1 time 16:30", as_="lead")
    every = await occurrences(core)
    moved = [o for o in every if o.state == "moved"]
    assert moved and all(o.remind_at is None and o.agenda_check_at is None for o in moved)
    rows = await scheduled(core)
    later = FIRST + timedelta(minutes=90)
    assert later in rows and FIRST not in rows
    assert rows[later].remind_at == later - DAY
    await chat.tick()
    assert await due_now(core) == ([], [])


async def test_skip_clears_the_due_times_and_unskip_sets_them_again(
    chat: Chat, berlin: str, core: Core, clock: FrozenClock, port: FakePort
) -> None:
    await chat(WEEKLY, as_="lead")
    await chat("rsvp 1 going", as_="ada")
    await chat("meeting skip 1 2026-03-03", as_="lead")
    skipped = [o for o in await occurrences(core) if o.starts_at == FIRST]
    assert skipped[0].state == "skipped"
    assert skipped[0].remind_at is None and skipped[0].agenda_check_at is None
    clock.set(FIRST - timedelta(hours=2))
    await chat.tick()
    assert not [t for t in port.texts("ada") if "Reminder: Clinic" in t]
    await chat("meeting unskip 1 2026-03-03", as_="lead")
    row = (await scheduled(core))[FIRST]
    assert row.remind_at == FIRST - timedelta(hours=2)  # now: looked at by the next heartbeat
    await chat.tick()
    (reminder,) = [t for t in port.texts("ada") if "Reminder: Clinic" in t]
    assert "starts in 2 hours" in reminder
    assert (await scheduled(core))[FIRST].remind_at == FIRST - timedelta(minutes=15)


async def test_cancel_clears_the_due_times_and_restore_sets_them_again(
    chat: Chat, berlin: str, core: Core
) -> None:
    await chat(WEEKLY, as_="lead")
    await chat("meeting cancel 1 confirm", as_="lead")
    cancelled = [o for o in await occurrences(core) if o.state == "cancelled"]
    assert len(cancelled) == 5
    assert all(o.remind_at is None and o.agenda_check_at is None for o in cancelled)
    await chat("meeting restore 1", as_="lead")
    rows = await scheduled(core)
    assert len(rows) == 5 and all(o.remind_at == CREATED for o in rows.values())
    await chat.tick()
    rows = await scheduled(core)
    assert all(o.remind_at == s - DAY for s, o in rows.items())
    assert await due_now(core) == ([], [])


async def test_new_reminder_offsets_are_worked_out_again_for_every_session(
    chat: Chat, berlin: str, core: Core
) -> None:
    await chat(WEEKLY, as_="lead")
    await chat("meeting reminders 48h 1h", as_="lead")
    assert all(o.remind_at == CREATED for o in (await scheduled(core)).values())
    await chat.tick()
    rows = await scheduled(core)
    # The first session is 29 hours away: its 48-hour reminder is due and goes out now.
    assert rows[FIRST].reminded_offset == 2880
    assert rows[FIRST].remind_at == FIRST - timedelta(hours=1)
    assert rows[SECOND].remind_at == SECOND - timedelta(hours=48)


@contextmanager
def counted(db: Database) -> Iterator[tuple[list[str], list[object]]]:
    """Every SQL statement the engine sends, and every meeting session row read into the
    ORM, while the block runs."""
    statements: list[str] = []
    loaded: list[object] = []

    def record(*args: Any) -> None:
        statements.append(args[2])

    def load(_session: Any, instance: object) -> None:
        if isinstance(instance, MeetingOccurrence):
            loaded.append(instance)

    event.listen(db.engine.sync_engine, "before_cursor_execute", record)
    event.listen(Session, "loaded_as_persistent", load)
    try:
        yield statements, loaded
    finally:
        event.remove(Session, "loaded_as_persistent", load)
        event.remove(db.engine.sync_engine, "before_cursor_execute", record)


async def heartbeat_cost(db: Database, meetings_count: int) -> tuple[int, int, int]:
    """Statements of the first heartbeat (planning) and of an idle one, and the session rows
    the idle one reads, for N weekly meetings."""
    await seed(db, meetings_count)
    clock = FrozenClock(datetime(2026, 2, 28, 9, 0, tzinfo=UTC))
    core = Core(Settings(DATABASE_URL=db.url), clock=clock, db=db)
    with counted(db) as (first, _):
        await core.heartbeat.tick()
    clock.advance(timedelta(minutes=1))
    with counted(db) as (idle, read):
        await core.heartbeat.tick()
    assert len(await occurrences(core)) == 5 * meetings_count
    return len(first), len(idle), len(read)


async def test_heartbeat_cost_does_not_grow_with_the_number_of_meetings(tmp_path: Any) -> None:
    few_db = Database(f"sqlite+aiosqlite:///{tmp_path}/few.db")
    many_db = Database(f"sqlite+aiosqlite:///{tmp_path}/many.db")
    try:
        few = await heartbeat_cost(few_db, 3)
        many = await heartbeat_cost(many_db, 30)
    finally:
        await few_db.dispose()
        await many_db.dispose()
    assert many == few
    assert many[2] == 0  # an idle heartbeat reads no session row at all
