"""Who asked, from memory: the identity and member rows of people seen lately, per process.

Every request starts by finding its asker (`Router._who`). Reading two rows and writing
`last_seen_at` each time made every request a write transaction; with this cache a request
whose asker is known reads nothing and writes nothing until:

- the entry is older than `FRESH` (30 s): the rows are read again, so a change another replica
  made (a link, a forget, a role or profile change) is seen within that time;
- `last_seen_at` was written more than `SEEN_EVERY` (5 min) ago: it is written again (the
  activity figures and retention read it at day granularity);
- the platform profile brings something the member row would take (see `Router._who`).

Changes this process makes are seen at once: `Database.watch` reports every member and
identity row a session changes (at the flush and again after the commit) and every statement
on those tables, and the entries concerned are dropped (all of them for a statement).
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from storage.db import Database

FRESH = timedelta(seconds=30)
SEEN_EVERY = timedelta(minutes=5)
MAX_KNOWN = 20_000


@dataclass(slots=True)
class Known:
    identity: dict[str, Any]
    member: dict[str, Any]
    read_at: datetime
    written_at: datetime

    def fresh(self, now: datetime) -> bool:
        return self.read_at + FRESH > now

    def seen_lately(self, now: datetime) -> bool:
        return self.written_at + SEEN_EVERY > now


class KnownPeople:
    """(platform, platform user id) -> the rows last read or written, bounded (oldest out)."""

    def __init__(self, db: Database) -> None:
        self._known: OrderedDict[tuple[str, str], Known] = OrderedDict()
        db.watch(("member", "identity"), self._changed)

    def get(self, platform: str, user_id: str) -> Known | None:
        return self._known.get((platform, user_id))

    def put(self, platform: str, user_id: str, known: Known) -> None:
        key = (platform, user_id)
        self._known[key] = known
        self._known.move_to_end(key)
        while len(self._known) > MAX_KNOWN:
            self._known.popitem(last=False)

    def forget(self, platform: str, user_id: str) -> None:
        self._known.pop((platform, user_id), None)

    def __len__(self) -> int:
        return len(self._known)

    def _changed(self, table: str, row: Any | None) -> None:
        if row is None:
            self._known.clear()  # a statement: which rows is not known
            return
        row_id = getattr(row, "id", None)
        member_ids = {row_id} if table == "member" else {getattr(row, "member_id", None)}
        stale = [
            key
            for key, known in self._known.items()
            if known.member.get("id") in member_ids
            or (table == "identity" and known.identity.get("id") == row_id)
        ]
        for key in stale:
            del self._known[key]
