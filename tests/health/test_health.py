"""Quarterly health checks: the prompt/reminder/escalation schedule on the injected clock, across
a quarter boundary and a restart; answers, the index, trend and nudges."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from bot.app import Core
from bot.clock import FrozenClock
from bot.config import Settings
from bot.health.core import combine, current_round, index_of, low_items
from bot.ports import PortRegistry
from storage.db import Database
from storage.tables import NudgeSignal
from storage.tables.health import HealthCheck
from tests.helpers import Chat, FakePort, text_of

BERLIN = ZoneInfo("Europe/Berlin")
# 1 April 09:00 in Berlin (CEST) is 07:00 UTC: the check of Q1 2026 is due.
Q2_START = datetime(2026, 4, 1, 7, 0, tzinfo=UTC)
Q3_START = datetime(2026, 7, 1, 7, 0, tzinfo=UTC)


def answers(score: int = 4, **overrides: str) -> dict[str, str]:
    values = {f"L{n}": str(score) for n in range(1, 12)}
    values |= {"L12": "green", "L13": "maturing", "L14": "continue", "L15": "", "L16": ""}
    return values | overrides


def prompts(port: FakePort, who: str) -> list[str]:
    return [t for t in port.texts(who) if "Time for the quarterly health check" in t]


def reminders(port: FakePort, who: str) -> list[str]:
    return [t for t in port.texts(who) if "Reminder: the quarterly health check" in t]


@pytest.fixture
async def berlin(chat: Chat, community: str) -> str:
    await chat("charter edit timezone Europe/Berlin", as_="lead")
    return community


async def at(chat: Chat, clock: FrozenClock, moment: datetime) -> None:
    clock.set(moment)
    await chat.tick()


async def check_id(core: Core, who_id: int | None = None) -> int:
    async with core.services.db.session() as session:
        query = select(HealthCheck).order_by(HealthCheck.id.desc())  # type: ignore[union-attr]
        if who_id is not None:
            query = query.where(HealthCheck.leader_id == who_id)
        found = (await session.exec(query)).first()
        assert found is not None and found.id is not None
        return found.id


async def signals(core: Core) -> list[tuple[str, str]]:
    async with core.services.db.session() as session:
        rows = (await session.exec(select(NudgeSignal).order_by(NudgeSignal.id))).all()
        return [(r.rule, r.key) for r in rows]


def test_round_arithmetic() -> None:
    quarter, start = current_round(Q2_START - timedelta(minutes=1), 1, 9, BERLIN)
    assert quarter == "2025Q4" and start == datetime(2026, 1, 1, 8, 0, tzinfo=UTC)  # CET
    quarter, start = current_round(Q2_START, 1, 9, BERLIN)
    assert quarter == "2026Q1" and start == Q2_START
    quarter, start = current_round(datetime(2026, 1, 10, tzinfo=UTC), 15, 9, BERLIN)
    assert quarter == "2025Q3" and start.month == 10  # the 15 January round is not due yet
    assert index_of([1, 1]) == 0 and index_of([5, 5]) == 100 and index_of([3, 4]) == 62.5


def test_combine_and_low_items() -> None:
    first = {f"L{n}": 4 for n in range(1, 12)} | {"L12": "green", "L13": "maturing"}
    second = first | {"L10": 2, "L11": None, "L12": "red", "L13": "stewardship", "L14": "merge"}
    quarter = combine("2026Q1", [first, second])
    assert quarter.items["L10"] == 3 and quarter.items["L11"] == 4  # N/A left out
    assert quarter.rag == "red" and quarter.stage == "stewardship"
    assert quarter.dimensions["Sponsor"] == 3
    assert low_items(second) == [("L10", "N14")]


async def test_prompt_reminder_escalation_across_quarter_and_restart(
    chat: Chat,
    berlin: str,
    clock: FrozenClock,
    port: FakePort,
    settings: Settings,
    database: Database,
) -> None:
    await chat("help", as_="root")  # a coordinator (COPBOT_ADMINS)
    await chat("community new ops Operations", as_="olga")
    await chat.tick()  # 2 March: the Q4 2025 round closed long ago, nothing to send
    assert prompts(port, "lead") == [] and prompts(port, "olga") == []

    await at(chat, clock, Q2_START - timedelta(minutes=1))
    assert prompts(port, "lead") == []
    await at(chat, clock, Q2_START)
    await chat.tick()
    (prompt,) = prompts(port, "lead")
    assert "Data Engineering* for Q1 2026" in prompt and "health check in data-eng" in prompt
    assert prompts(port, "olga") == []  # ops keeps UTC: its check is due at 09:00 UTC
    # A restart, and a second replica ticking at the same time, prompt nobody twice.
    ports = PortRegistry()
    ports.register(port)
    restarted = Core(settings, clock=clock, ports=ports, db=database, worker="restarted")
    clock.set(Q2_START + timedelta(hours=2))
    for _ in range(3):
        await asyncio.gather(chat.tick(), restarted.heartbeat.tick())
    assert len(prompts(port, "lead")) == 1 and len(prompts(port, "olga")) == 1

    # A new co-leader is asked too, once.
    await chat("role add @ada leader", as_="lead")
    await restarted.heartbeat.tick()
    assert len(prompts(port, "ada")) == 1

    # The lead answers on 10 April; the reminder on day 14 goes to ada only.
    clock.set(datetime(2026, 4, 10, 12, 0, tzinfo=UTC))
    opened = await chat("health check", as_="lead")
    form = opened[0].form
    assert form is not None and len(form.fields) == 16
    await chat.submit(form.form_id, answers(), as_="lead")
    await at(chat, clock, Q2_START + timedelta(days=14) - timedelta(minutes=1))
    assert reminders(port, "ada") == []
    await at(chat, clock, Q2_START + timedelta(days=14, hours=2))
    await restarted.heartbeat.tick()
    assert len(reminders(port, "ada")) == 1 and reminders(port, "lead") == []
    assert len(reminders(port, "olga")) == 1
    assert ("N11", "N11:2:2026Q1") in await signals(chat.core)

    # After 28 days the coordinator hears about ops (nobody answered), not data-eng.
    await at(chat, clock, Q2_START + timedelta(days=27, hours=23))
    assert not any("overdue" in t for t in port.texts("root"))
    await at(chat, clock, Q2_START + timedelta(days=28, hours=2))
    await restarted.heartbeat.tick()
    overdue = [t for t in port.texts("root") if "Health checks overdue" in t]
    assert len(overdue) == 1
    assert "*Operations*" in overdue[0] and "Data Engineering" not in overdue[0]

    # Next quarter: a new round, prompted once more per leader.
    await at(chat, clock, Q3_START)
    await restarted.heartbeat.tick()
    assert len(prompts(port, "lead")) == 2 and "for Q2 2026" in prompts(port, "lead")[1]
    assert len(prompts(port, "ada")) == 2


async def test_answers_index_trend_nudges_and_views(
    chat: Chat, berlin: str, clock: FrozenClock, port: FakePort
) -> None:
    await chat("role add @bo sponsor", as_="lead")
    await at(chat, clock, Q2_START)
    empty = await chat.text("health", as_="lead")
    assert "No health check of *Data Engineering* has been answered yet" in empty
    assert "waiting for Lead" in empty
    opened = await chat("health check", as_="lead")
    assert opened[0].form is not None
    form_id = opened[0].form.form_id

    bad = await chat.submit(form_id, answers(L1="7", L12="purple") | {"L2": ""}, as_="lead")
    errors = dict(bad[0].errors)
    assert set(errors) == {"L1", "L2", "L12"}
    assert "not yours" in text_of(await chat.submit(form_id, answers(), as_="ada"))

    saved = await chat.submit(
        form_id,
        answers(L10="2", L11="1", L3="na", L15="A team cut deploy time by half"),
        as_="lead",
    )
    assert "Leader Health Index" in text_of(saved)
    rules = {rule for rule, _ in await signals(chat.core)}
    assert {"N14", "N15", "N9"} <= rules and "N8" not in rules  # L3 was N/A
    # Answering again changes the answer and raises nothing twice.
    await chat.submit(form_id, answers(L10="2", L11="1", L3="na"), as_="lead")
    assert len([r for r, _ in await signals(chat.core) if r == "N14"]) == 1

    await at(chat, clock, Q3_START)
    opened = await chat("health check", as_="lead")
    assert opened[0].form is not None and "Q2 2026" in opened[0].form.title
    await chat.submit(opened[0].form.form_id, answers(5, L12="amber"), as_="lead")
    view = await chat.text("health", as_="lead")
    assert "*Q2 2026*" in view and "Leader Health Index: *100*/100 (▲ +" in view
    assert "Amber" in view and "last quarter: Green" in view
    assert "Sponsor 5.0 (▲ +3.0)" in view
    sponsor_view = await chat.text("health in data-eng", as_="bo")
    assert "Leader Health Index" in sponsor_view
    assert "Only" in await chat.text("health in data-eng", as_="ada")
    assert "Only" in await chat.text("health check in data-eng", as_="bo")


async def test_schedule_is_configurable(
    chat: Chat, berlin: str, clock: FrozenClock, port: FakePort
) -> None:
    assert "day 1" in await chat.text("health schedule", as_="lead")
    assert "day is 1 to 28" in await chat.text("health schedule 31 9", as_="lead")
    assert "health schedule <day" in await chat.text("health schedule soon", as_="lead")
    assert "Only" in await chat.text("health schedule 3 10", as_="ada")
    assert "day 3 of January" in await chat.text("health schedule 3 10", as_="lead")
    await at(chat, clock, datetime(2026, 4, 3, 7, 59, tzinfo=UTC))  # 09:59 Berlin
    assert prompts(port, "lead") == []
    await at(chat, clock, datetime(2026, 4, 3, 8, 0, tzinfo=UTC))
    assert len(prompts(port, "lead")) == 1
