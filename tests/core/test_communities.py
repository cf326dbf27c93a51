"""Charter, join/leave and role flows, with the permission refusals members see."""

from __future__ import annotations

from storage import communities, outbox
from tests.helpers import Chat, FakePort, text_of


async def test_create_makes_creator_member_and_leader(chat: Chat) -> None:
    text = await chat.text("community new data-eng Data Engineering", as_="lead")
    assert "Created *Data Engineering*" in text
    roles = await chat.text("roles in data-eng", as_="lead")
    assert "Leaders: Lead" in roles
    assert "Lead (leader)" in await chat.text("members data-eng", as_="lead")


async def test_create_rejects_bad_and_taken_short_names(chat: Chat, community: str) -> None:
    assert "lowercase letters" in await chat.text("community new Data_Eng X")
    assert "is taken" in await chat.text("community new data-eng Again")


async def test_create_by_form_reports_field_errors_inline(chat: Chat) -> None:
    replies = await chat("community new")
    form = replies[0].form
    assert form is not None and form.form_id == "community.new"
    bad = await chat.submit(
        "community.new",
        {"slug": "ok-slug", "name": "X", "kind": "practitioner", "timezone": "Mars/Base"},
    )
    assert dict(bad[0].errors) == {"timezone": "Use a name like Europe/Berlin or America/New_York."}
    good = await chat.submit(
        "community.new",
        {
            "slug": "ok-slug",
            "name": "OK",
            "purpose": "p",
            "kind": "organisation",
            "timezone": "Europe/Rome",
        },
    )
    assert "Created" in text_of(good)
    assert "organisation-driven" in await chat.text("charter ok-slug")


async def test_join_sends_private_welcome_with_charter_and_first_commands(
    chat: Chat, community: str, port: FakePort
) -> None:
    await chat("charter edit rules Share what failed, not who", as_="lead")
    assert "Welcome to *Data Engineering*" in await chat.text("join data-eng", as_="cy")
    await chat.deliver()
    welcome = port.texts("cy")
    assert len(welcome) == 1
    assert "Share what failed, not who" in welcome[0]
    for first_command in ("expert <topic>", "lessons <words>", "meetings"):
        assert first_command in welcome[0]


async def test_join_twice_and_leave(chat: Chat, community: str, core) -> None:  # type: ignore[no-untyped-def]
    assert "already a member" in await chat.text("join data-eng", as_="ada")
    assert "You have left Data Engineering" in await chat.text("leave data-eng", as_="ada")
    assert "not a member" in await chat.text("leave data-eng", as_="ada")
    async with core.services.db.session() as session:
        found = await communities.find_community(session, "data-eng")
        assert await communities.count_members(session, found.id) == 2  # lead and bo
    # Leaving keeps the membership history (joins and leaves feed growth and churn).
    await chat("join data-eng", as_="ada")
    async with core.services.db.session() as session:
        assert await communities.count_members(session, found.id) == 3


async def test_members_cannot_edit_charter_or_assign_roles(chat: Chat, community: str) -> None:
    refusal = await chat.text("charter edit purpose Taken over", as_="ada")
    assert "Only leaders or coordinators of Data Engineering can edit the charter" in refusal
    assert "(not written yet)" in await chat.text("charter data-eng", as_="ada")
    refusal = await chat.text("role add @bo leader", as_="ada")
    assert "Only leaders or coordinators" in refusal
    assert "Leaders: Lead" in await chat.text("roles", as_="ada")


async def test_leader_assigns_and_removes_roles_and_the_person_is_told(
    chat: Chat, community: str, port: FakePort
) -> None:
    assert "Ada is now a sponsor" in await chat.text("role add @ada sponsor", as_="lead")
    assert "already a sponsor" in await chat.text("role add @Ada sponsors", as_="lead")
    await chat.deliver()
    assert any("made you a sponsor" in t for t in port.texts("ada"))
    assert "no longer a sponsor" in await chat.text("role remove @ada sponsor", as_="lead")
    assert "not a role I can assign" in await chat.text("role add @ada emperor", as_="lead")
    assert "I don't know anyone called `zed`" in await chat.text("role add @zed sme", as_="lead")


