"""Adaptive Card rendering and Teams text, as pure functions: shapes, escaping and limits."""

from __future__ import annotations

import json

from hypothesis import example, given
from hypothesis import strategies as st

from adapters.teams.cards import (
    CARD_TYPE,
    MAX_CARD_BYTES,
    MAX_MESSAGE_BYTES,
    card_to_text,
    form_from_data,
    message_payloads,
    reply_card,
    size_of,
)
from adapters.teams.text import escape, markdown, to_core_text, unmarkdown
from bot.messages import Choice, Form, FormField, Image, Reply

BOT = "28:copbot"


def _mention(user_id: str, name: str) -> dict[str, object]:
    return {
        "type": "mention",
        "mentioned": {"id": user_id, "name": name},
        "text": f"<at>{name}</at>",
    }


# -- inbound text ------------------------------------------------------------------------------


def test_bot_mention_and_leading_cop_are_removed() -> None:
    entities = [_mention(BOT, "copbot")]
    assert to_core_text("<at>copbot</at> cop join data-eng", entities, bot_id=BOT) == (
        "join data-eng"
    )
    assert to_core_text("<at>copbot</at>", entities, bot_id=BOT) == ""
    assert to_core_text("cop: help", bot_id=BOT) == "help"


def test_other_mentions_become_user_tokens() -> None:
    entities = [_mention(BOT, "copbot"), _mention("29:ada", "Ada Lovelace")]
    text = "<at>copbot</at> role add <at>Ada Lovelace</at> leader"
    assert to_core_text(text, entities, bot_id=BOT) == "role add <@29:ada> leader"


def test_html_from_teams_becomes_the_characters_people_typed() -> None:
    assert to_core_text("<p>lessons &lt;b&gt; &amp; more</p>") == "lessons <b> & more"
    assert to_core_text("agenda 3 one<br>two") == "agenda 3 one\ntwo"
    assert to_core_text("help\xa0join") == "help join"
    # An <at> tag without a mention entity is just the name people saw.
    assert to_core_text("hi <at>Nobody</at>") == "hi Nobody"


# -- outbound text -----------------------------------------------------------------------------


def test_core_bold_survives_and_user_markup_is_escaped() -> None:
    assert markdown("Welcome to *Data Engineering*!") == "Welcome to **Data Engineering**!"
    assert markdown("[x](https://evil.example)") == "\\[x\\](https://evil.example)"
    assert markdown("<at>Everyone</at>") == "\\<at\\>Everyone\\</at\\>"
    assert markdown("**not bold** _nor italic_") == "\\*\\*not bold\\*\\* \\_nor italic\\_"
    assert markdown("- item\n1. first\n# heading") == "\\- item\n1\\. first\n\\# heading"
    assert escape("a\\b") == "a\\\\b"


@given(st.text())
@example("*\\*")  # a bold backslash: its escape sits right before the closing marker
def test_escaped_text_reads_as_written(text: str) -> None:
    assert unmarkdown(markdown(text)) == text


# -- cards -------------------------------------------------------------------------------------


def test_reply_card_shape() -> None:
    reply = Reply(
        "Line one\nLine *two*",
        title="Data Engineering",
        fields=(("Leaders", "Lead"), ("Members", "3")),
        choices=(Choice("Join", "join data-eng"), Choice("Docs", url="https://example.com/d")),
        context="Updated today",
    )
    card = reply_card(reply)
    assert card["type"] == "AdaptiveCard"
    assert card["version"] == "1.5"
    body = card["body"]
    assert body[0]["text"] == "Data Engineering" and body[0]["weight"] == "Bolder"
    assert body[1] == {"type": "TextBlock", "text": "Line one", "wrap": True}
    assert body[2] == {"type": "TextBlock", "text": "Line **two**", "wrap": True, "spacing": "None"}
    assert body[3]["type"] == "FactSet"
    assert body[3]["facts"][0] == {"title": "Leaders", "value": "Lead"}
    assert body[4]["actions"] == [
        {"type": "Action.Submit", "title": "Join", "data": {"cop_command": "join data-eng"}},
        {"type": "Action.OpenUrl", "title": "Docs", "url": "https://example.com/d"},
    ]
    assert body[5]["isSubtle"] is True
    assert "_drop" not in json.dumps(card)
    assert card_to_text(card).splitlines() == [
        "Data Engineering",
        "Line one",
        "Line *two*",
        "Leaders: Lead",
        "Members: 3",
        "[Join] [Docs]",
        "Updated today",
    ]


