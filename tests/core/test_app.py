"""The HTTP server: /healthz checks the database; signed download links refuse tampering."""

from __future__ import annotations

import sys
from datetime import timedelta
from typing import Any

from aiohttp.test_utils import TestClient

from bot import downloads
from bot.app import build_registry, create_app
from bot.clock import FrozenClock
from bot.config import Settings
from bot.messages import Attachment
from bot.registry import download
from storage.db import Database


@download("test-echo")
async def echo(jctx: Any, arg: str) -> Attachment | None:
    return None if arg == "gone" else Attachment(arg.encode(), f"{arg}.txt", "text/plain")


REGISTRY = build_registry()
REGISTRY.install(sys.modules[__name__])  # adds `echo`


async def client_for(
    aiohttp_client: Any, settings: Settings, database: Database, clock: FrozenClock
) -> TestClient:
    app = create_app(
        settings, clock=clock, db=database, run_scheduler=False, migrate=False, registry=REGISTRY
    )
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


async def test_malformed_download_links_are_refused_not_crashed(
    aiohttp_client: Any, settings: Settings, database: Database, clock: FrozenClock
) -> None:
    client = await client_for(aiohttp_client, settings, database, clock)
    url = downloads.link(settings, "test-echo", "report", now=clock.now())
    path, _, query = url.removeprefix(settings.base_url).partition("?")
    exp = query.split("&")[0].removeprefix("exp=")
    sig = query.split("&")[1].removeprefix("sig=")
    for bad in (
        "exp=%C2%B2&sig=" + sig,  # a superscript two: str.isdigit() but not a number
        "exp=" + "9" * 5000 + "&sig=" + sig,  # past Python's int() digit limit
        "exp=-1&sig=" + sig,
        f"exp={exp}&sig=%C3%A9",  # a non-ASCII signature
        f"exp={exp}&sig=",
        f"exp={exp}",
        "",
    ):
        response = await client.get(f"{path}?{bad}")
        assert response.status == 403, bad
    for kind in ("..", "test-echo%2F..", "%2E%2E"):
        response = await client.get(f"/files/{kind}/report?{query}")
        assert response.status in (403, 404), kind


async def test_download_names_cannot_inject_headers(
    aiohttp_client: Any, settings: Settings, database: Database, clock: FrozenClock
) -> None:
    client = await client_for(aiohttp_client, settings, database, clock)
    for arg in ('a"; x=y', "a\r\nSet-Cookie: s=1", "../../etc/passwd", "résumé"):
        url = downloads.link(settings, "test-echo", arg, now=clock.now())
        response = await client.get(url.removeprefix(settings.base_url))
        assert response.status == 200, arg
        assert await response.text() == arg
        assert "Set-Cookie" not in response.headers
        disposition = response.headers["Content-Disposition"]
        assert disposition.startswith('attachment; filename="') and "/" not in disposition
        assert disposition.count('"') == 2 and "\r" not in disposition and "\n" not in disposition
