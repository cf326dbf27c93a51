"""The README's quick start, as a newcomer types it into the real `copbot chat --demo`.

The first ten commands the README shows (`help`, `communities`, `join data-eng`, `charter`,
`members`, `/as ada`, `/channel data-eng`, `/wait 1d`, then the table's `roles` and `home`)
each give a non-empty answer about what was asked.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import demo_chat

README = Path(__file__).resolve().parents[2] / "README.md"
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


def test_the_readme_lists_these_commands_in_this_order() -> None:
    text = README.read_text(encoding="utf-8")
    places = [text.index(f"`{command}`") for command, _expected in FIRST_TEN]
    assert places[:8] == sorted(places[:8])  # the quick start's paragraph, in order
    assert min(places[8:]) > max(places[:8])  # then the commands table


def test_the_first_ten_commands_of_the_readme_answer_what_was_asked(tmp_path: Path) -> None:
    opening, *answers = demo_chat(tmp_path, [command for command, _ in FIRST_TEN])
    assert "You are root, a coordinator in no community" in opening
    for name in ("ada", "linus", "helen"):
        assert f"/as {name} " in opening
    for (command, expected), answer in zip(FIRST_TEN, answers, strict=True):
        assert answer, f"`{command}` gave no answer"
        for words in expected:
            assert words in answer, f"`{command}` answered:\n{answer}"
        assert "I don't know" not in answer, f"`{command}` answered:\n{answer}"


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


@pytest.fixture(scope="module")
def table_walk(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    """One `copbot chat --demo` for the expert example (as root, before anything else) and
    then the table's examples: seeding the demo is the costly part of each walk."""
    _opening, expert, *table = demo_chat(
        tmp_path_factory.mktemp("table"), ["expert spark", *(command for command, _ in TABLE)]
    )
    return [expert, *table]


def test_the_readme_expert_example_finds_someone(table_walk: list[str]) -> None:
    answer = table_walk[0]
    assert "I know nobody listed for *spark*" not in answer
    assert "Grace" in answer


def test_the_readme_table_examples_answer_in_the_demo(table_walk: list[str]) -> None:
    text = README.read_text(encoding="utf-8")
    for command, _expected in TABLE:
        if not command.startswith("/") and command != "1":
            assert f"`{command}`" in text, command
    answers = table_walk[1:]
    for (command, expected), answer in zip(TABLE, answers, strict=True):
        assert answer, f"`{command}` gave no answer"
        for words in expected:
            assert words in answer, f"`{command}` answered:\n{answer}"
        assert "I don't know" not in answer and "There is no" not in answer, answer
    assert "lockout-tagout" not in answers[-1]
