"""What `copbot serve` answers where no route does: a friendly page for browsers, a short JSON
or text answer for everything else, never aiohttp's bare text or a stack trace."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
JSON = {"Accept": "application/json"}
SECRET = "the database password is hunter2"


async def boom(_request: web.Request) -> web.Response:
    raise RuntimeError(SECRET)


async def own_not_found(_request: web.Request) -> web.Response:
    raise web.HTTPNotFound(text="No such widget.")


@pytest.fixture
async def server(aiohttp_client: Any, app: web.Application) -> TestClient:
    # Two routes of a kind the shipped app must never need, to see what happens if it did.
    app.router.add_get("/test/boom", boom)
    app.router.add_get("/test/widget", own_not_found)
    client: TestClient = await aiohttp_client(app)
    return client


async def test_an_unknown_path_is_a_friendly_page_in_a_browser(server: TestClient) -> None:
    response = await server.get("/foo", headers=BROWSER)
    assert response.status == 404
    assert response.content_type == "text/html"
    html = await response.text()
    assert "<h1>Not found</h1>" in html and "There is no page here." in html
    assert 'href="/static/dashboard.css"' in html  # the dashboard's look
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "404: Not Found" not in html


async def test_an_unknown_path_is_short_json_or_text_for_other_clients(
    server: TestClient,
) -> None:
    as_json = await server.get("/foo", headers=JSON)
    assert as_json.status == 404
    assert await as_json.json() == {"status": 404, "error": "There is nothing at this address."}
    plain = await server.get("/foo/bar")
    assert plain.status == 404 and plain.content_type == "text/plain"
    assert await plain.text() == "There is nothing at this address."


async def test_a_wrong_method_says_so_and_keeps_allow(server: TestClient) -> None:
    page = await server.post("/healthz", headers=BROWSER)
    assert page.status == 405
    assert "GET" in page.headers["Allow"]
    assert "does not take that kind of request" in await page.text()
    assert page.content_type == "text/html"
    as_json = await server.delete("/healthz", headers=JSON)
    assert as_json.status == 405 and "GET" in as_json.headers["Allow"]
    assert (await as_json.json())["status"] == 405


async def test_a_failure_is_logged_not_shown(
    server: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.ERROR)
    page = await server.get("/test/boom", headers=BROWSER)
    assert page.status == 500
    html = await page.text()
    assert "something went wrong on our side" in html
    assert SECRET not in html and "Traceback" not in html
    as_json = await server.get("/test/boom", headers=JSON)
    assert as_json.status == 500 and SECRET not in await as_json.text()
    plain = await server.get("/test/boom")
    assert plain.status == 500 and SECRET not in await plain.text()
    logged = [r for r in caplog.records if r.exc_info and SECRET in str(r.exc_info[1])]
    assert len(logged) == 3 and "GET /test/boom failed" in logged[0].getMessage()


async def test_what_a_route_says_itself_passes_through(server: TestClient) -> None:
    own = await server.get("/test/widget", headers=BROWSER)
    assert own.status == 404 and await own.text() == "No such widget."
    healthy = await server.get("/healthz", headers=JSON)
    assert healthy.status == 200 and (await healthy.json())["status"] == "ok"
