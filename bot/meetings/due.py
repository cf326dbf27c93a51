"""When the heartbeat next has to look at a meeting occurrence: its reminder and agenda check.

Each occurrence row stores these two instants in indexed columns, so a heartbeat reads only
the rows that are due instead of every session of the coming two weeks. A stored instant may
be earlier than needed (the job then works out the exact one and stores it), never later.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from storage.tables import Community

DEFAULT_OFFSETS = (1440, 15)
MAX_OFFSET = 20160  # 14 days, in minutes
MAX_OFFSETS = 4
AGENDA_LEAD = timedelta(days=7)
# A meeting created just now with no agenda is not nagged about at once.
AGENDA_GRACE = timedelta(hours=1)


def offsets_of(community: Community) -> list[int]:
    """The community's reminder offsets in minutes, longest first."""
    raw = community.reminder_offsets or list(DEFAULT_OFFSETS)
    found = {int(o) for o in raw if isinstance(o, int | float) and 0 < int(o) <= MAX_OFFSET}
    return sorted(found, reverse=True) or list(DEFAULT_OFFSETS)


def next_reminder_at(
    starts_at: datetime, reminded_offset: int | None, offsets: list[int]
) -> datetime | None:
    """When the next reminder not sent yet falls due; None when every one has gone out.

    Only offsets shorter than the one already sent are still to come: after downtime the
    job sends the shortest due offset alone, and never a longer one after it.
    """
    left = [o for o in offsets if reminded_offset is None or o < reminded_offset]
    return starts_at - timedelta(minutes=max(left)) if left else None


def first_reminder(
    starts_at: datetime, offsets: list[int], now: datetime
) -> tuple[int | None, datetime | None]:
    """For a session planned at `now`: (the offset counted as done, when the first reminder is due).

    A reminder whose time has already passed when the session is planned (a meeting made three
    hours ahead and its 24-hour reminder) is never sent: it is counted as done, so only the
    next one goes out, at its own time.
    """
    passed = [o for o in offsets if starts_at - timedelta(minutes=o) < now]
    done = min(passed, default=None)
    return done, next_reminder_at(starts_at, done, offsets)


def agenda_check_at(starts_at: datetime, created_at: datetime) -> datetime:
    """A week before the session, but not within the grace hour after the meeting was made."""
    return max(starts_at - AGENDA_LEAD, created_at + AGENDA_GRACE)
