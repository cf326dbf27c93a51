"""Test doubles and drivers shared by the suite (no patched functions: real core, real DB)."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field

import pytest

from adapters.console import CHAT_HELP
from bot.app import Core
from bot.messages import (
    Action,
    Choice,
    Command,
    ConversationRef,
    FormSubmission,
    Platform,
    Reply,
    SentMessage,
    Target,
    User,
    UserRef,
)
from bot.ports import Pace, RetryLater, Undeliverable
from bot.registry import CommandSpec
from bot.render_text import render


@dataclass
class Budget:
    """A token bucket: `capacity` calls at once, refilled at `per_second`."""

    per_second: float
    capacity: float
    tokens: float = -1.0
    at: float = 0.0

    def take(self, now: float) -> float:
        """0 when a call may go now, else the seconds until it may."""
        if self.tokens < 0:
            self.tokens, self.at = self.capacity, now
        self.tokens = min(self.capacity, self.tokens + (now - self.at) * self.per_second)
        self.at = now
        if self.tokens >= 1:
            self.tokens -= 1
            return 0.0
        return (1 - self.tokens) / self.per_second


@dataclass
class Delivery:
    target: Target
    reply: Reply
    key: str = ""
    at: float = field(default_factory=time.time)  # wall-clock second it was sent

    @property
    def to(self) -> str:
        """The receiving user id for a DM, or `#conversation` for a channel post."""
        if isinstance(self.target, UserRef):
            return self.target.user_id
        return f"#{self.target.conversation_id}"


@dataclass
class FakePort:
    """A ChatPort that records what it is asked to send; failures can be scripted."""

    platform: Platform = Platform.CONSOLE
    sent: list[Delivery] = field(default_factory=list)
    updated: list[tuple[SentMessage, Reply]] = field(default_factory=list)
    # Exceptions to raise on the next sends, in order (e.g. RetryLater(5), Undeliverable()).
    failures: list[Exception] = field(default_factory=list)
    # The same for one person's DMs only: sends run concurrently, so "the next send" is not
    # always the same person's.
    failures_for: dict[str, list[Exception]] = field(default_factory=dict)
    # The limits `pace` reports for every target (None: unlimited, like the local chat).
    limits: Pace | None = None
    # Outbox keys of what was sent, so `find_sent` can answer like Slack's message metadata.
    keys: dict[str, SentMessage] = field(default_factory=dict)
    # User ids whose sends never answer (a hung platform request), until `release` is set.
    hangs: set[str] = field(default_factory=set)
    lookups: int = 0  # how often `find_sent` was asked
    release: asyncio.Event = field(default_factory=asyncio.Event)

    async def send(self, target: Target, reply: Reply, *, key: str = "") -> SentMessage:
        if self.failures:
            raise self.failures.pop(0)
        if isinstance(target, UserRef) and self.failures_for.get(target.user_id):
            raise self.failures_for[target.user_id].pop(0)
        if isinstance(target, UserRef) and target.user_id in self.hangs:
            await self.release.wait()
        self.sent.append(Delivery(target, reply, key))
        conversation = (
            target
            if isinstance(target, ConversationRef)
            else ConversationRef(self.platform, f"dm:{target.user_id}", is_direct=True)
        )
        sent = SentMessage(conversation, str(len(self.sent)))
        if key:
            self.keys[key] = sent
        return sent

    async def update(self, sent: SentMessage, reply: Reply) -> None:
        self.updated.append((sent, reply))

    async def find_sent(self, target: Target, key: str) -> SentMessage | None:
        self.lookups += 1
        return self.keys.get(key)

    def pace(self, target: Target) -> Pace | None:
        return self.limits

    def to(self, who: str) -> list[Reply]:
        """Replies delivered to a user id (DM) or to `#channel`."""
        return [d.reply for d in self.sent if d.to == who]

    def texts(self, who: str) -> list[str]:
        return [render(r) for r in self.to(who)]


__all__ = ["Chat", "Delivery", "FakePort", "RetryLater", "Undeliverable", "text_of"]


def text_of(replies: list[Reply]) -> str:
    """Everything a person would read in these replies, as plain text."""
    return "\n".join(render(r) for r in replies)


class Chat:
    """Drives the real router as console users: `await chat("join data-eng", as_="ada")`."""

    def __init__(self, core: Core, platform: Platform = Platform.CONSOLE) -> None:
        self.core = core
        self.platform = platform

    def user(self, handle: str) -> User:
        return User(self.platform, handle, name=handle.capitalize())

    def conversation(self, handle: str, channel: str | None) -> ConversationRef:
        if channel:
            return ConversationRef(self.platform, channel)
        return ConversationRef(self.platform, f"dm:{handle}", is_direct=True)

    async def __call__(
        self, text: str, *, as_: str = "me", channel: str | None = None
    ) -> list[Reply]:
        replies = await self.core.router.handle(
            Command(self.user(as_), self.conversation(as_, channel), text)
        )
        await self.core.settle()
        return replies

    async def text(self, text: str, *, as_: str = "me", channel: str | None = None) -> str:
        return text_of(await self(text, as_=as_, channel=channel))

    async def click(
        self, choice: Choice, *, as_: str = "me", channel: str | None = None
    ) -> list[Reply]:
        assert choice.command, f"{choice.label} is a link, not a command"
        replies = await self.core.router.handle(
            Action(self.user(as_), self.conversation(as_, channel), choice.command, "m1")
        )
        await self.core.settle()
        return replies

    async def submit(
        self,
        form_id: str,
        values: Mapping[str, str],
        *,
        as_: str = "me",
        channel: str | None = None,
    ) -> list[Reply]:
        replies = await self.core.router.handle(
            FormSubmission(self.user(as_), self.conversation(as_, channel), form_id, dict(values))
        )
        await self.core.settle()
        return replies

    async def deliver(self) -> int:
        """Run the dispatcher once (what the heartbeat does after its jobs)."""
        return await self.core.heartbeat.deliver()

    async def tick(self) -> None:
        """One heartbeat: every due job, then delivery."""
        await self.core.heartbeat.tick()


def hidden_test_verbs() -> dict[str, CommandSpec]:
    """Two hidden verbs for adapter behaviour no shipped verb shows yet (Slack and Teams)."""

    async def replaced(ctx: object, args: str) -> Reply:
        return Reply("Replaced", replace=True)

    async def many(ctx: object, args: str) -> Reply:
        return Reply("Pick one", choices=tuple(Choice(f"Go {n}", f"help {n}") for n in range(8)))

    return {
        "test-replace": CommandSpec("test-replace", replaced, "x", "x", "Test", hidden=True),
        "test-many": CommandSpec("test-many", many, "x", "x", "Test", hidden=True),
    }


def tracebacks(caplog: pytest.LogCaptureFixture) -> list[str]:
    """Errors and exceptions logged during a test (see the `errors` fixture)."""
    return [
        f"{r.name}: {r.getMessage()}"
        for r in caplog.records
        if r.levelno >= logging.ERROR or r.exc_info is not None
    ]


def free_port() -> int:
    """A loopback port the OS just handed out, for a server started in a subprocess."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# An unknown local-chat command prints CHAT_HELP alone: typed before each command, it separates
