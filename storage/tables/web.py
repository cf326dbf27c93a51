"""The dashboard's sign-in: spent sign-in links and open browser sessions.

Both are kept in the database, not in one process's memory, so every replica agrees that a
link was used once and that a session was signed out.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from storage.types import UTCDateTime


class WebSignIn(SQLModel, table=True):
    __tablename__ = "web_sign_in"

    # The random part of a sign-in link; the primary key makes "used once" race-free.
    nonce: str = Field(primary_key=True, max_length=64)
    member_id: int = Field(foreign_key="member.id", index=True)
    used_at: datetime = Field(sa_type=UTCDateTime)
    # Kept until the link would have expired anyway, then purged.
    expires_at: datetime = Field(sa_type=UTCDateTime, index=True)


class WebSession(SQLModel, table=True):
    __tablename__ = "web_session"

    # SHA-256 of the cookie's value: a copy of the table opens no browser session.
    token_hash: str = Field(primary_key=True, max_length=64)
    member_id: int = Field(foreign_key="member.id", index=True)
    created_at: datetime = Field(sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime, index=True)
