"""Failures are visible and recoverable: the `delivery` view and retry for coordinators, the
launch estimate and completion notice of a fan-out, and the retention purge of old content."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from sqlmodel import col, select

from bot.app import Core
from bot.clock import FrozenClock
from bot.config import Settings
from bot.delivery import notify_member
from bot.fanout import notice as fanout_notice
from bot.messages import Platform, Reply
from bot.ports import PortRegistry
from storage import communities, outbox, people
from storage.db import Database
from storage.experts import bulk_insert
from storage.tables import Identity, Member, Membership, OutboxMessage
from storage.tables.delivery import Fanout
from tests.conftest import START
from tests.helpers import Chat, FakePort, RetryLater, Undeliverable

SURVEY = {
    "title": "Quick check",
    "questions": "a5: The last session was useful",
    "audience": "members",
    "anonymous": "no",
    "opens": "now",
    "closes": "7d",
}


def notices(port: FakePort, who: str) -> list[str]:
    """The fan-out notices `who` received (a launcher who is a member also gets the survey)."""
    return [t for t in port.texts(who) if "Your survey" in t]


async def rows(chat: Chat) -> list[OutboxMessage]:
    async with chat.core.services.db.session() as session:
        return await outbox.list_messages(session)


async def member_id(chat: Chat, handle: str) -> int:
    async with chat.core.services.db.session() as session:
        found = await people.find_member_by_platform_id(session, chat.platform.value, handle)
        assert found is not None and found.id is not None
        return found.id


async def add_row(chat: Chat, key: str, status: str, error: str | None, to: str) -> int:
    """A finished outbox row, as the dispatcher leaves it after a final error."""
    who = await member_id(chat, to)
    async with chat.core.services.db.session() as session:
        row = OutboxMessage(
            key=key,
            platform=chat.platform.value,
            target={"kind": "user", "platform": chat.platform.value, "user_id": to},
            reply={"text": f"hello {to}"},
            status=status,
            attempts=8,
            next_attempt_at=chat.core.services.clock.now(),
            created_at=chat.core.services.clock.now(),
            error=error,
            member_id=who,
        )
        session.add(row)
        await session.flush()
        assert row.id is not None
        return row.id


# -- the delivery view ------------------------------------------------------------------------


async def test_delivery_shows_counts_oldest_pending_and_failures_with_reasons(
    chat: Chat, community: str, port: FakePort, clock: FrozenClock
) -> None:
    port.failures_for = {"lead": [Undeliverable("account_inactive")], "ada": [RetryLater(600)]}
    launched = await chat.submit("survey.new:data-eng", SURVEY, as_="lead")
    assert "Sent to 3 members of Data Engineering" in launched[0].text
    failed = await add_row(chat, "test:failed", "failed", "TimeoutError: no answer in 20s", "ada")
    sent_before = sum(r.status == "sent" for r in await rows(chat))
    (gone,) = [r.id for r in await rows(chat) if r.status == "undeliverable"]
    clock.advance(timedelta(minutes=12))

    view = await chat("delivery", as_="root")
    text = view[0].text
    assert view[0].title == "Delivery"
    assert "*Pending* 1 (console 1)" in text
    assert "*Sending* 0" in text
    assert f"*Sent* {sent_before} (console {sent_before})" in text
    assert "*Failed* 1 (console 1)" in text
    assert "*Undeliverable* 1 (console 1)" in text
    assert "*Cancelled* 0" in text
    assert "The oldest pending message has waited about 12 minutes." in text
    failures = text.split("*Recent failures*")[1].strip().splitlines()
    # Newest first, each with its id, whom it was for and why.
    assert failures == [
        f"`{failed}` to Ada (console, failed): TimeoutError: no answer in 20s",
        f"`{gone}` to Lead (console, undeliverable): account_inactive",
    ]
    assert [c.command for c in view[0].choices] == ["delivery retry failed"]
    assert view[0].context == "Page 1 of 1 (2 in all). `delivery retry <id>` sends one again."


async def test_delivery_pages_the_failures_ten_at_a_time(chat: Chat, community: str) -> None:
    for n in range(12):
        await add_row(chat, f"test:gone:{n}", "undeliverable", f"user_not_found {n}", "bo")
    first = (await chat("delivery", as_="root"))[0]
    assert first.text.count("user_not_found") == 10
    assert "user_not_found 11" in first.text and "user_not_found 1\n" not in first.text
    assert first.context is not None and first.context.startswith("Page 1 of 2 (12 in all)")
    # No "Retry failed" button: undeliverable rows are not retried in bulk.
    (more,) = first.choices
    assert more.command == "delivery page 2"
    second = (await chat.click(more, as_="root"))[0]
    assert second.text.count("user_not_found") == 2
    assert "user_not_found 0" in second.text and "user_not_found 1" in second.text
    assert "Nothing is waiting to be sent." in second.text


async def test_members_are_refused_delivery_and_retry(
    chat: Chat, community: str, port: FakePort
) -> None:
    failed = await add_row(chat, "test:failed", "failed", "boom", "ada")
    await chat("hello", as_="root")  # the coordinator exists, so the refusal can name them
    before = len(port.sent)
    for line in ("delivery", f"delivery retry {failed}", "delivery retry failed"):
        refusal = await chat.text(line, as_="lead")
        assert refusal.startswith("Only coordinators can see the delivery queue"), refusal
        assert "tell a coordinator (Root)" in refusal
    assert [r.status for r in await rows(chat) if r.id == failed] == ["failed"]
    assert len(port.sent) == before


async def test_help_explains_delivery_and_retry(chat: Chat) -> None:
    text = await chat.text("help delivery", as_="ada")
    assert "`delivery [page N]`" in text and "`delivery retry <id>|failed`" in text
    assert "undeliverable ones stay" in text


# -- retry -------------------------------------------------------------------------------------


async def test_retry_one_puts_it_back_with_fresh_attempts_and_sends_it(
    chat: Chat, community: str, port: FakePort
) -> None:
    gone = await add_row(chat, "test:gone", "undeliverable", "account_inactive", "bo")
    sent = await add_row(chat, "test:sent", "sent", None, "ada")
    port.failures = [RetryLater(600)]  # the kick after the command meets a busy platform
    reply = await chat.text(f"delivery retry {gone}", as_="root")
    assert reply == f"Message `{gone}` to Bo is queued again."
    (row,) = [r for r in await rows(chat) if r.id == gone]
    # One attempt used by the kicked delivery, not 9: the old attempts were reset.
    assert (row.status, row.attempts) == ("pending", 1)
    chat.core.services.clock.advance(timedelta(minutes=11))  # type: ignore[attr-defined]
    await chat.deliver()
    assert port.texts("bo")[-1] == "hello bo"
    assert port.texts("bo").count("hello bo") == 1

    assert "is sent: only failed or undeliverable" in await chat.text(
        f"delivery retry {sent}", as_="root"
    )
    assert "There is no message `999`" in await chat.text("delivery retry 999", as_="root")
    assert "Which message?" in await chat.text("delivery retry soon", as_="root")
    assert "I did not understand `soon`" in await chat.text("delivery soon", as_="root")


async def test_retry_failed_requeues_failed_but_not_undeliverable(
    chat: Chat, community: str, port: FakePort
) -> None:
    await add_row(chat, "test:f1", "failed", "TimeoutError", "ada")
    await add_row(chat, "test:f2", "failed", "TimeoutError", "bo")
    gone = await add_row(chat, "test:gone", "undeliverable", "account_inactive", "lead")
    reply = await chat.text("delivery retry failed", as_="root")
    assert reply.startswith("Queued 2 failed messages again. Undeliverable messages (1) stay")
    assert "can never arrive" in reply and "`delivery retry <id>`" in reply
    assert port.texts("ada").count("hello ada") == 1 and port.texts("bo").count("hello bo") == 1
    assert "hello lead" not in port.texts("lead")
    assert [r.status for r in await rows(chat) if r.id == gone] == ["undeliverable"]
    again = await chat.text("delivery retry failed", as_="root")
    assert again.startswith("No message has failed: nothing to retry.")


# -- launch estimate and completion notice -----------------------------------------------------


@pytest.fixture
def slack_port() -> FakePort:
    return FakePort(Platform.SLACK)


@pytest.fixture
async def slack_chat(
    database: Database, clock: FrozenClock, slack_port: FakePort, settings: Settings
) -> AsyncIterator[Chat]:
    ports = PortRegistry()
    ports.register(slack_port)
    yield Chat(Core(settings, clock=clock, ports=ports, db=database), Platform.SLACK)


async def seed_members(chat: Chat, slug: str, count: int) -> None:
    """`count` Slack members of `slug`, inserted in bulk (not `count` chat commands)."""
    now = chat.core.services.clock.now()
    async with chat.core.services.db.session() as session:
        names = [f"Person {n:04}" for n in range(count)]
        await bulk_insert(
            session,
            Member,
            [{"display_name": n, "created_at": now, "last_seen_at": now} for n in names],
        )
        found = await session.exec(
            select(Member.id, Member.display_name).where(
                col(Member.display_name).startswith("Person ")
            )
        )
        ids = {name: member for member, name in found.all()}
        await bulk_insert(
            session,
            Identity,
            [
                {
                    "member_id": ids[n],
                    "platform": "slack",
                    "platform_user_id": f"U{n[-4:]}",
                    "last_seen_at": now,
                }
                for n in names
            ],
        )
        target = await communities.find_community(session, slug)
        assert target is not None
        await bulk_insert(
            session,
            Membership,
            [{"community_id": target.id, "member_id": ids[n], "joined_at": now} for n in names],
        )


async def test_a_big_launch_is_estimated_and_its_launcher_hears_the_outcome(
    slack_chat: Chat, slack_port: FakePort
) -> None:
    chat = slack_chat
    await chat("community new data-eng Data Engineering", as_="lead")
    await seed_members(chat, "data-eng", 999)
    before = len(slack_port.sent)  # the new leader's welcome
    slack_port.failures = [Undeliverable("account_inactive"), Undeliverable("user_not_found")]
    launched = await chat.submit("survey.new:data-eng", SURVEY, as_="root")
    # 1,000 DMs at Slack's default 240 a minute: 250 s.
    assert "Sending to 1,000 members of Data Engineering, about 4 minutes" in launched[0].text
    assert len(slack_port.sent) - before == 998
    assert slack_port.texts("root") == []

    await chat.tick()
    (done,) = slack_port.to("root")
    assert done.text == (
        "Your survey *Quick check* reached 998 of 1,000 members; 2 could not be reached "
        "(account_inactive, user_not_found). `delivery` for details."
    )
    assert [c.command for c in done.choices] == ["delivery"]
    await chat.tick()
    assert len(slack_port.to("root")) == 1  # told once


async def test_a_small_launch_says_sent_and_the_notice_waits_for_every_row(
    chat: Chat, community: str, port: FakePort, clock: FrozenClock
) -> None:
    port.failures = [RetryLater(600), Undeliverable("account_inactive")]
    launched = await chat.submit("survey.new:data-eng", SURVEY, as_="lead")
    assert "Sent to 3 members of Data Engineering;" in launched[0].text
    assert "about" not in launched[0].text
    await chat.tick()
    assert notices(port, "lead") == []  # one invitation still waits out its Retry-After

    clock.advance(timedelta(minutes=11))
    await chat.tick()  # the job runs before delivery: the last invitation goes out now
    assert notices(port, "lead") == []
    await chat.tick()
    (done,) = notices(port, "lead")
    # Not a coordinator: no pointer to `delivery`.
    assert done.endswith(
        "Your survey *Quick check* reached 2 of 3 members; 1 could not be reached "
        "(account_inactive)."
    )


async def test_a_scheduled_launch_tells_its_launcher_by_dm(
    slack_chat: Chat, slack_port: FakePort, clock: FrozenClock
) -> None:
    chat = slack_chat
    await chat("community new data-eng Data Engineering", as_="lead")
    await seed_members(chat, "data-eng", 99)
    launched = await chat.submit(
        "survey.new:data-eng", {**SURVEY, "opens": "tomorrow 10:00"}, as_="lead"
    )
    assert "It goes to the members of Data Engineering on" in launched[0].text
    clock.advance(timedelta(days=1, hours=2))
    await chat.tick()
    (opened,) = notices(slack_port, "lead")
    assert (
        "Your survey *Quick check* has opened. Sending to 100 members of Data Engineering, "
        "under a minute; I will tell you when everyone has it."
    ) in opened
    await chat.tick()
    assert notices(slack_port, "lead")[-1].endswith(
        "Your survey *Quick check* reached 100 of 100 members."
    )
    async with chat.core.services.db.session() as session:
        (fanout,) = (await session.exec(select(Fanout))).all()
    assert (fanout.total, fanout.key_prefix) == (100, "survey:1:invite:")
    assert fanout.notified_at == clock.now()


# -- retention ---------------------------------------------------------------------------------


async def test_old_content_is_purged_and_a_purged_message_is_never_sent_again(
    chat: Chat, community: str, port: FakePort, clock: FrozenClock
) -> None:
    ada = await member_id(chat, "ada")
    port.failures_for = {"lead": [Undeliverable("account_inactive")]}
    await chat.submit("survey.new:data-eng", SURVEY, as_="lead")  # lead's invite: undeliverable
    await chat.tick()
    clock.advance(timedelta(days=20))
    async with chat.core.services.db.session() as session:
        await notify_member(session, ada, Reply("recent"), "test:recent", now=clock.now())
    await chat.deliver()
    clock.advance(timedelta(days=11))  # the survey's rows are 31 days old, the last one 11
    await chat.tick()

    by_key = {r.key: r for r in await rows(chat)}
    old = by_key[f"survey:1:invite:{ada}"]
    assert (old.status, old.target, old.reply) == ("sent", {}, {})
    assert by_key["survey:1:invite:1"].status == "undeliverable"
    assert by_key["survey:1:invite:1"].reply != {}  # kept, so it can still be retried
    assert by_key["survey:1:invite:1"].error == "account_inactive"
    assert by_key["test:recent"].reply != {}

    before = len(port.sent)
    async with chat.core.services.db.session() as session:
        queued = await notify_member(
            session, ada, Reply("invitation again"), f"survey:1:invite:{ada}", now=clock.now()
        )
        fresh = await notify_member(session, ada, Reply("new"), "test:new", now=clock.now())
    assert (queued, fresh) == (False, True)
    await chat.deliver()
    assert [d.reply.text for d in port.sent[before:]] == ["new"]

    # Later sweeps purge what expired since the previous one.
    clock.advance(timedelta(days=20))
    await chat.tick()
    assert {r.key: r for r in await rows(chat)}["test:recent"].reply == {}


def test_the_launcher_hears_how_many_were_dropped_as_expired() -> None:
    survey = Fanout(
        key_prefix="survey:1:invite:",
        after_outbox_id=0,
        last_outbox_id=3,
        launched_by=1,
        title="Quick check",
        total=3,
        created_at=START,
    )
    error = "its moment passed before it could be sent"
    done = fanout_notice(survey, [("sent", None, 2), ("expired", error, 1)], hint=True)
    assert done.text == (
        "Your survey *Quick check* reached 2 of 3 members; 1 did not get it: it was over before "
        "their working hours or snooze let it through."
    )
    assert done.choices == ()  # nothing failed: nothing for `delivery` to retry
