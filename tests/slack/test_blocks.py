"""The Block Kit renderer as pure functions: shapes, escaping, and Slack's limits."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.slack.blocks import (
    blocks_to_text,
    escape,
    fallback_text,
    home_view,
    message_blocks,
)
from adapters.slack.manifest import manifest_yaml
from adapters.slack.modals import form_errors, form_values, modal_view
from adapters.slack.text import to_core_text
from bot.config import Settings
from bot.messages import Choice, Form, FormField, Image, Reply


def check_limits(blocks: list[dict[str, Any]], max_blocks: int = 50) -> None:
    """Fail if anything exceeds a Slack Block Kit limit."""
    assert len(blocks) <= max_blocks
    total = 0
    for block in blocks:
        kind = block["type"]
        if kind == "header":
            assert 1 <= len(block["text"]["text"]) <= 150
        elif kind == "section":
            if "text" in block:
                assert 1 <= len(block["text"]["text"]) <= 3000
                assert block["text"]["text"].strip()
                total += len(block["text"]["text"])
            fields = block.get("fields", [])
            assert len(fields) <= 10
            for item in fields:
                assert 1 <= len(item["text"]) <= 2000
                assert item["text"].strip()
                total += len(item["text"])
            assert "text" in block or fields
        elif kind == "actions":
            assert 1 <= len(block["elements"]) <= 25
            for element in block["elements"]:
                assert 1 <= len(element["text"]["text"]) <= 75 if "text" in element else True
                if element["type"] == "button":
                    assert "url" in element or 1 <= len(element["value"]) <= 2000
                    assert len(element.get("url", "")) <= 3000
                else:
                    assert 1 <= len(element["options"]) <= 100
                    for option in element["options"]:
                        assert len(option["text"]["text"]) <= 75
                        assert len(option["value"]) <= 150
                assert len(element["action_id"]) <= 255
            ids = [e["action_id"] for e in block["elements"]]
            assert len(ids) == len(set(ids))
        elif kind == "context":
            assert 1 <= len(block["elements"]) <= 10
            for element in block["elements"]:
                assert len(element["text"]) <= 3000
        elif kind in ("divider", "input"):
            pass
        else:
            raise AssertionError(f"unexpected block {kind}")
    assert total <= 13000


def test_every_part_of_a_reply() -> None:
    reply = Reply(
        "Some *bold* and `code`",
        title="Title",
        fields=(("Leaders", "Ada"), ("Long", "line one\nline two")),
        choices=(
            Choice("Join", "join data-eng", style="primary"),
            Choice("Leave", "leave data-eng", style="danger"),
            Choice("Calendar", url="https://copbot.example.com/files/ics/1?exp=1&sig=x"),
        ),
        image=Image(b"png", alt="A chart"),
        context="page 1 of 2",
    )
    blocks = message_blocks([reply])
    kinds = [b["type"] for b in blocks]
    assert kinds == ["header", "section", "section", "section", "context", "actions", "context"]
    assert blocks[1]["text"] == {
        "type": "mrkdwn",
        "text": "Some *bold* and `code`",
        "verbatim": True,
    }
    assert blocks[2]["fields"][0]["text"] == "*Leaders*\nAda"
    join, leave, link = blocks[5]["elements"]
    assert join["value"] == "join data-eng" and join["style"] == "primary"
    assert leave["style"] == "danger"
    assert link["url"].startswith("https://") and "value" not in link
    assert blocks[-1]["elements"][0]["text"] == "page 1 of 2"
    check_limits(blocks)


def test_many_choices_become_a_select() -> None:
    choices = tuple(Choice(f"Option {n}", f"join c{n}") for n in range(30))
    [actions] = [b for b in message_blocks([Reply("x", choices=choices)]) if b["type"] == "actions"]
    [select] = actions["elements"]
    assert select["type"] == "static_select"
    assert select["options"][3] == {
        "text": {"type": "plain_text", "text": "Option 3", "emoji": True},
        "value": "join c3",
    }


def test_user_text_is_escaped_but_core_markup_survives() -> None:
    reply = Reply(
        "*Lesson* `12`: <!channel> <@U123> <http://evil|click> a & b",
        fields=(("<!here>", "<@U1|x>"),),
        context="<!everyone>",
    )
    blocks = message_blocks([reply])
    dumped = json.dumps(blocks) + fallback_text([reply])
    for token in ("<!channel>", "<@U123>", "<http://evil", "<!here>", "<@U1", "<!everyone>"):
        assert token not in dumped
    assert blocks[0]["text"]["text"].startswith("*Lesson* `12`: &lt;!channel&gt;")
    assert "a &amp; b" in blocks[0]["text"]["text"]
    assert escape("<&>") == "&lt;&amp;&gt;"


def test_truncation_never_splits_an_entity() -> None:
    reply = Reply("<" * 5000)
    for block in message_blocks([reply]):
        if block["type"] == "section":
            text = block["text"]["text"]
            assert not text.rstrip("…").endswith(("&", "&l", "&lt"))


def test_modal_for_every_field_kind() -> None:
    form = Form(
        "thing.new:7",
        "A very long form title that Slack would refuse",
        (
            FormField("title", "Title", required=True, max_length=80, placeholder="Short"),
            FormField("body", "Body", "multiline", initial="hello", hint="Markdown ok"),
            FormField("kind", "Kind", "choice", options=(("A", "a"), ("B", "b")), initial="b"),
            FormField(
                "tags", "Tags", "multichoice", options=(("X", "x"), ("Y", "y")), initial="x,y"
            ),
            FormField("when", "When", "date", initial="2026-03-04"),
            FormField("size", "Size", "number", initial="3"),
        ),
        "Save it",
    )
    view = modal_view(form, {"c": "C1", "r": None})
    assert view["callback_id"] == "cop_form"
    assert json.loads(view["private_metadata"]) == {"c": "C1", "r": None, "form_id": "thing.new:7"}
    assert len(view["title"]["text"]) <= 24
    elements = {b["block_id"]: b["element"] for b in view["blocks"]}
    assert elements["title"]["max_length"] == 80
    assert elements["body"]["multiline"] is True
    assert elements["body"]["initial_value"] == "hello"
    assert elements["kind"]["initial_option"]["value"] == "b"
    assert [o["value"] for o in elements["tags"]["initial_options"]] == ["x", "y"]
    assert elements["when"] == {
        "type": "datepicker",
        "action_id": "when",
        "initial_date": "2026-03-04",
    }
    assert elements["size"]["type"] == "number_input"
    assert view["blocks"][0]["optional"] is False and view["blocks"][1]["optional"] is True
    state = {
        "title": {"title": {"type": "plain_text_input", "value": "T"}},
        "kind": {"kind": {"type": "static_select", "selected_option": {"value": "a"}}},
        "tags": {"tags": {"type": "multi_static_select", "selected_options": [{"value": "y"}]}},
        "when": {"when": {"type": "datepicker", "selected_date": "2026-05-01"}},
        "size": {"size": {"type": "number_input", "value": None}},
    }
    assert form_values(state) == {
        "title": "T",
        "kind": "a",
        "tags": "y",
        "when": "2026-05-01",
        "size": "",
    }
    errors = form_errors(view["blocks"], Reply("bad", errors=(("kind", "No"), ("ghost", "Hm"))))
    assert errors == {"kind": "No", "title": "Hm"}


def test_buttons_survive_when_text_overflows() -> None:
    replies = [
        Reply("text", title=f"T{n}", fields=(("a", "b"),), choices=(Choice(f"Go {n}", f"go {n}"),))
        for n in range(12)
    ]
    blocks = message_blocks(replies)
    check_limits(blocks)
    labels = [e["text"]["text"] for b in blocks if b["type"] == "actions" for e in b["elements"]]
    assert labels == [f"Go {n}" for n in range(12)]
    assert blocks[-1]["elements"][0]["text"] == "…more than fits in one message."


def test_home_view_allows_a_hundred_blocks() -> None:
    replies = [Reply(f"line {n}", title=f"Section {n}") for n in range(60)]
    view = home_view(replies)
    assert view["type"] == "home"
    check_limits(view["blocks"], max_blocks=100)
    assert len(view["blocks"]) == 100


def test_plain_text_of_blocks() -> None:
    reply = Reply("a < b", title="T", choices=(Choice("Go", "go"),))
    assert blocks_to_text(message_blocks([reply])) == "T\na < b\n[Go]"


def test_incoming_text_normalisation() -> None:
    text = "<@UBOT> join &lt;!channel&gt; <@U12|ada> <!here> <#C1|general> <https://x.io|y>"
    assert to_core_text(text, bot_user_id="UBOT") == (
        "join <!channel> <@U12> @here #general https://x.io"
    )
    assert to_core_text("a &amp; b &lt;3") == "a & b <3"


def test_manifest() -> None:
    data = json.loads(manifest_yaml(Settings(COPBOT_PUBLIC_URL="https://bot.example.com/")))
    url = "https://bot.example.com/slack/events"
    assert data["features"]["slash_commands"][0]["url"] == url
    assert data["features"]["slash_commands"][0]["command"] == "/cop"
    assert data["settings"]["interactivity"]["request_url"] == url
    assert data["settings"]["event_subscriptions"]["request_url"] == url
    assert set(data["settings"]["event_subscriptions"]["bot_events"]) == {
        "app_home_opened",
        "app_mention",
        "message.im",
        "member_joined_channel",
        "app_uninstalled",
        "tokens_revoked",
    }
    assert data["oauth_config"]["redirect_urls"] == ["https://bot.example.com/slack/oauth_redirect"]
    assert data["settings"]["org_deploy_enabled"] is True
    assert data["features"]["shortcuts"][0]["callback_id"] == "save_as_lesson"
    assert data["features"]["app_home"]["home_tab_enabled"] is True
    assert "commands" in data["oauth_config"]["scopes"]["bot"]
    assert "users.profile:read" in data["oauth_config"]["scopes"]["bot"]  # department
    assert data["settings"]["socket_mode_enabled"] is False
    socket = json.loads(manifest_yaml(public_url=None, socket_mode=True))
    assert socket["settings"]["socket_mode_enabled"] is True
    assert "url" not in socket["features"]["slash_commands"][0]
    assert "request_url" not in socket["settings"]["interactivity"]
    cli_style = json.loads(manifest_yaml(public_url="https://other.example.com", socket_mode=False))
    assert cli_style["settings"]["interactivity"]["request_url"].startswith("https://other.")


odd_text = st.text(
    alphabet=st.sampled_from([*"ab <>&*`_~\n\t@!|", "é", "😀", "\u200b"]), max_size=8000
)
choice = st.builds(
    Choice,
    label=odd_text.map(lambda s: s[:300]),
    command=st.one_of(st.none(), odd_text.map(lambda s: "go " + s[:3000])),
    url=st.one_of(st.none(), st.just("https://example.com/" + "x" * 10)),
    style=st.sampled_from(["default", "primary", "danger"]),
).filter(lambda c: bool(c.command or c.url))
reply = st.builds(
    Reply,
    text=odd_text,
    title=st.one_of(st.none(), odd_text.map(lambda s: s[:500])),
    fields=st.lists(st.tuples(odd_text.map(lambda s: s[:300]), odd_text), max_size=25).map(tuple),
    choices=st.lists(choice, max_size=140).map(tuple),
    context=st.one_of(st.none(), odd_text),
    errors=st.lists(st.tuples(st.just("f"), odd_text.map(lambda s: s[:100])), max_size=3).map(
        tuple
    ),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(reply, min_size=1, max_size=4))
def test_renderer_never_exceeds_slack_limits(replies: list[Reply]) -> None:
    blocks = message_blocks(replies)
    check_limits(blocks)
    text = fallback_text(replies)
    assert 1 <= len(text) <= 4000
    for token in ("<!", "<@", "<http"):
        assert token not in text
        assert token not in json.dumps([b for b in blocks if b["type"] in ("section", "context")])
    check_limits(home_view(replies)["blocks"], max_blocks=100)


form_field = st.builds(
    FormField,
    name=st.sampled_from(["a", "b", "c", "d"]),
    label=odd_text.map(lambda s: s[:3000] or "L"),
    kind=st.sampled_from(["text", "multiline", "choice", "multichoice", "date", "number"]),
    required=st.booleans(),
    options=st.lists(
        st.tuples(odd_text.map(lambda s: s[:200] or "o"), odd_text.map(lambda s: s[:300] or "v")),
        max_size=130,
    ).map(tuple),
    initial=st.one_of(st.none(), odd_text),
    placeholder=st.one_of(st.none(), odd_text.map(lambda s: s[:400])),
    max_length=st.one_of(st.none(), st.integers(1, 10000)),
    hint=st.one_of(st.none(), odd_text.map(lambda s: s[:3000])),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(form_field, min_size=1, max_size=4, unique_by=lambda f: f.name),
    odd_text.map(lambda s: s[:200]),
    odd_text.map(lambda s: s[:3500]),
)
def test_modals_never_exceed_slack_limits(fields: list[FormField], title: str, url: str) -> None:
    view = modal_view(Form("x.y:" + title[:50], title or "T", tuple(fields)), {"r": url})
    assert 1 <= len(view["title"]["text"]) <= 24
    assert len(view["submit"]["text"]) <= 24
    assert len(view["private_metadata"]) <= 3000
    assert json.loads(view["private_metadata"])["form_id"].startswith("x.y:")
    for block in view["blocks"]:
        assert len(block["label"]["text"]) <= 2000
        assert len(block.get("hint", {}).get("text", "")) <= 2000
        element = block["element"]
        assert len(element.get("placeholder", {}).get("text", "")) <= 150
        if "max_length" in element:
            assert 1 <= element["max_length"] <= 3000
            assert len(element.get("initial_value", "")) <= element["max_length"]
        options = element.get("options", [])
        assert len(options) <= 100
        for option in options:
            assert 1 <= len(option["text"]["text"]) <= 75
            assert 1 <= len(option["value"]) <= 150


def test_slack_manifest_command_prints_the_manifest(capsys: object) -> None:
    from bot.cli import main

    assert main(["slack-manifest", "--url", "https://cop.example.org"]) == 0
    printed = capsys.readouterr().out  # type: ignore[attr-defined]
    data = json.loads(printed)
    assert data["settings"]["event_subscriptions"]["request_url"] == (
        "https://cop.example.org/slack/events"
    )
    assert main(["slack-manifest", "--socket"]) == 0
    assert json.loads(capsys.readouterr().out)["settings"]["socket_mode_enabled"] is True  # type: ignore[attr-defined]


def _scale_of(kind: str) -> tuple[Choice, ...]:
    from bot.surveys.core import Question

    return Question(kind, "How likely are you to recommend it?").one_click(4)


def test_a_one_question_scale_is_buttons_so_one_click_answers() -> None:
    for kind, values in (
        ("a5", ["1", "2", "3", "4", "5", "na"]),
        ("nps", [str(n) for n in range(11)]),
    ):
        reply = Reply("Quarterly pulse", choices=_scale_of(kind))
        [actions] = [b for b in message_blocks([reply]) if b["type"] == "actions"]
        assert [e["type"] for e in actions["elements"]] == ["button"] * len(values)
        assert [e["value"] for e in actions["elements"]] == [f"survey answer 4 {v}" for v in values]
        check_limits(message_blocks([reply]))


def test_longer_numbered_lists_and_unlabelled_numbers_stay_menus() -> None:
    twelve = tuple(Choice(str(n), f"survey answer 4 {n}") for n in range(12))
    # Numbers that are not what the buttons say are not a scale (`Go 3` runs `help 3`).
    hidden = tuple(Choice(f"Go {n}", f"help {n}") for n in range(1, 9))
    for choices in (twelve, hidden):
        [actions] = [
            b for b in message_blocks([Reply("x", choices=choices)]) if b["type"] == "actions"
        ]
        assert [e["type"] for e in actions["elements"]] == ["static_select"]
