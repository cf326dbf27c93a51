"""Slack over real HTTP: signed requests to the real app, a fake Web API behind it."""

from __future__ import annotations

import json
from datetime import timedelta
from urllib.parse import urlencode

import pytest

from adapters.slack.blocks import blocks_to_text
from bot.app import build_registry
from bot.messages import Platform
from storage import communities, people
from tests.slack.driver import SECRET, SlackDriver, button, signed_headers
from tests.slack.fake_slack import TEAM

REGISTRY = build_registry()  # the verbs of this build, for parametrising
APOLOGY = "something went wrong"


async def _community_exists(slack: SlackDriver, slug: str) -> bool:
    async with slack.adapter.core.services.db.session() as session:
        return await communities.find_community(session, slug) is not None


async def _knows(slack: SlackDriver, user_id: str) -> bool:
    async with slack.adapter.core.services.db.session() as session:
        return await people.find_identity(session, Platform.SLACK, user_id) is not None


# -- signatures --------------------------------------------------------------------------------


def _bad_requests(slack: SlackDriver, body: str) -> dict[str, dict[str, str]]:
    now = slack.now()
    return {
        "forged": signed_headers(body, now, secret="not-the-secret"),
        "stale": signed_headers(body, now - 6 * 60),
        "from the future": signed_headers(body, now + 6 * 60),
        "non-numeric timestamp": {
            **signed_headers(body, "abc"),
            "X-Slack-Request-Timestamp": "abc",
        },
        "missing signature": {"X-Slack-Request-Timestamp": str(now)},
        "missing timestamp": {"X-Slack-Signature": signed_headers(body, now)["X-Slack-Signature"]},
        "no headers": {},
        "signature for another body": signed_headers(body + "x", now),
    }


async def test_bad_signatures_get_401_and_change_nothing(slack: SlackDriver) -> None:
    url = slack.fake.response_url()
    body = slack.command_body("community new evil Evil", "UMAL", response_url=url)
    for name, headers in _bad_requests(slack, body).items():
        response = await slack.post(body, headers=headers)
        assert response.status == 401, name
    garbage = b"\xff\xfe not utf-8"
    response = await slack.client.post(
        "/slack/events", data=garbage, headers=signed_headers("x", slack.now())
    )
    assert response.status == 401
    await slack.adapter.settle()
    assert slack.fake.calls == []
    assert slack.fake.answered(url) == []
    assert not await _community_exists(slack, "evil")
    assert not await _knows(slack, "UMAL")


async def test_bad_signature_on_an_event_changes_nothing(slack: SlackDriver) -> None:
    body = json.dumps(
        {
            "type": "event_callback",
            "team_id": TEAM,
            "event_id": "EvForged",
            "event": {"type": "message", "channel_type": "im", "channel": "DUMAL", "user": "UMAL"},
        }
    )
    response = await slack.post(
        body,
        content_type="application/json",
        headers=signed_headers(body, slack.now() - 301),
    )
    assert response.status == 401
    assert slack.fake.calls == []
    # The event id was not consumed: the genuine delivery still acts.
    assert await slack.adapter.core.first_time_seen("slack:EvForged")


async def test_a_valid_signature_within_five_minutes_is_accepted(slack: SlackDriver) -> None:
    url = slack.fake.response_url()
    body = slack.command_body("help", "UADA", response_url=url)
    response = await slack.post(body, headers=signed_headers(body, slack.now() - 290))
    assert response.status == 200
    assert slack.fake.answered(url)


async def test_signed_but_malformed_bodies_do_not_crash(slack: SlackDriver) -> None:
    for body, kind in (
        ("{not json", "application/json"),
        ("payload=%7Bnot-json", "application/x-www-form-urlencoded"),
        ("", "application/x-www-form-urlencoded"),
    ):
        response = await slack.post(body, content_type=kind)
        assert response.status < 500, (body, response.status)
    assert set(slack.fake.methods()) <= {"auth.test"}  # Bolt's own look-up of who it is


