"""Sign-in links spent and browser sessions of the dashboard (see bot.web.signin)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import col, delete, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.sql import insert_ignore
from storage.tables.web import WebSession, WebSignIn


async def spend_sign_in(
    session: AsyncSession, nonce: str, member_id: int, now: datetime, expires_at: datetime
) -> bool:
    """Mark a sign-in link used; False when it was used before (by any replica)."""
    return await insert_ignore(
        session,
        WebSignIn.__table__,  # type: ignore[attr-defined]  # SQLModel declares no __table__
        {"nonce": nonce, "member_id": member_id, "used_at": now, "expires_at": expires_at},
        ["nonce"],
    )


async def open_session(
    session: AsyncSession, token_hash: str, member_id: int, now: datetime, expires_at: datetime
) -> None:
    session.add(
        WebSession(
            token_hash=token_hash, member_id=member_id, created_at=now, expires_at=expires_at
        )
    )
    await session.flush()


async def find_session(session: AsyncSession, token_hash: str, now: datetime) -> WebSession | None:
    """The unexpired session with this cookie hash, if any."""
    result = await session.exec(
        select(WebSession).where(
            WebSession.token_hash == token_hash, col(WebSession.expires_at) > now
        )
    )
    return result.first()


async def close_session(session: AsyncSession, token_hash: str) -> None:
    await session.exec(
        delete(WebSession)
        .where(col(WebSession.token_hash) == token_hash)
        .execution_options(synchronize_session=False)
    )


async def purge_expired(session: AsyncSession, now: datetime) -> None:
    """Drop expired sessions and spent links past their expiry (they can no longer be used)."""
    for table in (WebSession, WebSignIn):
        await session.exec(
            delete(table)
            .where(col(table.expires_at) <= now)
            .execution_options(synchronize_session=False)
        )


async def sessions_of(session: AsyncSession, member_id: int) -> list[WebSession]:
    result = await session.exec(
        select(WebSession)
        .where(WebSession.member_id == member_id)
        .order_by(col(WebSession.created_at))
    )
    return list(result.all())
