"""Teams activities go through the durable inbox: recorded under the activity id before the
HTTP answer, processed from there, answered in the turn or, when late, through the Teams port.

Runs on SQLite, and on PostgreSQL with COPBOT_TEST_DATABASE_URL set.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlmodel import func, select

from adapters.teams.cards import activity_to_text, forms
from adapters.teams.inbox import TEAMS, activity_key, stored_request
from bot.clock import FrozenClock
from bot.inbox import Inbox
from bot.messages import Platform, Reply, Request, User
from storage import inbox as inbox_store
from storage.tables.inbox import InboxItem
from storage.tables.lessons import Lesson
from tests.lessons.test_lessons import GOOD
from tests.teams.driver import TeamsDriver, personal_conversation
from tests.teams.fake_connector import TENANT

ADA = "29:ada"


class Crash(Exception):
    """Stands for the process dying right after the work was committed."""


class DiesBeforeAnswering:
    """The Teams adapter's own InboxHandler, in a process that dies before it answers."""

    def __init__(self, teams: TeamsDriver) -> None:
        self.real = teams.adapter.inbox

    async def to_request(self, item: InboxItem) -> Request | None:
        return await self.real.to_request(item)

    async def answer(self, item: InboxItem, replies: list[Reply], *, late: bool) -> None:
        raise Crash("killed after the commit, before the answer")


async def lessons(teams: TeamsDriver) -> int:
    async with teams.adapter.core.services.db.session() as session:
        return int((await session.exec(select(func.count()).select_from(Lesson))).one())


async def rows(teams: TeamsDriver) -> list[InboxItem]:
    async with teams.adapter.core.services.db.session() as session:
        return await inbox_store.list_items(session)


async def lesson_submission(teams: TeamsDriver) -> dict[str, Any]:
    """Ada's filled-in lesson card, as Teams sends it when she presses Save."""
    await teams.say("community new data-eng Data Engineering", "29:lead")
    await teams.say("join data-eng", ADA)
    await teams.say("lesson", ADA)
    [form_message] = [c for c in teams.fake.messages() if forms(c.body)][-1:]
    [data] = forms(form_message.body)
    return teams.click({**data, **GOOD}, ADA, reply_to=form_message.body.get("id"))


def dead_worker(teams: TeamsDriver, handler: Any | None = None) -> Inbox:
    core = teams.adapter.core
    inbox = Inbox(core.services, core.router, worker="dead")
    if handler is not None:
        inbox.register(TEAMS, handler)
    return inbox


async def record_as(inbox: Inbox, activity: dict[str, Any]) -> InboxItem:
    """Record an activity exactly as the adapter does, under another worker's claim."""
    user = User(Platform.TEAMS, ADA, name="Ada", tenant_id=TENANT)
    item = await inbox.record(
        TEAMS, activity_key(activity), "message", stored_request(activity, user)
    )
    assert item is not None
    return item


def sent_to_ada(teams: TeamsDriver, before: int) -> list[str]:
    return [
        activity_to_text(c.body)
        for c in teams.fake.calls[before:]
        if c.kind == "send" and c.conversation_id == personal_conversation(ADA)
    ]


async def test_a_redelivered_activity_acts_once(teams: TeamsDriver) -> None:
    activity = await lesson_submission(teams)
    before = len(teams.fake.calls)
    first = await teams.post(activity)
    assert first.status == 201
    answered = [c for c in teams.fake.calls[before:] if c.kind == "reply"]
    assert any("Saved lesson" in activity_to_text(c.body) for c in answered), answered
    # Teams did not get our answer in time and delivers the same activity again.
    before = len(teams.fake.calls)
    again = await teams.post(activity)
    assert again.status == 201
    assert teams.fake.messages()[before:] == []
    assert await lessons(teams) == 1
    [row] = [r for r in await rows(teams) if r.key == activity_key(activity)]
    assert (row.status, row.attempts) == ("done", 1)


async def test_a_row_left_by_a_dead_worker_is_processed_and_answered_proactively(
    teams: TeamsDriver, clock: FrozenClock
) -> None:
    activity = await lesson_submission(teams)
    # A process recorded the submission (and answered Teams 201), then died before working.
    item = await record_as(dead_worker(teams), activity)
    core = teams.adapter.core
    assert await core.inbox.sweep() == 0  # its claim still holds
    assert await lessons(teams) == 0
    clock.advance(timedelta(seconds=core.services.settings.inbox_lease_seconds + 1))
    before = len(teams.fake.calls)
    assert await core.inbox.sweep() == 1
    await teams.adapter.settle()
    assert await lessons(teams) == 1
    # No turn to answer in any more: a new message in Ada's chat, through the port.
    assert any("Saved lesson" in text for text in sent_to_ada(teams, before))
    assert [c for c in teams.fake.calls[before:] if c.kind == "reply"] == []
    [row] = [r for r in await rows(teams) if r.id == item.id]
    assert (row.status, row.claimed_by) == ("done", core.inbox.worker)
    # Teams delivering the activity again changes nothing.
    before = len(teams.fake.calls)
    assert (await teams.post(activity)).status == 201
    assert teams.fake.messages()[before:] == [] and await lessons(teams) == 1


async def test_a_crash_after_the_commit_answers_without_doing_the_work_twice(
    teams: TeamsDriver, clock: FrozenClock
) -> None:
    activity = await lesson_submission(teams)
    dying = dead_worker(teams, DiesBeforeAnswering(teams))
    item = await record_as(dying, activity)
    dying.start(item)
    await dying.settle()
    [row] = [r for r in await rows(teams) if r.id == item.id]
    assert row.status == "handled" and await lessons(teams) == 1  # committed, never answered
    core = teams.adapter.core
    clock.advance(timedelta(seconds=core.services.settings.inbox_lease_seconds + 1))
    before = len(teams.fake.calls)
    assert await core.inbox.sweep() == 1
    await teams.adapter.settle()
    assert await lessons(teams) == 1
    assert any("Saved lesson" in text for text in sent_to_ada(teams, before))
    [row] = [r for r in await rows(teams) if r.id == item.id]
    assert row.status == "done"
    before = len(teams.fake.calls)
    assert (await teams.post(activity)).status == 201
    assert teams.fake.messages()[before:] == [] and await lessons(teams) == 1