async def test_mount_reports_how_slack_is_connected(database: object, clock: object) -> None:
    from bot.app import STATUS, create_app
    from bot.config import Settings

    def status(**env: str) -> list[str]:
        settings = Settings(DATABASE_URL="sqlite+aiosqlite:///unused.db", **env)
        app = create_app(settings, run_scheduler=False, migrate=False)
        return app[STATUS]

    assert status()[0].startswith("Slack: not connected")
    http = status(SLACK_BOT_TOKEN="xoxb-1", SLACK_SIGNING_SECRET="s", HOST="0.0.0.0", PORT="80")
    assert http[0] == "Slack: listening on http://0.0.0.0:80/slack/events"
    socket = status(SLACK_BOT_TOKEN="xoxb-1", SLACK_APP_TOKEN="xapp-1")
    assert socket[0] == "Slack: connected over Socket Mode"


async def test_url_verification_challenge(slack: SlackDriver) -> None:
    body = json.dumps({"type": "url_verification", "challenge": "abc123", "token": "x"})
    response = await slack.post(body, content_type="application/json")
    assert response.status == 200
    assert "abc123" in await response.text()


# -- slash commands ----------------------------------------------------------------------------


@pytest.mark.parametrize("verb", sorted(REGISTRY.commands))
async def test_every_verb_answers_from_slack(slack: SlackDriver, verb: str) -> None:
    for text in (f"help {verb}", verb):
        before = len(slack.fake.calls)
        answers = await slack.command(text, "UROOT")
        opened = [c for c in slack.fake.calls[before:] if c.method == "views.open"]
        assert answers or opened, text
        for answer in answers:
            assert answer["response_type"] in ("ephemeral", "in_channel")
            assert answer["text"].strip()
            assert APOLOGY not in answer["text"], (text, answer["text"])


async def test_slash_command_answers_ephemerally_with_blocks(slack: SlackDriver) -> None:
    [answer] = await slack.command("help", "UADA")
    assert answer["response_type"] == "ephemeral"
    assert answer["replace_original"] is False
    assert answer["blocks"][0] == {
        "type": "header",
        "text": {"type": "plain_text", "text": "What I can do", "emoji": True},
    }
    users_info = slack.fake.called("users.info")
    assert users_info == [{"user": "UADA"}]


async def test_profile_fills_the_member(slack: SlackDriver) -> None:
    await slack.command("help", "UADA")
    await slack.command("help", "UADA")
    assert len(slack.fake.called("users.info")) == 1  # cached
    async with slack.adapter.core.services.db.session() as session:
        identity = await people.find_identity(session, Platform.SLACK, "UADA")
        assert identity is not None
        member = await people.get_member(session, identity.member_id)
    assert member is not None
    assert member.display_name == "Uada"
    assert member.timezone == "Europe/Berlin"
    assert member.title == "Engineer"


async def test_department_comes_from_the_workspaces_department_field(
    slack: SlackDriver,
) -> None:
    slack.fake.profile_fields["UADA"] = {"Xf1": {"value": "she/her"}, "Xf2": {"value": "Data"}}
    await slack.command("help", "UADA")
    await slack.command("help", "UADA")
    await slack.command("help", "UBO")  # no department filled in
    assert len(slack.fake.called("team.profile.get")) == 1  # the field is looked up once
    assert slack.fake.called("users.profile.get") == [{"user": "UADA"}, {"user": "UBO"}]
    async with slack.adapter.core.services.db.session() as session:
        ada = await people.find_member_by_platform_id(session, Platform.SLACK, "UADA")
        bo = await people.find_member_by_platform_id(session, Platform.SLACK, "UBO")
    assert ada is not None and ada.department == "Data"
    assert bo is not None and bo.department is None


async def test_without_the_profile_scope_people_still_get_answers(slack: SlackDriver) -> None:
    slack.fake.fail_next("team.profile.get", 200, error="missing_scope")
    [answer] = await slack.command("help", "UADA")
    assert "What I can do" in answer["text"]
    assert slack.fake.called("users.profile.get") == []
    async with slack.adapter.core.services.db.session() as session:
        ada = await people.find_member_by_platform_id(session, Platform.SLACK, "UADA")
    assert ada is not None and ada.department is None and ada.title == "Engineer"


