"""Nudge signals, the daily evaluation's schedule and claims, nudges sent, silences and
thresholds."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import col, or_, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.sql import insert_ignore
from storage.tables import Community
from storage.tables.nudges import (
    Nudge,
    NudgeLeader,
    NudgeSchedule,
    NudgeSignal,
    NudgeSilence,
    NudgeThreshold,
)


async def raise_signal(
    session: AsyncSession,
    *,
    key: str,
    community_id: int,
    rule: str,
    now: datetime,
    detail: str = "",
    member_id: int | None = None,
    ref: str | None = None,
) -> bool:
    """Record a signal once per key; False when it was raised before."""
    return await insert_ignore(
        session,
        NudgeSignal.__table__,  # type: ignore[attr-defined]  # SQLModel declares no __table__
        {
            "key": key[:200],
            "community_id": community_id,
            "rule": rule,
            "detail": detail[:500],
            "member_id": member_id,
            "ref": ref,
            "status": "open",
            "raised_at": now,
        },
        ["key"],
    )


async def open_signals(session: AsyncSession, community_id: int) -> list[NudgeSignal]:
    result = await session.exec(
        select(NudgeSignal)
        .where(NudgeSignal.community_id == community_id, NudgeSignal.status == "open")
        .order_by(col(NudgeSignal.raised_at))
    )
    return list(result.all())


async def signals_for(
    session: AsyncSession, community_id: int, rule: str, *, since: datetime
) -> list[NudgeSignal]:
    """Open signals of one rule raised since `since`, oldest first."""
    result = await session.exec(
        select(NudgeSignal)
        .where(
            NudgeSignal.community_id == community_id,
            NudgeSignal.rule == rule,
            NudgeSignal.status == "open",
            col(NudgeSignal.raised_at) >= since,
        )
        .order_by(col(NudgeSignal.raised_at), col(NudgeSignal.id))
    )
    return list(result.all())


async def resolve_signals(
    session: AsyncSession, community_id: int, rule: str, ref: str, status: str, now: datetime
) -> None:
    """A leader acted on a nudge: its signals are no longer open."""
    await session.exec(
        update(NudgeSignal)
        .where(
            col(NudgeSignal.community_id) == community_id,
            col(NudgeSignal.rule) == rule,
            col(NudgeSignal.ref) == ref,
            col(NudgeSignal.status) == "open",
        )
        .values(status=status, resolved_at=now)
        .execution_options(synchronize_session=False)
    )


# -- the daily evaluation ------------------------------------------------------------------------


async def communities_due(session: AsyncSession, now: datetime) -> list[tuple[Community, int]]:
    """Active communities whose evaluation is due, with the claim counter to bump."""
    result = await session.exec(
        select(Community, NudgeSchedule.runs)
        .join(NudgeSchedule, col(NudgeSchedule.community_id) == Community.id)
        .where(col(Community.archived_at).is_(None), col(NudgeSchedule.next_at) <= now)
        .order_by(col(Community.id))
    )
    return [(community, int(runs)) for community, runs in result.all()]


async def unscheduled(session: AsyncSession) -> list[Community]:
    """Active communities the evaluation has not planned yet (new ones)."""
    planned = select(NudgeSchedule.community_id)
    result = await session.exec(
        select(Community)
        .where(col(Community.archived_at).is_(None), col(Community.id).not_in(planned))
        .order_by(col(Community.id))
    )
    return list(result.all())


async def plan(session: AsyncSession, community_id: int, next_at: datetime) -> None:
    await insert_ignore(
        session,
        NudgeSchedule.__table__,  # type: ignore[attr-defined]  # SQLModel declares no __table__
        {"community_id": community_id, "next_at": next_at, "runs": 0},
        ["community_id"],
    )


async def claim_run(
    session: AsyncSession, community_id: int, runs: int, next_at: datetime, now: datetime
) -> bool:
    """Take this community's due evaluation; False when another worker took it first."""
    result = await session.exec(
        update(NudgeSchedule)
        .where(col(NudgeSchedule.community_id) == community_id, col(NudgeSchedule.runs) == runs)
        .values(runs=runs + 1, next_at=next_at, last_run_at=now)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)


async def schedule_of(session: AsyncSession, community_id: int) -> NudgeSchedule | None:
    return await session.get(NudgeSchedule, community_id)


