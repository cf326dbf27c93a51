"""Durable inbound work: every acknowledged command, click and form is processed from the database.

Slack never redelivers a slash command, a click or a form once it got its 200, so an adapter
records each request here (`Inbox.record`, one row per platform idempotency key) before or as it
acknowledges, then hands the row to `Inbox.start`. Processing is at least once and has effect
exactly once:

1. The router runs the request and, in the handler's own transaction, marks the row `handled`
   with the replies (`Router.handle(finish=…)`): the work and the mark commit together, so a
   crash before the commit leaves the row `pending` with nothing stored, and after it the work is
   never run again, only answered.
2. The adapter answers from the stored replies (`InboxHandler.answer`), then the row is `done`.
   A crash in between answers again after the restart (an answer may be shown twice, a lesson
   is never stored twice).

Rows are claimed with a lease (`COPBOT_INBOX_LEASE_SECONDS`). The recording process holds the
claim and renews it while it works; rows of a process that died are taken over when the lease
runs out, by `sweep` on any replica (also at start). A worker whose claim was taken over
finds its mark refused and rolls its work back (`Superseded`).

Answers computed after a restart are "late": the adapter decides where they can still go (Slack:
a response_url for 30 minutes, else the DM; Teams: the stored conversation reference).
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol, cast

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.context import Services
from bot.errors import Superseded
from bot.inbox_recorder import Recorder
from bot.messages import Reply, Request, reply_from_dict, reply_to_dict
from storage import inbox as inbox_store
from storage.tables.inbox import InboxItem

if TYPE_CHECKING:
    from bot.router import Router

_LOGGER = logging.getLogger(__name__)
MAX_ATTEMPTS = 5
BATCH = 50
HOUSEKEEPING_EVERY = timedelta(hours=1)


class InboxHandler(Protocol):
    """What a platform adapter gives the inbox to process the rows it recorded."""

    async def to_request(self, item: InboxItem) -> Request | None:
        """The neutral request a row stands for; None when there is nothing to run."""
        ...

    async def answer(self, item: InboxItem, replies: list[Reply], *, late: bool) -> None:
        """Show the replies to the person. `late`: recorded by another (dead) process."""
        ...


@dataclass(frozen=True, slots=True)
class Outcome:
    """What processing a request produced."""

    replies: list[Reply]
    refused: bool  # nothing was stored: field errors or a friendly refusal


def backoff(attempt: int) -> timedelta:
    """10 s, 20 s, 40 s … capped at ten minutes."""
    return timedelta(seconds=min(600, 10 * 2 ** max(0, attempt - 1)))


def outcome_of(item: InboxItem) -> Outcome | None:
    """The stored outcome of a handled row."""
    if item.status not in ("handled", "done") or item.result is None:
        return None
    return Outcome([reply_from_dict(r) for r in item.result], item.refused)


class Inbox:
    def __init__(self, services: Services, router: Router, *, worker: str | None = None) -> None:
        self.services = services
        self.router = router
        self.worker = worker or f"inbox-{uuid.uuid4().hex[:12]}"
        settings = services.settings
        self.lease = timedelta(seconds=settings.inbox_lease_seconds)
        self.retention = timedelta(days=settings.inbox_retention_days)
        self._slots = asyncio.Semaphore(settings.inbox_concurrency)
        self._handlers: dict[str, InboxHandler] = {}
        # Rows this worker holds, with the outcome once there is one (duplicates wait on it).
        self._in_flight: dict[int, asyncio.Future[Outcome]] = {}
        self._tasks: set[asyncio.Task[Any]] = set()
        self._loop_task: asyncio.Task[None] | None = None
        self._housekept_at: datetime | None = None
        self._recorder = Recorder(
            services.db, _write_rows, group_commit=settings.inbox_group_commit
        )
        # The `done` marks of answers given at the same moment share one transaction too: one
        # write lock and commit fewer per request for the acknowledgements to wait behind.
        self._done = Recorder(services.db, _write_done, group_commit=settings.inbox_group_commit)

    def register(self, platform: str, handler: InboxHandler) -> None:
        self._handlers[platform] = handler

    # -- recording (on the acknowledgement path) -------------------------------------------------

    async def record(
        self,
        platform: str,
        key: str,
        kind: str,
        request: Mapping[str, Any],
        reply_to: Mapping[str, Any] | None = None,
        *,
        sender: str | None = None,
    ) -> InboxItem | None:
        """Store a request, claimed by this worker; None when this key was recorded before.
        `sender`: the platform user id of who sent it (see `storage.inbox.erase_sent_by`)."""
        now = self.services.clock.now()
        row_id = await self._recorder.record(
            {
                "platform": platform,
                "key": key,
                "kind": kind,
                "sender": sender,
                "request": dict(request),
                "reply_to": dict(reply_to) if reply_to is not None else None,
                "now": now,
                "worker": self.worker,
                "lease": self.lease,
            }
        )
        if row_id is None:
            return None
        return InboxItem(
            id=row_id,
            platform=platform,
            key=key,
            kind=kind,
            sender=sender,
            request=dict(request),
            reply_to=dict(reply_to) if reply_to is not None else None,
            status="pending",
            attempts=1,
            claimed_by=self.worker,
            claimed_until=now + self.lease,
            created_at=now,
        )

    def start(self, item: InboxItem, *, late: bool = False) -> asyncio.Future[Outcome]:
        """Process a row this worker holds, in a tracked task; the future gets the outcome as
        soon as the work is committed (before the answer is shown)."""
        assert item.id is not None
        outcome = self._in_flight.get(item.id)
        if outcome is None:
            outcome = asyncio.get_running_loop().create_future()
            self._in_flight[item.id] = outcome
        task = asyncio.get_running_loop().create_task(self._process(item, outcome, late=late))
        self._tasks.add(task)
        task.add_done_callback(self._finished)
        return outcome

    async def wait_for(self, platform: str, key: str, seconds: float) -> Outcome | None:
        """The outcome of a request recorded before (a duplicate), waiting up to `seconds`
        seconds when it is still being worked on here; None when it is not known yet."""
        async with self.services.db.session() as session:
            item = await inbox_store.get(session, platform, key)
        if item is None or item.id is None:
            return None
        known = outcome_of(item)
        if known is not None:
            return known
        running = self._in_flight.get(item.id)
        return await result_within(running, seconds) if running is not None else None

    # -- processing -------------------------------------------------------------------------------

    async def _process(
        self, item: InboxItem, outcome: asyncio.Future[Outcome], *, late: bool
    ) -> None:
        assert item.id is not None
        async with self._slots:
            try:
                await self._recorder.wait_quiet()  # acknowledgements first
                await self._work(item, outcome, late=late)
            except Superseded:
                _LOGGER.info("inbox row %s was taken over by another worker", item.id)
            except Exception as exc:
                _LOGGER.exception("inbox row %s failed (attempt %s)", item.id, item.attempts)
                await self._give_back(item, f"{type(exc).__name__}: {exc}")
            finally:
                self._in_flight.pop(item.id, None)
                if not outcome.done():
                    outcome.cancel()

    async def _work(self, item: InboxItem, outcome: asyncio.Future[Outcome], *, late: bool) -> None:
        assert item.id is not None
        handler = self._handlers.get(item.platform)
        if handler is None:
            raise RuntimeError(f"no inbox handler for {item.platform} on this replica")
        result = outcome_of(item)
        if result is None:
            result = await self._run(item, handler)
        if not outcome.done():
            outcome.set_result(result)
        await handler.answer(item, result.replies, late=late)
        await self._recorder.wait_quiet()
        await self._done.record(
            {"row_id": item.id, "worker": self.worker, "now": self.services.clock.now()}
        )

    async def _run(self, item: InboxItem, handler: InboxHandler) -> Outcome:
        """Run the request once: the handler's work and the `handled` mark in one transaction."""
        assert item.id is not None
        row_id = item.id
        request = await handler.to_request(item)
        if request is None:
            replies: list[Reply] = []
        else:
            marked: list[bool] = []

            async def finish(session: AsyncSession, replies: list[Reply]) -> None:
                if not await self._mark(session, row_id, replies, refused=_refused(replies)):
                    raise Superseded(f"inbox row {row_id}")
                marked.append(True)

            replies = await self.router.handle(request, finish=finish)
            if marked:
                return Outcome(replies, _refused(replies))
        # The router answered with a refusal or an apology (its transaction was rolled back, so
        # nothing was stored), or there was nothing to run: mark it on its own.
        async with self.services.db.session() as session:
            if not await self._mark(session, row_id, replies, refused=True):
                raise Superseded(f"inbox row {row_id}")
        return Outcome(replies, True)

    async def _mark(
        self, session: AsyncSession, row_id: int, replies: list[Reply], *, refused: bool
    ) -> bool:
        return await inbox_store.mark_handled(
            session,
            row_id,
            self.worker,
            result=[reply_to_dict(r) for r in replies],
            refused=refused,
            now=self.services.clock.now(),
        )

    async def _give_back(self, item: InboxItem, error: str) -> None:
        assert item.id is not None
        try:
            async with self.services.db.session() as session:
                if item.attempts >= MAX_ATTEMPTS:
                    await inbox_store.mark_failed(session, item.id, self.worker, error)
                else:
                    retry_at = self.services.clock.now() + backoff(item.attempts)
                    await inbox_store.release(
                        session, item.id, self.worker, retry_at=retry_at, error=error
                    )
        except Exception:
            # The lease runs out by itself: some worker takes the row again then.
            _LOGGER.exception("could not give inbox row %s back", item.id)

    def _finished(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)

    # -- recovery ----------------------------------------------------------------------------------

    async def sweep(self) -> int:
        """Renew the claims on rows being worked on, then take over unfinished rows nobody holds
        (a crashed process's, or ones given back after a failure); returns how many were taken."""
        now = self.services.clock.now()
        async with self.services.db.session() as session:
            await inbox_store.renew(session, list(self._in_flight), self.worker, now + self.lease)
        room = BATCH - len(self._in_flight)
        if room <= 0:
            return 0
        async with self.services.db.session() as session:
            claimed = await inbox_store.claim_due(
                session, worker=self.worker, now=now, lease=self.lease, limit=room
            )
        for item in claimed:
            if item.attempts > MAX_ATTEMPTS:
                async with self.services.db.session() as session:
                    await inbox_store.mark_failed(
                        session, item.id or 0, self.worker, item.error or "too many attempts"
                    )
                continue
            self.start(item, late=True)
        await self._housekeeping(now)
        return len(claimed)

    async def _housekeeping(self, now: datetime) -> None:
        if self._housekept_at is not None and now - self._housekept_at < HOUSEKEEPING_EVERY:
            return
        self._housekept_at = now
        async with self.services.db.session() as session:
            await inbox_store.forget_done_before(session, now - self.retention)

    async def settle(self) -> None:
        """Wait until every row started here is processed and answered (tests, shutdown)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    # -- the background loop (production; tests call `sweep` with a frozen clock) -----------------

    def start_loop(self) -> None:
        if self._loop_task is None:
            self._loop_task = asyncio.get_running_loop().create_task(self._run_loop())

    async def stop_loop(self) -> None:
        if self._loop_task is not None:
            self._loop_task.cancel()
            await asyncio.gather(self._loop_task, return_exceptions=True)
            self._loop_task = None

    async def _run_loop(self) -> None:
        # A third of the lease: claims are renewed well before they run out.
        interval = max(0.5, self.lease.total_seconds() / 3)
        while True:
            try:
                await self.sweep()
            except Exception:
                _LOGGER.exception("inbox sweep failed; the next one tries again")
            await asyncio.sleep(interval)


async def result_within(outcome: asyncio.Future[Outcome], seconds: float) -> Outcome | None:
    """The outcome if it comes within `seconds`; None when late or the work failed."""
    await asyncio.wait({outcome}, timeout=max(0.0, seconds))
    if not outcome.done() or outcome.cancelled() or outcome.exception() is not None:
        return None
    return outcome.result()


async def _write_rows(session: AsyncSession, rows: list[dict[str, Any]]) -> list[int | None]:
    # The rows `record` built, with exactly the fields of a `NewRequest`.
    return await inbox_store.record_many(session, cast(list[inbox_store.NewRequest], rows))


async def _write_done(session: AsyncSession, rows: list[dict[str, Any]]) -> list[int | None]:
    """Mark rows `done`; the id of each, or None where this worker no longer held it. The
    rows come from one Inbox's recorder, so they share its worker."""
    marked = await inbox_store.mark_done_many(
        session,
        [row["row_id"] for row in rows],
        rows[0]["worker"],
        max(row["now"] for row in rows),
    )
    return [row["row_id"] if row["row_id"] in marked else None for row in rows]


def _refused(replies: list[Reply]) -> bool:
    return any(r.errors for r in replies)
