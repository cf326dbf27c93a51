"""The demo has a closed pulse whose results members and leaders can read."""

from __future__ import annotations

from tests.demo_copy import seed_demo
from tests.helpers import Chat


async def test_demo_pulse_results(chat: Chat) -> None:
    assert await seed_demo(chat.core.services)
    leader = await chat("survey results 1", as_="grace")
    text = "\n".join(r.text for r in leader)
    assert "5 of 6 answered (83%)" in text
    assert "NPS +40" in text  # promoters 9, 10, 9; passive 7; detractor 6: (3 - 1) / 5
    assert "Shorter meetings, please" in text
    assert leader[0].image is not None
    member = await chat("survey results 1", as_="linus")
    assert "NPS +40" in "\n".join(r.text for r in member)
