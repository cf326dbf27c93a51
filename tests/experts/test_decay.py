"""Evidence decays (DOMAIN.md 5.2): lessons and votes count fully for 6 months, half until 12,
then not at all; the heartbeat recomputes the ranking rows as their evidence ages."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from bot.clock import FrozenClock
from storage import experts
from storage.db import Database
from storage.tables.experts import ExpertStat
from tests.experts.test_experts import member_id
from tests.helpers import Chat


async def stat(database: Database, handle_id: int, topic: str) -> ExpertStat | None:
    async with database.session() as session:
        result = await session.exec(
            select(ExpertStat).where(ExpertStat.member_id == handle_id, ExpertStat.topic == topic)
        )
        return result.first()


def ranked_names(text: str, *names: str) -> list[str]:
    found = [n for n in names if f"*{n}*" in text]
    return sorted(found, key=lambda n: text.index(f"*{n}*"))


def test_weights_by_age() -> None:
    now = datetime(2026, 3, 2, tzinfo=UTC)
    assert experts.evidence_weight(now - timedelta(days=30), now) == 1.0
    assert experts.evidence_weight(now - timedelta(days=200), now) == 0.5
    assert experts.evidence_weight(now - timedelta(days=366), now) == 0.0


async def test_lesson_evidence_fades_and_the_ranking_follows(
    chat: Chat, community: str, clock: FrozenClock, database: Database
) -> None:
    await chat("join data-eng", as_="cy")
    for n in range(5):
        line = f"lesson Airflow lesson {n} | When X, do Y because Z #airflow"
        replies = await chat(line, as_="ada")
        number = int(replies[0].text.split("Saved lesson ")[1].split(" ")[0])
        await chat(f"lesson publish {number}", as_="lead")
    await chat("expertise add airflow level 1", as_="bo")
    await chat("endorse @bo airflow", as_="cy")
    ada_id = await member_id(database, "ada")
    fresh = await stat(database, ada_id, "airflow")
    assert fresh is not None and fresh.authored == 5
    assert fresh.score == pytest.approx(experts.expert_score(0, 5, 0, 0, 0, 0))  # 2.0
    text = await chat.text("expert airflow", as_="cy")
    assert ranked_names(text, "Ada", "Bo") == ["Ada", "Bo"]  # 2.0 against 1 + ln 2
    assert "wrote 5 lessons on airflow" in text

    # Seven months on: the row is stale until the heartbeat recomputes it at half weight.
    clock.advance(timedelta(days=213))
    stale = await stat(database, ada_id, "airflow")
    assert stale is not None and stale.score == pytest.approx(2.0)
    await chat.tick()
    halved = await stat(database, ada_id, "airflow")
    assert halved is not None and halved.authored == 5
    assert halved.score == pytest.approx(experts.expert_score(0, 2.5, 0, 0, 0, 0))  # 1.0
    assert ranked_names(await chat.text("expert airflow", as_="cy"), "Ada", "Bo") == ["Bo", "Ada"]

    # After a year the lessons no longer make Ada an expert on airflow.
    clock.advance(timedelta(days=160))
    await chat.tick()
    assert await stat(database, ada_id, "airflow") is None
    assert ranked_names(await chat.text("expert airflow", as_="cy"), "Ada", "Bo") == ["Bo"]
    # A new lesson brings fresh evidence back at once.
    replies = await chat("lesson Airflow again | When X, do Y because Z #airflow", as_="ada")
    number = int(replies[0].text.split("Saved lesson ")[1].split(" ")[0])
    await chat(f"lesson publish {number}", as_="lead")
    back = await stat(database, ada_id, "airflow")
    assert back is not None and back.authored == 1 and back.next_halving is not None


async def test_votes_decay_with_their_own_date(
    chat: Chat, community: str, clock: FrozenClock, database: Database
) -> None:
    replies = await chat("lesson Old one | When X, do Y because Z #dbt", as_="ada")
    number = int(replies[0].text.split("Saved lesson ")[1].split(" ")[0])
    await chat(f"lesson publish {number}", as_="lead")
    clock.advance(timedelta(days=300))  # the lesson is at half weight now
    await chat.tick()
    await chat(f"lesson helped {number}", as_="bo")  # a fresh vote
    ada_id = await member_id(database, "ada")
    row = await stat(database, ada_id, "dbt")
    assert row is not None and row.helped == 1
    # 0.5 (lesson, 6-12 months) + 0.5 * 1.0 (fresh vote) = 1.0 of 5
    assert row.score == pytest.approx(2 * 1.0 / 5)
    clock.advance(timedelta(days=70))  # the lesson expires; the vote is 70 days old
    await chat.tick()
    row = await stat(database, ada_id, "dbt")
    assert row is not None and row.authored == 0 and row.helped == 1
    assert row.score == pytest.approx(2 * 0.5 / 5)
