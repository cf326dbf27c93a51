"""Teams over real HTTP: Bot Framework activities to /api/messages, a fake connector behind it."""

from __future__ import annotations

import json
from typing import Any

import jwt
import pytest

from adapters.teams.cards import CARD_TYPE, activity_to_text, buttons, forms
from bot.app import build_registry
from bot.clock import FrozenClock
from bot.messages import Platform
from storage import communities, conversations, people
from storage.db import Database
from tests.teams.driver import APP_ID, CHANNEL, TeamsDriver, personal_conversation
from tests.teams.fake_connector import BOT_ID, TENANT

REGISTRY = build_registry()  # the verbs of this build, for parametrising
APOLOGY = "something went wrong"
JSON = "application/json"


async def _community_exists(teams: TeamsDriver, slug: str) -> bool:
    async with teams.adapter.core.services.db.session() as session:
        return await communities.find_community(session, slug) is not None


def _cards(call_body: dict[str, Any]) -> list[dict[str, Any]]:
    attachments = call_body.get("attachments") or []
    return [a["content"] for a in attachments if a["contentType"] == CARD_TYPE]


# -- authentication ----------------------------------------------------------------------------


def _forged(**claims: Any) -> str:
    payload = {"iss": "https://api.botframework.com", "aud": APP_ID, **claims}
    return jwt.encode(payload, "a-guessed-secret-that-is-long-enough-for-hs256", algorithm="HS256")


def _evil_issuer_token() -> str:
    # An RS256-looking header over a token from the wrong issuer, never validly signed.
    header = {"alg": "RS256", "typ": "JWT", "kid": "k1"}
    payload = {"iss": "https://evil.example.com", "aud": APP_ID}
    segments = [
        jwt.utils.base64url_encode(json.dumps(part).encode()).decode() for part in (header, payload)
    ]
    return ".".join([*segments, "c2lnbmF0dXJl"])


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": ""},
        {"Authorization": "Bearer"},
        {"Authorization": "Bearer x.y.z"},
        {"Authorization": "Bearer not-a-jwt"},
        {"Authorization": "Basic dXNlcjpwYXNz"},
        {"Authorization": "Bearer " + _forged()},
        {"Authorization": "Bearer " + _evil_issuer_token()},
        {"Authorization": "Bearer \xff\xfe"},
    ],
    ids=[
        "missing",
        "empty",
        "bearer-without-token",
        "malformed-jwt",
        "not-a-jwt",
        "basic",
        "hs256-forged",
        "wrong-issuer",
        "binary",
    ],
)
async def test_without_a_valid_token_401_and_nothing_happens(
    secured: TeamsDriver, headers: dict[str, str]
) -> None:
    activity = secured.message("community new evil Evil", "29:mallory")
    response = await secured.post(activity, headers=headers)
    assert response.status == 401
    assert secured.fake.calls == []
    assert not await _community_exists(secured, "evil")
    async with secured.adapter.core.services.db.session() as session:
        assert await people.find_identity(session, Platform.TEAMS, "29:mallory") is None


async def test_bad_requests_are_4xx_not_500(teams: TeamsDriver) -> None:
    client = teams.client
    cases = [
        (b"{not json", "application/json", 400),
        (b"[]", "application/json", 400),
        (json.dumps({"text": "no type"}).encode(), "application/json", 400),
        (b"type=message", "application/x-www-form-urlencoded", 415),
        (json.dumps({"type": "message", "text": "help"}).encode(), "application/json", 400),
        (json.dumps({**teams.message("help", "29:a"), "serviceUrl": ""}).encode(), JSON, 400),
        (json.dumps({**teams.message("help", "29:a"), "from": None}).encode(), JSON, 400),
        (json.dumps({**teams.message("help", "29:a"), "conversation": 7}).encode(), JSON, 400),
    ]
    for body, content_type, status in cases:
        response = await client.post(
            "/api/messages", data=body, headers={"Content-Type": content_type}
        )
        assert response.status == status, body
    assert teams.fake.calls == []


