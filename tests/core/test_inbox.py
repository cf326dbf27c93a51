"""The durable inbox, in process: recording once per key, claims and leases, and processing that
has effect once even when a worker dies between the work and the answer, or is taken over.

Runs on SQLite, and on PostgreSQL with COPBOT_TEST_DATABASE_URL set.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlmodel import func, select

from bot.app import Core
from bot.clock import FrozenClock
from bot.inbox import Inbox, outcome_of
from bot.messages import ConversationRef, FormSubmission, Platform, Reply, Request, User
from storage import inbox as inbox_store
from storage.db import Database
from storage.tables.inbox import InboxItem
from storage.tables.lessons import Lesson
from tests.helpers import Chat
from tests.lessons.test_lessons import GOOD

CONSOLE = Platform.CONSOLE.value
LEASE = timedelta(seconds=60)


class Crash(Exception):
    """Stands for the process dying right after the work was committed."""


class ConsoleRows:
    """A real InboxHandler for console rows: {"user": …, "form_id": …, "values": {…}}."""

    def __init__(self, *, crash_on_answer: bool = False) -> None:
        self.crash_on_answer = crash_on_answer
        self.answered: list[tuple[int, list[Reply], bool]] = []

    async def to_request(self, item: InboxItem) -> Request | None:
        who = str(item.request["user"])
        user = User(Platform.CONSOLE, who, name=who.capitalize())
        conversation = ConversationRef(Platform.CONSOLE, f"dm:{who}", is_direct=True)
        return FormSubmission(
            user, conversation, str(item.request["form_id"]), dict(item.request["values"])
        )

    async def answer(self, item: InboxItem, replies: list[Reply], *, late: bool) -> None:
        if self.crash_on_answer:
            raise Crash("killed after the commit, before the answer")
        self.answered.append((item.id or 0, replies, late))


def worker(core: Core, name: str, handler: ConsoleRows) -> Inbox:
    inbox = Inbox(core.services, core.router, worker=name)
    inbox.register(CONSOLE, handler)
    return inbox


async def lesson_count(database: Database) -> int:
    async with database.session() as session:
        return int((await session.exec(select(func.count()).select_from(Lesson))).one())


async def rows(database: Database) -> list[InboxItem]:
    async with database.session() as session:
        return await inbox_store.list_items(session)


async def lesson_form(chat: Chat) -> str:
    await chat("community new data-eng Data Engineering", as_="lead")
    await chat("join data-eng", as_="ada")
    form = (await chat("lesson", as_="ada"))[0].form
    assert form is not None
    return form.form_id


def lesson_row(form_id: str) -> dict[str, object]:
    return {"user": "ada", "form_id": form_id, "values": GOOD}


# -- storage: keys, claims, leases ---------------------------------------------------------------


async def test_a_key_is_recorded_once_per_platform(database: Database, clock: FrozenClock) -> None:
    async with database.session() as session:
        first = await inbox_store.record(
            session,
            platform="slack",
            key="view:V1:h1",
            kind="submission",
            request={"n": 1},
            reply_to=None,
            now=clock.now(),
            worker="a",
            lease=LEASE,
        )
        again = await inbox_store.record(
            session,
            platform="slack",
            key="view:V1:h1",
            kind="submission",
            request={"n": 2},
            reply_to=None,
            now=clock.now(),
            worker="b",
            lease=LEASE,
        )
        other = await inbox_store.record(
            session,
            platform="teams",
            key="view:V1:h1",
            kind="message",
            request={"n": 3},
            reply_to=None,
            now=clock.now(),
            worker="b",
            lease=LEASE,
        )
    assert first is not None and again is None and other not in (None, first)
    stored = await rows(database)
    assert [(r.platform, r.request, r.claimed_by) for r in stored] == [
        ("slack", {"n": 1}, "a"),
        ("teams", {"n": 3}, "b"),
    ]


async def test_a_held_row_is_taken_over_only_when_its_lease_ran_out(
    database: Database, clock: FrozenClock
) -> None:
    async with database.session() as session:
        row_id = await inbox_store.record(
            session,
            platform="slack",
            key="command:t1",
            kind="command",
            request={},
            reply_to=None,
            now=clock.now(),
            worker="dead",
            lease=LEASE,
        )
    assert row_id is not None
    async with database.session() as session:
        assert (
            await inbox_store.claim_due(
                session, worker="alive", now=clock.now(), lease=LEASE, limit=10
            )
            == []
        )
    clock.advance(LEASE + timedelta(seconds=1))
    async with database.session() as session:
        taken = await inbox_store.claim_due(
            session, worker="alive", now=clock.now(), lease=LEASE, limit=10
        )
    assert [(r.id, r.claimed_by, r.attempts) for r in taken] == [(row_id, "alive", 2)]
    # The old holder's late mark is refused: its work would roll back.
    async with database.session() as session:
        assert not await inbox_store.mark_handled(
            session, row_id, "dead", result=[], refused=False, now=clock.now()
        )
        assert await inbox_store.mark_handled(
            session, row_id, "alive", result=[], refused=False, now=clock.now()
        )
        assert await inbox_store.mark_done(session, row_id, "alive", clock.now())
    clock.advance(LEASE * 10)
    async with database.session() as session:
        assert (
            await inbox_store.claim_due(
                session, worker="third", now=clock.now(), lease=LEASE, limit=10
            )
            == []
        )


async def test_two_workers_claiming_at_once_never_share_a_row(
    database: Database, clock: FrozenClock
) -> None:
    async with database.session() as session:
        for n in range(40):
            await inbox_store.record(
                session,
                platform="slack",
                key=f"action:t{n}",
                kind="action",
                request={},
                reply_to=None,
                now=clock.now(),
                worker="dead",
                lease=LEASE,
            )
    clock.advance(LEASE * 2)

    async def claim(name: str) -> list[int]:
        taken: list[int] = []
        for _ in range(10):
            try:
                async with database.session() as session:
                    rows_ = await inbox_store.claim_due(
                        session, worker=name, now=clock.now(), lease=LEASE, limit=7
                    )
            except Exception:  # SQLite: the other claim holds the write lock; try again
                await asyncio.sleep(0)
                continue
            taken += [r.id or 0 for r in rows_]
        return taken

    first, second = await asyncio.gather(claim("a"), claim("b"))
    assert not set(first) & set(second)
    assert sorted(first + second) == sorted(r.id for r in await rows(database))


async def test_a_refused_submission_runs_again_under_the_same_key(
    database: Database, clock: FrozenClock
) -> None:
    values = {
        "platform": "slack",
        "key": "view:V9:h",
        "kind": "submission",
        "reply_to": None,
        "worker": "w",
        "lease": LEASE,
    }
    async with database.session() as session:
        row_id = await inbox_store.record(session, request={"try": 1}, now=clock.now(), **values)
        assert row_id is not None
        await inbox_store.mark_handled(
            session, row_id, "w", result=[], refused=True, now=clock.now()
        )
        await inbox_store.mark_done(session, row_id, "w", clock.now())
        again = await inbox_store.record(session, request={"try": 2}, now=clock.now(), **values)
        assert again == row_id
        (row,) = await inbox_store.list_items(session)
    assert (row.status, row.request, row.attempts) == ("pending", {"try": 2}, 2)


async def test_requests_recorded_together_take_one_insert_and_keep_the_rules_of_one(
    database: Database, clock: FrozenClock
) -> None:
    def row(key: str, request: dict[str, object]) -> dict[str, object]:
        return {
            "platform": "slack",
            "key": key,
            "kind": "submission",
            "request": request,
            "reply_to": None,
            "now": clock.now(),
            "worker": "w",
            "lease": LEASE,
        }

    async with database.session() as session:
        (refused,) = await inbox_store.record_many(session, [row("view:refused", {"try": 1})])
        (seen,) = await inbox_store.record_many(session, [row("view:seen", {"try": 1})])
        assert refused is not None and seen is not None
        await inbox_store.mark_handled(
            session, refused, "w", result=[], refused=True, now=clock.now()
        )
        await inbox_store.mark_done(session, refused, "w", clock.now())
    async with database.session() as session:
        ids = await inbox_store.record_many(
            session,
            [
                row("view:new-1", {"n": 1}),
                row("view:seen", {"try": 2}),  # a retry of a request being worked on
                row("view:new-2", {"n": 2}),
                row("view:new-1", {"n": 3}),  # the same request twice in one burst
                row("view:refused", {"try": 2}),  # corrected and sent again
            ],
        )
    new_1, repeat, new_2, twice, again = ids
    assert new_1 is not None and new_2 is not None and len({new_1, new_2, seen}) == 3
    assert (repeat, twice) == (None, None)
    assert again == refused
    stored = {r.key: r for r in await rows(database)}
    assert len(stored) == 4
    assert stored["view:new-1"].request == {"n": 1}
    assert (stored["view:refused"].status, stored["view:refused"].request) == (
        "pending",
        {"try": 2},
    )


async def test_answers_given_together_are_marked_done_in_one_update_while_still_held(
    database: Database, clock: FrozenClock
) -> None:
    async with database.session() as session:
        ids = await inbox_store.record_many(
            session,
            [
                {
                    "platform": "slack",
                    "key": f"action:{n}",
                    "kind": "action",
                    "request": {},
                    "reply_to": None,
                    "now": clock.now(),
                    "worker": "w" if n < 3 else "other",
                    "lease": LEASE,
                }
                for n in range(4)
            ],
        )
        held, also_held, not_handled, others = (i or 0 for i in ids)
        for row_id, holder in ((held, "w"), (also_held, "w"), (others, "other")):
            await inbox_store.mark_handled(
                session, row_id, holder, result=[], refused=False, now=clock.now()
            )
        marked = await inbox_store.mark_done_many(
            session, [held, also_held, not_handled, others], "w", clock.now()
        )
    assert marked == {held, also_held}
    status = {r.id: r.status for r in await rows(database)}
    assert status == {held: "done", also_held: "done", not_handled: "pending", others: "handled"}


# -- processing: effect once ---------------------------------------------------------------------


async def test_a_resubmitted_lesson_form_is_stored_once(
    core: Core, chat: Chat, database: Database
) -> None:
    form_id = await lesson_form(chat)
    handler = ConsoleRows()
    inbox = worker(core, "w1", handler)
    item = await inbox.record(CONSOLE, "form:1", "submission", lesson_row(form_id))
    assert item is not None
    assert await inbox.record(CONSOLE, "form:1", "submission", lesson_row(form_id)) is None
    inbox.start(item)
    await inbox.settle()
    assert await lesson_count(database) == 1
    (row,) = await rows(database)
    assert row.status == "done" and not row.refused
    outcome = outcome_of(row)
    assert outcome is not None and "Saved lesson" in outcome.replies[0].text
    assert [late for _, _, late in handler.answered] == [False]
    duplicate = await inbox.wait_for(CONSOLE, "form:1", 0)
    assert duplicate is not None and duplicate.replies[0].text == outcome.replies[0].text


async def test_a_crash_after_the_commit_answers_again_but_never_stores_twice(
    core: Core, chat: Chat, database: Database, clock: FrozenClock
) -> None:
    form_id = await lesson_form(chat)
    dying = worker(core, "dying", ConsoleRows(crash_on_answer=True))
    item = await dying.record(CONSOLE, "form:2", "submission", lesson_row(form_id))
    assert item is not None
    dying.start(item)
    await dying.settle()
    (row,) = await rows(database)
    assert row.status == "handled" and await lesson_count(database) == 1
    # The dying worker gave the row back for a retry (and may die for good): another takes it.
    survivor_answers = ConsoleRows()
    survivor = worker(core, "survivor", survivor_answers)
    clock.advance(timedelta(minutes=15))
    assert await survivor.sweep() == 1
    await survivor.settle()
    assert await lesson_count(database) == 1
    (row,) = await rows(database)
    assert row.status == "done" and row.claimed_by == "survivor"
    ((_, replies, late),) = survivor_answers.answered
    assert late and "Saved lesson" in replies[0].text


async def test_a_worker_taken_over_mid_work_rolls_its_work_back(
    core: Core, chat: Chat, database: Database, clock: FrozenClock
) -> None:
    form_id = await lesson_form(chat)
    slow = worker(core, "slow", ConsoleRows())
    item = await slow.record(CONSOLE, "form:3", "submission", lesson_row(form_id))
    assert item is not None
    # The slow worker's lease runs out before it gets to work: another replica takes the row.
    clock.advance(timedelta(seconds=core.services.settings.inbox_lease_seconds + 1))
    fast_answers = ConsoleRows()
    fast = worker(core, "fast", fast_answers)
    assert await fast.sweep() == 1
    await fast.settle()
    outcome = slow.start(item)
    await slow.settle()
    assert outcome.cancelled()  # the slow worker's mark was refused: it stored nothing
    assert await lesson_count(database) == 1
    assert len(fast_answers.answered) == 1


async def test_unfinished_rows_of_a_dead_process_are_taken_on_start(
    core: Core, chat: Chat, database: Database, clock: FrozenClock
) -> None:
    form_id = await lesson_form(chat)
    dead = worker(core, "dead", ConsoleRows())
    for n in range(3):
        await dead.record(
            CONSOLE, f"form:{n}", "submission", {**lesson_row(form_id), "user": f"u{n}"}
        )
    restarted_answers = ConsoleRows()
    restarted = worker(core, "restarted", restarted_answers)
    assert await restarted.sweep() == 0  # still held by the dead process's lease
    clock.advance(timedelta(seconds=core.services.settings.inbox_lease_seconds + 1))
    assert await restarted.sweep() == 3
    await restarted.settle()
    assert {r.status for r in await rows(database)} == {"done"}
    assert len(restarted_answers.answered) == 3
