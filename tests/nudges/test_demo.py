"""After `copbot demo` and a few days, a leader of data-eng gets two different nudges."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

from bot import demo
from bot.clock import FrozenClock
from tests.core.test_quick_start import CHAT_HELP, SEPARATOR
from tests.helpers import Chat, FakePort
from tests.nudges.test_flow import nudges_to, rules_to


async def test_demo_leader_gets_two_different_nudges_within_days(
    chat: Chat, clock: FrozenClock, port: FakePort
) -> None:
    assert await demo.seed(chat.core.services)
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


def chat_output(tmp_path: Path, commands: list[str]) -> str:
    """What `copbot chat --demo` prints for `commands` (a year of demo history makes seeding
    slow on a loaded machine, hence the generous bound)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "MICROSOFT_"))}
    env.update(DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path}/demo.db")
    script = "".join(f"{SEPARATOR}\n{command}\n" for command in commands) + "/quit\n"
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "chat", "--demo", "--as", "root"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    try:
        out, err = process.communicate(script, timeout=900)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=30)
    assert process.returncode == 0, err
    assert "Traceback" not in out + err, err
    return out.split(CHAT_HELP, 1)[1]


def test_in_the_real_local_chat_ada_sees_two_different_nudges(tmp_path: Path) -> None:
    """`copbot chat --demo`, `/as ada`, then `/wait 1d` eight times."""
    seen = chat_output(tmp_path, ["/as ada", *["/wait 1d"] * 8])
    to_ada = [m for m in seen.split("--- direct message to ")[1:] if m.startswith("ada ")]
    titles = {
        line
        for message in to_ada
        for line in message.splitlines()
        if line.startswith("== Data Engineering: ") and "(or type: nudge do " in message
    }
    assert len(titles) >= 2, seen