async def test_mount_reports_how_teams_is_connected() -> None:
    from bot.app import STATUS, create_app
    from bot.config import Settings

    def status(**env: str) -> str:
        settings = Settings(DATABASE_URL="sqlite+aiosqlite:///unused.db", **env)
        app = create_app(settings, run_scheduler=False, migrate=False)
        return app[STATUS][1]

    emulator = status()
    assert emulator.startswith("Teams: emulator mode at http://127.0.0.1:3978/api/messages")
    assert "no authentication" in emulator and "loopback only" in emulator
    assert status(HOST="0.0.0.0").startswith("Teams: not connected")
    connected = status(HOST="0.0.0.0", MICROSOFT_APP_ID=APP_ID, MICROSOFT_APP_PASSWORD="s")
    assert connected.startswith("Teams: listening on http://0.0.0.0:3978/api/messages")
    single = status(MICROSOFT_APP_ID=APP_ID, MICROSOFT_APP_TYPE="SingleTenant")
    assert single == (
        "Teams: not connected (MICROSOFT_APP_TYPE=SingleTenant needs MICROSOFT_APP_PASSWORD "
        "and MICROSOFT_APP_TENANT_ID)"
    )
    assert "not one of" in status(MICROSOFT_APP_ID=APP_ID, MICROSOFT_APP_TYPE="Weird")
    assert status(MICROSOFT_APP_ID=APP_ID).startswith("Teams: not connected")  # no password
    ok = status(
        MICROSOFT_APP_ID=APP_ID,
        MICROSOFT_APP_PASSWORD="s",
        MICROSOFT_APP_TYPE="SingleTenant",
        MICROSOFT_APP_TENANT_ID="t",
    )
    assert ok.startswith("Teams: listening on")


async def test_not_mounted_when_emulator_mode_would_be_public(
    database: Database, clock: FrozenClock
) -> None:
    from aiohttp.test_utils import TestClient, TestServer

    from bot.app import create_app
    from bot.config import Settings

    settings = Settings(DATABASE_URL="sqlite+aiosqlite:///unused.db", HOST="0.0.0.0")
    app = create_app(settings, clock=clock, db=database, run_scheduler=False, migrate=False)
    async with TestClient(TestServer(app, host="127.0.0.1")) as client:
        response = await client.post("/api/messages", json={"type": "message"})
        assert response.status in (404, 405)


# -- messages ----------------------------------------------------------------------------------


@pytest.mark.parametrize("verb", sorted(REGISTRY.commands))
async def test_every_verb_answers_from_teams(teams: TeamsDriver, verb: str) -> None:
    for text in (f"help {verb}", verb):
        before = len(teams.fake.calls)
        response = await teams.post(teams.message(text, "29:root"))
        assert response.status == 201
        sent = [c for c in teams.fake.calls[before:] if c.kind in ("reply", "send")]
        assert sent, text
        for call in sent:
            [card] = _cards(call.body)[:1]
            assert card["version"] == "1.5"
            shown = activity_to_text(call.body)
            assert shown.strip()
            assert APOLOGY not in shown, (text, shown)


async def test_personal_message_gets_a_card_reply_in_the_chat(teams: TeamsDriver) -> None:
    response = await teams.post(teams.message("cop help", "29:ada"))
    assert response.status == 201
    [reply] = teams.fake.of("reply")
    assert reply.conversation_id == personal_conversation("29:ada")
    assert reply.activity_id.startswith("act-")  # threaded to the message it answers
    assert reply.authorization is None  # emulator mode: no outbound token
    assert reply.body["summary"] == "What I can do"
    [card] = _cards(reply.body)
    assert card["$schema"] == "http://adaptivecards.io/schemas/adaptive-card.json"
    assert card["body"][0] == {
        "type": "TextBlock",
        "text": "What I can do",
        "wrap": True,
        "size": "Medium",
        "weight": "Bolder",
    }


async def test_driver_reads_like_a_person(teams: TeamsDriver) -> None:
    await teams.say("community new data-eng Data Engineering", "29:lead")
    listing = await teams.say("communities", "29:ada")
    assert "[Join data-eng]" in listing
    joined = await teams.press("Join data-eng", "29:ada")
    assert "Welcome to *Data Engineering*" in joined
    assert "Welcome to Data Engineering" in joined  # the DM header, delivered meanwhile
    charter = await teams.press("Charter", "29:ada")
    assert "Charter of Data Engineering" in charter


