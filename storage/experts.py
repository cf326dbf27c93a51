"""Expertise, SME designations, endorsements, availability, routing log and expert ranking."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import TextClause, bindparam, delete, func, insert, or_, text
from sqlmodel import SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.sql import insert_ignore
from storage.tables import Membership
from storage.tables.experts import (
    Endorsement,
    ExpertAvailability,
    Expertise,
    ExpertRouting,
    ExpertStat,
    SmeDesignation,
    Topic,
)
from storage.types import UTCDateTime

# Ranking weights (DOMAIN.md 5.2): 3*designated + 2*evidence(normalised) + log endorsements + level
EVIDENCE_FULL = 5.0  # this much evidence counts as "full" (1.0) evidence
ENDORSEMENT_CAP = 20


# -- topics ---------------------------------------------------------------------------------------


async def ensure_topics(session: AsyncSession, names: Iterable[str], now: datetime) -> None:
    for name in {n for n in names if n}:
        await insert_ignore(
            session,
            Topic.__table__,  # type: ignore[attr-defined]  # SQLModel declares no __table__
            {"name": name, "created_at": now},
            ["name"],
        )


async def topic_exists(session: AsyncSession, name: str) -> bool:
    return await session.get(Topic, name) is not None


async def known_topics(session: AsyncSession) -> list[str]:
    result = await session.exec(select(Topic.name).order_by(Topic.name))
    return list(result.all())


# -- expertise ------------------------------------------------------------------------------------


async def add_expertise(
    session: AsyncSession,
    member_id: int,
    topic: str,
    *,
    level: int | None,
    now: datetime,
    source: str = "self",
) -> bool:
    """Declare a topic (or change its level); True when it is new for the member."""
    await ensure_topics(session, [topic], now)
    found = (
        await session.exec(
            select(Expertise).where(Expertise.member_id == member_id, Expertise.topic == topic)
        )
    ).first()
    if found is not None:
        if level is not None:
            found.level = level
        found.updated_at = now
        session.add(found)
        await refresh_stats(session, [(member_id, topic)], now)
        return False
    session.add(
        Expertise(member_id=member_id, topic=topic, level=level, source=source, updated_at=now)
    )
    await refresh_stats(session, [(member_id, topic)], now)
    return True


async def remove_expertise(
    session: AsyncSession, member_id: int, topic: str, now: datetime
) -> bool:
    result = await session.exec(
        delete(Expertise).where(
            col(Expertise.member_id) == member_id, col(Expertise.topic) == topic
        )
    )
    await refresh_stats(session, [(member_id, topic)], now)
    return bool(result.rowcount)


async def expertise_of(session: AsyncSession, member_id: int) -> list[Expertise]:
    result = await session.exec(
        select(Expertise)
        .where(Expertise.member_id == member_id)
        .order_by(col(Expertise.level).desc(), Expertise.topic)
    )
    return list(result.all())


# -- SME designations -----------------------------------------------------------------------------


async def designate(
    session: AsyncSession,
    community_id: int,
    member_id: int,
    topic: str,
    *,
    by: int | None,
    now: datetime,
) -> bool:
    await ensure_topics(session, [topic], now)
    new = await insert_ignore(
        session,
        SmeDesignation.__table__,  # type: ignore[attr-defined]  # SQLModel declares no __table__
        {
            "community_id": community_id,
            "member_id": member_id,
            "topic": topic,
            "designated_by": by,
            "designated_at": now,
        },
        ["community_id", "topic", "member_id"],
    )
    if new:
        await refresh_stats(session, [(member_id, topic)], now)
    return new


async def undesignate(
    session: AsyncSession, community_id: int, member_id: int, topic: str, now: datetime
) -> bool:
    result = await session.exec(
        delete(SmeDesignation).where(
            col(SmeDesignation.community_id) == community_id,
            col(SmeDesignation.member_id) == member_id,
            col(SmeDesignation.topic) == topic,
        )
    )
    await refresh_stats(session, [(member_id, topic)], now)
    return bool(result.rowcount)


async def designations_of(
    session: AsyncSession, member_id: int, community_id: int | None = None
) -> list[SmeDesignation]:
    query = select(SmeDesignation).where(SmeDesignation.member_id == member_id)
    if community_id is not None:
        query = query.where(SmeDesignation.community_id == community_id)
    result = await session.exec(query.order_by(SmeDesignation.topic))
    return list(result.all())


async def is_sme(
    session: AsyncSession, community_id: int, member_id: int, topics: Sequence[str]
) -> bool:
    """True when the member is a designated SME of any of `topics` in the community."""
    if not topics:
        return False
    result = await session.exec(
        select(func.count())
        .select_from(SmeDesignation)
        .where(
            SmeDesignation.community_id == community_id,
            SmeDesignation.member_id == member_id,
            col(SmeDesignation.topic).in_(list(topics)),
        )
    )
    return bool(result.one())


async def smes_for(session: AsyncSession, community_id: int, topics: Sequence[str]) -> list[int]:
    if not topics:
        return []
    result = await session.exec(
        select(SmeDesignation.member_id)
        .where(
            SmeDesignation.community_id == community_id,
            col(SmeDesignation.topic).in_(list(topics)),
        )
        .distinct()
    )
    return list(result.all())


# -- endorsements ---------------------------------------------------------------------------------


async def endorse(
    session: AsyncSession, endorser_id: int, member_id: int, topic: str, now: datetime
) -> bool:
    """True when this endorsement is new (endorsing twice is a no-op)."""
    await ensure_topics(session, [topic], now)
    new = await insert_ignore(
        session,
        Endorsement.__table__,  # type: ignore[attr-defined]  # SQLModel declares no __table__
        {"endorser_id": endorser_id, "member_id": member_id, "topic": topic, "created_at": now},
        ["endorser_id", "member_id", "topic"],
    )
    if new:
        await refresh_stats(session, [(member_id, topic)], now)
    return new


async def endorsement_counts(session: AsyncSession, member_id: int) -> dict[str, int]:
    result = await session.exec(
        select(Endorsement.topic, func.count())
        .where(Endorsement.member_id == member_id)
        .group_by(Endorsement.topic)
    )
    return {topic: int(n) for topic, n in result.all()}


# -- availability and routing ---------------------------------------------------------------------


async def availability_of(session: AsyncSession, member_id: int) -> ExpertAvailability | None:
    return await session.get(ExpertAvailability, member_id)


async def set_availability(
    session: AsyncSession, member_id: int, *, now: datetime, **values: Any
) -> ExpertAvailability:
    found = await session.get(ExpertAvailability, member_id)
    if found is None:
        found = ExpertAvailability(member_id=member_id, updated_at=now)
    for name, value in values.items():
        setattr(found, name, value)
    found.updated_at = now
    session.add(found)
    await session.flush()
    return found


async def availabilities(
    session: AsyncSession, member_ids: Sequence[int]
) -> dict[int, ExpertAvailability]:
    if not member_ids:
        return {}
    result = await session.exec(
        select(ExpertAvailability).where(col(ExpertAvailability.member_id).in_(list(member_ids)))
    )
    return {a.member_id: a for a in result.all()}


async def record_routing(
    session: AsyncSession,
    *,
    asker_id: int,
    expert_id: int,
    topic: str,
    community_id: int | None,
    question: str,
    now: datetime,
) -> ExpertRouting:
    routing = ExpertRouting(
        asker_id=asker_id,
        expert_id=expert_id,
        topic=topic,
        community_id=community_id,
        question=question[:2000],
        asked_at=now,
    )
    session.add(routing)
    await session.flush()
    return routing


async def routed_since(
    session: AsyncSession, expert_ids: Sequence[int], since: datetime
) -> dict[int, int]:
    """Questions routed to each expert since `since` (for the weekly cap)."""
    if not expert_ids:
        return {}
    result = await session.exec(
        select(ExpertRouting.expert_id, func.count())
        .where(col(ExpertRouting.expert_id).in_(list(expert_ids)), ExpertRouting.asked_at >= since)
        .group_by(col(ExpertRouting.expert_id))
    )
    return {int(member): int(n) for member, n in result.all()}


async def already_asked(
    session: AsyncSession, asker_id: int, expert_id: int, topic: str, since: datetime
) -> bool:
    result = await session.exec(
        select(func.count())
        .select_from(ExpertRouting)
        .where(
            ExpertRouting.asker_id == asker_id,
            ExpertRouting.expert_id == expert_id,
            ExpertRouting.topic == topic,
            ExpertRouting.asked_at >= since,
        )
    )
    return bool(result.one())


# -- ranking --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ExpertScore:
    """One candidate for a topic, with the evidence behind the score ("why this person")."""

    member_id: int
    designated: int  # communities where they are a designated SME of the topic
    authored: int  # published lessons on the topic
    validated: int  # lessons on the topic they validated
    helped: int  # "this helped" / "applied" votes on their lessons on the topic
    endorsements: int
    level: int  # self-declared 1-4, 0 when not declared
    shared_community: bool  # shares a community with the asker
    score: float
    total: int  # candidates in all (for paging)


def _log_endorsements(column: str) -> str:
    """ln(1 + n) as a CASE, so both SQLite (no math functions) and PostgreSQL rank the same."""
    cases = " ".join(f"WHEN {n} THEN {math.log1p(n):.6f}" for n in range(1, ENDORSEMENT_CAP))
    return f"(CASE {column} WHEN 0 THEN 0.0 {cases} ELSE {math.log1p(ENDORSEMENT_CAP):.6f} END)"


# Evidence decay (DOMAIN.md 5.2 "evidence decays over 12 months"): lessons written or
# validated and "this helped" votes count fully for 6 months, half until 12, then not at all.
FULL_WEIGHT_FOR = timedelta(days=183)
COUNTS_FOR = timedelta(days=365)


def expert_score(
    designated: int,
    authored: float,
    validated: float,
    helped: float,
    endorsements: int,
    level: int,
) -> float:
    """The same score in Python (tests and explanations); evidence already weighted by age."""
    evidence = min(1.0, (authored + validated + 0.5 * helped) / EVIDENCE_FULL)
    return (
        3 * min(designated, 1)
        + 2 * evidence
        + math.log1p(min(endorsements, ENDORSEMENT_CAP))
        + level
    )


def evidence_weight(at: datetime, now: datetime) -> float:
    """How much one piece of evidence from `at` counts at `now`."""
    age = now - at
    return 1.0 if age < FULL_WEIGHT_FOR else 0.5 if age < COUNTS_FOR else 0.0


def _stats_sql(scoped: bool) -> str:
    """INSERT … SELECT of expert_stat rows: every pair, or only (:m, :t) when `scoped`.

    :recent is now - 6 months and :cutoff now - 12 months (see FULL_WEIGHT_FOR). A forgotten
    member gets no row: their lessons stay, credited to "a former member", who is nobody to ask.
    """
    lessons = (
        "FROM lesson_topic lt JOIN lesson l ON l.id = lt.lesson_id "
        "WHERE l.status = 'published' AND l.deleted_at IS NULL"
    )
    f_author = " AND l.author_id = :m AND lt.topic = :t" if scoped else ""
    f_validator = " AND l.validated_by = :m AND lt.topic = :t" if scoped else ""
    f_plain = " AND member_id = :m AND topic = :t" if scoped else ""
    capped = f"CASE WHEN e.n > {ENDORSEMENT_CAP} THEN {ENDORSEMENT_CAP} ELSE coalesce(e.n, 0) END"
    published = "coalesce(l.validated_at, l.created_at)"
    with_votes = lessons.replace("WHERE", "JOIN lesson_reuse r ON r.lesson_id = l.id WHERE")
    weight = "(CASE WHEN at >= :recent THEN 1.0 WHEN at >= :cutoff THEN 0.5 ELSE 0.0 END)"
    evidence = "coalesce(v.evidence, 0)"
    return f"""
