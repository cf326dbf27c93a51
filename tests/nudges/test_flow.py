"""The daily evaluation end to end: when it runs, the weekly cap, the three buttons."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.app import Core
from bot.clock import FrozenClock
from bot.messages import Reply
from tests.conftest import START
from tests.helpers import Chat, FakePort, text_of

# data-eng keeps UTC: its first evaluation is the next 09:00 after it was made (START).
DAY1 = START + timedelta(days=1)


def nudges_to(port: FakePort, who: str) -> list[Reply]:
    return [r for r in port.to(who) if any(c.command and c.command.startswith("nudge do") for c in r.choices)]


async def test_a_new_community_is_nudged_to_find_a_rhythm_the_next_morning(
    chat: Chat, community: str, clock: FrozenClock, port: FakePort
) -> None:
    await chat.tick()
    assert nudges_to(port, "lead") == []
    clock.set(DAY1)
    await chat.tick()
    sent = nudges_to(port, "lead")
    assert len(sent) == 1
    assert "Schedule the next session" in sent[0].text
    assert [c.label for c in sent[0].choices] == ["Do it", "Snooze", "Not relevant"]
    assert nudges_to(port, "ada") == []  # members get no nudges
