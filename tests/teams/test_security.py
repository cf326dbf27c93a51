"""Attacks on the Teams edge: crafted card data and claims a sender should not be able to make.

Card data (`Action.Submit`) is written by the client, so anyone can send any `cop_command`,
`cop_form` or field. The core must treat it exactly as typed text from that sender: their own
identity, their own permissions.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from adapters.teams.cards import COMMAND_KEY, FORM_DEF_KEY, FORM_KEY
from bot.clock import FrozenClock
from bot.messages import Platform
from storage import communities, people
from storage.db import Database
from tests.teams.driver import APP_ID, TeamsDriver
from tests.teams.fake_connector import PASSWORD, TENANT


async def _community(teams: TeamsDriver, slug: str):  # type: ignore[no-untyped-def]
    async with teams.adapter.core.services.db.session() as session:
        return await communities.find_community(session, slug)


async def _click(teams: TeamsDriver, value: dict, user_id: str) -> str:
    before = len(teams.fake.calls)
    response = await teams.post(teams.click(value, user_id))
    assert response.status == 201
    return await teams._read(user_id, before)


async def test_crafted_form_for_a_community_one_does_not_lead_is_refused(
    teams: TeamsDriver,
) -> None:
    await teams.say("community new ops Operations", "29:lead")
    await teams.say("join ops", "29:mallory")
    # A charter form Mallory was never shown, for a community she does not lead.
    answer = await _click(
        teams,
        {FORM_KEY: "community.edit:ops", "name": "Pwned", "purpose": "owned", FORM_DEF_KEY: {}},
        "29:mallory",
    )
    assert "Only leaders or coordinators of Operations can edit the charter" in answer
    community = await _community(teams, "ops")
    assert community is not None and community.name == "Operations" and community.purpose == ""


async def test_hidden_form_argument_cannot_be_smuggled_in_as_a_field(teams: TeamsDriver) -> None:
    await teams.say("community new ops Operations", "29:lead")
    await teams.say("community new mine Mine", "29:mallory")
    # `_arg` rides only in the form id; a field named `_arg` must not redirect the form.
    await _click(
        teams,
        {FORM_KEY: "community.edit:mine", "_arg": "ops", "name": "Pwned", "purpose": "x"},
        "29:mallory",
    )
    ops = await _community(teams, "ops")
    mine = await _community(teams, "mine")
    assert ops is not None and ops.name == "Operations"
    assert mine is not None and mine.name == "Pwned"


async def test_crafted_command_runs_as_the_sender_not_as_a_leader(teams: TeamsDriver) -> None:
    await teams.say("community new ops Operations", "29:lead")
    await teams.say("join ops", "29:mallory")
    answer = await _click(teams, {COMMAND_KEY: "role add @mallory leader in ops"}, "29:mallory")
    assert "Only leaders or coordinators of Operations" in answer
    ops = await _community(teams, "ops")
    assert ops is not None and ops.id is not None
    async with teams.adapter.core.services.db.session() as session:
        mallory = await people.find_member_by_platform_id(session, Platform.TEAMS, "29:mallory")
        assert mallory is not None and mallory.id is not None
        assert await communities.roles_of(session, ops.id, mallory.id) == set()


async def test_unknown_or_malformed_form_ids_are_answered_not_crashed(teams: TeamsDriver) -> None:
    for form_id in ("no.such.form", "community.edit:", ":", "", "health.check:abc", 7):
        answer = await _click(teams, {FORM_KEY: form_id, FORM_DEF_KEY: "junk"}, "29:mallory")
        assert "something went wrong" not in answer.lower(), form_id
        assert "Traceback" not in answer


# -- who a sender is ---------------------------------------------------------------------------


@pytest.fixture
async def multi_tenant(database: Database, clock: FrozenClock) -> AsyncIterator[TeamsDriver]:
    """A real multi-tenant registration whose home tenant is TENANT."""
    driver = await TeamsDriver.start(
        clock=clock,
        db=database,
        settings={
            "MICROSOFT_APP_ID": APP_ID,
            "MICROSOFT_APP_PASSWORD": PASSWORD,
            "MICROSOFT_APP_TENANT_ID": TENANT,
        },
    )
    yield driver
    await driver.close()


async def test_profile_emails_from_other_tenants_do_not_claim_a_person(
    multi_tenant: TeamsDriver, database: Database, clock: FrozenClock
) -> None:
    # Any Entra tenant can talk to a multi-tenant bot and set any `mail` on its users:
    # only the home tenant's emails may join a Teams sender to a member known elsewhere.
    adapter = multi_tenant.adapter
    assert adapter._email_trusted(TENANT)
    assert adapter._email_trusted(TENANT.upper())
    assert not adapter._email_trusted("attacker-tenant")
    assert not adapter._email_trusted(None)
    no_home = await TeamsDriver.start(
        clock=clock,
        db=database,
        settings={"MICROSOFT_APP_ID": APP_ID, "MICROSOFT_APP_PASSWORD": PASSWORD},
    )
    try:
        assert not no_home.adapter._email_trusted(TENANT)
    finally:
        await no_home.close()


async def test_emulator_mode_still_links_by_email(teams: TeamsDriver) -> None:
    assert teams.adapter._email_trusted("any-tenant")


async def _sender(teams: TeamsDriver, user_id: str, tenant: str):  # type: ignore[no-untyped-def]
    """The `User` the adapter makes of a sender, with the profile the fake connector holds."""
    from botbuilder.core import TurnContext
    from botbuilder.schema import Activity, ChannelAccount, ConversationAccount
    from botframework.connector.aio import ConnectorClient
    from msrest.authentication import Authentication

    adapter = teams.adapter
    activity = Activity(type="message", conversation=ConversationAccount(id=f"a:dm-{user_id}"))
    context = TurnContext(adapter.cloud, activity)
    connector = ConnectorClient(Authentication(), base_url=teams.fake.url)
    context.turn_state[adapter.cloud.BOT_CONNECTOR_CLIENT_KEY] = connector
    return await adapter._user(context, user_id, ChannelAccount(id=user_id), tenant)


async def test_a_foreign_tenant_sender_gets_no_email_to_claim_a_coordinator_with(
    multi_tenant: TeamsDriver,
) -> None:
    multi_tenant.fake.profiles["29:evil"] = {"name": "Boss", "email": "boss@corp.example"}
    multi_tenant.fake.profiles["29:boss"] = {"name": "Boss", "email": "boss@corp.example"}
    foreign = await _sender(multi_tenant, "29:evil", "attacker-tenant")
    assert foreign.email is None
    home = await _sender(multi_tenant, "29:boss", TENANT)
    assert home.email == "boss@corp.example"


@pytest.mark.parametrize(
    "header",
    [
        {"X-Forwarded-For": "203.0.113.9"},
        {"Forwarded": "for=203.0.113.9"},
        {"X-Real-IP": "203.0.113.9"},
        {"Via": "1.1 proxy"},
    ],
)
async def test_emulator_mode_refuses_what_a_reverse_proxy_relays(
    teams: TeamsDriver, header: dict[str, str]
) -> None:
    # Behind nginx on the same host every request comes from 127.0.0.1: without an app id
    # anyone could then speak as any Teams user, the admins included.
    response = await teams.post(teams.message("community new evil Evil", "29:root"), headers=header)
    assert response.status == 401
    assert teams.fake.calls == []
    assert await _community(teams, "evil") is None
