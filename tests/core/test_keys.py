"""The deployment key: generated once, stored in the database, shared by replicas, and never
derived from a platform secret (so rotating Slack's or Teams' secrets changes nothing stored)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from sqlmodel import select

from bot import downloads
from bot.app import Core
from bot.clock import FrozenClock
from bot.config import Settings
from bot.keys import KEY_BYTES, ensure_signing_key
from bot.ports import PortRegistry
from storage.db import Database
from storage.tables.keys import DeploymentKey
from tests.conftest import drop_schema, make_database
from tests.helpers import Chat, FakePort, text_of
from tests.surveys.conftest import answer_rows

QUICK = {
    "title": "Quick check",
    "questions": "a5: The last session was useful",
    "audience": "members",
    "anonymous": "yes",
    "opens": "now",
    "closes": "7d",
}


def deployment(**secrets: str) -> Settings:
    return Settings(DATABASE_URL="sqlite+aiosqlite:///unused.db", COPBOT_ADMINS="root", **secrets)


def core_on(database: Database, settings: Settings, clock: FrozenClock) -> Core:
    ports = PortRegistry()
    ports.register(FakePort())
    return Core(settings, clock=clock, ports=ports, db=database)


async def test_replicas_starting_together_end_with_one_key(
    tmp_path: Path, clock: FrozenClock
) -> None:
    """Insert-if-absent then read: each replica offers its own random key, one is kept."""
    first, schema = await make_database(tmp_path)
    await first.create_all()
    # Separate engines, as separate processes would have, on the same database (or schema).
    replicas = [first] + [Database(first.url, schema=schema) for _ in range(3)]
    configs = [
        deployment(SLACK_SIGNING_SECRET="slack-a"),
        deployment(MICROSOFT_APP_PASSWORD="teams-b"),
        deployment(SLACK_APP_TOKEN="xapp-c"),
        deployment(),
    ]
    try:
        await asyncio.gather(
            *(
                ensure_signing_key(db, s, clock.now())
                for db, s in zip(replicas, configs, strict=True)
            )
        )
        keys = {s.signing_key for s in configs}
        assert len(keys) == 1 and len(next(iter(keys))) == KEY_BYTES
        async with first.session() as session:
            assert len((await session.exec(select(DeploymentKey))).all()) == 1
        # A replica started later, with rotated platform secrets, reads the same key.
        later = deployment(SLACK_SIGNING_SECRET="rotated", MICROSOFT_APP_PASSWORD="rotated")
        await ensure_signing_key(replicas[1], later, clock.now())
        assert later.signing_key in keys
    finally:
        for db in replicas:
            await db.dispose()
        await drop_schema(schema)


async def test_copbot_secret_key_overrides_the_stored_key(
    database: Database, clock: FrozenClock
) -> None:
    stored = deployment()
    await ensure_signing_key(database, stored, clock.now())
    chosen = deployment(COPBOT_SECRET_KEY="chosen")
    await ensure_signing_key(database, chosen, clock.now())
    assert chosen.signing_key == b"chosen" != stored.signing_key


async def test_rotating_platform_secrets_changes_no_respondent_and_no_link(
    database: Database, clock: FrozenClock
) -> None:
    """Before: keys came from SLACK_SIGNING_SECRET, so a change after rotation was a new
    respondent ("6 of 6 answered", n=6)."""
    before = Chat(
        core_on(database, deployment(SLACK_SIGNING_SECRET="s1", MICROSOFT_APP_PASSWORD="p1"), clock)
    )
    await before("community new data-eng Data Engineering", as_="lead")
    for handle in ("ada", "bo", "cy", "di", "eve"):
        await before("join data-eng", as_=handle)
    await before.submit("survey.new:data-eng", QUICK, as_="lead")
    for handle in ("ada", "bo", "cy", "di", "eve"):
        await before("survey answer 1 4", as_=handle)
    link = downloads.link(before.core.services.settings, "survey-csv", "1", now=clock.now())

    # A restart with both platform secrets rotated: new Settings, same database.
    rotated = deployment(SLACK_SIGNING_SECRET="s2", MICROSOFT_APP_PASSWORD="p2")
    after = Chat(core_on(database, rotated, clock))
    changed = await after.text("survey answer 1 1", as_="ada")
    assert "Your answer (Strongly disagree) is saved anonymously" in changed
    assert len(await answer_rows(after.core)) == 5
    assert "5 of 6 answered (83%)" in await after.text("survey results 1", as_="lead")
    await after("survey close 1 confirm", as_="lead")
    results = await after.text("survey results 1", as_="lead")
    assert "5 of 6 answered (83%)" in results
    assert "n=5" in results and "Strongly disagree 1, Agree 4" in results
    # Links signed before the rotation still verify after it.
    expires, signature = (part.split("=")[1] for part in link.split("?")[1].split("&"))
    assert downloads.verify(rotated, "survey-csv", "1", expires, signature, clock.now())
    assert "Strongly disagree 1" in text_of(await after("survey results 1", as_="ada"))
