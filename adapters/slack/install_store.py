"""slack_sdk's installation and OAuth state stores, kept in copbot's own database.

slack_sdk ships SQLAlchemy stores, but they create and own their tables outside our migrations
and sessions; these implement the same async interfaces (`AsyncInstallationStore`,
`AsyncOAuthStateStore`) over `storage.slack_installs`, so the SQL stays in storage/ and the
tables come with `copbot db upgrade` like every other.
"""

from __future__ import annotations

import logging
import secrets
from datetime import datetime, timedelta
from logging import Logger
from typing import Any

from slack_sdk.oauth.installation_store import Bot, Installation
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.oauth.state_store.async_state_store import AsyncOAuthStateStore

from bot.clock import Clock
from storage import slack_installs
from storage.db import Database
from storage.tables.slack_installs import SlackInstallation

_LOGGER = logging.getLogger(__name__)


def _plain(value: Any) -> Any:
    return value.timestamp() if isinstance(value, datetime) else value


def _installation(row: SlackInstallation) -> Installation:
    values = dict(row.data)
    custom = values.pop("custom_values", None) or {}
    return Installation(**values, custom_values=custom)


class DatabaseInstallationStore(AsyncInstallationStore):
    def __init__(self, db: Database, client_id: str, clock: Clock) -> None:
        self.db = db
        self.client_id = client_id
        self.clock = clock

    @property
    def logger(self) -> Logger:
        return _LOGGER

    async def async_save(self, installation: Installation) -> None:
        data = {k: _plain(v) for k, v in installation.to_dict_for_copying().items()}
        team_id = None if installation.is_enterprise_install else installation.team_id
        async with self.db.session() as session:
            await slack_installs.save_installation(
                session,
                client_id=self.client_id,
                enterprise_id=installation.enterprise_id,
                team_id=team_id,
                is_enterprise_install=bool(installation.is_enterprise_install),
                user_id=installation.user_id,
                bot_token=installation.bot_token,
                user_token=installation.user_token,
                data=data,
                installed_at=self.clock.now(),
            )

    async def async_save_bot(self, bot: Bot) -> None:
        # Every install is saved whole by `async_save` (bot included); Bolt calls this only for
        # stores that keep bots apart.
        return None

    async def async_find_bot(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        is_enterprise_install: bool | None = False,
    ) -> Bot | None:
        if is_enterprise_install:
            team_id = None
        async with self.db.session() as session:
            row = await slack_installs.latest_bot(session, self.client_id, enterprise_id, team_id)
        return _installation(row).to_bot() if row is not None else None

    async def async_find_installation(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None = None,
        is_enterprise_install: bool | None = False,
    ) -> Installation | None:
        if is_enterprise_install:
            team_id = None
        async with self.db.session() as session:
            row = await slack_installs.latest_installation(
                session, self.client_id, enterprise_id, team_id, user_id=user_id
            )
            bot = await slack_installs.latest_bot(session, self.client_id, enterprise_id, team_id)
        if row is None:
            return None
        installation = _installation(row)
        if bot is not None and bot.id != row.id:
            # An installer's own row may predate the newest bot token: the bot's wins.
            latest = _installation(bot)
            for name in ("bot_token", "bot_id", "bot_user_id", "bot_scopes"):
                setattr(installation, name, getattr(latest, name))
        elif bot is None:
            installation.bot_token = None
        return installation

    async def async_delete_bot(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        async with self.db.session() as session:
            await slack_installs.delete_bot_tokens(session, self.client_id, enterprise_id, team_id)

    async def async_delete_installation(
        self, *, enterprise_id: str | None, team_id: str | None, user_id: str | None = None
    ) -> None:
        async with self.db.session() as session:
            await slack_installs.delete_installations(
                session, self.client_id, enterprise_id, team_id, user_id=user_id
            )


class DatabaseStateStore(AsyncOAuthStateStore):
    """OAuth states that work across replicas: issued by one, consumed (once) by any."""

    def __init__(self, db: Database, clock: Clock, expiration_seconds: int = 600) -> None:
        self.db = db
        self.clock = clock
        self.expiration = timedelta(seconds=expiration_seconds)

    @property
    def logger(self) -> Logger:
        return _LOGGER

    async def async_issue(self, *args: Any, **kwargs: Any) -> str:
        state = secrets.token_urlsafe(32)
        async with self.db.session() as session:
            await slack_installs.issue_state(session, state, self.clock.now() + self.expiration)
        return state

    async def async_consume(self, state: str) -> bool:
        if not state or len(state) > 64:
            return False
        async with self.db.session() as session:
            return await slack_installs.consume_state(session, state, self.clock.now())
