"""Sends what the outbox holds through each platform's port, at the platforms' pace.

A pass claims a few due rows at a time (most urgent first), reserves their send slots in the
shared budget of their workspace or tenant (in the database, so replicas share it), spaces sends
to one conversation by its own limit, and sends concurrently (bounded), each with a timeout.
A 429 is a pace, not a failure: the whole bucket pauses until Retry-After and the row is not
charged an attempt. Rows of platforms this process has no port for are left to one that has.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.availability import REPLY, held_until, stored_hours
from bot.clock import Clock
from bot.context import zone
from bot.last_offer import remember_sent
from bot.messages import Platform, Target, UserRef, reply_from_dict, target_from_dict
from bot.metrics import Metrics
from bot.ports import ChatPort, Pace, PortRegistry, RateLimited, RetryLater, Undeliverable
from storage import communities, outbox, pacing, people
from storage.db import Database

_LOGGER = logging.getLogger(__name__)
MAX_ATTEMPTS = 8
# Claim the next rows this long before the last planned send, so the pace never stalls on a
# claim, yet a row queued meanwhile (a reminder due now) waits at most one small batch.
LOOKAHEAD_SECONDS = 0.5
# A planned send must start this long before its claim's lease runs out, or it is handed back
# (half the lease when the lease is short).
LEASE_MARGIN_SECONDS = 30.0
# Sends sharing a budget keep at least this share of its interval apart. Less than a whole
# interval, so a send that woke late (a busy loop) lets the next ones catch up with their
# reserved slots; never less than half, so late timers still do not go out as one burst.
MIN_GAP = 0.5


def backoff(attempt: int) -> timedelta:
    """30 s, 1 min, 2 min … capped at one hour."""
    return timedelta(seconds=min(3600, 30 * 2 ** max(0, attempt - 1)))


@dataclass(slots=True)
class _Planned:
    row: outbox.OutboxMessage
    port: ChatPort
    target: Target
    at: float  # wall-clock second to send at
    pace: Pace | None = None


class Dispatcher:
    def __init__(
        self,
        db: Database,
        ports: PortRegistry,
        clock: Clock,
        *,
        worker: str | None = None,
        batch: int = 16,
        concurrency: int = 8,
        timeout: float = 20.0,
        lease: timedelta = timedelta(minutes=2),
        wall: Callable[[], float] = time.time,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        metrics: Metrics | None = None,
        default_timezone: str = "UTC",
        default_hours: str | None = None,
    ) -> None:
        self.db = db
        self.ports = ports
        self.clock = clock
        self.worker = worker or f"dispatcher-{uuid.uuid4().hex[:12]}"
        self.batch = batch
        self.timeout = timeout
        self.lease = lease
        self._wall = wall
        self._sleep = sleep
        self.metrics = metrics or Metrics()
        self.default_timezone = default_timezone
        self.default_hours = default_hours
        self._sending = asyncio.Semaphore(max(1, concurrency))
        # Per-conversation pace (memory: a conversation gets few messages, and they come from
        # one pass); the shared workspace/tenant budget is in the database.
        self._channel_next: dict[str, float] = {}
        # Buckets paused by a Retry-After seen here, so sends already planned wait too.
        self._paused: dict[str, datetime] = {}
        # When this process last sent on each budget and conversation, and one lock per budget:
        # timers that fire late together (a busy event loop) still leave one interval between
        # sends, instead of going out as a burst.
        self._last_sent: dict[str, float] = {}
        self._spacing: dict[str, asyncio.Lock] = {}

    async def run_once(self) -> int:
        """Send everything due now, at the platforms' pace; returns how many were sent."""
        in_flight: list[asyncio.Task[int]] = []
        try:
            while True:
                platforms = [p.value for p in self.ports.platforms()]
                if not platforms:
                    break
                async with self.db.session() as session:
                    claimed = await outbox.claim_due(
                        session,
                        worker=self.worker,
                        now=self.clock.now(),
                        lease=self.lease,
                        limit=self.batch,
                        platforms=platforms,
                    )
                if not claimed:
                    break
                claimed = await self._respect_time(claimed)
                plan = await self._plan(claimed)
                in_flight.extend(asyncio.create_task(self._deliver(item)) for item in plan)
                if plan:
                    last = max(item.at for item in plan)
                    await self._sleep(max(0.0, last - self._wall() - LOOKAHEAD_SECONDS))
            return sum(await asyncio.gather(*in_flight))
        except BaseException:
            for task in in_flight:
                task.cancel()
            await asyncio.gather(*in_flight, return_exceptions=True)
            # Claimed but not begun: back to the queue now rather than after the lease.
            async with self.db.session() as session:
                await outbox.release_unstarted(session, self.worker, self.clock.now())
            raise

    # -- people's time -----------------------------------------------------------------------------

    async def _respect_time(
        self, claimed: list[outbox.OutboxMessage]
    ) -> list[outbox.OutboxMessage]:
        """Hand back what may not go yet (bot/availability.py), drop what was meant for a
        paused or archived community and what is moot by now (`not_after` passed: a reminder
        of a meeting that is over, held by a snooze until after it); the rest goes on.
        Decided at claim time, from the database, so a snooze set after a message was queued
        still holds it on every replica.
        """
        now = self.clock.now()
        live: list[outbox.OutboxMessage] = []
        expired: list[outbox.OutboxMessage] = []
        for row in claimed:
            (expired if row.not_after is not None and row.not_after <= now else live).append(row)
        if expired:
            async with self.db.session() as session:
                for row in expired:
                    assert row.id is not None
                    await outbox.mark_expired(session, row.id, self.worker)
            for row in expired:
                self.metrics.send(row.platform, "expired")
        community_ids = sorted({r.community_id for r in live if r.community_id and r.kind != REPLY})
        member_ids = sorted({r.member_id for r in live if r.member_id and r.kind != REPLY})
        if not community_ids and not member_ids:
            return live
        kept: list[outbox.OutboxMessage] = []
        async with self.db.session() as session:
            closed = await communities.closed_ids(session, community_ids)
            members = await people.members_by_ids(session, member_ids)
            for row in live:
                assert row.id is not None
                if row.kind != REPLY and row.community_id in closed:
                    await outbox.mark_cancelled(
                        session, row.id, self.worker, "the community is paused or archived"
                    )
                    continue
                member = members.get(row.member_id or 0)
                wait = None
                if member is not None and row.kind != REPLY:
                    wait = held_until(
                        now,
                        kind=row.kind,
                        zone=zone(member.timezone, self.default_timezone),
                        hours=stored_hours(member.work_hours, self.default_hours),
                        snoozed_until=member.snoozed_until,
                    )
                if wait is None:
                    kept.append(row)
                    continue
                # Held past its moment: looked at again then, to be dropped (a snooze ended
                # early releases it before that, and it goes).
                until = wait[0] if row.not_after is None else min(wait[0], row.not_after)
                await outbox.hold(session, row.id, self.worker, until, wait[1])
        return kept

    # -- planning ---------------------------------------------------------------------------------

    async def _plan(self, claimed: list[outbox.OutboxMessage]) -> list[_Planned]:
        now = self._wall()
        items: list[_Planned] = []
        by_budget: dict[str, list[tuple[_Planned, Pace]]] = {}
        for row in claimed:
            port = self.ports.get(Platform(row.platform))
            assert port is not None  # claimed for the platforms we have ports for
            target = target_from_dict(row.target)
            pace = port.pace(target)
            item = _Planned(row, port, target, now, pace)
            items.append(item)
            if pace is not None:
                by_budget.setdefault(pace.shared, []).append((item, pace))
        for shared, group in by_budget.items():
            interval = 1.0 / group[0][1].shared_per_second
            async with self.db.session() as session:
                start = await pacing.reserve_slots(
                    session,
                    shared,
                    now=now,
                    interval=interval,
                    count=sum(pace.cost for _, pace in group),
                )
            for item, pace in group:
                item.at = max(start, self._channel_next.get(pace.channel, 0.0))
                start += pace.cost * interval
                self._channel_next[pace.channel] = item.at + 1.0 / pace.channel_per_second
        self._forget_old_channels(now)
        planned: list[_Planned] = []
        lease = self.lease.total_seconds()
        latest = now + lease - min(LEASE_MARGIN_SECONDS, lease / 2)
        for item in items:
            if item.at <= latest:
                planned.append(item)
                continue
            # The budget is booked further ahead than this claim lasts: hand the row back
            # rather than risk another worker taking it over while it waits.
            async with self.db.session() as session:
                assert item.row.id is not None
                await outbox.release(
                    session,
                    item.row.id,
                    self.worker,
                    self.clock.now() + timedelta(seconds=item.at - now),
                    "waiting for the platform's pace",
                )
        return planned

    def _forget_old_channels(self, now: float) -> None:
        if len(self._channel_next) > 10_000:
            self._channel_next = {k: v for k, v in self._channel_next.items() if v > now}
        if len(self._last_sent) > 10_000:
            self._last_sent = {k: v for k, v in self._last_sent.items() if v > now - 60}

    # -- sending ----------------------------------------------------------------------------------

    async def _deliver(self, item: _Planned) -> int:
        row = item.row
        assert row.id is not None
        await self._wait_for_slot(item)
        async with self._sending:
            # Looked at once a sending place is free: the latest word on a pause counts.
            paused = self._paused.get(row.bucket)
            if paused is not None and paused > self.clock.now():
                async with self.db.session() as session:
                    await outbox.release(session, row.id, self.worker, paused, "rate limited")
                return 0
            try:
                result = None
                if row.maybe_sent:
                    result = await asyncio.wait_for(
                        item.port.find_sent(item.target, row.key), self.timeout
                    )
                if result is None:
                    if not row.maybe_sent:
                        async with self.db.session() as session:
                            await outbox.mark_in_flight(session, row.id, self.worker)
                    result = await asyncio.wait_for(
                        item.port.send(item.target, reply_from_dict(row.reply), key=row.key),
                        self.timeout,
                    )
            except RateLimited as exc:
                self.metrics.send(row.platform, "rate_limited")
                await self._rate_limited(row, exc)
                return 0
            except RetryLater as exc:
                self.metrics.send(row.platform, "retry")
                await self._retry(row, str(exc), timedelta(seconds=max(1.0, exc.seconds)))
                return 0
            except Undeliverable as exc:
                self.metrics.send(row.platform, "undeliverable")
                await self._final(row, "undeliverable", str(exc) or "undeliverable")
                return 0
            except TimeoutError:
                self.metrics.send(row.platform, "timeout")
                # The platform may have taken it: look before sending again.
                await self._retry(
                    row, f"no answer in {self.timeout:.0f}s", backoff(row.attempts + 1), True
                )
                return 0
            except Exception as exc:  # a platform error must not stop the other messages
                self.metrics.send(row.platform, "error")
                _LOGGER.warning("sending outbox %s failed: %s", row.id, exc)
                await self._retry(row, f"{type(exc).__name__}: {exc}", backoff(row.attempts + 1))
                return 0
        self.metrics.send(row.platform, "sent")
        async with self.db.session() as session:
            await outbox.mark_sent(
                session,
                row.id,
                self.worker,
                self.clock.now(),
                result.conversation.conversation_id,
                result.message_id,
            )
            if row.member_id is not None and isinstance(item.target, UserRef):
                await remember_sent(
                    session,
                    row.member_id,
                    row.platform,
                    result.conversation.conversation_id,
                    reply_from_dict(row.reply),
                    self.clock.now(),
                )
        return 1

    async def _wait_for_slot(self, item: _Planned) -> None:
        pace = item.pace
        if pace is None:
            return
        lock = self._spacing.setdefault(pace.shared, asyncio.Lock())
        async with lock:
            while True:
                # The slot keeps the budget's average; the gap only stops late timers from
                # firing as a burst. A whole interval after the last actual send would add
                # every timer's lateness to every later send (a 100/s pace sent ~91/s).
                at = max(
                    item.at,
                    self._last_sent.get(pace.shared, 0.0) + MIN_GAP / pace.shared_per_second,
                    self._last_sent.get(pace.channel, 0.0) + 1.0 / pace.channel_per_second,
                )
                wait = at - self._wall()
                if wait <= 0:
                    break
                await self._sleep(wait)
            sent_at = self._wall()
            # A send of cost 2 holds the budget for two intervals.
            self._last_sent[pace.shared] = sent_at + (pace.cost - 1) / pace.shared_per_second
            self._last_sent[pace.channel] = sent_at

    async def _rate_limited(self, row: outbox.OutboxMessage, exc: RateLimited) -> None:
        assert row.id is not None
        until = self.clock.now() + timedelta(seconds=max(1.0, exc.seconds))
        self._paused[row.bucket] = max(until, self._paused.get(row.bucket, until))
        async with self.db.session() as session:
            await pacing.pause(session, row.bucket, until)
            await outbox.release(session, row.id, self.worker, until, str(exc))
        _LOGGER.info("%s paused until %s: %s", row.bucket, until.isoformat(), exc)

    async def _retry(
        self, row: outbox.OutboxMessage, error: str, wait: timedelta, maybe_sent: bool = False
    ) -> None:
        if row.attempts + 1 >= MAX_ATTEMPTS:
            await self._final(row, "failed", error)
            return
        assert row.id is not None
        async with self.db.session() as session:
            await outbox.mark_retry(
                session, row.id, self.worker, self.clock.now() + wait, error, maybe_sent=maybe_sent
            )

    async def _final(self, row: outbox.OutboxMessage, status: str, error: str) -> None:
        assert row.id is not None
        async with self.db.session() as session:
            await outbox.mark_final(session, row.id, self.worker, status, error)
