"""Charter goals with a measure: leaders set a target and a status; members read them."""

from __future__ import annotations

from bot.app import Core
from storage import communities, goals
from tests.demo_copy import seed_demo
from tests.helpers import Chat


async def test_leaders_give_goals_a_target_and_a_status(chat: Chat, community: str) -> None:
    added = await chat.text(
        "charter goal add Capture lessons from incidents target 20 lessons by June", as_="lead"
    )
    assert "Added goal 1" in added
    await chat("charter goal add Halve repeat incidents target 50 %", as_="lead")
    assert "now *at risk*" in await chat.text("charter goal 1 status at risk", as_="lead")
    assert "now *met*" in await chat.text("charter goal 2 status met", as_="lead")
    await chat("charter goal 2 target 60 %", as_="lead")

    charter = await chat.text("charter", as_="ada")
    assert "Goals with a target" in charter
    assert "1. Capture lessons from incidents — target: 20 lessons by June — *at risk*" in charter
    assert "2. Halve repeat incidents — target: 60 % — *met*" in charter
    listed = await chat.text("charter goals", as_="ada")
    assert "*at risk*" in listed and "Leaders keep them up to date" not in listed

    # Members read them; only leaders and coordinators change them.
    refused = await chat.text("charter goal 1 status met", as_="ada")
    assert "Only" in refused and "*at risk*" in await chat.text("charter goals", as_="ada")
    added = await chat.text("charter goal add Onboard two teams in data-eng", as_="root")
    assert "Added goal 3" in added
    assert "no status yet" in await chat.text("charter goals", as_="bo")


async def test_goal_commands_say_what_to_type(chat: Chat, community: str) -> None:
    assert "no goals with a target" in await chat.text("charter goals", as_="lead")
    assert "Which goal?" in await chat.text("charter goal 3 status met", as_="lead")
    await chat("charter goal add Publish a checklist", as_="lead")
    wrong = await chat.text("charter goal 1 status maybe", as_="lead")
    assert "`met`, `on-track` or `at-risk`" in wrong
    assert "What is the goal?" in await chat.text("charter goal add", as_="lead")
    assert "Removed goal 1" in await chat.text("charter goal 1 remove", as_="lead")
    assert "no goals with a target" in await chat.text("charter goals", as_="lead")


async def test_the_demo_has_goals_with_status_for_the_digest(chat: Chat, core: Core) -> None:
    assert await seed_demo(core.services)
    async with core.services.db.session() as session:
        found = await communities.find_community(session, "data-eng")
        assert found is not None and found.id is not None
        listed = await goals.goals_of(session, found.id)
    assert [g.status for g in listed] == ["on-track", "at-risk", "met"]
    assert all(g.target for g in listed)
    assert "*at risk*" in await chat.text("charter data-eng", as_="linus")