# the answers in `copbot chat`'s output.
SEPARATOR = "/--"


def demo_chat(tmp_path: object, commands: list[str], *, timeout: float = 300) -> list[str]:
    """Type `commands` into the real `copbot chat --demo --as root` on a fresh SQLite file;
    what it printed before the first command, then each command's answer. The bound is
    generous: seeding the demo's year of history is slow on a loaded machine."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "MICROSOFT_"))}
    env.update(DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path}/demo-chat.db")
    script = "".join(f"{SEPARATOR}\n{command}\n" for command in commands) + "/quit\n"
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "chat", "--demo", "--as", "root"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=str(tmp_path),
    )
    try:
        out, err = process.communicate(script, timeout=timeout)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=30)
    assert process.returncode == 0, err
    assert "Traceback" not in out + err and "ERROR" not in err, err
    opening, *answers = out.split(CHAT_HELP)[1:]
    assert len(answers) == len(commands), out
    return [opening, *(answer.strip() for answer in answers)]


@dataclass
class Served:
    """A real `copbot serve` process (see `serving`); `output` is all it printed, once stopped."""

    url: str
    process: subprocess.Popen[str]
    health: dict[str, object] = field(default_factory=dict)
    output: str = ""


@contextmanager
def serving(tmp_path: object, **env: str) -> Iterator[Served]:
    """Run `copbot serve` on a loopback port the OS picked and a fresh SQLite file, until it
    answers /healthz (bounded); stopped by its pid when the block ends."""
    port = free_port()
    settings = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "MICROSOFT_"))}
    settings.update(
        DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path}/serve.db", PORT=str(port), HOST="127.0.0.1"
    )
    settings.update(env)
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "serve"],
        env=settings,
        cwd=str(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    served = Served(f"http://127.0.0.1:{port}", process)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not served.health:
            try:
                with urllib.request.urlopen(f"{served.url}/healthz", timeout=2) as response:
                    served.health = json.loads(response.read())
            except OSError:
                if process.poll() is not None:
                    break
                time.sleep(0.05)  # waiting for a real process to start, not for scheduling
        assert served.health, "the server never answered /healthz"
        yield served
    finally:
        process.terminate()
        served.output = process.communicate(timeout=30)[0]
