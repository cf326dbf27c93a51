"""The dashboard in a real browser: headless Chromium (Debian's `chromium` package) driven by
Playwright's Python package. One browser for the whole flow, on an OS-picked loopback port.

Without Chromium these skip, saying how to install it (`.ci/run` installs it in CI).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from bot.app import create_app
from bot.clock import FrozenClock
from bot.config import Settings
from bot.registry import Registry
from storage.db import Database
from tests.dashboard.conftest import link_from_chat
from tests.demo_copy import seed_demo
from tests.helpers import Chat

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    # Tests talk to loopback only: Chromium resolves no other name (the Python guard in
    # tests/loopback cannot see a browser's own traffic).
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
]
# Set to a folder to keep a screenshot of the leader page (for looking at it, not for CI).
SCREENSHOTS = os.environ.get("DASHBOARD_SCREENSHOT_DIR")


def _browser_missing() -> str | None:
    if not Path(CHROMIUM).exists():
        return "Chromium is not installed: `apt-get install -y chromium` runs the browser tests"
    try:
        import playwright.async_api  # noqa: F401
    except ImportError:
        return "Playwright is not installed: `pip install -e '.[test]'` runs the browser tests"
    return None


pytestmark = pytest.mark.skipif(_browser_missing() is not None, reason=_browser_missing() or "")


@pytest.fixture
async def server(
    settings: Settings, database: Database, clock: FrozenClock, registry: Registry
) -> AsyncIterator[str]:
    """The whole copbot application served on a loopback port the OS picks."""
    app = create_app(
        settings, clock=clock, db=database, run_scheduler=False, migrate=False, registry=registry
    )
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    # Links handed out in chat (sign-in, .ics) point at this server, as COPBOT_PUBLIC_URL would.
    settings.public_url = f"http://{host}:{port}"
    try:
        yield settings.public_url
    finally:
        await runner.cleanup()


@pytest.fixture
async def browser() -> AsyncIterator[Any]:
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield chromium
        finally:
            await chromium.close()


async def test_a_leader_signs_in_from_chat_and_reads_the_figures(
    server: str, browser: Any, chat: Chat, tmp_path: Path
) -> None:
    from playwright.async_api import expect

    assert await seed_demo(chat.core.services)
    link = await link_from_chat(chat, "grace")  # Grace leads Data Engineering
    # A phone-sized window: the pages must read there without sideways scrolling.
    context = await browser.new_context(viewport={"width": 390, "height": 844})
    page = await context.new_page()
    await page.goto(link)
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Grace Hopper's dashboard")
    await page.get_by_role("link", name="Data Engineering").first.click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Data Engineering")

    health = page.locator("#health")
    await expect(health.locator("svg.chart")).to_be_visible()
    assert await health.locator("#health-table tbody tr").count() >= 2  # a trend: 2+ quarters
    await expect(page.locator("#attendance svg.chart rect").first).to_be_visible()
    fits = await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert fits, "the page scrolls sideways on a phone"
    if SCREENSHOTS:
        await page.set_viewport_size({"width": 1100, "height": 900})
        await page.screenshot(path=str(Path(SCREENSHOTS) / "leader-page.png"), full_page=True)
        await page.set_viewport_size({"width": 390, "height": 844})
        await page.screenshot(path=str(Path(SCREENSHOTS) / "leader-phone.png"), full_page=True)

    # From the chart to the same figures as a table.
    await health.get_by_role("link", name="See these figures as a table").click()
    assert page.url.endswith("#health-table")
    await expect(page.locator("#health-table")).to_be_in_viewport()

    # The attendance table as a CSV file.
    async with page.expect_download() as started:
        await (
            page.locator("#attendance")
            .get_by_role("link", name="Download this table (CSV)")
            .click()
        )
    download = await started.value
    saved = tmp_path / download.suggested_filename
    await download.save_as(saved)
    lines = saved.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0] == "Session,Attended,New,Returning,RSVP going" and len(lines) > 1

    # A community Grace does not lead: a friendly refusal, no figures.
    response = await page.goto(f"{server}/c/safety")
    assert response is not None and response.status == 403
    await expect(page.get_by_role("heading", level=1)).to_have_text(
        "This page is not available to you"
    )
    assert await page.locator("svg.chart").count() == 0
    await context.close()