async def test_button_round_trip_and_welcome_dm_through_the_outbox(teams: TeamsDriver) -> None:
    await teams.say("community new data-eng Data Engineering", "29:lead")
    await teams.post(teams.message("communities", "29:ada"))
    listing = teams.fake.of("reply")[-1]
    [(_label, value)] = [b for b in buttons(listing.body) if b[0] == "Join data-eng"]
    assert value == {"cop_command": "join data-eng"}
    before = len(teams.fake.calls)
    response = await teams.post(teams.click(value, "29:ada", reply_to=listing.body["id"]))
    assert response.status == 201
    await teams.adapter.core.heartbeat.deliver()
    new = teams.fake.calls[before:]
    [answer] = [c for c in new if c.kind == "reply"]
    assert "Welcome to" in activity_to_text(answer.body)
    # The welcome DM went through the outbox and the Teams port, as a new message in the chat.
    [dm] = [c for c in new if c.kind == "send"]
    assert dm.conversation_id == personal_conversation("29:ada")
    assert _cards(dm.body)[0]["body"][0]["text"] == "Welcome to Data Engineering"
    assert "replyToId" not in dm.body


async def test_many_choices_become_a_choice_set_that_round_trips(
    teams: TeamsDriver, test_verbs: None
) -> None:
    await teams.post(teams.message("test-many", "29:ada"))
    [reply] = teams.fake.of("reply")
    [card] = _cards(reply.body)
    [choice_set] = [e for e in card["body"] if e["type"] == "Input.ChoiceSet"]
    assert len(choice_set["choices"]) == 8
    shown = await teams.say("test-many", "29:ada")
    assert "[Go 3]" in shown
    answer = await teams.press("Go 3", "29:ada")
    assert "help" in answer.lower() or "don't know" in answer


async def test_replace_updates_the_clicked_card_in_place(
    teams: TeamsDriver, test_verbs: None
) -> None:
    response = await teams.post(
        teams.click({"cop_command": "test-replace"}, "29:ada", reply_to="m42")
    )
    assert response.status == 201
    [update] = teams.fake.of("update")
    assert update.activity_id == "m42"
    assert update.conversation_id == personal_conversation("29:ada")
    assert "Replaced" in activity_to_text(update.body)
    assert teams.fake.of("reply", "send") == []


async def test_retried_activity_acts_once(teams: TeamsDriver) -> None:
    activity = teams.message("help", "29:ada")
    assert (await teams.post(activity)).status == 201
    assert (await teams.post(activity)).status == 201
    assert len(teams.fake.of("reply")) == 1


async def test_unknown_text_gets_help(teams: TeamsDriver) -> None:
    shown = await teams.say("frobnicate", "29:ada")
    assert "I don't know" in shown


# -- forms -------------------------------------------------------------------------------------


async def test_form_with_a_validation_error_is_sent_again_then_accepted(
    teams: TeamsDriver,
) -> None:
    shown = await teams.say("community new", "29:lead")
    assert "[form: New community]" in shown
    [reply] = teams.fake.of("reply")
    [card] = _cards(reply.body)
    [form] = [e for e in card["body"] if e["type"] == "Container"]
    inputs = {e["id"]: e for e in form["items"] if e["type"].startswith("Input.")}
    assert inputs["slug"]["type"] == "Input.Text"
    assert inputs["slug"]["isRequired"] is True
    assert inputs["purpose"]["isMultiline"] is True
    assert inputs["kind"]["type"] == "Input.ChoiceSet"
    [submit] = forms(reply.body)
    assert submit["cop_form"] == "community.new"
    values = {
        "slug": "Not A Slug!",
        "name": "Data",
        "purpose": "p",
        "kind": "practitioner",
        "timezone": "UTC",
    }
    again = await teams.submit(values, "29:lead")
    assert not await _community_exists(teams, "not-a-slug")
    # The same form comes back with the person's values and the error under the field.
    [resent] = teams.fake.of("reply")[1:]
    [card] = _cards(resent.body)
    [form] = [e for e in card["body"] if e["type"] == "Container"]
    items = form["items"]
    slug_at = next(i for i, e in enumerate(items) if e.get("id") == "slug")
    assert items[slug_at]["value"] == "Not A Slug!"
    error = next(e for e in items[slug_at + 1 :] if e.get("color") == "Attention")
    assert error["type"] == "TextBlock"
    assert "[form: New community]" in again
    done = await teams.submit({**values, "slug": "data-eng"}, "29:lead")
    assert await _community_exists(teams, "data-eng")
    assert "Created" in done


async def test_unknown_form_is_answered_kindly(teams: TeamsDriver) -> None:
    shown_before = len(teams.fake.calls)
    await teams.post(teams.click({"cop_form": "nope.form", "x": "1"}, "29:ada"))
    [reply] = [c for c in teams.fake.calls[shown_before:] if c.kind == "reply"]
    assert "expired" in activity_to_text(reply.body)


