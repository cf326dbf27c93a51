"""What a demanding leader ran into in `health`: the button says what it will do, and the status
line never promises a prompt the heartbeat will not send."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.clock import FrozenClock
from bot.messages import Reply
from tests.helpers import Chat, FakePort

# START (tests.conftest) is 2 March 2026: the Q4 2025 round began 1 January, over 28 days ago.
Q2_START = datetime(2026, 4, 1, 9, 0, tzinfo=UTC)


def answers(score: int = 4) -> dict[str, str]:
    values = {f"L{n}": str(score) for n in range(1, 12)}
    return values | {"L12": "green", "L13": "maturing", "L14": "continue", "L15": "", "L16": ""}


def labels(replies: list[Reply]) -> list[str]:
    return [c.label for r in replies for c in r.choices]


async def test_a_stale_round_is_not_announced_as_coming(chat: Chat, community: str) -> None:
    reply = await chat("health in data-eng", as_="lead")
    text = reply[0].text + (reply[0].context or "")
    assert "has not been sent yet" not in text
    assert "No Q4 2025 check was sent" in text and "`health check`" in text


async def test_the_button_says_change_once_answered(
    chat: Chat, community: str, clock: FrozenClock, port: FakePort
) -> None:
    clock.set(Q2_START)
    await chat.tick()
    before = await chat("health in data-eng", as_="lead")
    assert "Answer the health check" in labels(before)
    assert "has not been sent yet" not in (before[0].context or "")
    opened = await chat("health check in data-eng", as_="lead")
    assert opened[0].form is not None
    await chat.submit(opened[0].form.form_id, answers(), as_="lead")
    after = await chat("health in data-eng", as_="lead")
    assert "Change my health check" in labels(after)
    assert "Answer the health check" not in labels(after)
    # Members are told politely, and get no button they cannot use.
    refused = await chat.text("health check in data-eng", as_="ada")
    assert "Only leaders" in refused and "went wrong" not in refused


async def test_a_form_left_open_cannot_rewrite_a_past_quarter(
    chat: Chat, community: str, clock: FrozenClock
) -> None:
    clock.set(Q2_START)
    opened = await chat("health check in data-eng", as_="lead")
    assert opened[0].form is not None
    form_id = opened[0].form.form_id
    await chat.submit(form_id, answers(4), as_="lead")
    # Next quarter the old form is sent again (a chat client keeps it open).
    clock.set(datetime(2026, 7, 2, 9, 0, tzinfo=UTC))
    late = await chat.submit(form_id, answers(1), as_="lead")
    assert "Q1 2026 health check, which is over" in late[0].text
    assert "`health check in data-eng`" in late[0].text
    shown = await chat.text("health in data-eng", as_="lead")
    assert "Leader Health Index: *75*/100" in shown  # the Q1 answers (all 4) stand


async def test_a_former_leader_cannot_send_the_form(
    chat: Chat, community: str, clock: FrozenClock
) -> None:
    clock.set(Q2_START)
    await chat("role add @ada leader", as_="lead")
    opened = await chat("health check in data-eng", as_="ada")
    assert opened[0].form is not None
    await chat("role remove @ada leader", as_="lead")
    refused = await chat.submit(opened[0].form.form_id, answers(), as_="ada")
    assert "Only leaders" in refused[0].text


async def test_moving_the_schedule_later_keeps_this_quarters_form_usable(
    chat: Chat, community: str, clock: FrozenClock
) -> None:
    clock.set(Q2_START)
    opened = await chat("health check in data-eng", as_="lead")
    assert opened[0].form is not None
    clock.set(datetime(2026, 4, 10, 9, 0, tzinfo=UTC))
    await chat("health schedule 15 9 in data-eng", as_="lead")
    saved = await chat.submit(opened[0].form.form_id, answers(4), as_="lead")
    assert "is saved" in saved[0].text and "Q1 2026" in saved[0].text
