"""The digests on the dashboard: a community's sponsor digest for its sponsors and leaders,
the programme digest table for coordinators."""

from __future__ import annotations

from datetime import UTC, datetime

from aiohttp.test_utils import TestClient

from bot.clock import FrozenClock
from bot.config import Settings
from tests.dashboard.conftest import sign_in
from tests.helpers import Chat

APRIL = datetime(2026, 4, 2, 10, 0, tzinfo=UTC)


async def test_sponsor_sees_the_digest_and_coordinator_the_programme_table(
    web: TestClient, chat: Chat, settings: Settings, community: str, clock: FrozenClock
) -> None:
    await chat("help", as_="helen")
    await chat("role add @helen sponsor", as_="lead")
    clock.set(APRIL)
    await sign_in(web, chat, settings, "helen")
    page = await (await web.get("/c/data-eng")).text()
    assert "sponsor digest, Q1 2026" in page
    assert "Value scorecard" in page and "Flags and decisions" in page
    assert (await web.get("/programme")).status == 403
    await sign_in(web, chat, settings, "root")
    programme = await (await web.get("/programme")).text()
    assert "Programme digest, March 2026" in programme
    assert "Decision needed" in programme and "Data Engineering" in programme
    csv = await web.get("/programme/csv/programme-digest")
    assert csv.status == 200 and "Decision needed" in await csv.text()
