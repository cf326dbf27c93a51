"""After `copbot demo` and a few waits, the sponsor (helen) gets a digest and the coordinator
(COPBOT_ADMINS) a programme digest, each once."""

from __future__ import annotations

from datetime import timedelta

from bot.app import Core
from bot.clock import FrozenClock
from tests.demo_copy import seed_demo
from tests.helpers import Chat, FakePort


async def test_demo_sponsor_and_coordinator_get_their_digests(
    core: Core, chat: Chat, clock: FrozenClock, port: FakePort
) -> None:
    assert await seed_demo(core.services)
    for _ in range(3):  # /wait 1d, three times
        clock.advance(timedelta(days=1))
        await chat.tick()
    helen = [t for t in port.texts("helen") if "sponsor digest" in t]
    assert helen and len(helen) == len(set(helen))
    assert "Value scorecard" in helen[0] and "Stories" in helen[0]
    programme = [t for t in port.texts("root") if "Programme digest" in t]
    assert len(programme) == 1
    assert "Data Engineering" in programme[0]
