"""`stats`: who sees what, friendly errors, missing data said as such, the chart, `help stats`."""

from __future__ import annotations

import io
from datetime import timedelta
from zoneinfo import ZoneInfo

from bot.clock import FrozenClock
from bot.figures.chart import trend_png
from bot.figures.definitions import FIGURES
from bot.figures.measure import Measure
from bot.figures.window import Period, Window
from tests.helpers import Chat, text_of

PNG = b"\x89PNG\r\n\x1a\n"


async def test_a_new_community_has_no_figures_yet(chat: Chat, community: str) -> None:
    said = await chat.text("stats data-eng", as_="lead")
    assert "started in March 2026: its first figures come once March 2026 is over" in said


async def test_missing_data_is_said_not_zero(
    chat: Chat, community: str, clock: FrozenClock
) -> None:
    clock.advance(timedelta(days=40))  # 11 April 2026: March is complete
    replies = await chat("stats data-eng", as_="lead")
    said = text_of(replies)
    assert "figures for March 2026" in said
    assert "Meeting attendance: no sessions held in March 2026" in said
    assert "NPS: no survey opened in March 2026" in said
    assert "Departmental reach: no departments known (members' profiles have none)" in said
    assert "Not available yet" not in said
    assert "Questions asked: *0*" in said and "Value stories: *0*" in said
    assert "Answer rate: no questions asked in March 2026" in said
    # Joining is no action: ada and bo joined and did nothing else, lead created it.
    assert "Active members: *0%* (0 of 3 members); no figure for February 2026" in said
    assert "Joined: *3* ↑ from 0 in February 2026" in said
    assert "New-member activation: *0%* (0 of 3 new members)" in said
    assert "Meeting attendance: *" not in said and "NPS: *" not in said
    # The chart of a leader has lines for the figures that have values (active members).
    assert replies[0].image is not None and replies[0].image.png.startswith(PNG)


async def test_who_sees_what(chat: Chat, community: str, clock: FrozenClock) -> None:
    clock.advance(timedelta(days=40))
    member = await chat("stats data-eng", as_="ada")
    assert member[0].image is None
    assert "Leader Health Index" not in text_of(member)
    assert "Active members" in text_of(member)
    leader = await chat("stats data-eng", as_="lead")
    assert leader[0].image is not None
    assert "Leader Health Index: no health check answered" in text_of(leader)
    coordinator = await chat("stats data-eng", as_="root")
    assert coordinator[0].image is not None and "Leader Health Index" in text_of(coordinator)
    outsider = await chat.text("stats data-eng", as_="zed")
    assert outsider == (
        "Join Data Engineering to see its figures: type `join data-eng`. They are for its "
        "members, sponsors and coordinators."
    )
    await chat("role add @zed sponsor in data-eng", as_="lead")
    sponsor = await chat("stats data-eng", as_="zed")
    assert "Leader Health Index" in text_of(sponsor)
    # Every button offered is one the reader may press.
    for choice in member[0].choices:
        pressed = text_of(await chat.click(choice, as_="ada"))
        assert not pressed.startswith(("Only", "Join", "I don't know")), pressed


async def test_arguments(chat: Chat, community: str, clock: FrozenClock) -> None:
    clock.advance(timedelta(days=40))
    assert "figures for Q1 2026" in await chat.text("stats quarter", as_="ada")
    assert "figures for Q1 2026" in await chat.text("stats QUARTERLY data-eng", as_="ada")
    assert "figures for March 2026" in await chat.text("stats #data-eng month", as_="ada")
    assert "figures for March 2026" in await chat.text("stats", as_="ada")
    assert await chat.text("stats data-eng year", as_="ada") == (
        "Figures come per month or quarter, not per year: type `stats month` or "
        "`stats quarter` (add a community to choose one, e.g. `stats data-eng quarter`)."
    )
    assert "one community" in await chat.text("stats data-eng safety", as_="ada")
    assert "I don't know a community called `nope`" in await chat.text("stats nope", as_="ada")
    lonely = await chat.text("stats", as_="nobody")
    assert "You are not in a community yet" in lonely


async def test_help_stats_documents_every_figure(chat: Chat) -> None:
    said = await chat.text("help stats")
    for figure in FIGURES:
        assert f"• {figure.label}" in said and figure.definition in said, figure.key
    assert "`stats [community] [month|quarter]`" in said


def test_chart_is_a_png_of_the_expected_size() -> None:
    from PIL import Image

    window = Window(Period.MONTH, 2026, 3, ZoneInfo("UTC"))
    series = [
        (w, {"active_ratio": Measure(0.2 + 0.05 * n), "attendance_rate": Measure(None)})
        for n, w in enumerate(window.back(6))
    ]
    png = trend_png("Ops", series)
    assert png is not None and png.startswith(PNG)
    with Image.open(io.BytesIO(png)) as picture:
        assert picture.format == "PNG" and picture.size == (720, 360)
    nothing = [(w, {"active_ratio": Measure(None, missing="none")}) for w in window.back(3)]
    assert trend_png("Ops", nothing) is None
