"""The README's quick start, as a newcomer types it into the real `copbot chat --demo`.

The first ten commands the README shows (`help`, `communities`, `join data-eng`, `charter`,
`members`, `/as ada`, `/channel data-eng`, `/wait 1d`, then the table's `roles` and `home`)
each give a non-empty answer about what was asked.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from adapters.console import CHAT_HELP

README = Path(__file__).resolve().parents[2] / "README.md"
# An unknown chat command prints CHAT_HELP alone: it separates the answers in the output.
SEPARATOR = "/--"
# (what the README says to type, what its answer must contain)
FIRST_TEN = [
    ("help", ["What I can do", "`join <community>`"]),
    ("communities", ["*Data Engineering* `data-eng`", "join data-eng"]),
    ("join data-eng", ["Welcome to *Data Engineering*!", "Three things to try first"]),
    ("charter", ["Charter of Data Engineering", "Purpose:"]),
    ("members", ["Members of Data Engineering", "Ada Lovelace", "root"]),
    ("/as ada", ["You are now ada.", "leader and sme of Data Engineering"]),
    ("/channel data-eng", ["You are now talking in #data-eng."]),
    ("/wait 1d", ["(time is now "]),
    ("roles", ["Roles in Data Engineering", "Leaders: Ada Lovelace, Grace Hopper"]),
    ("home", ["Your communities", "*Data Engineering* `data-eng` — leader"]),
]


def chat_answers(tmp_path: Path, commands: list[str]) -> tuple[str, list[str]]:
    """Type `commands` into `copbot chat --demo` on a fresh SQLite file; the opening and each
    command's answer."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "MICROSOFT_"))}
    env.update(DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path}/quick-start.db")
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
        out, err = process.communicate(script, timeout=180)
    finally:
        if process.poll() is None:
            os.kill(process.pid, 9)
            process.wait(timeout=30)
    assert process.returncode == 0, err
    assert "Traceback" not in out + err and "ERROR" not in err, err
    opening, *answers = out.split(CHAT_HELP)[1:]
    assert len(answers) == len(commands), out
    return opening, [answer.strip() for answer in answers]


def test_the_readme_lists_these_commands_in_this_order() -> None:
    text = README.read_text(encoding="utf-8")
    places = [text.index(f"`{command}`") for command, _expected in FIRST_TEN]
    assert places[:8] == sorted(places[:8])  # the quick start's paragraph, in order
    assert min(places[8:]) > max(places[:8])  # then the commands table


def test_the_first_ten_commands_of_the_readme_answer_what_was_asked(tmp_path: Path) -> None:
    opening, answers = chat_answers(tmp_path, [command for command, _ in FIRST_TEN])
    assert "You are root, a coordinator in no community" in opening
    for name in ("ada", "linus", "helen"):
        assert f"/as {name} " in opening
    for (command, expected), answer in zip(FIRST_TEN, answers, strict=True):
        assert answer, f"`{command}` gave no answer"
        for words in expected:
            assert words in answer, f"`{command}` answered:\n{answer}"
        assert "I don't know" not in answer, f"`{command}` answered:\n{answer}"


def test_the_readme_expert_example_finds_someone(tmp_path: Path) -> None:
    _opening, [answer] = chat_answers(tmp_path, ["expert spark"])
    assert "I know nobody listed for *spark*" not in answer
    assert "Grace" in answer


# The commands table's examples, as a member (linus) and then a leader (ada) of the demo would
# type them, with what each answer must show. `1` after `meetings` clicks the first Going button.
TABLE = [
    ("/as linus", ["You are now linus."]),
    ("expert spark", ["People who know spark", "Grace Hopper"]),
    ("profile @ada", ["Profile of Ada Lovelace", "kubernetes"]),
    ("lessons backfill queue", ["Backfills need their own worker pool"]),
    ("lessons #kubernetes", ["Kubernetes upgrades"]),
    ("lesson show 12", ["Lesson 12:"]),
    ("meetings", ["Weekly data chat", "Agenda:", "RSVPs:"]),
    ("1", ["going"]),
    ("meeting ics 1", ["Calendar file for *Monthly data clinic*"]),
    ("surveys", ["Surveys waiting for you", "Pulse: this month's sessions"]),
    ("survey results 1", ["Quarterly member pulse", "5 of 6 answered"]),
    ("charter goals", ["Goals of Data Engineering", "*at risk*"]),
    ("/as ada", ["You are now ada."]),
    ("health", ["Health of Data Engineering", "Leader Health Index"]),
    ("experts gaps", ["Topics without an SME in Data Engineering", "spark"]),
]


def test_the_readme_table_examples_answer_in_the_demo(tmp_path: Path) -> None:
    text = README.read_text(encoding="utf-8")
    for command, _expected in TABLE:
        if not command.startswith("/") and command != "1":
            assert f"`{command}`" in text, command
    _opening, answers = chat_answers(tmp_path, [command for command, _ in TABLE])
    for (command, expected), answer in zip(TABLE, answers, strict=True):
        assert answer, f"`{command}` gave no answer"
        for words in expected:
            assert words in answer, f"`{command}` answered:\n{answer}"
        assert "I don't know" not in answer and "There is no" not in answer, answer
    assert "lockout-tagout" not in answers[-1]
