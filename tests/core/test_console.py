"""`copbot chat` driven through its real stdin and stdout, on the demo data."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from bot.app import Core
from bot.registry import Registry

SCRIPT = """\
help
communities
/as sam
charter data-eng
join data-eng
hlep
/as linus
role add @sam leader
/as grace
role add @"Sam Okafor" facilitator in data-eng
community new
Bad Slug
Platform Guild
Make platforms boring
In scope: everything platform


2
Europe/Bern

platform-guild
Europe/Berlin
charter platform-guild
/wait 1h
/quit
"""


def run_chat(tmp_path: Path, script: str, *args: str) -> str:
    env = {**os.environ, "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/chat.db"}
    env = {k: v for k, v in env.items() if not k.startswith(("SLACK_", "MICROSOFT_"))}
    result = subprocess.run(
        [sys.executable, "-m", "bot", "chat", "--as", "me", *args],
        input=script,
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    # A failing background job (say, a table the migrations forgot) shows up here too.
    assert "ERROR" not in result.stderr, result.stderr
    return result.stdout


def test_scripted_chat_session_on_demo_data(tmp_path: Path) -> None:
    out = run_chat(tmp_path, SCRIPT, "--demo")
    assert "copbot local chat. You are me." in out
    assert "What I can do" in out
    assert "*Data Engineering* `data-eng`" in out and "*Safety Inspection* `safety`" in out
    assert "Charter of Data Engineering" in out
    # Joining answers in the chat and the welcome arrives as a direct message.
    assert "Welcome to *Data Engineering*!" in out
    assert "--- direct message to sam ---" in out and "Three things to try first" in out
    assert "Did you mean `help`?" in out
    assert "Only leaders or coordinators of Data Engineering can manage community roles" in out
    assert "Sam Okafor is now a facilitator of Data Engineering." in out
    # The form asks field by field, then asks again only for the fields with errors.
    assert "Filling in 'New community'" in out
    assert "! slug: Use 2-48 lowercase letters" in out
    assert "! timezone: Use a name like Europe/Berlin" in out
    assert "Created *Platform Guild* (`platform-guild`)" in out
    assert "Make platforms boring" in out and "organisation-driven" in out
    assert "(time is now" in out
    assert " INFO " not in out


def test_chat_without_demo_on_an_empty_database_and_eof(tmp_path: Path) -> None:
    out = run_chat(tmp_path, "communities\n\n/whoami\n")
    assert "There are no communities yet" in out
    assert "You are me, in a DM." in out


def test_chat_terminal_shows_problems_in_one_line_and_details_in_a_file(tmp_path: Path) -> None:
    """A failing background job must not print a traceback into the chat."""
    import io
    import logging

    from adapters.console import LOG_FILE, _tracebacks_to_file

    root = logging.getLogger()
    terminal = io.StringIO()
    handler = logging.StreamHandler(terminal)
    saved = list(root.handlers)
    root.handlers = [handler]
    try:
        _tracebacks_to_file(tmp_path)
        try:
            raise RuntimeError("no such table: survey")
        except RuntimeError:
            logging.getLogger("bot.heartbeat").exception("due job surveys.open failed")
    finally:
        for added in root.handlers:
            if added is not handler:
                added.close()
        root.handlers = saved
    assert terminal.getvalue() == (
        f"ERROR bot.heartbeat: due job surveys.open failed (details in {LOG_FILE})\n"
    )
    details = (tmp_path / LOG_FILE).read_text()
    assert "Traceback" in details and "no such table: survey" in details


async def test_form_questions_accept_option_numbers() -> None:
    import io

    from adapters.console import ConsoleChat
    from bot.clock import OffsetClock
    from bot.messages import FormField

    options = (("Red", "red"), ("Green", "green"), ("Blue", "blue"))
    stdin = io.StringIO("2\n1, 3\nyellow\n\n")
    out = io.StringIO()
    chat = ConsoleChat(None, OffsetClock(), stdin, out, "me")  # type: ignore[arg-type]
    assert await chat.ask(FormField("one", "One", "choice", options=options)) == "green"
    many = FormField("many", "Many", "multichoice", options=options)
    assert await chat.ask(many) == "red,blue"
    assert await chat.ask(many) == "yellow"  # as typed: the core says what is wrong
    assert await chat.ask(FormField("t", "T", initial="kept")) == "kept"
    assert "Many [1=Red, 2=Green, 3=Blue]:" in out.getvalue()


async def test_a_number_on_a_rating_scale_is_the_rating_not_a_position() -> None:
    import io

    from adapters.console import ConsoleChat
    from bot.clock import OffsetClock
    from bot.messages import FormField

    scale = tuple((str(n), str(n)) for n in range(11))  # 0-10, as the recommend question
    out = io.StringIO()
    chat = ConsoleChat(None, OffsetClock(), io.StringIO("10\n0\n"), out, "me")  # type: ignore[arg-type]
    field = FormField("nps", "Recommend", "choice", options=scale)
    assert await chat.ask(field) == "10"
    assert await chat.ask(field) == "0"
    assert "Recommend [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]:" in out.getvalue()


async def test_buttons_are_numbered_across_all_replies_of_an_answer(
    core: Core, registry: Registry
) -> None:
    import io

    from adapters.console import ConsoleChat
    from bot.clock import OffsetClock
    from bot.messages import Choice, Reply
    from bot.registry import CommandSpec

    async def two(ctx: object, args: str) -> list[Reply]:
        return [
            Reply("first", choices=(Choice("Help on join", "help join"),)),
            Reply("second", choices=(Choice("Communities", "communities"),)),
        ]

    registry.commands["test-two"] = CommandSpec("test-two", two, "x", "x", "Test", hidden=True)
    try:
        out = io.StringIO()
        chat = ConsoleChat(core, OffsetClock(), io.StringIO("test-two\n2\n"), out, "me")
        await chat.run()
    finally:
        registry.commands.pop("test-two")
    shown = out.getvalue()
    assert "[1] Help on join" in shown and "[2] Communities" in shown
    assert "There are no communities yet" in shown  # "2" pressed the second reply's button


async def test_terminal_control_characters_from_other_people_are_shown_inert(core: Core) -> None:
    import io

    from adapters.console import ConsoleChat, ConsolePort
    from bot.clock import OffsetClock
    from bot.messages import Command, ConversationRef, Platform, Reply, User, UserRef

    # A Slack user named to clear the screen and retitle the operator's terminal.
    evil = "Eve\x1b[2J\x1b]0;pwned\x07\x9b31m"
    slack = User(Platform.SLACK, "UEVE", name=evil)
    await core.router.handle(
        Command(slack, ConversationRef(Platform.SLACK, "D1", is_direct=True), "community new")
    )
    await core.router.handle(
        Command(
            slack,
            ConversationRef(Platform.SLACK, "D1", is_direct=True),
            f"community new evil {evil}",
        )
    )
    out = io.StringIO()
    chat = ConsoleChat(core, OffsetClock(), io.StringIO("communities\nmembers evil\n"), out, "me")
    await chat.run()
    port = ConsolePort(out)
    await port.send(UserRef(Platform.CONSOLE, "me"), Reply(f"From {evil}\ttabbed"))
    shown = out.getvalue()
    assert "Eve?[2J?]0;pwned??31m" in shown
    assert not any(c in shown for c in "\x1b\x07\x9b")
    assert "\ttabbed" in shown and "\n" in shown
