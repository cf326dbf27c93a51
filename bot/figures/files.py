"""The trend chart behind a signed link (`GET /files/chart/...`), rebuilt from its argument.

Teams cannot carry a big chart inside a message, so a chart's `Image.url` points here; the
argument names the community, the period, the last window and how many windows it shows
("3.quarter.2026Q1.6"). Nothing is stored: the chart is drawn again from the database.
"""

from __future__ import annotations

import re
from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.config import Settings
from bot.context import JobContext
from bot.downloads import link
from bot.figures.chart import CHART_KEYS, trend_png
from bot.figures.core import trend_series
from bot.figures.window import Period, Window
from bot.messages import Attachment, Image
from bot.registry import download
from storage import communities
from storage.tables import Community

_ARG = re.compile(r"^(\d+)\.(month|quarter)\.(\d{4})(?:-(\d{2})|Q([1-4]))\.(\d{1,2})$")


def chart_title(community: Community, window: Window) -> str:
    return f"{community.name}, to {window.label}"


async def trend_chart(
    session: AsyncSession,
    community: Community,
    window: Window,
    count: int,
    *,
    settings: Settings,
    now: datetime,
    alt: str,
    filename: str,
) -> Image | None:
    """The trend chart of `count` windows to `window`, with a signed link that redraws it."""
    series = await trend_series(session, community, window, count, settings=settings, now=now,
                                keys=frozenset(CHART_KEYS))  # fmt: skip
    png = trend_png(chart_title(community, window), series)
    if png is None:
        return None
    arg = f"{community.id}.{window.period.value}.{window.key}.{count}"
    return Image(png, alt, filename, url=link(settings, "chart", arg, now=now))


@download("chart")
async def chart_download(jctx: JobContext, arg: str) -> Attachment | None:
    found = _ARG.match(arg)
    if found is None:
        return None
    community = await communities.get_community(jctx.session, int(found[1]))
    if community is None:
        return None
    period = Period(found[2])
    index = int(found[4] or found[5] or 0)
    if (period is Period.MONTH) != (found[4] is not None) or not 1 <= index <= 12:
        return None
    count = min(max(int(found[6]), 1), 24)
    window = Window(period, int(found[3]), index, jctx.community_zone(community))
    series = await trend_series(jctx.session, community, window, count,
                                settings=jctx.settings, now=jctx.now,
                                keys=frozenset(CHART_KEYS))  # fmt: skip
    png = trend_png(chart_title(community, window), series)
    return Attachment(png, "trend.png", "image/png") if png is not None else None