async def claim_leader_week(
    session: AsyncSession, member_id: int, now: datetime, before: datetime
) -> bool:
    """The weekly cap: True (and the slot taken) when the leader's last nudge was before
    `before` (or there was none)."""
    await insert_ignore(
        session,
        NudgeLeader.__table__,  # type: ignore[attr-defined]  # SQLModel declares no __table__
        {"member_id": member_id, "last_sent_at": None},
        ["member_id"],
    )
    result = await session.exec(
        update(NudgeLeader)
        .where(
            col(NudgeLeader.member_id) == member_id,
            or_(
                col(NudgeLeader.last_sent_at).is_(None),
                col(NudgeLeader.last_sent_at) < before,
            ),
        )
        .values(last_sent_at=now)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)


async def add_nudge(session: AsyncSession, nudge: Nudge) -> Nudge | None:
    """Record a nudge once per community, rule, leader and day; None when already there."""
    values = nudge.model_dump(exclude={"id"})
    inserted = await insert_ignore(
        session,
        Nudge.__table__,  # type: ignore[attr-defined]  # SQLModel declares no __table__
        values,
        ["community_id", "rule", "leader_id", "period"],
    )
    if not inserted:
        return None
    result = await session.exec(
        select(Nudge).where(
            Nudge.community_id == nudge.community_id,
            Nudge.rule == nudge.rule,
            Nudge.leader_id == nudge.leader_id,
            Nudge.period == nudge.period,
        )
    )
    return result.one()


async def get_nudge(session: AsyncSession, nudge_id: int) -> Nudge | None:
    return await session.get(Nudge, nudge_id)


async def recent_nudges(
    session: AsyncSession, community_id: int, leader_id: int, since: datetime
) -> list[Nudge]:
    """This leader's nudges about this community sent since `since`, or snoozed past it."""
    result = await session.exec(
        select(Nudge).where(
            Nudge.community_id == community_id,
            Nudge.leader_id == leader_id,
            or_(col(Nudge.sent_at) >= since, col(Nudge.snoozed_until) >= since),
        )
    )
    return list(result.all())


async def latest_by_rule(session: AsyncSession, community_id: int) -> dict[str, Nudge]:
    """The most recent nudge of each rule in a community (for `nudges`)."""
    result = await session.exec(
        select(Nudge).where(Nudge.community_id == community_id).order_by(col(Nudge.sent_at))
    )
    return {n.rule: n for n in result.all()}


async def resolve(
    session: AsyncSession,
    nudge: Nudge,
    status: str,
    now: datetime,
    *,
    snoozed_until: datetime | None = None,
    reason: str | None = None,
) -> None:
    nudge.status = status
    nudge.resolved_at = now
    nudge.snoozed_until = snoozed_until
    if reason is not None:
        nudge.reason = reason[:300]
    session.add(nudge)
    await session.flush()


async def silence(
    session: AsyncSession,
    community_id: int,
    rule: str,
    *,
    until: datetime,
    reason: str,
    by: int | None,
    now: datetime,
) -> None:
    found = await session.exec(
        select(NudgeSilence).where(
            NudgeSilence.community_id == community_id, NudgeSilence.rule == rule
        )
    )
    row = found.first()
    if row is None:
        row = NudgeSilence(community_id=community_id, rule=rule, until=until, at=now)
    row.until, row.reason, row.by, row.at = until, reason[:300], by, now
    session.add(row)
    await session.flush()


async def silences(session: AsyncSession, community_id: int) -> dict[str, NudgeSilence]:
    result = await session.exec(
        select(NudgeSilence).where(NudgeSilence.community_id == community_id)
    )
    return {row.rule: row for row in result.all()}


async def thresholds(session: AsyncSession, community_id: int) -> dict[str, dict[str, float]]:
    """A community's own thresholds: rule -> name -> value."""
    result = await session.exec(
        select(NudgeThreshold).where(NudgeThreshold.community_id == community_id)
    )
    found: dict[str, dict[str, float]] = {}
    for row in result.all():
        found.setdefault(row.rule, {})[row.name] = row.value
    return found


async def set_threshold(
    session: AsyncSession,
    community_id: int,
    rule: str,
    name: str,
    value: float,
    *,
    by: int,
    now: datetime,
) -> None:
    found = await session.exec(
        select(NudgeThreshold).where(
            NudgeThreshold.community_id == community_id,
            NudgeThreshold.rule == rule,
            NudgeThreshold.name == name,
        )
    )
    row = found.first() or NudgeThreshold(
        community_id=community_id, rule=rule, name=name, value=value, set_at=now
    )
    row.value, row.set_by, row.set_at = value, by, now
    session.add(row)
    await session.flush()
