"""After `copbot demo` and a few days, a leader of data-eng gets two different nudges."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from bot.clock import FrozenClock
from tests.demo_copy import seed_demo
from tests.helpers import Chat, FakePort, demo_chat
from tests.nudges.test_flow import nudges_to, rules_to


async def test_demo_leader_gets_two_different_nudges_within_days(
    chat: Chat, clock: FrozenClock, port: FakePort
) -> None:
    assert await seed_demo(chat.core.services)
    await chat.tick()
    for _ in range(8):  # eight `/wait 1d`
        clock.advance(timedelta(days=1))
        await chat.tick()
    got = rules_to(port, "ada")
    assert len(set(got)) >= 2, got
    assert len(got) <= 2  # one a week at most
    # The demo has a question nobody answered and a lesson waiting for validation.
    assert "1 question has waited more than 48 hours" in nudges_to(port, "ada")[0].text
    view = await chat.text("nudges in data-eng", as_="ada")
    assert "last sent" in view


def test_in_the_real_local_chat_ada_sees_two_different_nudges(tmp_path: Path) -> None:
    """`copbot chat --demo`, `/as ada`, then `/wait 11d`: the scheduler runs every four hours
    (the test above runs it once a day). The chat starts at the real time, so the days must
    cover the worst start: the first check the next morning (up to 32 hours on), the second a
    week after it, and a nudge queued on a Saturday held for ada's working hours until Monday.
    Eight days failed when started on a Monday 06:01 or any Friday (a sweep of start times)."""
    _opening, _as_ada, seen = demo_chat(tmp_path, ["/as ada", "/wait 11d"])
    to_ada = [m for m in seen.split("--- direct message to ")[1:] if m.startswith("ada ")]
    titles = {
        line
        for message in to_ada
        for line in message.splitlines()
        if line.startswith("== Data Engineering: ") and "(or type: nudge do " in message
    }
    assert len(titles) >= 2, seen
