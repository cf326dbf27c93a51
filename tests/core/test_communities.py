"""Charter, join/leave and role flows, with the permission refusals members see."""

from __future__ import annotations

import re

from bot.messages import Reply
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


async def test_the_charter_kind_is_set_by_its_words(chat: Chat, community: str) -> None:
    for words, shown in (
        ("organisation-driven", "organisation-driven"),
        ("practitioner", "practitioner-driven"),
        ("organization", "organisation-driven"),
        ("Practitioner-driven", "practitioner-driven"),
        ("organisation", "organisation-driven"),
    ):
        answer = await chat.text(f"charter edit kind {words}", as_="lead")
        assert "Updated the kind" in answer, answer
        assert f"Kind: {shown}" in await chat.text("charter", as_="lead")
    refusal = await chat.text("charter edit kind orgasmic", as_="lead")
    assert "`practitioner`" in refusal and "`organisation`" in refusal
    assert "`organization`" in refusal and "characters" not in refusal
    assert "Kind: organisation-driven" in await chat.text("charter", as_="lead")  # kept


async def test_join_sends_private_welcome_with_charter_and_first_commands(
    chat: Chat, community: str, port: FakePort
) -> None:
    await chat("charter edit rules Share what failed, not who", as_="lead")
    await chat("charter edit purpose Reliable pipelines", as_="lead")
    await chat("charter edit goals Halve repeat incidents", as_="lead")
    assert "Welcome to *Data Engineering*" in await chat.text("join data-eng", as_="cy")
    await chat.deliver()
    welcome = port.texts("cy")
    assert len(welcome) == 1
    assert "Share what failed, not who" in welcome[0]
    assert "Reliable pipelines" in welcome[0] and "Goals: Halve repeat incidents" in welcome[0]
    assert "Scope" not in welcome[0]  # not written yet: nothing to show
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
    await chat("community new third Third", as_="lead")
    # Joining or leaving moves the default; leaving the default leaves none.
    for line in ("join data-eng", "join safety", "join third", "leave third"):
        await chat(line, as_="cy")
    question = await chat.text("charter", as_="cy")
    assert "Which community? Add `in <community>` to the command:" in question
    assert "`data-eng`" in question and "`safety`" in question and "`third`" not in question
    assert "Charter of Safety" in await chat.text("charter in safety", as_="cy")
    assert "Charter of Safety" in await chat.text("charter", as_="cy")  # remembered
    await chat("community use data-eng", as_="cy")
    assert "Charter of Data Engineering" in await chat.text("charter", as_="cy")
    # Someone in no community is told how to find one, not asked which.
    assert "You are not in a community yet" in await chat.text("charter", as_="newbie")
    # Someone in exactly one needs no default.
    assert "Charter of Data Engineering" in await chat.text("charter", as_="bo")


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


async def test_communities_list_is_paginated(chat: Chat) -> None:
    for n in range(23):
        await chat(f"community new c{n:02d} Community {n:02d}", as_="lead")
    first = await chat("communities", as_="ada")
    text = text_of(first)
    assert "Page 1 of 3 (23 in all)" in text
    assert "Community 00" in text and "Community 09" in text and "Community 10" not in text
    commands = [c.command for c in first[0].choices]
    assert commands[:10] == [f"join c{n:02d}" for n in range(10)]
    assert commands[-1] == "communities page 2"
    second = text_of(await chat.click(first[0].choices[-1], as_="ada"))
    assert "Page 2 of 3" in second and "Community 10" in second and "Community 09" not in second
    third = await chat("communities page 3", as_="ada")
    assert "Community 22" in text_of(third) and "Community 19" not in text_of(third)
    assert all(not c.command or "page" not in c.command for c in third[0].choices)
    # Past the end shows the last page rather than nothing.
    assert "Community 22" in await chat.text("communities page 99", as_="ada")
    # The leader is in all of them: no join buttons, only the next page.
    [mine] = await chat("communities", as_="lead")
    assert [c.command for c in mine.choices] == ["communities page 2"]


def _labels(replies: list[Reply]) -> list[str]:
    return [c.label for r in replies for c in r.choices]


async def test_charter_buttons_follow_the_readers_roles(chat: Chat, community: str) -> None:
    assert _labels(await chat("charter data-eng", as_="cy")) == ["Join"]
    assert _labels(await chat("charter data-eng", as_="ada")) == ["Members"]
    assert _labels(await chat("charter data-eng", as_="lead")) == ["Members", "Edit charter"]
    # A coordinator who never joined may edit and list members, and may join.
    assert _labels(await chat("charter data-eng", as_="root")) == [
        "Join",
        "Members",
        "Edit charter",
    ]


