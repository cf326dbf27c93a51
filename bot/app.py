"""The composition root: builds every part once and wires them into one aiohttp application.

This and `bot.cli` are the only core modules that import adapters, and the only ones that
name the capability packages: `CAPABILITIES` is the list the registry is built from.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import logging
import time
from datetime import timedelta
from typing import Any

from aiohttp import web
from aiohttp.typedefs import Handler

from bot import (
    communities,
    dashboard,
    delivery_ops,
    demo,
    digests,
    downloads,
    experts,
    fanout,
    figures,
    health,
    help_commands,
    lessons,
    meetings,
    metrics,
    nudges,
    privacy_ops,
    questions,
    retention,
    stories,
    surveys,
)
from bot.clock import Clock, SystemClock
from bot.config import Settings
from bot.context import JobContext, Services
from bot.conversation_book import ConversationBook
from bot.dashboard import http_errors
from bot.dashboard import routes as dashboard_routes
from bot.dispatcher import Dispatcher
from bot.heartbeat import Heartbeat, build_scheduler
from bot.inbox import Inbox
from bot.ports import PortRegistry
from bot.registry import Registry
from bot.router import Router
from storage import outbox_ops
from storage.db import Database

_LOGGER = logging.getLogger(__name__)

# Each package's `register(registry)` adds its commands, forms, jobs and demo data. The order
# is the order verbs are listed within a `help` group.
CAPABILITIES = (
    communities,
    delivery_ops,
    experts,
    figures,
    digests,
    health,
    lessons,
    meetings,
    nudges,
    privacy_ops,
    questions,
    stories,
    surveys,
    dashboard,
)
# Shared machinery with something to plug in: help and home, the core demo data (communities
# and people), and the fan-out and retention jobs of the heartbeat.
SHARED_PLUGS = (help_commands, demo, fanout, retention)


def build_registry() -> Registry:
    """A registry of everything this build can do (each call makes a new one)."""
    registry = Registry()
    registry.install(*SHARED_PLUGS)
    for capability in CAPABILITIES:
        capability.register(registry)
    return registry


SERVICES = web.AppKey("services", Services)
ROUTER = web.AppKey("router", Router)
HEARTBEAT = web.AppKey("heartbeat", Heartbeat)
STATUS = web.AppKey("status", list)


class Core:
    """Everything that is not HTTP: services, router, dispatcher and heartbeat."""

    def __init__(
        self,
        settings: Settings,
        *,
        clock: Clock | None = None,
        ports: PortRegistry | None = None,
        db: Database | None = None,
        worker: str | None = None,
        registry: Registry | None = None,
    ) -> None:
        self.services = Services(
            db=db or Database(settings.database_url),
            clock=clock or SystemClock(),
            settings=settings,
            ports=ports or PortRegistry(),
            registry=registry or build_registry(),
        )
        self.conversations = ConversationBook(self.services.db, self.services.clock)
        # One book: a conversation the dispatcher marks undeliverable is written again at once.
        self.router = Router(self.services, self.conversations)
        self.dispatcher = Dispatcher(
            self.services.db,
            self.services.ports,
            self.services.clock,
            worker=worker,
            default_timezone=settings.timezone,
            default_hours=settings.work_hours,
            concurrency=settings.send_concurrency,
            timeout=settings.send_timeout_seconds,
            lease=timedelta(seconds=settings.send_lease_seconds),
            metrics=self.services.metrics,
        )
        self.heartbeat = Heartbeat(self.services, self.dispatcher)
        # Inbox hook: acknowledged platform requests are processed from the database.
        self.inbox = Inbox(self.services, self.router, worker=worker)
        self._kicked: asyncio.Task[Any] | None = None
        self._kicked_again = False
        self.services.kick_delivery = self.kick

    def kick(self) -> None:
        """Deliver soon, without waiting for the next heartbeat.

        One delivery pass runs at a time; a kick during a pass (a paced fan-out can take
        minutes) asks for one more pass after it, so nothing queued meanwhile waits for the
        next heartbeat.
        """
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        if self._kicked is None or self._kicked.done():
            self._kicked = loop.create_task(self._drain())
        else:
            self._kicked_again = True

    async def _drain(self) -> None:
        while True:
            self._kicked_again = False
            await self.heartbeat.deliver()
            if not self._kicked_again:
                return

    async def first_time_seen(self, key: str) -> bool:
        """Record an inbound platform event id; False when it was handled before (a retry)."""
        return await self.conversations.first_time_seen(key)

    async def settle(self) -> None:
        """Wait for a kicked delivery to finish (tests and the local chat)."""
        if self._kicked is not None:
            await self._kicked

    async def stop_delivery(self) -> None:
        """Stop a delivery pass now (the server is shutting down; a fan-out can take minutes):
        what it had claimed but not begun goes back to the queue at once."""
        if self._kicked is not None and not self._kicked.done():
            self._kicked.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._kicked


def create_app(
    settings: Settings,
    *,
    clock: Clock | None = None,
    ports: PortRegistry | None = None,
    db: Database | None = None,
    run_scheduler: bool = True,
    migrate: bool = True,
    registry: Registry | None = None,
) -> web.Application:
    """The whole server: platform routes, /healthz, the heartbeat scheduler and migrations."""
    core = Core(settings, clock=clock, ports=ports, db=db, registry=registry)
    # Outermost first: the request count sees the friendly answer's status.
    app = web.Application(middlewares=[count_requests, http_errors.friendly_errors])
    app[SERVICES] = core.services
    app[ROUTER] = core.router
    app[HEARTBEAT] = core.heartbeat
    app[STATUS] = mount_platforms(app, core)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/metrics", serve_metrics)
    app.router.add_get("/files/{kind}/{arg}", serve_download)
    dashboard_routes.mount(app, core.services)  # the dashboard pages under /

    async def on_startup(app: web.Application) -> None:
        if migrate:
            await core.services.db.upgrade()
        try:
            await core.services.load_keys()
        except Exception:  # every entry point tries again; /healthz must still answer
            _LOGGER.exception("could not load the deployment key at start-up")
        if run_scheduler:
            scheduler = build_scheduler(core.heartbeat, settings.heartbeat_seconds)
            core.kick()  # what was left queued by a previous run goes out now
            scheduler.start()
            app["scheduler"] = scheduler
            # Inbox hook: requests a crashed process acknowledged are taken over from here on.
            core.inbox.start_loop()

    async def on_cleanup(app: web.Application) -> None:
        scheduler = app.get("scheduler")
        if scheduler is not None:
            scheduler.shutdown(wait=False)
            await core.heartbeat.stop()
        await core.inbox.stop_loop()  # inbox hook
        await core.inbox.settle()
        if run_scheduler:
            await core.stop_delivery()
        else:
            await core.settle()
        await core.services.db.dispose()

    app.on_startup.append(on_startup)
    app.on_cleanup.append(on_cleanup)
    return app


def mount_platforms(app: web.Application, core: Core) -> list[str]:
    """Mount each platform adapter that is configured; returns one status line per platform."""
    from adapters import slack, teams

    return [mount(app, core) for mount in (slack.mount, teams.mount)]


async def healthz(request: web.Request) -> web.Response:
    services = request.app[SERVICES]
    healthy = await services.db.ping()
    return web.json_response(
        {
            "status": "ok" if healthy else "unhealthy",
            "database": "ok" if healthy else "unreachable",
            "platforms": services.ports.platforms(),
        },
        status=200 if healthy else 503,
    )


@web.middleware
async def count_requests(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Requests by route pattern and status, and the acknowledgement time of platform routes."""
    started = time.perf_counter()
    status = 500
    try:
        response = await handler(request)
        status = response.status
        return response
    except web.HTTPException as exc:
        status = exc.status
        raise
    finally:
        resource = request.match_info.route.resource
        route = resource.canonical if resource is not None else "unmatched"
        request.app[SERVICES].metrics.request(
            route, request.method, status, time.perf_counter() - started
        )