def test_many_choices_become_a_choice_set() -> None:
    choices = tuple(Choice(f"Option {n}", f"pick {n}") for n in range(9))
    card = reply_card(Reply("Pick", choices=choices))
    [choice_set] = [e for e in card["body"] if e["type"] == "Input.ChoiceSet"]
    assert choice_set["id"] == "cop_choice"
    assert [c["value"] for c in choice_set["choices"]] == [f"pick {n}" for n in range(9)]
    [action_set] = [e for e in card["body"] if e["type"] == "ActionSet"]
    assert action_set["actions"] == [
        {"type": "Action.Submit", "title": "Go", "data": {"cop_select": "1"}}
    ]


def test_huge_reply_fits_in_28_kb_and_keeps_its_buttons() -> None:
    text = "\n".join(f"Lesson {n}: " + "x" * 400 for n in range(110))
    fields = tuple((f"Field {n}", "y" * 900) for n in range(60))
    reply = Reply(
        text, title="Big", fields=fields, choices=(Choice("Next page", "lessons page 2"),)
    )
    card = reply_card(reply)
    assert size_of(card) <= MAX_CARD_BYTES
    shown = card_to_text(card)
    assert "[Next page]" in shown
    assert "more than fits in one message" in shown
    assert shown.startswith("Big\nLesson 0:")


def test_long_lines_and_labels_are_clipped() -> None:
    card = reply_card(Reply("z" * 5000, choices=(Choice("L" * 300, "help"),)))
    [text] = [e for e in card["body"] if e["type"] == "TextBlock"]
    assert len(text["text"]) == 2000 and text["text"].endswith("…")
    [actions] = [e for e in card["body"] if e["type"] == "ActionSet"]
    assert len(actions["actions"][0]["title"]) == 100


def test_form_inputs_by_kind() -> None:
    form = Form(
        "lesson.new:7",
        "New lesson",
        (
            FormField("title", "Title", required=True, max_length=120, placeholder="Short"),
            FormField("statement", "What happened", kind="multiline", hint="Two lines"),
            FormField("kind", "Kind", kind="choice", options=(("Insight", "insight"),)),
            FormField("tags", "Tags", kind="multichoice", options=(("A", "a"), ("B", "b"))),
            FormField("when", "When", kind="date", initial="2026-03-02"),
            FormField("size", "Size", kind="number", initial="3"),
        ),
        submit_label="Save",
    )
    card = reply_card(Reply("Fill it in", form=form))
    [container] = [e for e in card["body"] if e["type"] == "Container"]
    inputs = {e["id"]: e for e in container["items"] if e["type"].startswith("Input.")}
    assert inputs["title"] == {
        "id": "title",
        "label": "Title",
        "isRequired": True,
        "errorMessage": "Title is required.",
        "type": "Input.Text",
        "maxLength": 120,
        "placeholder": "Short",
    }
    assert inputs["statement"]["isMultiline"] is True
    assert inputs["kind"]["type"] == "Input.ChoiceSet"
    assert inputs["tags"]["isMultiSelect"] is True
    assert inputs["when"] == {
        "id": "when",
        "label": "When",
        "isRequired": False,
        "type": "Input.Date",
        "value": "2026-03-02",
    }
    assert inputs["size"]["type"] == "Input.Number"
    [submit] = container["items"][-1]["actions"]
    assert submit["title"] == "Save"
    assert submit["data"]["cop_form"] == "lesson.new:7"
    rebuilt = form_from_data("lesson.new:7", submit["data"]["cop_def"])
    assert rebuilt is not None
    assert rebuilt == Form(
        "lesson.new:7",
        "New lesson",
        tuple(
            FormField(
                f.name, f.label, f.kind, f.required, f.options, None, None, f.max_length, f.hint
            )
            for f in form.fields
        ),
        "Save",
    )
    assert "[form: New lesson]" in card_to_text(card)


