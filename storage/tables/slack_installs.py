"""Slack installations (one row per install of copbot into a workspace or a Grid org) and the
short-lived OAuth states of installs in progress."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Index
from sqlmodel import Field, SQLModel

from storage.types import UTCDateTime


class SlackInstallation(SQLModel, table=True):
    """What Slack's `oauth.v2.access` handed over for one install.

    Rows are kept as history, like slack_sdk's own stores: the newest row of an (enterprise,
    team) is the one in force. Tokens are kept in plain text, as slack_sdk's stores keep them:
    the database must be protected like the environment that holds `SLACK_BOT_TOKEN`.
    """

    __tablename__ = "slack_installation"
    __table_args__ = (
        Index(
            "ix_slack_installation_lookup", "client_id", "enterprise_id", "team_id", "installed_at"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    client_id: str = Field(max_length=64)
    enterprise_id: str | None = Field(default=None, max_length=32)
    team_id: str | None = Field(default=None, max_length=32)
    is_enterprise_install: bool = False
    user_id: str = Field(max_length=32)
    bot_token: str | None = Field(default=None, max_length=256)
    user_token: str | None = Field(default=None, max_length=256)
    # Everything else slack_sdk's `Installation` carries (names, scopes, webhook, expiries).
    data: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    installed_at: datetime = Field(sa_type=UTCDateTime)


class SlackOAuthState(SQLModel, table=True):
    """An install in progress: the state handed to Slack, usable once, until it expires."""

    __tablename__ = "slack_oauth_state"

    state: str = Field(primary_key=True, max_length=64)
    expires_at: datetime = Field(sa_type=UTCDateTime, index=True)
