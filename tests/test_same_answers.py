"""One scripted conversation, the same answers in the local chat, Slack and Teams.

Each platform gets its own fresh database and a clock at the same instant, runs the same script
through its real adapter, and the answers are compared after removing what is only formatting
(markup characters, spacing, case). A capability that answers differently on one platform, or an
adapter that drops part of a reply, fails here.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Any, Protocol

from adapters.teams.cards import CARD_TYPE, FORM_KEY, activity_to_text
from bot.app import Core
from bot.clock import FrozenClock
from bot.config import Settings
from bot.messages import Choice, Reply
from bot.ports import PortRegistry
from storage.db import Database
from tests.conftest import START, drop_schema, make_database
from tests.helpers import Chat, FakePort, text_of
from tests.slack.driver import SlackDriver
from tests.teams.driver import TeamsDriver

# (who, what they type) or (who, "press", button label).
SCRIPT: list[tuple[str, ...]] = [
    ("lead", "help"),
    ("lead", "community new data-eng Data Engineering"),
    ("ada", "communities"),
    ("ada", "press", "Join data-eng"),
    ("bo", "join data-eng"),
    ("ada", "members data-eng"),
    ("bo", "charter data-eng"),
    ("bo", "help join"),
    ("ada", "expertise add spark, airflow level 3"),
    ("bo", "expert spark"),
    ("bo", "lessons retries"),
    ("ada", "lesson Retries need idempotent sinks #spark"),
    ("lead", 'meeting new "Data chat" every Tuesday 15:00 Europe/Berlin'),
    ("ada", "meetings"),
    ("ada", "press", "Going"),
    ("lead", "role add @ada leader in data-eng"),
    ("ada", "roles data-eng"),
    ("bo", "home"),
    ("bo", "frobnicate"),
    ("bo", "leave data-eng"),
]


SETTINGS = Settings(DATABASE_URL="sqlite+aiosqlite:///unused.db")


class Speaker(Protocol):
    async def say(self, text: str, who: str) -> str: ...
    async def press(self, label: str, who: str) -> str: ...


class ConsoleSpeaker:
    """The local chat: the core straight from the router, proactive messages via a FakePort."""

    def __init__(self, chat: Chat, port: FakePort) -> None:
        self.chat = chat
        self.port = port
        self.last: dict[str, list[Reply]] = {}

    async def _read(self, who: str, before: int, replies: list[Reply]) -> str:
        await self.chat.deliver()
        # Like the Slack and Teams drivers: everything the bot sent meanwhile, to anyone.
        pushed = [d.reply for d in self.port.sent[before:]]
        self.last[who] = [*replies, *pushed]
        return console_as_cards(text_of(self.last[who]))

    async def say(self, text: str, who: str) -> str:
        before = len(self.port.sent)
        return await self._read(who, before, await self.chat(text, as_=who))

    async def press(self, label: str, who: str) -> str:
        choices: list[Choice] = [c for r in self.last.get(who, []) for c in r.choices]
        choice = next(c for c in choices if c.label == label)
        before = len(self.port.sent)
        return await self._read(who, before, await self.chat.click(choice, as_=who))


class SlackSpeaker:
    """Slack users are named by upper-case ids (`ADA`), whose profile name is `Ada`."""

    def __init__(self, driver: SlackDriver) -> None:
        self.driver = driver

    def _profile(self, who: str) -> None:
        # Only a name, like a local chat user: no job title, timezone or email to show.
        name = who.capitalize()
        profile = {"display_name": name, "real_name": name}
        user = {"id": who.upper(), "name": who, "real_name": name, "profile": profile}
        self.driver.fake.profiles[who.upper()] = user

    async def say(self, text: str, who: str) -> str:
        self._profile(who)
        return await self.driver.say(_slack_mentions(text), who.upper())

    async def press(self, label: str, who: str) -> str:
        return await self.driver.press(label, who.upper())


class TeamsSpeaker:
    """Teams users are `29:<name>`; `@ada` goes as typed text, which the core resolves by name."""

    def __init__(self, driver: TeamsDriver) -> None:
        self.driver = driver

    async def say(self, text: str, who: str) -> str:
        await self.driver.say(text, f"29:{who}")
        return self._read(who)

    async def press(self, label: str, who: str) -> str:
        await self.driver.press(label, f"29:{who}")
        return self._read(who)

    def _read(self, who: str) -> str:
        # A card shows a form's inputs inline, where Slack opens a modal and the local chat
        # asks field by field: compare the form's title here; tests/teams checks the inputs.
        shown = [_without_form_inputs(m) for m in self.driver._last[f"29:{who}"]]
        return "\n".join(t for t in map(activity_to_text, shown) if t)


def _without_form_inputs(activity: dict[str, Any]) -> dict[str, Any]:
    def strip(elements: list[dict[str, Any]]) -> list[dict[str, Any]]:
        kept = []
        for element in elements:
            if element.get("id") == FORM_KEY:
                return [*kept, element]  # the rest of a form's container is its inputs
            if element.get("type") == "Container":
                element = {**element, "items": strip(element.get("items") or [])}
            kept.append(element)
        return kept

    attachments = [
        {**a, "content": {**a["content"], "body": strip(a["content"].get("body") or [])}}
        if a.get("contentType") == CARD_TYPE
        else a
        for a in activity.get("attachments") or []
    ]
    return {**activity, "attachments": attachments}


def _slack_mentions(text: str) -> str:
    return re.sub(r"@(\w+)", lambda m: f"<@{m.group(1).upper()}>", text)


_MARKUP = re.compile(r"[*_`~>•|]")
_LABEL_COLON = re.compile(r"\s*:(?=\s|$)")
# The local chat numbers its buttons and shows the command each one stands for; Slack and
# Teams show a button as `[label]`.
_CONSOLE_CHOICE = re.compile(r"^\[\d+\] (.*?)(?:  \(or type: .*\)|: \S+)$", re.MULTILINE)
_CONSOLE_TITLE = re.compile(r"^== (.*) ==$", re.MULTILINE)
_CONSOLE_FORM = re.compile(r"^\[form: (.*), \d+ fields\]$", re.MULTILINE)
_CONSOLE_CONTEXT = re.compile(r"^\((.*)\)$", re.MULTILINE)


def console_as_cards(text: str) -> str:
    """The local chat's text with buttons, titles, forms and context lines as cards show them."""
    text = _CONSOLE_CHOICE.sub(r"[\1]", text)
    text = _CONSOLE_TITLE.sub(r"\1", text)
    text = _CONSOLE_FORM.sub(r"[form: \1]", text)
    return _CONSOLE_CONTEXT.sub(r"\1", text)