INSERT INTO expert_stat
    (member_id, topic, designated, authored, validated, helped, endorsements, level, score,
     next_halving, next_expiry)
WITH
items AS (
    SELECT l.author_id AS member_id, lt.topic, 'a' AS kind, {published} AS at
    {lessons}{f_author}
    UNION ALL SELECT l.validated_by, lt.topic, 'v', {published}
    {lessons} AND l.validated_by IS NOT NULL{f_validator}
    UNION ALL SELECT l.author_id, lt.topic, 'h', r.at {with_votes}{f_author}
),
pairs AS (
    SELECT member_id, topic FROM expertise WHERE 1 = 1{f_plain}
    UNION SELECT member_id, topic FROM sme_designation WHERE 1 = 1{f_plain}
    UNION SELECT member_id, topic FROM endorsement WHERE 1 = 1{f_plain}
    UNION SELECT member_id, topic FROM items WHERE at >= :cutoff
),
designated AS (SELECT member_id, topic, count(*) AS n FROM sme_designation WHERE 1 = 1{f_plain}
               GROUP BY member_id, topic),
evidence AS (
    SELECT member_id, topic,
        sum(CASE WHEN kind = 'a' AND at >= :cutoff THEN 1 ELSE 0 END) AS authored,
        sum(CASE WHEN kind = 'v' AND at >= :cutoff THEN 1 ELSE 0 END) AS validated,
        sum(CASE WHEN kind = 'h' AND at >= :cutoff THEN 1 ELSE 0 END) AS helped,
        sum((CASE WHEN kind = 'h' THEN 0.5 ELSE 1.0 END) * {weight}) AS evidence,
        min(CASE WHEN at >= :recent THEN at END) AS next_halving,
        min(CASE WHEN at >= :cutoff AND at < :recent THEN at END) AS next_expiry
    FROM items GROUP BY member_id, topic
),
endorsed AS (SELECT member_id, topic, count(*) AS n FROM endorsement WHERE 1 = 1{f_plain}
             GROUP BY member_id, topic)
