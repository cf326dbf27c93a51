"""The HTTP server: /healthz checks the database; signed download links refuse tampering."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from aiohttp.test_utils import TestClient

from bot import downloads
from bot.app import create_app
from bot.clock import FrozenClock
from bot.config import Settings
from bot.messages import Attachment
from bot.registry import REGISTRY, download
from storage.db import Database


@download("test-echo")
async def echo(jctx: Any, arg: str) -> Attachment | None:
    return None if arg == "gone" else Attachment(arg.encode(), f"{arg}.txt", "text/plain")


async def client_for(
    aiohttp_client: Any, settings: Settings, database: Database, clock: FrozenClock
) -> TestClient:
    app = create_app(settings, clock=clock, db=database, run_scheduler=False, migrate=False)
    return await aiohttp_client(app)


async def test_healthz_reports_a_working_database(
    aiohttp_client: Any, settings: Settings, database: Database, clock: FrozenClock
) -> None:
    client = await client_for(aiohttp_client, settings, database, clock)
    response = await client.get("/healthz")
    assert response.status == 200
    body = await response.json()
    assert body["status"] == "ok" and body["database"] == "ok"


async def test_healthz_reports_a_broken_database(
    aiohttp_client: Any, settings: Settings, clock: FrozenClock, tmp_path: Any
) -> None:
    broken = Database(f"sqlite+aiosqlite:///{tmp_path}/missing-dir/x.db")
    client = await client_for(aiohttp_client, settings, broken, clock)
    response = await client.get("/healthz")
    assert response.status == 503
    assert (await response.json())["database"] == "unreachable"


async def test_signed_links_download_and_refuse_tampering_or_expiry(
    aiohttp_client: Any, settings: Settings, database: Database, clock: FrozenClock
) -> None:
    assert "test-echo" in REGISTRY.downloads
    client = await client_for(aiohttp_client, settings, database, clock)
    url = downloads.link(settings, "test-echo", "report", now=clock.now(), ttl=timedelta(hours=1))
    path = url.removeprefix(settings.base_url)
    ok = await client.get(path)
    assert ok.status == 200 and await ok.text() == "report"
    assert 'filename="report.txt"' in ok.headers["Content-Disposition"]
    assert (await client.get(path.replace("/report?", "/other?"))).status == 403
    assert (await client.get(path[:-1] + ("0" if path[-1] != "0" else "1"))).status == 403
    gone = downloads.link(settings, "test-echo", "gone", now=clock.now())
    assert (await client.get(gone.removeprefix(settings.base_url))).status == 404
    clock.advance(timedelta(hours=2))
    assert (await client.get(path)).status == 403
