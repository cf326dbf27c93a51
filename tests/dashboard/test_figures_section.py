"""The community page opens with the engagement figures, each beside the period before, a
trend chart linked to its table, and the table as CSV (the same figures `stats` gives)."""

from __future__ import annotations

import csv
import io

from aiohttp.test_utils import TestClient

from bot.config import Settings
from tests.dashboard.conftest import sign_in
from tests.demo_copy import seed_demo
from tests.helpers import Chat, text_of


async def test_the_leader_page_shows_the_figures_with_the_period_before(
    web: TestClient, chat: Chat, settings: Settings
) -> None:
    assert await seed_demo(chat.core.services)
    await sign_in(web, chat, settings, "grace")
    page = await (await web.get("/c/data-eng")).text()
    assert "Engagement figures" in page
    assert 'href="#figures-table"' in page and 'id="figures-table"' in page
    assert page.index("Engagement figures") < page.index("Health over quarters")

    answer = await web.get("/c/data-eng/csv/figures")
    assert answer.status == 200 and answer.content_type == "text/csv"
    rows = list(csv.reader(io.StringIO((await answer.read()).decode("utf-8-sig"))))
    header, body = rows[0], {row[0]: row for row in rows[1:]}
    assert header[0] == "Figure" and header[3:] == ["Trend", "Based on"]
    # The same figures, to the letter, as `stats` gives the same leader in chat.
    said = text_of(await chat("stats data-eng", as_="grace"))
    assert f"figures for {header[1]}" in said
    active = body["Active members"]
    assert active[1].endswith("%") and active[1] in said
    assert active[3] in ("↑", "↓", "→")
    assert "Leader Health Index" in body  # leaders see it, as in chat


async def test_a_sponsor_sees_the_figures_too(
    web: TestClient, chat: Chat, settings: Settings
) -> None:
    assert await seed_demo(chat.core.services)
    await sign_in(web, chat, settings, "helen")
    page = await (await web.get("/c/data-eng")).text()
    assert "Engagement figures" in page and "Active members" in page


async def test_the_leader_page_lists_open_questions_without_who_asked(
    web: TestClient, chat: Chat, settings: Settings
) -> None:
    assert await seed_demo(chat.core.services)
    await chat("ask How do we <b>backfill</b> a partition? #airflow in data-eng", as_="linus")
    await sign_in(web, chat, settings, "grace")
    page = await (await web.get("/c/data-eng")).text()
    assert "Open questions" in page and 'id="questions-table"' in page
    assert "How do we &lt;b&gt;backfill&lt;/b&gt; a partition?" in page
    rows = list(
        csv.reader(
            io.StringIO(
                (await (await web.get("/c/data-eng/csv/questions")).read()).decode("utf-8-sig")
            )
        )
    )
    assert rows[0] == ["Id", "Question", "Topics", "State", "Asked", "Answers"]
    assert not any("Linus" in cell or "linus" in cell for row in rows for cell in row)