async def serve_metrics(request: web.Request) -> web.Response:
    """Prometheus text format; with COPBOT_METRICS_TOKEN set, only for `Bearer <token>`."""
    services = request.app[SERVICES]
    token = services.settings.metrics_token
    if token:
        given = request.headers.get("Authorization", "")
        if not hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
            return web.Response(
                status=401,
                text="Send the metrics token as 'Authorization: Bearer <COPBOT_METRICS_TOKEN>'.",
                headers={"WWW-Authenticate": "Bearer"},
            )
    now = services.clock.now()
    try:
        async with services.db.session() as session:
            counts = await outbox_ops.state_counts(session)
            oldest_due = await outbox_ops.oldest_due_pending(session, now)
        services.metrics.set_outbox(counts, oldest_due, now)
    except Exception:  # the process's own counters are still worth a scrape
        _LOGGER.exception("metrics: could not read the outbox")
    return web.Response(
        body=services.metrics.exposition(), headers={"Content-Type": metrics.CONTENT_TYPE}
    )


async def serve_download(request: web.Request) -> web.Response:
    """A file behind a signed link (see bot.downloads): built from the database on request."""
    services = request.app[SERVICES]
    kind, arg = request.match_info["kind"], request.match_info["arg"]
    await services.load_keys()
    now = services.clock.now()
    producer = services.registry.downloads.get(kind)
    if producer is None or not downloads.verify(
        services.settings,
        kind,
        arg,
        request.query.get("exp", ""),
        request.query.get("sig", ""),
        now,
    ):
        return web.Response(status=403, text="This link is invalid or has expired.")
    async with services.db.session() as session:
        attachment = await producer(JobContext(services, session, now), arg)
    if attachment is None:
        return web.Response(status=404, text="Nothing to download here any more.")
    return web.Response(
        body=attachment.data,
        content_type=attachment.mime,
        headers={
            "Content-Disposition": (
                f'attachment; filename="{downloads.safe_filename(attachment.filename)}"'
            )
        },
    )
