"""Sends what the outbox holds through each platform's port, exactly once per message."""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta

from bot.clock import Clock
from bot.messages import Platform, reply_from_dict, target_from_dict
from bot.ports import PortRegistry, RetryLater, Undeliverable
from storage import outbox
from storage.db import Database

_LOGGER = logging.getLogger(__name__)
MAX_ATTEMPTS = 8


def backoff(attempt: int) -> timedelta:
    """30 s, 1 min, 2 min … capped at one hour."""
    return timedelta(seconds=min(3600, 30 * 2 ** max(0, attempt - 1)))


class Dispatcher:
    def __init__(
        self,
        db: Database,
        ports: PortRegistry,
        clock: Clock,
        *,
        worker: str | None = None,
        batch: int = 50,
        lease: timedelta = timedelta(minutes=2),
    ) -> None:
        self.db = db
        self.ports = ports
        self.clock = clock
        self.worker = worker or f"dispatcher-{uuid.uuid4().hex[:12]}"
        self.batch = batch
        self.lease = lease

    async def run_once(self) -> int:
        """Claim the due messages and send them; returns how many were sent."""
        sent = 0
        while True:
            async with self.db.session() as session:
                claimed = await outbox.claim_due(
                    session,
                    worker=self.worker,
                    now=self.clock.now(),
                    lease=self.lease,
                    limit=self.batch,
                )
            if not claimed:
                return sent
            for row in claimed:
                sent += await self._deliver(row)
            if len(claimed) < self.batch:
                return sent

    async def _deliver(self, row: outbox.OutboxMessage) -> int:
        assert row.id is not None
        port = self.ports.get(Platform(row.platform))
        outcome: tuple[str, str] | None = None
        result = None
        if port is None:
            outcome = ("failed", f"{row.platform} is not connected")
        else:
            try:
                result = await port.send(target_from_dict(row.target), reply_from_dict(row.reply))
            except RetryLater as exc:
                outcome = ("retry", str(exc))
                retry_at = self.clock.now() + timedelta(seconds=max(1.0, exc.seconds))
            except Undeliverable as exc:
                outcome = ("undeliverable", str(exc) or "undeliverable")
            except Exception as exc:  # a platform error must not stop the other messages
                _LOGGER.warning("sending outbox %s failed: %s", row.id, exc)
                outcome = ("retry", f"{type(exc).__name__}: {exc}")
                retry_at = self.clock.now() + backoff(row.attempts)
        async with self.db.session() as session:
            if outcome is None:
                assert result is not None
                await outbox.mark_sent(
                    session,
                    row.id,
                    self.worker,
                    self.clock.now(),
                    result.conversation.conversation_id,
                    result.message_id,
                )
                return 1
            status, error = outcome
            if status == "retry" and row.attempts < MAX_ATTEMPTS:
                await outbox.mark_retry(session, row.id, self.worker, retry_at, error)
            else:
                await outbox.mark_final(
                    session, row.id, self.worker, "failed" if status == "retry" else status, error
                )
        return 0
