"""Dashboard test helpers: the app on the aiohttp test client, and signing in from chat."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from aiohttp.test_utils import TestClient
from aiohttp.web import Application

from bot.app import create_app
from bot.clock import FrozenClock
from bot.config import Settings
from bot.dashboard import signin
from bot.registry import Registry
from storage.db import Database
from tests.helpers import Chat


@pytest.fixture
def app(
    settings: Settings, database: Database, clock: FrozenClock, registry: Registry
) -> Application:
    """The whole server, not started yet (a test may add a route first)."""
    return create_app(
        settings, clock=clock, db=database, run_scheduler=False, migrate=False, registry=registry
    )


@pytest.fixture
async def web(aiohttp_client: Any, app: Application) -> TestClient:
    client: TestClient = await aiohttp_client(app)
    return client


def origin(client: TestClient) -> str:
    return str(client.make_url("/")).rstrip("/")


async def link_from_chat(chat: Chat, handle: str) -> str:
    """The sign-in link `dashboard` answers `handle` with (a link button)."""
    replies = await chat("dashboard", as_=handle)
    urls = [c.url for r in replies for c in r.choices if c.url]
    assert len(urls) == 1, replies
    return urls[0]


def link_path(settings: Settings, link: str) -> str:
    assert link.startswith(settings.base_url + "/signin?")
    return link.removeprefix(settings.base_url)


def link_fields(link: str) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(link).query))


async def sign_in(client: TestClient, chat: Chat, settings: Settings, handle: str) -> str:
    """Sign `handle` in on this client (its cookie jar keeps the session); returns the link."""
    link = await link_from_chat(chat, handle)
    shown = await client.get(link_path(settings, link))
    assert shown.status == 200 and "Sign in as" in await shown.text()
    answer = await client.post(
        "/signin", data=link_fields(link), headers={"Origin": origin(client)}, allow_redirects=False
    )
    assert answer.status == 303, await answer.text()
    cookie = answer.cookies[signin.COOKIE]
    assert cookie["httponly"] and cookie["samesite"] == "Lax" and cookie["path"] == "/"
    return link


def csrf_of(html: str) -> str:
    marker = 'name="csrf" value="'
    start = html.index(marker) + len(marker)
    return html[start : html.index('"', start)]
