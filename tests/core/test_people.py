"""One person across platforms; personal timezone."""

from __future__ import annotations

from datetime import timedelta

from bot.app import Core
from bot.clock import FrozenClock
from bot.config import Settings
from bot.messages import Command, ConversationRef, Platform, User
from storage.db import Database
from tests.helpers import Chat, text_of


async def test_link_code_joins_two_platform_accounts_into_one_member(
    core: Core, chat: Chat, community: str
) -> None:
    slack = Chat(core, Platform.SLACK)
    code_text = await chat.text("link", as_="ada")
    code = code_text.split("`")[1]
    assert "That's your own code" in await chat.text(f"link {code}", as_="ada")
    assert "wrong or expired" in await slack.text("link 1-deadbeef", as_="U_ADA")
    assert "doesn't look like a link code" in await slack.text("link hello", as_="U_ADA")
    assert "now the same person as Ada" in await slack.text(f"link {code}", as_="U_ADA")
    # From Slack, Ada is now the member of data-eng she is in the local chat.
    assert "already a member" in await slack.text("join data-eng", as_="U_ADA")


async def test_link_code_expires(core: Core, chat: Chat, clock: FrozenClock) -> None:
    code = (await chat.text("link", as_="ada")).split("`")[1]
    clock.advance(timedelta(minutes=45))
    assert "wrong or expired" in await Chat(core, Platform.SLACK).text(f"link {code}", as_="U1")


async def test_same_email_on_another_platform_is_the_same_member(
    core: Core, chat: Chat, community: str
) -> None:
    def command(platform: Platform, user_id: str, text: str) -> Command:
        user = User(platform, user_id, name="Ada L", email="Ada@Example.org")
        return Command(user, ConversationRef(platform, f"dm:{user_id}", is_direct=True), text)

    await core.router.handle(command(Platform.SLACK, "U_ADA", "join data-eng"))
    replies = await core.router.handle(command(Platform.TEAMS, "29:ada", "join data-eng"))
    assert "already a member" in text_of(replies)


async def test_timezone_is_validated_and_saved(chat: Chat) -> None:
    assert "UTC (the default)" in await chat.text("timezone", as_="ada")
    assert "not a timezone I know" in await chat.text("timezone Europe/Atlantis", as_="ada")
    assert "now America/New_York" in await chat.text("timezone America/New_York", as_="ada")
    assert "Your timezone is America/New_York" in await chat.text("timezone", as_="ada")


async def test_link_codes_depend_on_the_deployments_secret(
    core: Core, chat: Chat, settings: Settings, database: Database, clock: FrozenClock
) -> None:
    """A code is an HMAC under COPBOT_SECRET_KEY: another deployment's key cannot forge one."""
    code = (await chat.text("link", as_="ada")).split("`")[1]
    elsewhere = Core(
        settings.model_copy(update={"secret_key": "another key"}), clock=clock, db=database
    )
    forged = Chat(elsewhere, Platform.SLACK)
    assert "wrong or expired" in await forged.text(f"link {code}", as_="U_EVE")
    assert "now the same person as Ada" in await Chat(core, Platform.SLACK).text(
        f"link {code}", as_="U_ADA"
    )


async def test_a_new_persons_simultaneous_first_requests_all_succeed(core: Core) -> None:
    """Slack's App Home event and a first message can arrive together for someone new."""
    import asyncio

    from storage import people

    user = User(Platform.SLACK, "UNEW", name="New", email="new@example.org")
    requests = [
        Command(user, ConversationRef(Platform.SLACK, "DUNEW", is_direct=True), "help")
        for _ in range(4)
    ]
    answers = await asyncio.gather(*(core.router.handle(r) for r in requests))
    for replies in answers:
        assert "What I can do" in text_of(replies)
    # The same email arriving from Teams at once, for a person Slack already knows.
    teams = User(Platform.TEAMS, "29:new", name="New", email="new@example.org")
    from_teams = [
        Command(teams, ConversationRef(Platform.TEAMS, "a:new", is_direct=True), "help")
        for _ in range(3)
    ]
    for replies in await asyncio.gather(*(core.router.handle(r) for r in from_teams)):
        assert "What I can do" in text_of(replies)
    async with core.services.db.session() as session:
        slack_identity = await people.find_identity(session, Platform.SLACK, "UNEW")
        teams_identity = await people.find_identity(session, Platform.TEAMS, "29:new")
        assert slack_identity is not None and teams_identity is not None
        assert slack_identity.member_id == teams_identity.member_id


async def test_a_link_code_works_once(core: Core, chat: Chat, community: str) -> None:
    slack = Chat(core, Platform.SLACK)
    code = (await chat.text("link", as_="ada")).split("`")[1]
    assert "now the same person as Ada" in await slack.text(f"link {code}", as_="U_ADA")
    # Whoever saw the code (over a shoulder, in a log) cannot become Ada with it afterwards.
    assert "used already" in await slack.text(f"link {code}", as_="U_EVE")
    assert "already a member" not in await slack.text("join data-eng", as_="U_EVE")


async def test_a_link_code_typed_in_a_channel_is_spent_for_everyone(
    core: Core, chat: Chat, community: str
) -> None:
    slack = Chat(core, Platform.SLACK)
    code = (await chat.text("link", as_="ada")).split("`")[1]
    answer = await slack.text(f"link {code}", as_="U_ADA", channel="C_GENERAL")
    assert "shown in a shared conversation" in answer
    # Everyone in #general read it: it must not make them Ada, in the channel or privately.
    assert "used already" in await slack.text(f"link {code}", as_="U_EVE")
    assert "shown in a shared" in await slack.text(f"link {code}", as_="U_EVE", channel="C_GENERAL")
    async with core.services.db.session() as session:
        from storage import people

        eve = await people.find_member_by_platform_id(session, Platform.SLACK, "U_EVE")
        ada = await people.find_member_by_platform_id(session, Platform.CONSOLE, "ada")
        assert eve is not None and ada is not None and eve.id != ada.id
    # A fresh code, sent privately, still links Ada's accounts.
    code = (await chat.text("link", as_="ada")).split("`")[1]
    assert "now the same person as Ada" in await slack.text(f"link {code}", as_="U_ADA")
