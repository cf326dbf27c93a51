"""`copbot chat --demo`, then `stats data-eng`: non-trivial figures whatever day it starts."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from bot.clock import FrozenClock
from tests.demo_copy import seed_demo
from tests.helpers import Chat, text_of

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize(
    "today",
    [
        datetime(2026, 3, 2, 9, tzinfo=UTC),  # just after a month's start
        datetime(2026, 10, 31, 23, 30, tzinfo=UTC),  # a month's last hour, a DST weekend
        datetime(2027, 1, 15, 12, tzinfo=UTC),  # mid-month, a new year
    ],
)
async def test_demo_stats_for_a_leader(chat: Chat, clock: FrozenClock, today: datetime) -> None:
    clock.set(today)
    assert await seed_demo(chat.core.services)
    replies = await chat("stats data-eng", as_="ada")
    said = text_of(replies)
    assert "Leader Health Index: *" in said
    # The seeds' sentence, with both halves.
    assert re.search(
        r"\d of \d departments \(\d+%\) had someone at a session in \w+ \d{4}; "
        r"\d+% of the attendees of the last 12 months came to 5\+ sessions",
        said,
    )
    figures = [line for line in said.splitlines() if ": *" in line]
    compared = [line for line in figures if re.search(r" [↑↓→] from ", line)]
    assert len(compared) >= 15, said
    for key in (
        "Active members",
        "Meeting attendance",
        "RSVP show rate",
        "Repeat attendance",
        "Departmental reach",
        "Expert coverage",
    ):
        assert re.search(rf"{key}: \*\d+%\*.* [↑↓→] from \d+%", said), (key, said)
    active = re.search(r"Active members: \*(\d+)%\*", said)
    assert active and int(active.group(1)) > 0
    image = replies[0].image
    assert image is not None and image.png.startswith(PNG) and len(image.png) > 5000
    quarter = await chat.text("stats data-eng quarter", as_="ada")
    assert "Leader Health Index: *" in quarter and re.search(r"[↑↓→] from \d+/100", quarter)
    assert "Q" in quarter.splitlines()[0]


async def test_demo_stats_for_a_member_and_the_sponsor(chat: Chat) -> None:
    assert await seed_demo(chat.core.services)
    member = await chat("stats data-eng", as_="linus")
    assert member[0].image is None
    assert "Leader Health Index" not in text_of(member)
    assert "Active members: *" in text_of(member)
    sponsor = await chat("stats data-eng", as_="helen")
    assert sponsor[0].image is not None and "Leader Health Index: *" in text_of(sponsor)