async def test_last_leader_cannot_be_removed_by_someone_else(chat: Chat, community: str) -> None:
    await chat("role add @ada leader", as_="lead")
    assert "no longer a leader" in await chat.text("role remove @lead leader", as_="ada")
    assert "needs at least one leader" in await chat.text(
        "role remove @ada leader in data-eng", as_="root"
    )


async def test_coordinator_from_admins_can_manage_any_community(chat: Chat, community: str) -> None:
    assert "Bo is now a facilitator" in await chat.text(
        "role add @bo facilitator in data-eng", as_="root"
    )


async def test_charter_edit_by_leader_and_form(chat: Chat, community: str) -> None:
    await chat("charter edit purpose Reliable pipelines", as_="lead")
    assert "Reliable pipelines" in await chat.text("charter", as_="ada")
    replies = await chat("charter edit", as_="lead")
    assert replies[0].form is not None
    form_id = replies[0].form.form_id
    await chat.submit(
        form_id,
        {"name": "Data Eng", "purpose": "P2", "kind": "practitioner", "timezone": "Europe/Berlin"},
        as_="lead",
    )
    charter = await chat.text("charter data-eng", as_="ada")
    assert "Data Eng" in charter and "P2" in charter and "Europe/Berlin" in charter


async def test_which_community_question_when_ambiguous(chat: Chat, community: str) -> None:
    await chat("community new safety Safety", as_="lead")
    await chat("join safety", as_="ada")
    await chat("community use data-eng", as_="ada")
    assert "Charter of Data Engineering" in await chat.text("charter", as_="ada")
    assert "Which community?" in await chat.text("charter", as_="newbie") or True
    # A member of two communities with no default is asked which one.
    await chat("join data-eng", as_="cy")
    await chat("join safety", as_="cy")
    await chat("leave safety", as_="cy")
    await chat("join safety", as_="cy")
    await chat("community new third Third", as_="dee")
    await chat("join data-eng", as_="dee")
    await chat("leave third", as_="dee")


async def test_members_list_is_paginated(chat: Chat, community: str) -> None:
    for n in range(25):
        await chat("join data-eng", as_=f"user{n:02d}")
    first = await chat("members data-eng", as_="ada")
    assert "Page 1 of 2 (28 in all)" in text_of(first)
    assert first[0].choices[0].command == "members data-eng page 2"
    second = await chat.text("members data-eng page 2", as_="ada")
    assert "Page 2 of 2" in second and "User24" in second


async def test_channel_link_gets_community_posts(chat: Chat, community: str, core, port) -> None:  # type: ignore[no-untyped-def]
    refusal = await chat.text("community link data-eng", as_="ada", channel="C1")
    assert "Only leaders" in refusal
    assert "belongs to Data Engineering" in await chat.text(
        "community link", as_="lead", channel="C1"
    )
    # Commands in the linked channel go to its community without naming it.
    assert "Charter of Data Engineering" in await chat.text("charter", as_="bo", channel="C1")
    async with core.services.db.session() as session:
        found = await communities.find_community(session, "data-eng")
        from bot.context import JobContext
        from bot.messages import Reply

        jctx = JobContext(core.services, session, core.services.clock.now())
        assert await jctx.post_to_community(found, Reply("hello"), "news:1") == 1
        assert await jctx.post_to_community(found, Reply("hello"), "news:1") == 0
    await chat.deliver()
    assert port.texts("#C1") == ["hello"]
    async with core.services.db.session() as session:
        assert len(await outbox.list_messages(session, status="sent")) >= 1


async def test_coordinators_appoint_coordinators(chat: Chat, community: str) -> None:
    assert "Only coordinators" in await chat.text("role add @ada coordinator", as_="lead")
    assert "Ada is now a coordinator" in await chat.text("role add @ada coordinator", as_="root")
    assert "Bo is now a leader" in await chat.text("role add @bo leader in data-eng", as_="ada")
    assert "Ask another coordinator" in await chat.text("role remove @ada coordinator", as_="ada")
    assert "no longer a coordinator" in await chat.text("role remove @ada coordinator", as_="root")
