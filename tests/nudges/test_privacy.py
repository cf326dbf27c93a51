"""A leader's nudges and the reasons they gave are theirs: in `my data`, gone with `forget`."""

from __future__ import annotations

from bot.clock import FrozenClock
from storage.tables.nudges import Nudge, NudgeLeader, NudgeSilence
from tests.core.test_privacy import my_data
from tests.helpers import Chat, FakePort
from tests.nudges.test_flow import at, button, day, nudges_to, rows


async def test_my_data_and_forget_cover_nudges(
    chat: Chat, community: str, clock: FrozenClock, port: FakePort
) -> None:
    await chat("role add @ada leader", as_="lead")
    await chat.tick()
    await at(chat, clock, day(1))
    nudge = nudges_to(port, "ada")[0]
    await chat.text(f"{button(nudge, 'Not relevant').command} we meet on site", as_="ada")
    data = my_data(await chat("my data", as_="ada"))
    [mine] = data["leader_nudges"]
    assert mine["rule"] == "N1" and mine["reason_given"] == "we meet on site"
    assert mine["community"] == "Data Engineering" and mine["status"] == "dismissed"
    assert my_data(await chat("my data", as_="lead"))["leader_nudges"][0]["reason_given"] is None
    await chat("forget me confirm", as_="ada")
    core = chat.core
    assert [n.rule for n in await rows(core, Nudge)] == ["N1"]  # the lead's stays
    assert len(await rows(core, NudgeLeader)) == 1  # the lead's weekly cap only
    [quiet] = await rows(core, NudgeSilence)
    assert quiet.by is None and quiet.rule == "N1"  # still quiet, no longer theirs