# -- channels ----------------------------------------------------------------------------------


async def test_channel_mention_strips_the_bot_and_answers_privately_in_a_1to1(
    teams: TeamsDriver,
) -> None:
    response = await teams.post(teams.mention("help", "29:ada"))
    assert response.status == 201
    # Teams has no ephemeral messages: a private answer goes to the person's 1:1 chat,
    # created next to the channel (same service URL and tenant).
    [created] = teams.fake.of("create")
    assert created.body["members"] == [{"id": "29:ada"}]
    assert created.body["channelData"] == {"tenant": {"id": TENANT}}
    assert created.body["bot"]["id"] == BOT_ID
    [sent] = teams.fake.of("send")
    assert sent.conversation_id == "a:dm-29:ada"
    assert "What I can do" in activity_to_text(sent.body)
    assert not [c for c in teams.fake.messages() if c.conversation_id.startswith(CHANNEL)]
    async with teams.adapter.core.services.db.session() as session:
        direct = await conversations.direct_conversation(session, Platform.TEAMS, "29:ada")
    assert direct is not None and direct.conversation_id == "a:dm-29:ada"


async def test_channel_visible_answer_goes_in_the_thread(teams: TeamsDriver) -> None:
    await teams.say("community new data-eng Data Engineering", "29:lead")
    activity = teams.mention("community link data-eng", "29:lead")
    await teams.post(activity)
    replies = [c for c in teams.fake.of("reply") if c.conversation_id.startswith(CHANNEL)]
    assert replies, [c.kind for c in teams.fake.calls]
    assert replies[0].conversation_id == activity["conversation"]["id"]
    assert replies[0].activity_id == activity["id"]
    # The link is stored without the thread part, so community posts start new threads.
    async with teams.adapter.core.services.db.session() as session:
        row = await conversations.get_conversation(session, Platform.TEAMS, CHANNEL)
    assert row is not None and row.raw_ref is not None
    assert row.raw_ref["conversation"]["id"] == CHANNEL


async def test_other_mentions_reach_the_core_as_user_tokens(teams: TeamsDriver) -> None:
    await teams.say("community new data-eng Data Engineering", "29:lead")
    await teams.say("join data-eng", "29:ada")
    activity = teams.message(
        "role add <at>Ada Lovelace</at> facilitator in data-eng",
        "29:lead",
        entities=[
            {
                "type": "mention",
                "mentioned": {"id": "29:ada", "name": "Ada Lovelace"},
                "text": "<at>Ada Lovelace</at>",
            }
        ],
    )
    before = len(teams.fake.calls)
    await teams.post(activity)
    shown = "\n".join(activity_to_text(c.body) for c in teams.fake.calls[before:] if c.body)
    assert "I haven't met" not in shown, shown
    assert APOLOGY not in shown


async def test_user_typed_markup_is_shown_not_acted_on(teams: TeamsDriver) -> None:
    name = "Data **Bold** [x](https://evil.example) crew"
    await teams.say(f"community new data-eng {name}", "29:lead")
    # Teams sends typed angle brackets as entities; only real mentions come as <at> tags.
    purpose = "Ping &lt;at&gt;Everyone&lt;/at&gt; and _me_ [click](https://evil.example)"
    await teams.say(f"charter edit purpose {purpose}", "29:lead")
    before = len(teams.fake.calls)
    shown = await teams.say("charter data-eng", "29:ada")
    assert "<at>Everyone</at>" in shown  # readable as typed
    assert "Data **Bold** [x](https://evil.example) crew" in shown
    messages = [c for c in teams.fake.calls[before:] if c.kind in ("reply", "send")]
    assert messages
    for call in messages:
        assert "mention" not in json.dumps(call.body)  # no mention entities: nobody notified
        markup = "\n".join(_markdown_strings(_cards(call.body)))
        assert "[click](" not in markup and "[x](" not in markup
        assert "**Bold**" not in markup
        assert "<at>" not in markup
        assert "\\[click\\](https" in markup  # backslash-escaped in the card text


