"""Members and their platform identities."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import func, inspect, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.attributes import manager_of_class, set_committed_value
from sqlalchemy.orm.util import identity_key
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.sql import like_escape
from storage.tables import Identity, Member

Row = TypeVar("Row", Member, Identity)


async def find_identity(session: AsyncSession, platform: str, user_id: str) -> Identity | None:
    result = await session.exec(
        select(Identity).where(Identity.platform == platform, Identity.platform_user_id == user_id)
    )
    return result.first()


async def create_member(
    session: AsyncSession,
    *,
    platform: str,
    user_id: str,
    display_name: str,
    now: datetime,
    tenant_id: str | None = None,
    email: str | None = None,
    timezone: str | None = None,
    department: str | None = None,
    title: str | None = None,
    is_coordinator: bool = False,
) -> tuple[Member, Identity]:
    member = Member(
        display_name=display_name,
        timezone=timezone,
        department=department,
        title=title,
        is_coordinator=is_coordinator,
        created_at=now,
        last_seen_at=now,
    )
    session.add(member)
    await session.flush()
    assert member.id is not None
    identity = await add_identity(
        session,
        member_id=member.id,
        platform=platform,
        user_id=user_id,
        now=now,
        tenant_id=tenant_id,
        email=email,
    )
    return member, identity


async def create_member_unless_known(
    session: AsyncSession, **values: Any
) -> tuple[Member, Identity] | None:
    """`create_member`, or None when the same platform identity was created meanwhile.

    A new person's first two requests can arrive at once (Slack's App Home event and their
    first message): the second insert hits the unique identity and is undone here, so the
    caller can start a fresh transaction and find the member the first one made.
    """
    try:
        async with session.begin_nested():
            return await create_member(session, **values)
    except IntegrityError:
        return None


async def add_identity_unless_known(session: AsyncSession, **values: Any) -> Identity | None:
    """`add_identity`, or None when that platform identity was created meanwhile."""
    try:
        async with session.begin_nested():
            return await add_identity(session, **values)
    except IntegrityError:
        return None


async def find_identity_by_email(session: AsyncSession, email: str) -> Identity | None:
    """An identity with this email on any platform (the same person on another platform)."""
    result = await session.exec(
        select(Identity)
        .where(func.lower(Identity.email) == email.strip().lower())
        .order_by(col(Identity.id))
    )
    return result.first()


async def add_identity(
    session: AsyncSession,
    *,
    member_id: int,
    platform: str,
    user_id: str,
    now: datetime,
    tenant_id: str | None = None,
    email: str | None = None,
) -> Identity:
    identity = Identity(
        member_id=member_id,
        platform=platform,
        platform_user_id=user_id,
        tenant_id=tenant_id,
        email=email,
        last_seen_at=now,
    )
    session.add(identity)
    await session.flush()
    return identity


async def get_member(session: AsyncSession, member_id: int) -> Member | None:
    return await session.get(Member, member_id)


async def members_by_ids(session: AsyncSession, ids: list[int]) -> dict[int, Member]:
    if not ids:
        return {}
    result = await session.exec(select(Member).where(col(Member.id).in_(ids)))
    return {m.id: m for m in result.all() if m.id is not None}


async def find_members_by_name(
    session: AsyncSession, name: str, *, first_name: bool = False
) -> list[Member]:
    """Members whose display name is `name`, or starts with it as a first name (any case).

    Forgotten members are nobody: "a former member" is not a name to look up."""
    pattern = like_escape(name) + (" %" if first_name else "")
    result = await session.exec(
        select(Member)
        .where(
            col(Member.display_name).ilike(pattern, escape="\\"),
            col(Member.forgotten_at).is_(None),
        )
        .limit(20)
    )
    return list(result.all())


async def find_member_by_platform_id(
    session: AsyncSession, platform: str, user_id: str
) -> Member | None:
    identity = await find_identity(session, platform, user_id)
    return await session.get(Member, identity.member_id) if identity else None


async def preferred_identity(session: AsyncSession, member_id: int) -> Identity | None:
    """The identity a member used most recently: where to reach them."""
    result = await session.exec(
        select(Identity)
        .where(Identity.member_id == member_id)
        .order_by(col(Identity.last_seen_at).desc(), col(Identity.id).desc())
    )
    return result.first()


async def preferred_identities(
    session: AsyncSession, member_ids: Sequence[int]
) -> dict[int, Identity]:
    """`preferred_identity` for many members at once (a fan-out to thousands): one query per
    5,000 members instead of one per member."""
    found: dict[int, Identity] = {}
    ids = list(member_ids)
    for start in range(0, len(ids), 5000):
        result = await session.exec(
            select(Identity)
            .where(col(Identity.member_id).in_(ids[start : start + 5000]))
            .order_by(col(Identity.last_seen_at).desc(), col(Identity.id).desc())
        )
        for identity in result.all():
            found.setdefault(identity.member_id, identity)
    return found


async def identities_of(session: AsyncSession, member_id: int) -> list[Identity]:
    result = await session.exec(select(Identity).where(Identity.member_id == member_id))
    return list(result.all())


async def coordinators(session: AsyncSession) -> list[Member]:
    result = await session.exec(select(Member).where(col(Member.is_coordinator).is_(True)))
    return list(result.all())


async def link_identity(session: AsyncSession, identity: Identity, member_id: int) -> None:
    """Move a platform identity onto another member (one person across platforms)."""
    await session.exec(
        update(Identity).where(col(Identity.id) == identity.id).values(member_id=member_id)
    )


def row_values(row: Member | Identity) -> dict[str, Any]:
    """The column values of a loaded row, to keep in memory (see `attach_known`)."""
    return {column.key: getattr(row, column.key) for column in inspect(type(row)).column_attrs}


def attach_known(session: AsyncSession, model: type[Row], values: dict[str, Any]) -> Row:
    """A row known from memory, in this session as if just read: no SELECT, and changes a
    handler makes to it are written at the commit like any loaded row's."""
    row_key = identity_key(model, tuple(values[c.key] for c in inspect(model).primary_key))
    read_before = session.identity_map.get(row_key)
    if read_before is not None:
        # Read earlier in this session (a request that lost the race to create a new person
        # rolled back and starts again): the same instance, with the values filled in, since
        # an expired row would need a query on first touch.
        for name, value in values.items():
            set_committed_value(read_before, name, value)
        return read_before
    # Built as a query would build it (no __init__: SQLModel's validation and attribute
    # events cost more than the SELECT this replaces); these tables hold no mutable values.
    row = manager_of_class(model).new_instance()
    object.__setattr__(row, "__pydantic_fields_set__", set(values))
    object.__setattr__(row, "__pydantic_extra__", None)
    object.__setattr__(row, "__pydantic_private__", None)
    for key, value in values.items():
        set_committed_value(row, key, value)
    make_transient_to_detached(row)
    session.add(row)
    return row
