"""The asker comes from memory (bot/known_people.py) and every change is seen at once.

A request by someone seen lately reads and writes neither their identity nor their member row
nor the conversation row; a link, a forget, a role change or a profile change this process
makes is seen by the very next request, and one another replica makes within `FRESH`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from sqlalchemy import event

from bot.app import Core
from bot.clock import FrozenClock
from bot.config import Settings
from bot.known_people import FRESH, SEEN_EVERY
from bot.messages import Platform
from storage.db import Database
from tests.helpers import Chat


@contextmanager
def statements(database: Database) -> Iterator[list[str]]:
    """Every SQL statement sent while in the block, lower-cased."""
    sent: list[str] = []

    def note(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        sent.append(statement.lower())

    event.listen(database.engine.sync_engine, "before_cursor_execute", note)
    try:
        yield sent
    finally:
        event.remove(database.engine.sync_engine, "before_cursor_execute", note)


def touching(sent: list[str], *tables: str) -> list[str]:
    return [s for s in sent if any(f" {t} " in s or f'"{t}"' in s for t in tables)]


async def test_a_known_asker_costs_no_read_and_no_write(
    chat: Chat, database: Database, clock: FrozenClock
) -> None:
    await chat("help", as_="ada")  # first request: the rows are made and remembered
    with statements(database) as sent:
        await chat("help", as_="ada")
    assert touching(sent, "member", "identity", "conversation") == []
    assert not [s for s in sent if s.startswith(("update", "insert", "delete"))]
    clock.advance(SEEN_EVERY + timedelta(seconds=1))
    with statements(database) as sent:
        await chat("help", as_="ada")
    written = [s for s in sent if s.startswith("update")]
    assert touching(written, "member") and touching(written, "identity")
    assert touching(written, "conversation")


async def test_a_profile_change_is_seen_by_the_next_request(chat: Chat) -> None:
    await chat("help", as_="ada")
    assert "now America/New_York" in await chat.text("timezone America/New_York", as_="ada")
    assert "Your timezone is America/New_York" in await chat.text("timezone", as_="ada")


async def test_a_role_change_is_seen_by_the_next_request(chat: Chat) -> None:
    await chat("help", as_="bo")
    await chat("help", as_="ada")
    assert "Only coordinators" in await chat.text("role add @bo coordinator", as_="ada")
    assert "now a coordinator" in await chat.text("role add @ada coordinator", as_="root")
    assert "now a coordinator" in await chat.text("role add @bo coordinator", as_="ada")


async def test_a_link_is_seen_by_the_next_request(core: Core, chat: Chat, community: str) -> None:
    slack = Chat(core, Platform.SLACK)
    await slack("help", as_="U_ADA")  # known, as a member of its own
    code = (await chat.text("link", as_="ada")).split("`")[1]
    assert "now the same person as Ada" in await slack.text(f"link {code}", as_="U_ADA")
    assert "already a member" in await slack.text("join data-eng", as_="U_ADA")


async def test_a_forgotten_member_is_a_stranger_at_the_next_request(
    chat: Chat, community: str
) -> None:
    assert "already a member" in await chat.text("join data-eng", as_="ada")
    await chat("forget me", as_="ada")
    await chat("forget me confirm", as_="ada")
    assert "Welcome" in await chat.text("join data-eng", as_="ada")


async def test_another_replicas_change_is_seen_within_fresh(
    core: Core, chat: Chat, settings: Settings, database: Database, clock: FrozenClock
) -> None:
    await chat("help", as_="bo")
    await chat("help", as_="ada")
    replica = Chat(Core(settings, clock=clock, db=database))
    assert "now a coordinator" in await replica.text("role add @ada coordinator", as_="root")
    clock.advance(FRESH + timedelta(seconds=1))
    assert "now a coordinator" in await chat.text("role add @bo coordinator", as_="ada")