def test_form_errors_show_under_their_field_with_the_values_kept() -> None:
    form = Form("community.new", "New community", (FormField("slug", "Short name"),))
    failed = Reply("Please fix the marked fields.", errors=(("slug", "Use lowercase letters"),))
    card = reply_card(failed, form=form, values={"slug": "Not A Slug!"})
    [container] = [e for e in card["body"] if e["type"] == "Container"]
    items = container["items"]
    assert items[1]["value"] == "Not A Slug!"
    assert items[2]["color"] == "Attention"
    assert unmarkdown(items[2]["text"]) == "Use lowercase letters"
    # Without the form to redraw, the errors are listed.
    plain = card_to_text(reply_card(failed))
    assert "slug: Use lowercase letters" in plain


def test_unreadable_form_definition_is_ignored() -> None:
    assert form_from_data("x", None) is None
    assert form_from_data("x", {"t": "T"}) is None
    assert form_from_data("x", {"t": "T", "f": [{"n": "a"}]}) is None


def test_images_inline_when_small_and_attached_when_big() -> None:
    small = Reply("Chart", image=Image(b"\x89PNG" + b"0" * 100, "Attendance"))
    [message] = message_payloads([small])
    [card] = message["attachments"]
    [image] = [e for e in card["content"]["body"] if e["type"] == "Image"]
    assert image["url"].startswith("data:image/png;base64,")
    assert image["altText"] == "Attendance"
    big = Reply("Chart", image=Image(b"\x89PNG" + b"0" * 40_000, "Trend", filename="trend.png"))
    [message] = message_payloads([big])
    card, picture = message["attachments"]
    assert card["contentType"] == CARD_TYPE
    assert size_of(card["content"]) < MAX_CARD_BYTES
    assert picture["contentType"] == "image/png"
    assert picture["name"] == "trend.png"


def test_a_big_image_with_a_link_goes_by_its_link() -> None:
    url = "https://copbot.example/files/chart/1.month.2026-03.12?exp=1&sig=x"
    big = Reply("Chart", image=Image(b"\x89PNG" + b"0" * 90_000, "Trend", url=url))
    [message] = message_payloads([big])
    [card] = message["attachments"]
    assert size_of(message) < MAX_MESSAGE_BYTES
    [image] = [e for e in card["content"]["body"] if e["type"] == "Image"]
    assert image["url"] == url and image["altText"] == "Trend"
    small = Reply("Chart", image=Image(b"\x89PNG" + b"0" * 100, "Small", url=url))
    [card] = message_payloads([small])[0]["attachments"]
    [image] = [e for e in card["content"]["body"] if e["type"] == "Image"]
    assert image["url"].startswith("data:image/png;base64,")  # small ones stay inline


def test_several_replies_share_a_message_until_it_gets_big() -> None:
    replies = [Reply(f"Reply {n}", title=f"T{n}") for n in range(3)]
    [message] = message_payloads(replies)
    assert message["summary"] == "T0"
    assert [a["content"]["body"][0]["text"] for a in message["attachments"]] == ["T0", "T1", "T2"]
    big = [Reply("\n".join("w" * 300 for _ in range(80))) for _ in range(6)]
    messages = message_payloads(big)
    assert len(messages) > 1
    assert all(size_of(m) < 100 * 1024 for m in messages)


def test_a_one_question_scale_is_rows_of_buttons_so_one_click_answers() -> None:
    from bot.surveys.core import Question

    for kind, rows in (
        ("a5", [["1", "2", "3", "4", "5", "na"]]),
        ("nps", [[str(n) for n in range(6)], [str(n) for n in range(6, 11)]]),
    ):
        scale = Question(kind, "The sessions are useful").one_click(4)
        card = reply_card(Reply("Quarterly pulse", choices=scale))
        assert not [e for e in card["body"] if e["type"] == "Input.ChoiceSet"]
        action_sets = [e for e in card["body"] if e["type"] == "ActionSet"]
        assert [[a["data"]["cop_command"] for a in s["actions"]] for s in action_sets] == [
            [f"survey answer 4 {v}" for v in row] for row in rows
        ]
        assert all(a["type"] == "Action.Submit" for s in action_sets for a in s["actions"])


def test_a_twelve_number_list_stays_a_choice_set() -> None:
    choices = tuple(Choice(str(n), f"survey answer 4 {n}") for n in range(12))
    card = reply_card(Reply("Pick", choices=choices))
    assert [e["type"] for e in card["body"] if e["type"] == "Input.ChoiceSet"] == [
        "Input.ChoiceSet"
    ]
