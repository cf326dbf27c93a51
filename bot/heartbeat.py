"""The heartbeat: a few fixed APScheduler jobs ask the database what is due and act on it.

No per-item jobs are scheduled: meetings, surveys and health checks live in the database, so a
deleted item can never fire and a restart loses nothing. Every due job queues its messages with
idempotency keys, so several replicas running the same heartbeat deliver each message once.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.context import JobContext, Services
from bot.dispatcher import Dispatcher
from storage import conversations

_LOGGER = logging.getLogger(__name__)
EVENT_MEMORY = timedelta(hours=2)


class Heartbeat:
    def __init__(self, services: Services, dispatcher: Dispatcher) -> None:
        self.services = services
        self.dispatcher = dispatcher
        self._lock = asyncio.Lock()
        # The scheduler's runs in flight, so a server shutting down can end them cleanly.
        self._running: set[asyncio.Task[Any]] = set()

    @contextmanager
    def _tracked(self) -> Iterator[None]:
        task = asyncio.current_task()
        if task is not None:
            self._running.add(task)
        try:
            yield
        finally:
            self._running.discard(task)

    async def stop(self) -> None:
        """End the scheduler's runs in flight (the server is shutting down, after the scheduler
        stopped): a job cut short rolls its transaction back and runs again at the next start,
        instead of holding a database connection while the engine is disposed."""
        running = [task for task in self._running if not task.done()]
        for task in running:
            task.cancel()
        await asyncio.gather(*running, return_exceptions=True)

    async def tick(self) -> None:
        """Run every due job once, then deliver what they queued (tests, the local chat)."""
        await self.run_jobs()
        await self.deliver()

    async def beat(self) -> None:
        """The server's heartbeat: due jobs, then a delivery pass in the background, so a paced
        fan-out of many minutes never holds up the next heartbeat's jobs."""
        with self._tracked():
            await self.run_jobs()
            self.services.kick_delivery()

    async def run_jobs(self) -> None:
        metrics = self.services.metrics
        async with self._lock:
            started = time.perf_counter()
            await self.services.load_keys()
            now = self.services.clock.now()
            for name, job in sorted(self.services.registry.due_jobs.items()):
                try:
                    async with self.services.db.session() as session:
                        await job(JobContext(self.services, session, now))
                except Exception:
                    metrics.heartbeat_failures.labels(job=name).inc()
                    _LOGGER.exception("due job %s failed; the next heartbeat tries again", name)
            metrics.heartbeat_seconds.observe(time.perf_counter() - started)

    async def deliver(self) -> int:
        try:
            return await self.dispatcher.run_once()
        except Exception:
            _LOGGER.exception("delivery failed; the next heartbeat tries again")
            return 0

    async def housekeeping(self) -> None:
        with self._tracked():
            async with self.services.db.session() as session:
                await conversations.forget_events_before(
                    session, self.services.clock.now() - EVENT_MEMORY
                )


def build_scheduler(heartbeat: Heartbeat, seconds: int) -> AsyncIOScheduler:
    """The only APScheduler jobs: the heartbeat and a daily clean-up."""
    scheduler = AsyncIOScheduler(timezone="UTC")
    defaults = {"coalesce": True, "max_instances": 1, "misfire_grace_time": None}
    scheduler.add_job(
        heartbeat.beat,
        "interval",
        seconds=seconds,
        id="heartbeat",
        replace_existing=True,
        **defaults,
    )
    scheduler.add_job(
        heartbeat.housekeeping,
        "interval",
        hours=1,
        id="housekeeping",
        replace_existing=True,
        **defaults,
    )
    return scheduler