async def test_driver_reads_like_a_person(slack: SlackDriver) -> None:
    await slack.say("community new data-eng Data Engineering", "ULEAD")
    listing = await slack.say("communities", "UADA")
    assert "[Join data-eng]" in listing
    joined = await slack.press("Join data-eng", "UADA")
    assert "Welcome to *Data Engineering*" in joined
    assert "Welcome to Data Engineering" in joined  # the DM header, delivered meanwhile
    charter = await slack.press("Charter", "UADA")
    assert "Charter of Data Engineering" in charter


async def test_unknown_text_gets_help(slack: SlackDriver) -> None:
    [answer] = await slack.command("frobnicate", "UADA")
    assert "I don't know" in answer["text"]


async def test_mentions_are_normalised_for_the_core(slack: SlackDriver) -> None:
    await slack.command("community new data-eng Data Engineering", "ULEAD")
    await slack.command("join data-eng", "UADA")
    await slack.command("help", "UBO")
    [answer] = await slack.command("role grant <@UADA|ada> facilitator in data-eng", "ULEAD")
    assert "I haven't met" not in answer["text"], answer["text"]
    assert APOLOGY not in answer["text"]


async def test_channel_visible_reply_goes_in_channel(slack: SlackDriver) -> None:
    await slack.command("community new data-eng Data Engineering", "ULEAD")
    [answer] = await slack.command("community link", "ULEAD", channel_id="CGENERAL")
    assert answer["response_type"] == "in_channel"


# -- buttons -----------------------------------------------------------------------------------


async def test_button_round_trip_join_and_welcome_dm(slack: SlackDriver) -> None:
    await slack.command("community new data-eng Data Engineering", "ULEAD")
    [listing] = await slack.command("communities", "UADA")
    join = button(listing, "Join data-eng")
    assert join["value"] == "join data-eng"
    [answer] = await slack.click(join, "UADA")
    assert "Welcome to" in answer["text"]
    assert answer["response_type"] == "ephemeral"
    # The welcome DM went through the outbox and the Slack port.
    await slack.adapter.core.heartbeat.deliver()
    # Posted to the person's user id: Slack puts it in the DM, no conversations.open needed.
    assert slack.fake.called("conversations.open") == []
    posts = [p for p in slack.fake.called("chat.postMessage") if p["channel"] == "UADA"]
    assert len(posts) == 1
    assert [m["text"] for m in slack.fake.delivered("UADA")] == [posts[0]["text"]]
    assert posts[0]["blocks"][0]["text"]["text"] == "Welcome to Data Engineering"
    # A button in the DM runs its command too.
    [charter] = await slack.click(button(posts[0], "Charter"), "UADA")
    assert "Charter of Data Engineering" in charter["text"]


@pytest.mark.usefixtures("test_verbs")
async def test_replace_in_place_uses_replace_original(slack: SlackDriver) -> None:
    answers = await slack.click(
        {"type": "button", "action_id": "cop_choice:0:0", "value": "test-replace"}, "UADA"
    )
    assert answers[0]["replace_original"] is True


