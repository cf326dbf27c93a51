"""The acknowledgement path's recorder (bot.inbox_recorder): rows that come in together are
written together, and processing waits while acknowledgements keep coming, but never for a
request on its own and never past its bound."""

from __future__ import annotations

import asyncio
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.inbox_recorder import Recorder
from storage.db import Database

LONG = 30.0  # a pause nobody waits for in these tests


class Writes:
    """A write function that keeps what each transaction was given; `hold` keeps it open."""

    def __init__(self) -> None:
        self.batches: list[list[int]] = []
        self.writing = asyncio.Event()  # a transaction has begun
        self.hold = asyncio.Event()
        self.hold.set()

    async def __call__(
        self, _session: AsyncSession, rows: list[dict[str, Any]]
    ) -> list[int | None]:
        self.writing.set()
        await self.hold.wait()
        self.batches.append([int(row["n"]) for row in rows])
        return [int(row["n"]) for row in rows]


async def settled(task: asyncio.Task[Any]) -> bool:
    """Whether `task` finishes once everything runnable has run."""
    for _ in range(20):
        await asyncio.sleep(0)
    return task.done()


async def test_rows_that_arrive_while_one_is_written_are_written_together(
    database: Database,
) -> None:
    writes = Writes()
    recorder = Recorder(database, writes)
    writes.hold.clear()
    first = asyncio.create_task(recorder.record({"n": 1}))
    await asyncio.wait_for(writes.writing.wait(), LONG)  # the first row's write is under way
    rest = [asyncio.create_task(recorder.record({"n": n})) for n in (2, 3, 4)]
    await settled(first)  # the others are waiting now
    writes.hold.set()
    assert await asyncio.gather(first, *rest) == [1, 2, 3, 4]
    assert writes.batches == [[1], [2, 3, 4]]


async def test_a_request_on_its_own_is_processed_at_once(database: Database) -> None:
    recorder = Recorder(database, Writes(), quiet_seconds=LONG, max_yield_seconds=LONG)
    await recorder.record({"n": 1})
    assert await settled(asyncio.create_task(recorder.wait_quiet()))


async def test_processing_waits_while_acknowledgements_keep_coming(database: Database) -> None:
    writes = Writes()
    recorder = Recorder(database, writes, quiet_seconds=LONG, max_yield_seconds=LONG)
    await recorder.record({"n": 1})
    await recorder.record({"n": 2})  # right after the first: a stream
    waiting = asyncio.create_task(recorder.wait_quiet())
    try:
        assert not await settled(waiting)
        writes.hold.clear()  # the next acknowledgement is being written
        recording = asyncio.create_task(recorder.record({"n": 3}))
        assert not await settled(waiting)
        writes.hold.set()
        await recording
        assert not await settled(waiting)  # the stream has not paused yet
    finally:
        waiting.cancel()


async def test_processing_goes_once_the_stream_pauses(database: Database) -> None:
    recorder = Recorder(database, Writes(), quiet_seconds=0.05, max_yield_seconds=LONG)
    await recorder.record({"n": 1})
    await recorder.record({"n": 2})
    await asyncio.wait_for(recorder.wait_quiet(), timeout=LONG)


async def test_processing_never_waits_past_its_bound(database: Database) -> None:
    writes = Writes()
    recorder = Recorder(database, writes, quiet_seconds=LONG, max_yield_seconds=0.05)
    await recorder.record({"n": 1})
    await recorder.record({"n": 2})
    writes.hold.clear()
    stuck = asyncio.create_task(recorder.record({"n": 3}))  # and one still being written
    try:
        await asyncio.wait_for(recorder.wait_quiet(), timeout=LONG)
    finally:
        writes.hold.set()
        await stuck