SELECT p.member_id, p.topic, coalesce(d.n, 0), coalesce(v.authored, 0),
       coalesce(v.validated, 0), coalesce(v.helped, 0), coalesce(e.n, 0), coalesce(x.level, 0),
       3 * (CASE WHEN d.n > 0 THEN 1 ELSE 0 END)
       + 2 * (CASE WHEN {evidence} >= {EVIDENCE_FULL} THEN 1.0
                   ELSE {evidence} / {EVIDENCE_FULL} END)
       + {_log_endorsements(capped)}
       + coalesce(x.level, 0),
       v.next_halving, v.next_expiry
FROM pairs p
LEFT JOIN designated d ON d.member_id = p.member_id AND d.topic = p.topic
LEFT JOIN evidence v ON v.member_id = p.member_id AND v.topic = p.topic
LEFT JOIN endorsed e ON e.member_id = p.member_id AND e.topic = p.topic
LEFT JOIN expertise x ON x.member_id = p.member_id AND x.topic = p.topic
WHERE NOT EXISTS (SELECT 1 FROM member f WHERE f.id = p.member_id AND f.forgotten_at IS NOT NULL)
"""


def _typed(sql: str) -> TextClause:
    """Bind the decay bounds as UTC columns are stored (SQLite keeps naive UTC text)."""
    return text(sql).bindparams(
        bindparam("recent", type_=UTCDateTime), bindparam("cutoff", type_=UTCDateTime)
    )


_REFRESH_ONE = _typed(_stats_sql(scoped=True))
_REBUILD_ALL = _typed(_stats_sql(scoped=False))


def _bounds(now: datetime) -> dict[str, datetime]:
    return {"recent": now - FULL_WEIGHT_FOR, "cutoff": now - COUNTS_FOR}


async def refresh_stats(
    session: AsyncSession, pairs: Iterable[tuple[int, str]], now: datetime
) -> None:
    """Recompute the ranking evidence of these (member, topic) pairs from the source tables."""
    await session.flush()
    for member_id, topic in set(pairs):
        await session.exec(
            delete(ExpertStat).where(
                col(ExpertStat.member_id) == member_id, col(ExpertStat.topic) == topic
            )
        )
        await session.exec(_REFRESH_ONE, params={"m": member_id, "t": topic, **_bounds(now)})  # type: ignore[call-overload]  # sqlmodel's exec() has no text() overload


async def rebuild_stats(session: AsyncSession, now: datetime) -> None:
    """Recompute every ranking row (after bulk loads or imports)."""
    await session.exec(delete(ExpertStat))
    await session.exec(_REBUILD_ALL, params=_bounds(now))  # type: ignore[call-overload]  # sqlmodel's exec() has no text() overload


async def decay_due(session: AsyncSession, now: datetime, *, limit: int = 500) -> int:
    """Recompute rows whose evidence has aged past 6 or 12 months since they were computed.

    Returns how many; a heartbeat job calls this until nothing is left.
    """
    bounds = _bounds(now)
    result = await session.exec(
        select(ExpertStat.member_id, ExpertStat.topic)
        .where(
            or_(
                col(ExpertStat.next_halving) < bounds["recent"],
                col(ExpertStat.next_expiry) < bounds["cutoff"],
            )
        )
        .limit(limit)
    )
    pairs = [(int(m), str(t)) for m, t in result.all()]
    await refresh_stats(session, pairs, now)
    return len(pairs)


# How far down the score order `rank_experts` looks for people who share a community with the
# asker: bounded, so a topic half the company lists stays fast.
RANK_WINDOW = 200


async def rank_experts(
    session: AsyncSession,
    topic: str,
    *,
    asker_id: int,
    asker_communities: Sequence[int],
    limit: int = 20,
) -> list[ExpertScore]:
    """People for `topic`, best first, those sharing a community with the asker ahead.

    Reads the strongest RANK_WINDOW rows of expert_stat (one index range); members who asked
    not to be routed are left out, community-only profiles are shown only to people of a shared
    community. Capacity (the weekly cap) is the caller's business.
    """
    stat = ExpertStat.__table__.c  # type: ignore[attr-defined]  # SQLModel declares no __table__
    rows: list[Any] = list(  # Rows by column name; exec() types them as bare tuples
        (
            await session.exec(
                # plain columns: no ORM objects for hundreds of rows
                select(  # type: ignore[call-overload]  # sqlmodel types select() for <= 4 columns
                    stat.member_id,
                    stat.designated,
                    stat.authored,
                    stat.validated,
                    stat.helped,
                    stat.endorsements,
                    stat.level,
                    stat.score,
                )
                .where(ExpertStat.topic == topic, ExpertStat.member_id != asker_id)
                .order_by(col(ExpertStat.score).desc(), ExpertStat.member_id)
                .limit(RANK_WINDOW)
            )
        ).all()
    )
    ids = [r.member_id for r in rows]
    if not ids:
        return []
    # Only the settings that hide someone, in one query.
    hiding = await session.exec(
        select(ExpertAvailability).where(
            col(ExpertAvailability.member_id).in_(ids),
            or_(
                col(ExpertAvailability.do_not_route).is_(True),
                col(ExpertAvailability.visibility) != "org",
            ),
        )
    )
    settings = {a.member_id: a for a in hiding.all()}
    shared: set[int] = set()
    if asker_communities:
        shared = set(
            (
                await session.exec(
                    select(Membership.member_id)
                    .where(
                        col(Membership.member_id).in_(ids),
                        col(Membership.community_id).in_(list(asker_communities)),
                        col(Membership.left_at).is_(None),
                    )
                    .distinct()
                )
            ).all()
        )
    kept = []
    for row in rows:
        state = settings.get(row.member_id)
        if state is not None and (
            state.do_not_route or (state.visibility != "org" and row.member_id not in shared)
        ):
            continue
        kept.append(row)
    kept.sort(key=lambda r: (r.member_id not in shared, -r.score, r.member_id))
    return [
        ExpertScore(
            member_id=r.member_id,
            designated=r.designated,
            authored=r.authored,
            validated=r.validated,
            helped=r.helped,
            endorsements=r.endorsements,
            level=r.level,
            shared_community=r.member_id in shared,
            score=r.score,
            total=len(kept),
        )
        for r in kept[:limit]
    ]


async def lesson_evidence(session: AsyncSession, member_id: int) -> dict[str, tuple[int, int]]:
    """Per topic: (published lessons authored, lessons validated) by the member."""
    sql = text(
        "SELECT lt.topic, "
        "sum(CASE WHEN l.author_id = :m THEN 1 ELSE 0 END), "
        "sum(CASE WHEN l.validated_by = :m THEN 1 ELSE 0 END) "
        "FROM lesson_topic lt JOIN lesson l ON l.id = lt.lesson_id "
        "WHERE (l.author_id = :m OR l.validated_by = :m) "
        "AND l.status = 'published' AND l.deleted_at IS NULL GROUP BY lt.topic"
    )
    rows = (await session.exec(sql, params={"m": member_id})).all()  # type: ignore[call-overload]  # sqlmodel's exec() has no text() overload
    return {str(r[0]): (int(r[1] or 0), int(r[2] or 0)) for r in rows}


# -- gaps (nudge N7) ------------------------------------------------------------------------------


async def topics_without_sme(
    session: AsyncSession,
    community_id: int,
    *,
    since: datetime | None = None,
    limit: int = 50,
) -> list[tuple[str, int]]:
    """Topics used in a community with no designated SME there, most used first.

    A topic is used there when one of its lessons or the questions asked there carries it, or
    when two or more of its members declared it and no other community uses it (an SME or
    lessons there): expertise brought from elsewhere (data engineers who also inspect for the
    safety community) is not that community's topic.
    "Used" counts those lessons, members and questions (lessons and questions since `since`
    when given). Reused by the nudges (N7).
    """
    since_lessons = " AND l.created_at >= :since" if since else ""
    since_questions = " AND q.asked_at >= :since" if since else ""
    sql = text(
        f"""
        SELECT u.topic, sum(u.n) AS uses FROM (
            SELECT lt.topic AS topic, 'used' AS src, count(*) AS n
            FROM lesson_topic lt JOIN lesson l ON l.id = lt.lesson_id
            WHERE l.community_id = :c AND l.deleted_at IS NULL{since_lessons}
            GROUP BY lt.topic
            UNION ALL
            SELECT x.topic, 'declared', count(*) FROM expertise x
            JOIN membership m ON m.member_id = x.member_id
            WHERE m.community_id = :c AND m.left_at IS NULL GROUP BY x.topic
            UNION ALL
            SELECT qt.topic, 'used', count(*) FROM question_topic qt
            JOIN question q ON q.id = qt.question_id
            WHERE q.community_id = :c{since_questions} GROUP BY qt.topic
        ) u
        WHERE u.topic NOT IN (SELECT s.topic FROM sme_designation s WHERE s.community_id = :c)
        GROUP BY u.topic
        HAVING sum(CASE WHEN u.src = 'used' THEN u.n ELSE 0 END) > 0
            OR (
                sum(CASE WHEN u.src = 'declared' THEN u.n ELSE 0 END) >= 2
                AND u.topic NOT IN (
                    SELECT s2.topic FROM sme_designation s2 WHERE s2.community_id != :c
                    UNION
                    SELECT lt2.topic FROM lesson_topic lt2 JOIN lesson l2 ON l2.id = lt2.lesson_id
                    WHERE l2.community_id != :c AND l2.deleted_at IS NULL
                )
            )
        ORDER BY uses DESC, u.topic LIMIT :limit
        """
    )
    params: dict[str, Any] = {"c": community_id, "limit": limit}
    if since:
        params["since"] = since
    rows = (await session.exec(sql, params=params)).all()  # type: ignore[call-overload]  # sqlmodel's exec() has no text() overload
    return [(str(r[0]), int(r[1])) for r in rows]


# -- bulk loading (benchmarks, imports) -----------------------------------------------------------


async def bulk_insert(
    session: AsyncSession, model: type[SQLModel], rows: Sequence[dict[str, Any]]
) -> None:
    """Insert many rows of one table in executemany batches (no ORM objects)."""
    table = model.__table__  # type: ignore[attr-defined]  # SQLModel declares no __table__
    for start in range(0, len(rows), 5000):
        await session.exec(insert(table), params=list(rows[start : start + 5000]))


async def designated_communities(
    session: AsyncSession, topic: str, member_ids: Sequence[int]
) -> dict[int, list[str]]:
    """For each member, the names of communities where they are an SME of `topic`."""
    from storage.tables import Community

    if not member_ids:
        return {}
    result = await session.exec(
        select(SmeDesignation.member_id, Community.name)
        .join(Community, col(Community.id) == SmeDesignation.community_id)
        .where(SmeDesignation.topic == topic, col(SmeDesignation.member_id).in_(list(member_ids)))
        .order_by(Community.name)
    )
    found: dict[int, list[str]] = {}
    for member_id, name in result.all():
        found.setdefault(member_id, []).append(name)
    return found


async def smes_by_topic(session: AsyncSession, community_id: int) -> list[tuple[str, int]]:
    """(topic, member id) of every designation in a community, by topic."""
    result = await session.exec(
        select(SmeDesignation.topic, SmeDesignation.member_id)
        .where(SmeDesignation.community_id == community_id)
        .order_by(col(SmeDesignation.topic), col(SmeDesignation.member_id))
    )
    return [(topic, member) for topic, member in result.all()]


async def analyse(session: AsyncSession) -> None:
    """Refresh the planner's statistics after a bulk load."""
    await session.exec(text("ANALYZE"))  # type: ignore[call-overload]  # sqlmodel's exec() has no text() overload


async def naive_rank(session: AsyncSession, topic: str, limit: int = 20) -> list[int]:
    """Benchmark baseline: read every expertise and endorsement row, rank in Python."""
    levels = {
        member: level or 0
        for member, t, level in (
            await session.exec(select(Expertise.member_id, Expertise.topic, Expertise.level))
        ).all()
        if t == topic
    }
    endorsed: dict[int, int] = {}
    for member, t in (await session.exec(select(Endorsement.member_id, Endorsement.topic))).all():
        if t == topic:
            endorsed[member] = endorsed.get(member, 0) + 1
    scores = {m: expert_score(0, 0, 0, 0, endorsed.get(m, 0), lv) for m, lv in levels.items()}
    return sorted(scores, key=lambda m: -scores[m])[:limit]
