"""The local chat's first minutes: who you are, whom to become, time that moves in steps, and
buttons of direct messages that a typed number presses."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime

from adapters.console import ConsoleChat, ConsolePort, wait_steps
from bot.app import Core
from bot.clock import FrozenClock
from tests.demo_copy import seed_demo

# A Tuesday evening, as in issue 15: a Wednesday 15:00 meeting is less than a day away.
TUESDAY_EVENING = datetime(2026, 3, 3, 22, 27, tzinfo=UTC)


async def chat_session(core: Core, clock: FrozenClock, script: str, user: str = "root") -> str:
    """Run the chat as `copbot chat` does (its port prints, numbers and times messages)."""
    out = io.StringIO()
    port = ConsolePort(out, clock)
    core.services.ports.register(port)
    chat = ConsoleChat(core, clock, io.StringIO(script), out, user)
    port.buttons = chat
    await chat.run()
    await core.settle()
    return out.getvalue()


async def test_the_chat_says_who_you_are_and_whom_to_become(core: Core, clock: FrozenClock) -> None:
    await seed_demo(core.services)
    out = await chat_session(core, clock, "/whoami\n/help\n/as ada\n")
    opening, whoami, help_, as_ada = re.split(
        r"\nYou are root, in a DM\.\n|\nLocal chat commands|\nYou are now ada\.\n", out
    )
    for said in (opening, whoami, help_):
        assert "You are root, a coordinator in no community" in said
        assert re.search(r"/as ada +Ada Lovelace, leader of Data Engineering", said)
        assert re.search(r"/as linus +Linus Chen, member of Data Engineering", said)
        assert re.search(r"/as helen +Helen Brooks, sponsor of Data Engineering and Safety", said)
    assert as_ada.startswith(
        "You are Ada Lovelace (ada): leader and sme of Data Engineering; "
        "member of Leaders' network."
    )


async def test_whom_to_become_comes_from_the_database(core: Core, clock: FrozenClock) -> None:
    await chat_session(core, clock, "community new guild Platform Guild\n", user="zoe")
    await chat_session(core, clock, "join guild\n", user="yann")
    out = await chat_session(core, clock, "/whoami\n")
    assert re.search(r"/as zoe +zoe, leader of Platform Guild", out)
    assert re.search(r"/as yann +yann, member of Platform Guild", out)
    assert "/as ada" not in out and "helen" not in out


async def test_wait_sends_a_reminder_due_inside_the_jump_at_its_own_time(
    core: Core, clock: FrozenClock
) -> None:
    clock.set(TUESDAY_EVENING)
    await seed_demo(core.services)
    created = await chat_session(
        core,
        clock,
        'meeting new "Data chat" every week on wednesday 15:00 Europe/Berlin\nmeetings\n',
        user="ada",
    )
    session = re.search(r"rsvp (\d+) going\)", created)
    assert session, created
    out = await chat_session(core, clock, f"rsvp {session[1]} going\n/wait 1d\n", user="ada")
    # Wednesday 15:00 in Berlin is 14:00 UTC: the 15-minute reminder goes at 13:45, not never.
    assert re.search(
        r"--- [^\n]+ --- Wed 04 Mar 2026 13:45 UTC\n== Reminder: Data chat ==\n"
        r"[^\n]*starts in 15 minutes",
        out,
    ), out
    assert "(time is now 2026-03-04 22:27 UTC)" in out


def test_wait_steps_are_round_times_and_bounded() -> None:
    start = datetime(2026, 3, 3, 22, 27, 30, tzinfo=UTC)
    day = wait_steps(start, start.replace(day=4))
    assert day[0] == datetime(2026, 3, 3, 22, 30, tzinfo=UTC) and day[-1] == start.replace(day=4)
    assert all(m.minute % 15 == 0 and m.second == 0 for m in day[:-1]) and len(day) <= 97
    half_hour = wait_steps(start, start.replace(minute=57))
    assert len(half_hour) == 31 and half_hour[1] - half_hour[0] == (half_hour[2] - half_hour[1])
    assert len(wait_steps(start, start.replace(year=2027))) <= 97


async def test_a_number_presses_a_button_of_a_direct_message(
    core: Core, clock: FrozenClock
) -> None:
    clock.set(TUESDAY_EVENING)
    await seed_demo(core.services)
    await chat_session(
        core, clock, 'meeting new "Data chat" every week on wednesday 15:00 Europe/Berlin\n', "ada"
    )
    # The agenda nudge (N2) comes at the community's daily check, 09:00 in Berlin.
    out = await chat_session(core, clock, "/wait 10h\n2\n9\n", user="ada")
    # The DM that arrived while waiting numbers its buttons, and "2" presses its second one.
    dm, pressed = out.split("--- direct message to ada ---", 1)[1].split("\n(time is now", 1)
    assert "has no agenda yet" in dm, out
    assert re.search(r"\[1\] Do it +\(or type: nudge do \d+\)", dm), out
    assert re.search(r"\[2\] Snooze +\(or type: nudge snooze \d+\)", dm), out
    assert "I don't know" not in pressed
    assert "Snoozed: I'll bring" in pressed, pressed
    assert "There is no button 9 for you on screen (buttons shown since your last" in pressed