@pytest.mark.usefixtures("test_verbs")
async def test_select_menu_for_many_choices_round_trips(slack: SlackDriver) -> None:
    [message] = await slack.command("test-many", "UADA")
    [select] = [e for b in message["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert select["type"] == "static_select"
    assert len(select["options"]) == 8
    [answer] = await slack.click(button(message, "Go 3"), "UADA")
    assert "I don't know `3`" in answer["text"]  # the option's command, `help 3`, ran


async def test_link_buttons_are_acknowledged(slack: SlackDriver) -> None:
    link = {"type": "button", "action_id": "cop_link:0:0", "value": None}
    assert await slack.click(link, "UADA") == []


# -- modals ------------------------------------------------------------------------------------


async def test_form_opens_a_modal_and_shows_inline_errors(slack: SlackDriver) -> None:
    url = slack.fake.response_url()
    await slack.post(slack.command_body("community new", "ULEAD", response_url=url))
    assert slack.fake.answered(url) == []  # the modal is the answer
    [opened] = slack.fake.called("views.open")
    view = opened["view"]
    assert opened["trigger_id"].startswith("trigger-")
    assert view["type"] == "modal"
    assert json.loads(view["private_metadata"])["form_id"] == "community.new"
    intro, *inputs = view["blocks"]
    assert intro["type"] == "section" and intro["text"]["text"].strip()  # what the form is for
    kinds = {b["block_id"]: b["element"]["type"] for b in inputs}
    assert kinds["purpose"] == "plain_text_input"
    assert kinds["kind"] == "static_select"
    values = {
        "slug": "Not A Slug!",
        "name": "Data",
        "purpose": "p",
        "kind": "practitioner",
        "timezone": "UTC",
    }
    response = await slack.submit(view, "ULEAD", values)
    assert response.status == 200
    body = await response.json()
    assert body["response_action"] == "errors"
    assert "slug" in body["errors"]
    assert not await _community_exists(slack, "not-a-slug")
    response = await slack.submit(view, "ULEAD", {**values, "slug": "data-eng"})
    assert response.status == 200
    assert await response.text() == ""
    assert await _community_exists(slack, "data-eng")
    # The confirmation reached the person where they typed the command.
    [answer] = slack.fake.answered(url)
    assert "Created" in answer["text"]
    assert answer["response_type"] == "ephemeral"


async def test_form_from_a_channel_answers_at_the_response_url(slack: SlackDriver) -> None:
    url = slack.fake.response_url()
    body = slack.command_body("community new", "ULEAD", channel_id="CGEN", response_url=url)
    await slack.post(body)
    [opened] = slack.fake.called("views.open")
    values = {"slug": "ops", "name": "Ops", "purpose": "p", "kind": "practitioner"}
    response = await slack.submit(opened["view"], "ULEAD", {**values, "timezone": "UTC"})
    assert response.status == 200
    [answer] = slack.fake.answered(url)
    assert "Created" in answer["text"]


async def test_expired_trigger_offers_a_button_that_opens_the_form(slack: SlackDriver) -> None:
    slack.fake.fail_next("views.open", 200, error="expired_trigger_id")
    [answer] = await slack.command("community new", "ULEAD")
    assert "Fill in the charter" in answer["text"]
    again = button(answer, "Open: New community")
    assert again["value"] == "community new"
    await slack.click(again, "ULEAD")
    assert len(slack.fake.called("views.open")) == 2


async def test_form_asked_for_in_a_dm_opens_from_a_button(slack: SlackDriver) -> None:
    await slack.dm("community new", "ULEAD")
    assert slack.fake.called("views.open") == []  # a typed message carries no trigger
    [post] = slack.fake.called("chat.postMessage")
    await slack.click(button(post, "Open: New community"), "ULEAD")
    [opened] = slack.fake.called("views.open")
    assert json.loads(opened["view"]["private_metadata"])["form_id"] == "community.new"


# -- App Home, events, shortcuts ---------------------------------------------------------------


async def test_app_home_is_published(slack: SlackDriver) -> None:
    await slack.command("community new data-eng Data Engineering", "ULEAD")
    response = await slack.event({"type": "app_home_opened", "user": "ULEAD", "tab": "home"})
    assert response.status == 200
    [published] = slack.fake.called("views.publish")
    assert published["user_id"] == "ULEAD"
    assert published["view"]["type"] == "home"
    text = json.dumps(published["view"])
    assert "Your communities" in text
    assert "Data Engineering" in text


async def test_app_home_shows_leaders_what_needs_attention_and_members_not(
    slack: SlackDriver,
) -> None:
    await slack.command("community new data-eng Data Engineering", "ULEAD")
    await slack.command("join data-eng", "UADA")
    for user in ("ULEAD", "UADA"):
        await slack.event({"type": "app_home_opened", "user": user, "tab": "home"})
    lead, ada = (blocks_to_text(p["view"]["blocks"]) for p in slack.fake.called("views.publish"))
    assert "Needs your attention" in lead and "[Edit charter of data-eng]" in lead
    assert "Data Engineering" in ada and "Needs your attention" not in ada
    assert "Edit charter" not in ada


async def test_home_button_answers_in_dm_and_refreshes_home(slack: SlackDriver) -> None:
    await slack.command("community new data-eng Data Engineering", "ULEAD")
    await slack.event({"type": "app_home_opened", "user": "UADA", "tab": "home"})
    [home] = slack.fake.called("views.publish")
    await slack.click(button(home["view"], "Find a community"), "UADA", container="view")
    posts = [p for p in slack.fake.called("chat.postMessage") if p["channel"] == "DUADA"]
    assert any("Communities" in p["text"] for p in posts)
    assert len(slack.fake.called("views.publish")) == 2


async def test_retried_event_acts_once(slack: SlackDriver) -> None:
    event = {
        "type": "message",
        "channel_type": "im",
        "channel": "DUADA",
        "user": "UADA",
        "text": "help",
        "ts": "1700000001.000001",
    }
    first = await slack.event(event, event_id="Ev123")
    again = await slack.event(event, event_id="Ev123", retry=1)
    assert first.status == 200
    assert again.status == 200
    assert len(slack.fake.called("chat.postMessage")) == 1


async def test_hello_when_the_bot_is_added_to_a_channel(slack: SlackDriver) -> None:
    joined = {"type": "member_joined_channel", "channel": "CNEW", "channel_type": "C"}
    await slack.event({**joined, "user": "UADA", "inviter": "UBO"})  # someone else joined
    assert slack.fake.called("chat.postMessage") == []
    await slack.event({**joined, "user": "UBOT", "inviter": "ULEAD"}, event_id="EvJoin")
    await slack.event({**joined, "user": "UBOT", "inviter": "ULEAD"}, event_id="EvJoin", retry=1)
    [post] = slack.fake.called("chat.postMessage")
    assert post["channel"] == "CNEW"
    assert "Hello from copbot" in post["text"]


async def test_events_nobody_handles_are_acknowledged(slack: SlackDriver) -> None:
    response = await slack.event({"type": "reaction_added", "user": "UADA", "reaction": "+1"})
    assert response.status == 200
    assert slack.fake.called("chat.postMessage") == []


async def test_direct_message_runs_the_verb(slack: SlackDriver) -> None:
    await slack.dm("cop help", "UADA")
    [post] = slack.fake.called("chat.postMessage")
    assert post["channel"] == "DUADA"
    assert "What I can do" in post["text"]


async def test_bot_messages_and_subtypes_are_ignored(slack: SlackDriver) -> None:
    await slack.dm("help", "UADA", bot_id="B9")
    await slack.dm("help", "UADA", subtype="message_changed")
    assert slack.fake.called("chat.postMessage") == []


async def test_mention_in_channel_strips_the_bot(slack: SlackDriver) -> None:
    await slack.event(
        {
            "type": "app_mention",
            "channel": "CGEN",
            "user": "UADA",
            "text": "<@UBOT> help",
            "ts": "1700000001.000002",
        }
    )
    [ephemeral] = slack.fake.called("chat.postEphemeral")
    assert ephemeral["channel"] == "CGEN"
    assert ephemeral["user"] == "UADA"
    assert "What I can do" in ephemeral["text"]


async def test_save_as_lesson_shortcut_opens_the_prefilled_form(slack: SlackDriver) -> None:
    await slack.command("community new data-eng Data Engineering", "UADA")
    url = slack.fake.response_url()
    payload = {
        "type": "message_action",
        "callback_id": "save_as_lesson",
        "team": {"id": TEAM},
        "user": {"id": "UADA", "team_id": TEAM},
        "channel": {"id": "CGEN"},
        "trigger_id": "trigger-x",
        "response_url": url,
        "message": {"text": "Always pin &lt;versions&gt; <!channel>", "user": "UBO", "ts": "1.2"},
    }
    response = await slack.interact(payload)
    assert response.status == 200
    answered = slack.fake.answered(url)
    assert all(APOLOGY not in a["text"] for a in answered)
    if "lesson draft" not in REGISTRY.commands:
        assert answered  # the core's own answer ("unknown verb") is shown
        return
    [opened] = slack.fake.called("views.open")
    view = opened["view"]
    assert opened["trigger_id"] == "trigger-x"
    assert json.loads(view["private_metadata"])["form_id"].startswith("lesson.new")
    initial = {
        b["block_id"]: b["element"].get("initial_value")
        for b in view["blocks"]
        if b["type"] == "input" and b["element"]["type"] == "plain_text_input"
    }
    assert "Always pin <versions> @channel" in (initial.get("context") or "")
    # Submitting it saves the lesson and answers where the shortcut was used.
    values = {k: v or "" for k, v in initial.items()}
    values.update(title="Pin <!channel> versions", statement="Pin them.", kind="insight")
    for block in view["blocks"]:  # a date picker (when it happened) takes a date
        if block["type"] != "input":
            continue
        if block["element"]["type"] == "datepicker" and not block["optional"]:
            values[block["block_id"]] = "2026-02-17"
    response = await slack.submit(view, "UADA", values)
    assert response.status == 200
    body = await response.text()
    if body:
        assert "errors" not in json.loads(body), body
    answers = slack.fake.answered(url)
    assert answers, "the saved lesson is confirmed"
    markup = "\n".join(_mrkdwn_strings(answers[-1]))
    assert "<!channel>" not in markup


async def test_user_typed_broadcast_is_inert(slack: SlackDriver) -> None:
    await slack.command("community new data-eng <!channel> &lt;!here&gt; crew", "ULEAD")
    purpose = "Ping <!everyone> and <@UADA> <https://x.io|y>"
    await slack.command(f"charter edit purpose {purpose}", "ULEAD")
    [listing] = await slack.command("communities", "UADA")
    [charter] = await slack.command("charter data-eng", "UADA")
    for message in (listing, charter):
        markup = "\n".join(_mrkdwn_strings(message))
        for token in ("<!channel>", "<!here>", "<!everyone>", "<@UADA>", "<https://x.io"):
            assert token not in markup, (token, markup)
        assert "&lt;!here&gt;" in markup
    assert "&lt;@UADA&gt;" in "\n".join(_mrkdwn_strings(charter))


def _mrkdwn_strings(message: object) -> list[str]:
    """The top-level `text` and every mrkdwn text object: what Slack parses for tokens.

    plain_text objects (headers, buttons) are shown literally by Slack, so they are not listed.
    """
    found: list[str] = []
    if isinstance(message, dict):
        if message.get("type") == "mrkdwn" or (
            "blocks" in message and isinstance(message.get("text"), str)
        ):
            found.append(message["text"])
        for value in message.values():
            found.extend(_mrkdwn_strings(value))
    elif isinstance(message, list):
        for item in message:
            found.extend(_mrkdwn_strings(item))
    return found


async def test_clock_drives_signature_freshness(slack: SlackDriver) -> None:
    body = slack.command_body("help", "UADA", response_url=slack.fake.response_url())
    headers = signed_headers(body, slack.now())
    slack.clock.advance(timedelta(minutes=6))  # type: ignore[attr-defined]
    assert (await slack.post(body, headers=headers)).status == 401


async def test_interactive_payload_signature_checked(slack: SlackDriver) -> None:
    body = urlencode({"payload": json.dumps({"type": "block_actions", "actions": []})})
    response = await slack.post(body, headers=signed_headers(body, slack.now(), "wrong"))
    assert response.status == 401
    assert SECRET != "wrong"


async def test_help_on_slack_shows_every_verb_uncut(slack: SlackDriver) -> None:
    """Slack's limits must never cut a verb out of `help` (the list grows with capabilities)."""
    text = await slack.say("help", "UADA")
    assert "shortened" not in text and "more than fits" not in text
    for spec in REGISTRY.commands.values():
        if not spec.hidden:
            assert spec.usage in text, spec.verb
