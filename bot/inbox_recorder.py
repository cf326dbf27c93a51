"""The inbox's acknowledgement path: group commit, and priority over processing.

Under a burst every acknowledgement waits for its inbox row to be committed. One transaction
per row makes them queue for the database's write lock one by one, behind the processing of
earlier requests (SQLite has one writer; its busy handler sleeps up to 100 ms per retry, and
each waiter retries alone), and a slow ack is one Slack reports as failed (3 s).

So rows that arrive while one transaction is being written wait and are written together in
the next one (a tiny group commit: one statement, one write lock, one commit, for up to
`BATCH` rows), and processing does not start a transaction while rows wait to be recorded
(`wait_quiet`, bounded by `MAX_YIELD_SECONDS` so processing never starves under a steady
stream).

While requests keep coming (two recorded less than `QUIET_SECONDS` apart), processing also
waits until nothing has been recorded for `QUIET_SECONDS` (time for the acknowledgements just
written to reach their senders and the next requests to come in): each step of the work holds
the event loop for a few milliseconds, and an acknowledgement that arrives meanwhile waits for
every step queued before it. A burst is acknowledged first and answered right after it (or
after `MAX_YIELD_SECONDS`); a request on its own is processed at once.

If a batch fails, its rows are written one by one, so one bad row fails only its own ack.

`bot.inbox` also writes the `done` marks of answered requests through a second recorder, so
answers given at the same moment take one transaction, not one each.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from storage.db import Database

_LOGGER = logging.getLogger(__name__)
BATCH = 100
MAX_YIELD_SECONDS = 0.5
QUIET_SECONDS = 0.01

# Writes rows in the given session; returns the id of each, in order, or None where its key
# was seen before.
WriteRows = Callable[[AsyncSession, list[dict[str, Any]]], Awaitable[list[int | None]]]


@dataclass(slots=True)
class _Waiting:
    row: dict[str, Any]
    result: asyncio.Future[int | None]


class Recorder:
    def __init__(
        self,
        db: Database,
        write: WriteRows,
        *,
        group_commit: bool = True,
        quiet_seconds: float = QUIET_SECONDS,
        max_yield_seconds: float = MAX_YIELD_SECONDS,
    ) -> None:
        self.db = db
        self.write = write
        self.group_commit = group_commit
        self.quiet_seconds = quiet_seconds
        self.max_yield_seconds = max_yield_seconds
        self._waiting: list[_Waiting] = []
        self._writer: asyncio.Task[None] | None = None
        self._pending = 0
        self._quiet = asyncio.Event()
        self._quiet.set()
        # When the last two rows came in (loop time): are requests coming in a stream?
        self._recorded_at = (float("-inf"), float("-inf"))
        self._quiet_since = float("-inf")  # when the last recording finished

    async def record(self, row: dict[str, Any]) -> int | None:
        """Write one row (with others waiting at the same moment); its id or None."""
        self._pending += 1
        self._quiet.clear()
        self._recorded_at = (self._recorded_at[1], asyncio.get_running_loop().time())
        try:
            if not self.group_commit:
                async with self.db.session() as session:
                    return (await self.write(session, [row]))[0]
            waiting = _Waiting(row, asyncio.get_running_loop().create_future())
            self._waiting.append(waiting)
            if self._writer is None or self._writer.done():
                self._writer = asyncio.get_running_loop().create_task(self._drain())
            # Shielded: a caller that gives up (a form's 3 s) must not cancel the write of
            # rows recorded with it.
            return await asyncio.shield(waiting.result)
        finally:
            self._pending -= 1
            if self._pending == 0:
                self._quiet_since = asyncio.get_running_loop().time()
                self._quiet.set()

    async def wait_quiet(self) -> None:
        """Let waiting acknowledgements go first, and a stream of them until it pauses
        (bounded: processing never starves)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.max_yield_seconds
        while (now := loop.time()) < deadline:
            if not self._quiet.is_set():
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._quiet.wait(), timeout=deadline - now)
                continue
            previous, last = self._recorded_at
            quiet = self.quiet_seconds
            if last - previous >= quiet or now - self._quiet_since >= quiet:
                return  # not a stream, or it paused
            await asyncio.sleep(min(quiet - (now - self._quiet_since), deadline - now))

    async def _drain(self) -> None:
        while self._waiting:
            batch, self._waiting = self._waiting[:BATCH], self._waiting[BATCH:]
            try:
                async with self.db.session() as session:
                    ids = await self.write(session, [w.row for w in batch])
            except Exception:
                _LOGGER.warning("an inbox batch of %s failed; writing it row by row", len(batch))
                await self._one_by_one(batch)
                continue
            for waiting, row_id in zip(batch, ids, strict=True):
                if not waiting.result.done():
                    waiting.result.set_result(row_id)

    async def _one_by_one(self, batch: list[_Waiting]) -> None:
        for waiting in batch:
            try:
                async with self.db.session() as session:
                    (row_id,) = await self.write(session, [waiting.row])
            except Exception as exc:
                if not waiting.result.done():
                    waiting.result.set_exception(exc)
            else:
                if not waiting.result.done():
                    waiting.result.set_result(row_id)
