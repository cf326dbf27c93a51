"""Slack installations and OAuth states: the SQL behind the adapter's installation store.

Only plain values cross this module's border (the adapter turns rows into slack_sdk's types).
An install is found by (client id, enterprise id, team id): an org-wide install on Enterprise
Grid has an enterprise id and no team id, a workspace install a team id (and its enterprise id
when the workspace belongs to a Grid org).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, delete, false, or_, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.tables import Identity
from storage.tables.slack_installs import SlackInstallation, SlackOAuthState


def _same(column: Any, value: str | None) -> Any:
    return column.is_(None) if value is None else column == value


def _install(client_id: str, enterprise_id: str | None, team_id: str | None) -> list[Any]:
    return [
        col(SlackInstallation.client_id) == client_id,
        _same(col(SlackInstallation.enterprise_id), enterprise_id),
        _same(col(SlackInstallation.team_id), team_id),
    ]


async def save_installation(
    session: AsyncSession,
    *,
    client_id: str,
    enterprise_id: str | None,
    team_id: str | None,
    is_enterprise_install: bool,
    user_id: str,
    bot_token: str | None,
    user_token: str | None,
    data: dict[str, Any],
    installed_at: datetime,
) -> None:
    session.add(
        SlackInstallation(
            client_id=client_id,
            enterprise_id=enterprise_id,
            team_id=team_id,
            is_enterprise_install=is_enterprise_install,
            user_id=user_id,
            bot_token=bot_token,
            user_token=user_token,
            data=data,
            installed_at=installed_at,
        )
    )
    await session.flush()


async def latest_installation(
    session: AsyncSession,
    client_id: str,
    enterprise_id: str | None,
    team_id: str | None,
    *,
    user_id: str | None = None,
) -> SlackInstallation | None:
    """The newest install of a workspace or org (by one installer, when `user_id` is given)."""
    query = select(SlackInstallation).where(*_install(client_id, enterprise_id, team_id))
    if user_id is not None:
        query = query.where(col(SlackInstallation.user_id) == user_id)
    result = await session.exec(
        query.order_by(col(SlackInstallation.installed_at).desc(), col(SlackInstallation.id).desc())
    )
    return result.first()


async def latest_bot(
    session: AsyncSession, client_id: str, enterprise_id: str | None, team_id: str | None
) -> SlackInstallation | None:
    """The newest install of a workspace or org that still holds a bot token."""
    result = await session.exec(
        select(SlackInstallation)
        .where(
            *_install(client_id, enterprise_id, team_id),
            col(SlackInstallation.bot_token).is_not(None),
        )
        .order_by(col(SlackInstallation.installed_at).desc(), col(SlackInstallation.id).desc())
    )
    return result.first()


async def delete_installations(
    session: AsyncSession,
    client_id: str,
    enterprise_id: str | None,
    team_id: str | None,
    *,
    user_id: str | None = None,
) -> int:
    """Forget the installs of a workspace or org (only one installer's, when `user_id` is given)."""
    statement = delete(SlackInstallation).where(*_install(client_id, enterprise_id, team_id))
    if user_id is not None:
        statement = statement.where(col(SlackInstallation.user_id) == user_id)
    result = await session.exec(statement)
    return int(result.rowcount or 0)


async def delete_bot_tokens(
    session: AsyncSession, client_id: str, enterprise_id: str | None, team_id: str | None
) -> int:
    """Blank the bot tokens of a workspace or org (Slack revoked them); installers' rows stay."""
    result = await session.exec(
        update(SlackInstallation)
        .where(*_install(client_id, enterprise_id, team_id))
        .values(bot_token=None)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)


async def delete_everything(
    session: AsyncSession, enterprise_id: str | None, team_id: str | None
) -> int:
    """Forget every install of a workspace or org, whatever app id it was made with."""
    result = await session.exec(
        delete(SlackInstallation).where(
            _same(col(SlackInstallation.enterprise_id), enterprise_id),
            _same(col(SlackInstallation.team_id), team_id),
        )
    )
    return int(result.rowcount or 0)


# -- the installer's personal data ----------------------------------------------------------------


def _made_by(identities: Sequence[Identity]) -> Any:
    """Installs made by one of these identities: a Slack identity's user id, in the workspace
    or org its tenant names (`T1`, `E1:T2`, `E1`; see adapters/slack/workspaces.py)."""
    made = []
    for identity in identities:
        if identity.platform != "slack":
            continue
        by = col(SlackInstallation.user_id) == identity.platform_user_id
        parts = [p for p in (identity.tenant_id or "").split(":") if p]
        if parts:
            by = and_(
                by,
                or_(
                    col(SlackInstallation.team_id).in_(parts),
                    col(SlackInstallation.enterprise_id).in_(parts),
                ),
            )
        made.append(by)
    return or_(*made) if made else false()


async def installed_by(
    session: AsyncSession, identities: Sequence[Identity]
) -> list[SlackInstallation]:
    """The installs a person made (for `my data`), oldest first."""
    result = await session.exec(
        select(SlackInstallation)
        .where(_made_by(identities))
        .order_by(col(SlackInstallation.installed_at), col(SlackInstallation.id))
    )
    return list(result.all())


# What slack_sdk keeps about the installer themself, blanked when they are forgotten.
_INSTALLER_DATA = {
    "user_id": "",
    "user_token": None,
    "user_refresh_token": None,
    "user_token_expires_at": None,
    "user_scopes": None,
}


async def forget_installer(session: AsyncSession, identities: Sequence[Identity]) -> int:
    """Blank the installer's user id (and any token of theirs) on the installs they made. The
    bot token, and so the installation, keeps working for the workspace."""
    rows = await installed_by(session, identities)
    for row in rows:
        row.user_id = ""
        row.user_token = None
        row.data = {**row.data, **{k: v for k, v in _INSTALLER_DATA.items() if k in row.data}}
        session.add(row)
    await session.flush()
    return len(rows)


# -- OAuth states ---------------------------------------------------------------------------------


async def issue_state(session: AsyncSession, state: str, expires_at: datetime) -> None:
    session.add(SlackOAuthState(state=state, expires_at=expires_at))
    await session.flush()


async def consume_state(session: AsyncSession, state: str, now: datetime) -> bool:
    """True once for a state issued here and not yet expired; the state is gone afterwards.

    Expired states are swept on the way: a state is only ever read here.
    """
    await session.exec(delete(SlackOAuthState).where(col(SlackOAuthState.expires_at) <= now))
    result = await session.exec(delete(SlackOAuthState).where(col(SlackOAuthState.state) == state))
    return bool(result.rowcount)
