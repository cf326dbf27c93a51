"""Sponsor and programme digests: every section, who may see them, once per period and
recipient (restart, two replicas), and the anonymity threshold."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from bot.app import Core
from bot.clock import FrozenClock
from bot.config import Settings
from bot.digests.sponsor import sponsor_digest
from bot.ports import PortRegistry
from storage.db import Database
from tests.figures.dataset import NOW, build
from tests.figures.test_compute import MARCH
from tests.helpers import Chat, FakePort, text_of

SECTIONS = (
    "*Stage*", "*Headlines*", "*Stories*", "*Value scorecard*", "*Reach*", "*Objectives*",
    "*Events ahead*", "*The leaders ask*", "*Flags and decisions*",
)  # fmt: skip
CYCLES = ("*Immediate*", "*Potential*", "*Applied*", "*Realised*")
# 2 April 2026, 10:00 UTC, a Thursday: Q1 and March are complete, and within working hours.
APRIL = datetime(2026, 4, 2, 10, 0, tzinfo=UTC)


async def with_sponsor(chat: Chat) -> None:
    """helen sponsors data-eng without being a member of it."""
    await chat("help", as_="helen")
    assert "now a sponsor" in await chat.text("role add @helen sponsor", as_="lead")


def digests_to(port: FakePort, who: str) -> list[str]:
    return [t for t in port.texts(who) if "sponsor digest" in t]


def programme_to(port: FakePort, who: str) -> list[str]:
    return [t for t in port.texts(who) if "Programme digest" in t]


async def test_preview_shows_every_section_to_leaders_and_sponsors_only(
    chat: Chat, community: str, clock: FrozenClock
) -> None:
    await with_sponsor(chat)
    await chat("charter goal add Halve pipeline incidents target 5 a month", as_="lead")
    made = await chat.text('meeting new "Data chat" every Tuesday 15:00 UTC', as_="lead")
    assert "Data chat" in made, made
    clock.set(APRIL)
    await chat.tick()  # the heartbeat plans the sessions ahead
    for who in ("lead", "helen"):
        replies = await chat("digest preview data-eng", as_=who)
        said = text_of(replies)
        assert "Data Engineering: sponsor digest, Q1 2026" in said, who
        for section in SECTIONS + CYCLES:
            assert section in said, (who, section)
        assert "Halve pipeline incidents" in said
        assert "Questions asked" in said and "Value stories" in said
        assert "Data chat (`rsvp" in said  # the events ahead, each with its RSVP command
        urls = [c.url for r in replies for c in r.choices if c.url]
        assert any("/files/ics/" in u for u in urls)  # and the invitation as a calendar link
    refused = await chat.text("digest preview data-eng", as_="ada")
    assert "for its leaders, sponsors and coordinators" in refused
    assert "sponsor digest" not in refused
    # A sponsor who is not a member opens the community's health and figures.
    assert "figures for March 2026" in await chat.text("stats data-eng", as_="helen")
    assert "Join" not in await chat.text("health data-eng", as_="helen")


async def test_settings_cadence_for_leaders(chat: Chat, community: str, clock: FrozenClock) -> None:
    await with_sponsor(chat)
    assert "start of each quarter" in await chat.text("digest settings data-eng", as_="lead")
    said = await chat.text("digest settings data-eng monthly", as_="lead")
    assert "Done" in said and "start of each month" in said
    refused = await chat.text("digest settings data-eng off", as_="helen")  # a sponsor reads
    assert "Done" not in refused
    assert "start of each month" in await chat.text("digest settings data-eng", as_="helen")
    clock.set(APRIL)
    lite = await chat.text("digest preview", as_="lead")
    assert "sponsor digest, March 2026 (lite)" in lite
    assert "*Value scorecard*" in lite and "*Flags and decisions*" in lite
    assert "*Objectives*" not in lite and "*Events ahead*" not in lite


async def test_sent_once_per_period_and_recipient_across_a_restart(
    chat: Chat,
    community: str,
    clock: FrozenClock,
    port: FakePort,
    settings: Settings,
    database: Database,
) -> None:
    await with_sponsor(chat)
    await chat.tick()
    assert digests_to(port, "helen") == []  # Q1 2026 is not over: nothing yet
    clock.set(APRIL)
    await chat.tick()
    await chat.tick()
    sent = digests_to(port, "helen")
    assert len(sent) == 1 and "sponsor digest, Q1 2026" in sent[0]
    assert [r for r in port.to("helen") if r.image is not None]  # the trend chart goes along
    assert digests_to(port, "ada") == [] and digests_to(port, "lead") == []
    ports = PortRegistry()
    ports.register(port)
    restarted = Core(settings, clock=clock, ports=ports, db=database, worker="restarted")
    await restarted.heartbeat.tick()
    await restarted.heartbeat.tick()
    assert len(digests_to(port, "helen")) == 1
    # The coordinator (COPBOT_ADMINS=root, never written) gets the month's programme digest:
    # for March only, since the community began on 2 March and February has nothing to report.
    programme = programme_to(port, "root")
    assert len(programme) == 1 and "Programme digest, March 2026" in programme[0]
    assert "Data Engineering" in programme[0]


async def test_two_replicas_send_once(
    chat: Chat,
    community: str,
    clock: FrozenClock,
    port: FakePort,
    settings: Settings,
    database: Database,
) -> None:
    await with_sponsor(chat)
    ports = PortRegistry()
    ports.register(port)
    other = Core(settings, clock=clock, ports=ports, db=database, worker="other")
    clock.set(APRIL)
    # Concurrent ticks may collide on SQLite's write lock; the next heartbeat retries.
    for _ in range(3):
        await asyncio.gather(chat.tick(), other.heartbeat.tick())
    assert len(digests_to(port, "helen")) == 1
    assert len(programme_to(port, "root")) == 1


async def test_nps_respects_the_anonymity_threshold(database: Database) -> None:
    async with database.session() as session:
        ops, _other, _ids = await build(session)
        shown = await sponsor_digest(
            session, ops, MARCH, settings=Settings(COPBOT_ANONYMITY_THRESHOLD=5), now=NOW,
            with_chart=False,
        )  # fmt: skip
        hidden = await sponsor_digest(
            session, ops, MARCH, settings=Settings(COPBOT_ANONYMITY_THRESHOLD=6), now=NOW,
            with_chart=False,
        )  # fmt: skip
    assert "NPS +40" in shown.text  # 5 answers, shown from 5
    assert "NPS: hidden: 5 answers, shown from 6" in hidden.text
    assert "+40" not in hidden.text
    # Stories: people named only where the story says they agreed (none did here).
    assert "Saved a week" in shown.text and "thanks to" not in shown.text


async def test_programme_digest_goes_to_the_leaders_network_channel_once(
    chat: Chat, community: str, clock: FrozenClock, port: FakePort
) -> None:
    await chat("leaders network create", as_="root", channel="C-leaders")
    clock.set(APRIL)
    for _ in range(2):
        await chat.tick()
    posted = [t for t in port.texts("#C-leaders") if "Programme digest, March 2026" in t]
    assert len(posted) == 1
    assert "Data Engineering" in posted[0] and "Leaders' network*:" not in posted[0]
    assert len([t for t in port.texts("root") if "Programme digest, March 2026" in t]) == 1


async def test_a_digest_waits_for_the_sponsors_working_hours(
    chat: Chat, community: str, clock: FrozenClock, port: FakePort
) -> None:
    await with_sponsor(chat)
    await chat("hours 09:00-18:00 mon-fri", as_="helen")  # tests run with hours off
    clock.set(datetime(2026, 4, 1, 3, 0, tzinfo=UTC))  # Q1 is over; 03:00 for helen (UTC)
    await chat.tick()
    assert digests_to(port, "helen") == []
    clock.set(datetime(2026, 4, 1, 9, 30, tzinfo=UTC))
    await chat.tick()
    assert len(digests_to(port, "helen")) == 1


async def test_a_sponsor_who_is_not_a_member_needs_not_name_their_community(
    chat: Chat, community: str, clock: FrozenClock
) -> None:
    clock.set(APRIL)
    assert "You are not in a community yet" in await chat.text("stats", as_="helen")
    await with_sponsor(chat)
    assert "figures for March 2026" in await chat.text("stats", as_="helen")
    assert "Health of Data Engineering" in await chat.text("health", as_="helen")
    await chat("community new safety Site Safety", as_="lead")
    assert "now a sponsor" in await chat.text("role add @helen sponsor in safety", as_="lead")
    which = await chat.text("stats", as_="helen")
    assert "Which community?" in which and "`data-eng`" in which and "`safety`" in which