# The foundation's own verbs, as each kind of person would try them.
FOUNDATION_LINES = (
    "help",
    "home",
    "communities",
    "charter data-eng",
    "members data-eng",
    "roles in data-eng",
    "timezone",
)
REFUSAL = re.compile(r"\bOnly [a-z ,]+s\b.* can |Join [^.]+ to see")


async def test_no_one_is_shown_a_button_their_role_refuses(chat: Chat, community: str) -> None:
    """Every button in the answers to the foundation's verbs works for the person who sees it."""
    clicked = 0
    for who in ("cy", "ada", "bo", "lead", "root"):
        joins = []
        for line in FOUNDATION_LINES:
            replies = await chat(line, as_=who)
            for choice in (c for r in replies for c in r.choices if c.command):
                if (choice.command or "").startswith("join "):
                    joins.append(choice)  # joining changes what the rest allow: press it last
                    continue
                answer = text_of(await chat.click(choice, as_=who))
                assert not REFUSAL.search(answer), (who, line, choice.label, answer)
                clicked += 1
        for choice in joins:
            assert not REFUSAL.search(text_of(await chat.click(choice, as_=who)))
    assert clicked >= 15  # the check saw buttons to press (18 today)


async def test_home_tells_leaders_what_needs_their_attention(chat: Chat, community: str) -> None:
    home = await chat.text("home", as_="lead")
    assert "Needs your attention" in home
    assert "the charter has no purpose or ground rules yet" in home
    assert "no channel gets its reminders yet" in home
    # Members see their communities, not the leaders' to-do list.
    member_home = await chat.text("home", as_="ada")
    assert "Data Engineering" in member_home and "Needs your attention" not in member_home
    await chat("charter edit purpose Reliable pipelines", as_="lead")
    assert "has no ground rules yet" in await chat.text("home", as_="lead")
    await chat("charter edit rules Be kind", as_="lead")
    await chat("community link data-eng", as_="lead", channel="C1")
    assert "Needs your attention" not in await chat.text("home", as_="lead")


async def test_every_assignable_role_can_be_given_shown_and_taken(
    chat: Chat, community: str
) -> None:
    from bot.permissions import ASSIGNABLE_ROLES

    for role in ASSIGNABLE_ROLES:
        given = await chat.text(f"role add @bo {role.value}", as_="lead")
        assert f"Bo is now a {role.value} of Data Engineering" in given
    roles = await chat.text("roles in data-eng", as_="ada")
    for heading in ("Leaders", "Facilitators", "SME", "Mentors", "Sponsors"):
        assert f"{heading}: " in roles and "Bo" in roles.split(f"{heading}: ")[1].split("\n")[0]
    assert "Bo (facilitator, leader, mentor, sme, sponsor)" in await chat.text(
        "members data-eng", as_="ada"
    )
    for role in ASSIGNABLE_ROLES:
        taken = await chat.text(f"role remove @bo {role.value}", as_="lead")
        assert f"Bo is no longer a {role.value}" in taken
    assert "Bo (" not in await chat.text("members data-eng", as_="ada")


async def test_leaving_gives_up_roles_and_the_last_leader_hands_over_first(
    chat: Chat, community: str
) -> None:
    await chat("role add @ada leader", as_="lead")
    await chat("role add @ada mentor", as_="lead")
    left = await chat.text("leave data-eng", as_="ada")
    assert "You have left Data Engineering. You are no longer its leader, mentor." in left
    await chat("join data-eng", as_="ada")
    refused = await chat.text("charter edit purpose Ada rules now", as_="ada")
    assert "Only leaders" in refused
    assert "Ada" not in await chat.text("roles data-eng", as_="bo")

    last = await chat.text("leave data-eng", as_="lead")
    assert "You are the last leader of Data Engineering" in last
    assert "role add @person leader in data-eng" in last
    assert "Lead (leader)" in await chat.text("members data-eng", as_="bo")
    await chat("role add @bo leader", as_="lead")
    assert "You have left Data Engineering" in await chat.text("leave data-eng", as_="lead")


async def test_a_refusal_names_who_can_in_plain_english(chat: Chat, community: str) -> None:
    refused = await chat.text("charter edit purpose Mine now", as_="ada")
    assert re.search(r"Only leaders(, \w+)* or \w+ of Data Engineering can ", refused), refused
    assert " or " in refused and refused.count(" or ") == 1