def _markdown_strings(value: object) -> list[str]:
    """Every string a TextBlock or FactSet parses as Markdown (the rest is shown literally)."""
    found: list[str] = []
    if isinstance(value, dict):
        if value.get("type") == "TextBlock":
            found.append(value["text"])
        for fact in value.get("facts") or []:
            found.extend([fact["title"], fact["value"]])
        for item in value.values():
            found.extend(_markdown_strings(item))
    elif isinstance(value, list):
        for item in value:
            found.extend(_markdown_strings(item))
    return found


# -- installation and new members ----------------------------------------------------------------


async def test_installation_stores_the_reference_and_says_hello_once(teams: TeamsDriver) -> None:
    conversation = {
        "id": personal_conversation("29:ada"),
        "conversationType": "personal",
        "tenantId": TENANT,
    }
    update = teams.activity(
        "29:ada",
        kind="conversationUpdate",
        conversation=conversation,
        membersAdded=[{"id": BOT_ID}],
    )
    install = teams.activity(
        "29:ada", kind="installationUpdate", conversation=conversation, action="add"
    )
    assert (await teams.post(update)).status == 201
    assert (await teams.post(install)).status == 201
    [hello] = teams.fake.of("send")
    assert hello.conversation_id == conversation["id"]
    assert "Hello from copbot" in activity_to_text(hello.body)
    async with teams.adapter.core.services.db.session() as session:
        row = await conversations.direct_conversation(session, Platform.TEAMS, "29:ada")
    assert row is not None and row.raw_ref is not None
    assert row.raw_ref["serviceUrl"] == teams.fake.url


async def test_added_to_a_team_says_hello_in_the_channel_and_welcomes_members(
    teams: TeamsDriver,
) -> None:
    channel = teams.channel_conversation()
    added = teams.activity(
        "29:lead",
        kind="conversationUpdate",
        conversation=channel,
        membersAdded=[{"id": BOT_ID}],
    )
    await teams.post(added)
    [hello] = teams.fake.of("send")
    assert hello.conversation_id == CHANNEL
    joined = teams.activity(
        "29:lead",
        kind="conversationUpdate",
        conversation=channel,
        membersAdded=[{"id": "29:newbie", "name": "Newbie"}],
    )
    await teams.post(joined)
    await teams.post(joined)  # Teams may deliver it twice: one welcome only
    [created] = teams.fake.of("create")
    assert created.body["members"] == [{"id": "29:newbie"}]
    welcomes = [c for c in teams.fake.of("send") if c.conversation_id == "a:dm-29:newbie"]
    assert len(welcomes) == 1
    assert "Hi Newbie" in activity_to_text(welcomes[0].body)


async def test_profile_email_links_one_person(teams: TeamsDriver) -> None:
    teams.fake.profiles["29:ada"] = {
        "name": "Ada Lovelace",
        "email": "ada@example.com",
        "userPrincipalName": "ada@example.com",
    }
    await teams.say("help", "29:ada")
    await teams.say("help", "29:ada")
    assert len(teams.fake.of("member")) == 1  # cached
    async with teams.adapter.core.services.db.session() as session:
        identity = await people.find_identity(session, Platform.TEAMS, "29:ada")
        assert identity is not None
        member = await people.get_member(session, identity.member_id)
    assert member is not None and member.display_name == "Ada Lovelace"
    assert identity.email == "ada@example.com"


async def test_form_error_in_a_channel_comes_back_in_the_thread(teams: TeamsDriver) -> None:
    activity = teams.mention("community new", "29:lead")
    await teams.post(activity)
    # The form itself is private: it arrives in the person's 1:1 chat ...
    [form_message] = teams.fake.of("send")
    [submit] = forms(form_message.body)
    # ... but a card posted in a channel thread is answered in that thread.
    before = len(teams.fake.calls)
    values = {"slug": "Bad Slug", "name": "Ops", "purpose": "p", "kind": "practitioner"}
    await teams.post(
        teams.click(
            {**submit, **values, "timezone": "UTC"},
            "29:lead",
            reply_to=activity["id"],
            conversation=activity["conversation"],
        )
    )
    [resent] = [c for c in teams.fake.calls[before:] if c.kind == "reply"]
    assert resent.conversation_id == activity["conversation"]["id"]
    assert "[form: New community]" in activity_to_text(resent.body)


def test_emulator_mode_serves_loopback_clients_only() -> None:
    from adapters.teams.handlers import _is_loopback

    assert _is_loopback("127.0.0.1") and _is_loopback("::1")
    assert not _is_loopback("10.0.0.5") and not _is_loopback(None) and not _is_loopback("x")