def normalised(text: str) -> str:
    """The words a person reads, without formatting."""
    text = _MARKUP.sub(" ", text)
    # A field is `label: value` in text and a bold label above its value on cards.
    text = _LABEL_COLON.sub(" ", text)
    return " ".join(text.lower().split())


@asynccontextmanager
async def fresh_database(tmp: Path) -> AsyncIterator[Database]:
    db, schema = await make_database(tmp)
    await db.create_all()
    try:
        yield db
    finally:
        await db.dispose()
        await drop_schema(schema)


@asynccontextmanager
async def console(tmp: Path) -> AsyncIterator[Speaker]:
    async with fresh_database(tmp) as db:
        port = FakePort()
        ports = PortRegistry()
        ports.register(port)
        core = Core(SETTINGS, clock=FrozenClock(START), ports=ports, db=db)
        yield ConsoleSpeaker(Chat(core), port)


@asynccontextmanager
async def slack(tmp: Path) -> AsyncIterator[Speaker]:
    async with fresh_database(tmp) as db:
        driver = await SlackDriver.start(clock=FrozenClock(START), db=db)
        try:
            yield SlackSpeaker(driver)
        finally:
            await driver.close()


@asynccontextmanager
async def teams(tmp: Path) -> AsyncIterator[Speaker]:
    async with fresh_database(tmp) as db:
        driver = await TeamsDriver.start(clock=FrozenClock(START), db=db)
        try:
            yield TeamsSpeaker(driver)
        finally:
            await driver.close()


async def run_script(speaker: Speaker) -> list[str]:
    answers = []
    for who, *step in SCRIPT:
        if step[0] == "press":
            answers.append(normalised(await speaker.press(step[1], who)))
        else:
            answers.append(normalised(await speaker.say(step[0], who)))
    return answers


PLATFORMS: dict[str, Callable[[Path], AbstractAsyncContextManager[Speaker]]] = {
    "console": console,
    "slack": slack,
    "teams": teams,
}


async def test_the_same_conversation_gives_the_same_answers_everywhere(tmp_path: Path) -> None:
    answers: dict[str, list[str]] = {}
    for name, start in PLATFORMS.items():
        folder = tmp_path / name
        folder.mkdir()
        async with start(folder) as speaker:
            answers[name] = await run_script(speaker)
    expected = answers["console"]
    assert all(expected), "every step of the script gets an answer"
    said = dict(zip((" ".join(step) for step in SCRIPT), expected, strict=True))
    assert "welcome to data engineering" in said["ada press Join data-eng"]
    assert "you said going" in said["ada press Going"]
    assert "i don't know frobnicate" in said["bo frobnicate"]
    for name, got in answers.items():
        for step, (want, have) in enumerate(zip(expected, got, strict=True)):
            assert have == want, f"{name} differs at {SCRIPT[step]}:\n{have}\n!=\n{want}"
