"""The leaders' network (every leader, joining and leaving with the role, meeting quarterly)
and the onboarding every new leader gets in a DM."""

from __future__ import annotations

from bot.app import Core
from storage import communities, people
from tests.helpers import Chat, FakePort

CHANNEL = "C-leaders"


async def in_network(core: Core, handle: str) -> bool:
    async with core.services.db.session() as session:
        network = await communities.leaders_network(session)
        identity = await people.find_identity(session, "console", handle)
        assert network is not None and network.id is not None and identity is not None
        return await communities.active_membership(session, network.id, identity.member_id)


async def test_coordinators_create_the_network_with_every_leader(
    chat: Chat, community: str, port: FakePort
) -> None:
    await chat("community new ops Operations", as_="olga")
    refused = await chat.text("leaders network create", as_="lead")
    assert "Only coordinators" in refused
    created = await chat("leaders network create", as_="root", channel=CHANNEL)
    assert "Created the *Leaders' network* (`leaders`) with 2 community leaders" in created[0].text
    assert "This channel is its channel now" in created[0].text
    await chat.deliver()
    assert any("created the *Leaders' network*" in t for t in port.texts("lead"))
    assert any("created the *Leaders' network*" in t for t in port.texts("olga"))
    assert await in_network(chat.core, "lead") and await in_network(chat.core, "olga")
    again = await chat.text("leaders network create", as_="root")
    assert "exists already" in again
    assert "is for the leaders of the communities" in await chat.text("join leaders", as_="bo")

    # Its quarterly meeting is an ordinary meeting of the network, posted to its channel.
    (schedule,) = created[0].choices
    scheduled = await chat.click(schedule, as_="root")
    assert "Leaders' network" in scheduled[0].text and "every 3 months" in scheduled[0].text.lower()
    assert "Leaders' network" in await chat.text("meetings in leaders", as_="lead")
    shown = await chat.text("leaders network", as_="ada")
    assert "3 members, the leaders of every community" in shown
    async with chat.core.services.db.session() as session:
        network = await communities.leaders_network(session)
        assert network is not None and network.slug == "leaders"


async def test_a_new_leader_is_onboarded_once_and_joins_and_leaves_with_the_role(
    chat: Chat, community: str, port: FakePort
) -> None:
    await chat("leaders network create", as_="root")
    opened = await chat("handbook edit", as_="root")
    assert opened[0].form is not None and opened[0].form.form_id == "handbook.edit"
    assert "Only coordinators" in await chat.text("handbook edit", as_="ada")
    empty = await chat.submit("handbook.edit", {"body": "  "}, as_="root")
    assert empty[0].errors
    saved = await chat.submit("handbook.edit", {"body": "Call Maria for *templates*."}, as_="root")
    assert "Saved the handbook" in saved[0].text
    assert "Call Maria" in await chat.text("handbook", as_="bo")

    await chat("role add @ada leader", as_="lead")
    await chat.deliver()
    (welcome,) = [r for r in port.to("ada") if r.title == "Welcome, leader of Data Engineering"]
    assert "Call Maria for *templates*." in welcome.text
    fields = dict(welcome.fields)
    assert "Rhythm" in fields["A leader's responsibilities"]
    assert "`meeting new`" in fields["Commands leaders use"]
    assert "`leaders`" in fields["The leaders' network"]
    assert await in_network(chat.core, "ada")

    await chat("role remove @ada leader", as_="lead")
    assert not await in_network(chat.core, "ada")
    # Leading again: back in the network, but the onboarding for this community came once.
    await chat("role add @ada leader", as_="lead")
    await chat.deliver()
    assert await in_network(chat.core, "ada")
    welcomes = [r for r in port.to("ada") if r.title == "Welcome, leader of Data Engineering"]
    assert len(welcomes) == 1
    # Leaving the community gives up leading it, and with that the network.
    await chat("leave data-eng", as_="ada")
    assert not await in_network(chat.core, "ada")


async def test_whoever_creates_a_community_is_onboarded_too(chat: Chat, port: FakePort) -> None:
    await chat("community new ml Machine Learning", as_="mo")
    await chat.deliver()
    (welcome,) = [r for r in port.to("mo") if r.title == "Welcome, leader of Machine Learning"]
    assert "Replace this text with `handbook edit`".lower() in welcome.text.lower()
    assert "The leaders' network" not in dict(welcome.fields)  # none yet
    assert "There is no leaders' network yet." in await chat.text("leaders network", as_="mo")
