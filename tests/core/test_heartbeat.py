"""The heartbeat runs every due job, survives a failing one, and delivers afterwards."""

from __future__ import annotations

import asyncio

from bot.app import Core
from bot.context import JobContext
from bot.heartbeat import build_scheduler
from bot.messages import Reply
from bot.registry import Registry
from storage import communities
from tests.helpers import Chat, FakePort


async def test_a_failing_job_does_not_stop_the_others_or_delivery(
    core: Core, chat: Chat, port: FakePort, community: str, registry: Registry
) -> None:
    ran: list[str] = []

    async def broken(jctx: JobContext) -> None:
        ran.append("broken")
        raise RuntimeError("bug in a job")

    async def greeter(jctx: JobContext) -> None:
        ran.append("greeter")
        from storage import people

        ada = await people.find_member_by_platform_id(jctx.session, "console", "ada")
        assert ada is not None and ada.id is not None
        await jctx.notify_member(ada.id, Reply("tick"), key="test:greeter")

    registry.due_jobs["zz.test.broken"] = broken
    registry.due_jobs["zz.test.greeter"] = greeter
    try:
        await chat.tick()
        await chat.tick()
    finally:
        del registry.due_jobs["zz.test.broken"], registry.due_jobs["zz.test.greeter"]
    assert ran.count("broken") == 2 and ran.count("greeter") == 2
    assert port.texts("ada").count("tick") == 1


def test_scheduler_has_only_fixed_jobs_that_never_drop_a_late_run(core: Core) -> None:
    scheduler = build_scheduler(core.heartbeat, seconds=15)
    jobs = {job.id: job for job in scheduler.get_jobs()}
    assert set(jobs) == {"heartbeat", "housekeeping"}
    heartbeat = jobs["heartbeat"]
    assert heartbeat.trigger.interval.total_seconds() == 15
    assert heartbeat.misfire_grace_time is None and heartbeat.coalesce
    assert heartbeat.max_instances == 1


async def test_stopping_ends_a_heartbeat_in_flight_and_rolls_its_work_back(
    core: Core, chat: Chat, community: str, registry: Registry
) -> None:
    """A server shutting down mid-heartbeat: the job is ended and its transaction rolled back,
    before the database engine is disposed (no connection is left to be finalised later)."""
    started = asyncio.Event()

    async def slow(jctx: JobContext) -> None:
        found = await communities.find_community(jctx.session, "data-eng")
        assert found is not None
        found.timezone = "Asia/Tokyo"
        jctx.session.add(found)
        await jctx.session.flush()
        started.set()
        await asyncio.sleep(3600)

    registry.due_jobs["zz.test.slow"] = slow
    try:
        beat = asyncio.create_task(core.heartbeat.beat())
        await asyncio.wait_for(started.wait(), 30)
        await core.heartbeat.stop()
        assert beat.cancelled()
    finally:
        del registry.due_jobs["zz.test.slow"]
    async with core.services.db.session() as session:
        found = await communities.find_community(session, "data-eng")
    assert found is not None and found.timezone == "UTC"
