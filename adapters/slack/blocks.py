"""Block Kit rendering of neutral replies: messages, modals and the App Home.

Escaping rule: every string that reaches a `mrkdwn` text object or the fallback `text` goes
through `escape` (`&`, `<`, `>` become `&amp;`, `&lt;`, `&gt;`) and mrkdwn objects are sent with
`verbatim: true`. So `<!channel>`, `<@U123>` or `<http://x|y>` typed by anyone shows literally,
while the core's `*bold*` and `` `code` `` keep working. The core names people in words (display
names), never with platform markup, so no part of a `Reply` ever becomes a mention, broadcast or
masked link on Slack; a `<@U…>` that reaches a reply (say, an echoed argument) stays inert text.

Slack limits are enforced by truncating with an ellipsis, never by failing: 50 blocks per
message (100 in modals and the Home tab), 3,000 characters per section, 10 fields of 2,000,
25 elements per actions block, button text 75, value 2,000, header 150, option text 75 and
value 150, modal title 24.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from adapters.scales import is_scale
from bot.messages import Choice, Reply

MAX_MESSAGE_BLOCKS = 50
MAX_VIEW_BLOCKS = 100
SECTION_TEXT = 3000
FIELD_TEXT = 2000
MAX_FIELDS = 10
ACTIONS_ELEMENTS = 25
BUTTON_TEXT = 75
BUTTON_VALUE = 2000
URL_LENGTH = 3000
HEADER_TEXT = 150
OPTION_TEXT = 75
OPTION_VALUE = 150
MAX_OPTIONS = 100
CONTEXT_TEXT = 2000
FALLBACK_TEXT = 3900
MODAL_TITLE = 24
MODAL_BUTTON = 24
PRIVATE_METADATA = 3000
LABEL_TEXT = 2000
PLACEHOLDER_TEXT = 150
INPUT_MAX_LENGTH = 3000
# Slack refuses messages whose blocks hold much more than ~13k characters of text in total.
MESSAGE_TEXT_BUDGET = 11000
BUTTONS_BEFORE_SELECT = 5

CHOICE_ACTION = "cop_choice"
LINK_ACTION = "cop_link"
SELECT_ACTION = "cop_select"
FORM_CALLBACK = "cop_form"
ELLIPSIS = "…"
_PARTIAL_ENTITY = re.compile(r"&[a-z]{0,4}$")


def escape(text: str) -> str:
    """Make user-provided text inert in mrkdwn: only `&`, `<` and `>` are control characters."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def clip(text: str, limit: int) -> str:
    """At most `limit` characters, ending with an ellipsis when cut."""
    if len(text) <= limit:
        return text
    return text[: max(0, limit - 1)] + ELLIPSIS


def clip_escaped(text: str, limit: int) -> str:
    """Escape, then cut without leaving half an entity such as `&am`."""
    escaped = escape(text)
    if len(escaped) <= limit:
        return escaped
    cut = _PARTIAL_ENTITY.sub("", escaped[: max(0, limit - 1)])
    return cut + ELLIPSIS


def plain(text: str, limit: int) -> dict[str, Any]:
    """A plain_text object: Slack shows it literally, so no escaping is needed."""
    return {"type": "plain_text", "text": clip(text.strip() or "-", limit), "emoji": True}


def mrkdwn(text: str, limit: int = SECTION_TEXT) -> dict[str, Any]:
    return {"type": "mrkdwn", "text": clip_escaped(text or " ", limit) or " ", "verbatim": True}


def fallback_text(replies: Sequence[Reply]) -> str:
    """The notification and accessibility text of a message (escaped, within limits)."""
    parts = []
    for reply in replies:
        parts.append(f"{reply.title}: {reply.text}" if reply.title else reply.text)
    return clip_escaped("\n\n".join(parts) or " ", FALLBACK_TEXT)


# -- messages ---------------------------------------------------------------------------------


def message_blocks(replies: Sequence[Reply], *, limit: int = MAX_MESSAGE_BLOCKS) -> list[dict]:
    """All replies in one message: each reply's blocks, separated by dividers, within `limit`."""
    blocks: list[dict[str, Any]] = []
    budget = [MESSAGE_TEXT_BUDGET if limit == MAX_MESSAGE_BLOCKS else MESSAGE_TEXT_BUDGET * 2]
    for index, reply in enumerate(replies):
        rendered = reply_blocks(reply, budget=budget, prefix=str(index))
        if blocks and rendered:
            rendered.insert(0, {"type": "divider"})
        blocks.extend(rendered)
    if len(blocks) > limit:
        # Drop text from the end first, so the buttons of every reply survive.
        excess = len(blocks) - (limit - 1)
        textual = [i for i, b in enumerate(blocks) if b["type"] in ("section", "context")]
        dropped = set(textual[-excess:])
        more = {"type": "context", "elements": [mrkdwn("…more than fits in one message.")]}
        blocks = [*[b for i, b in enumerate(blocks) if i not in dropped][: limit - 1], more]
    return blocks


def reply_blocks(
    reply: Reply, *, budget: list[int] | None = None, prefix: str = "0"
) -> list[dict[str, Any]]:
    """One reply as blocks. `budget` holds the text characters still allowed (shared)."""
    budget = budget if budget is not None else [MESSAGE_TEXT_BUDGET]
    blocks: list[dict[str, Any]] = []
    if reply.title:
        blocks.append({"type": "header", "text": plain(reply.title, HEADER_TEXT)})
    if reply.text.strip():
        blocks.extend(_text_sections(reply.text, budget))
    if reply.fields:
        blocks.extend(_field_sections(reply.fields, budget))
    if reply.errors:
        lines = "\n".join(f"• {name}: {message}" for name, message in reply.errors)
        blocks.extend(_text_sections(lines, budget))
    if reply.image is not None:
        blocks.append(
            {"type": "context", "elements": [mrkdwn(f"Chart: {reply.image.alt}", CONTEXT_TEXT)]}
        )
    if reply.file is not None:
        blocks.append(
            {"type": "context", "elements": [mrkdwn(f"File: {reply.file.filename}", CONTEXT_TEXT)]}
        )
    if reply.form is not None:
        # A form shows as a modal when there is a click or command to open it from; a message
        # sent on its own (a DM from the outbox) can only say where to find it.
        hint = f"Form: {reply.form.title}. Use the button or the command again to open it."
        blocks.append({"type": "context", "elements": [mrkdwn(hint, CONTEXT_TEXT)]})
    blocks.extend(choice_blocks(reply.choices, prefix=prefix))
    if reply.context:
        blocks.append({"type": "context", "elements": [mrkdwn(reply.context, CONTEXT_TEXT)]})
    return blocks


def _text_sections(text: str, budget: list[int]) -> list[dict[str, Any]]:
    """Long text becomes several sections split at line ends, until the budget runs out."""
    lines: list[str] = []
    for line in text.splitlines() or [text]:
        # A single huge line is cut into pieces that each fit a section once escaped.
        lines.extend([line[i : i + 700] for i in range(0, len(line), 700)] or [""])
    parts: list[str] = []
    chunk: list[str] = []
    size = 0
    for line in lines:
        line_size = len(escape(line)) + 1
        if chunk and size + line_size > SECTION_TEXT - 1:
            parts.append("\n".join(chunk))
            chunk, size = [], 0
        chunk.append(line)
        size += line_size
    if chunk:
        parts.append("\n".join(chunk))
    blocks: list[dict[str, Any]] = []
    for part in parts:
        if not part.strip():
            continue
        allowed = min(SECTION_TEXT, budget[0])
        if allowed < 20 or len(blocks) >= 10:
            blocks.append({"type": "context", "elements": [mrkdwn("…(text shortened)")]})
            break
        rendered = mrkdwn(part, allowed)
        budget[0] -= len(rendered["text"])
        blocks.append({"type": "section", "text": rendered})
    return blocks


def _field_sections(fields: Iterable[tuple[str, str]], budget: list[int]) -> list[dict]:
    """Short fields side by side (10 per section); long ones as their own section."""
    blocks: list[dict[str, Any]] = []
    row: list[dict[str, Any]] = []
    for label, value in fields:
        if len(blocks) >= 12:
            blocks.append({"type": "context", "elements": [mrkdwn("…(more fields)")]})
            return blocks
        allowed = min(FIELD_TEXT, max(0, budget[0]))
        if allowed < 20:
            break
        text = f"*{clip_escaped(label, 200)}*\n{escape(value)}"
        if len(value) > 300 or "\n" in value:
            if row:
                blocks.append({"type": "section", "fields": row})
                row = []
            rendered: dict[str, Any] = {
                "type": "mrkdwn",
                "text": _clip_rendered(text, min(SECTION_TEXT, budget[0])),
                "verbatim": True,
            }
            blocks.append({"type": "section", "text": rendered})
        else:
            rendered = {"type": "mrkdwn", "text": _clip_rendered(text, allowed), "verbatim": True}
            row.append(rendered)
            if len(row) == MAX_FIELDS:
                blocks.append({"type": "section", "fields": row})
                row = []
        budget[0] -= len(rendered["text"])
    if row:
        blocks.append({"type": "section", "fields": row})
    return blocks


def _clip_rendered(text: str, limit: int) -> str:
    """Cut already-escaped text without splitting an entity."""
    if len(text) <= limit:
        return text
    return _PARTIAL_ENTITY.sub("", text[: max(0, limit - 1)]) + ELLIPSIS


def choice_blocks(choices: Sequence[Choice], *, prefix: str = "0") -> list[dict[str, Any]]:
    """Buttons for a few choices or a rating scale (one click answers it, and an actions block
    takes 25 elements); a select menu for more. Links are always buttons."""
    commands = [c for c in choices if c.command and len(c.command) <= BUTTON_VALUE]
    links = [c for c in choices if c.url and not c.command and len(c.url) <= URL_LENGTH]
    elements: list[dict[str, Any]] = []
    selectable = [c for c in commands if len(c.command or "") <= OPTION_VALUE]
    many = len(commands) > BUTTONS_BEFORE_SELECT and not is_scale(commands)
    if many and len(selectable) == len(commands):
        elements.append(_select(commands, f"{SELECT_ACTION}:{prefix}"))
    else:
        for index, choice in enumerate(commands):
            elements.append(_button(choice, f"{CHOICE_ACTION}:{prefix}:{index}"))
    for index, choice in enumerate(links):
        button = {
            "type": "button",
            "action_id": f"{LINK_ACTION}:{prefix}:{index}",
            "text": plain(choice.label, BUTTON_TEXT),
            "url": choice.url,
        }
        elements.append(button)
    blocks = []
    for start in range(0, min(len(elements), ACTIONS_ELEMENTS * 2), ACTIONS_ELEMENTS):
        blocks.append({"type": "actions", "elements": elements[start : start + ACTIONS_ELEMENTS]})
    return blocks


def _button(choice: Choice, action_id: str) -> dict[str, Any]:
    button: dict[str, Any] = {
        "type": "button",
        "action_id": action_id,
        "text": plain(choice.label, BUTTON_TEXT),
        "value": choice.command,
    }
    if choice.style in ("primary", "danger"):
        button["style"] = choice.style
    return button


def _select(choices: Sequence[Choice], action_id: str) -> dict[str, Any]:
    return {
        "type": "static_select",
        "action_id": action_id,
        "placeholder": plain("Choose…", PLACEHOLDER_TEXT),
        "options": [
            {"text": plain(c.label, OPTION_TEXT), "value": c.command} for c in choices[:MAX_OPTIONS]
        ],
    }


# -- App Home ---------------------------------------------------------------------------------


def home_view(replies: Sequence[Reply]) -> dict[str, Any]:
    return {"type": "home", "blocks": message_blocks(replies, limit=MAX_VIEW_BLOCKS)}


# -- plain text (what Slack would show, for tests and drivers) ---------------------------------


def unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def blocks_to_text(blocks: Sequence[dict[str, Any]]) -> str:
    """Roughly what a person reads in these blocks (buttons shown as `[label]`)."""
    lines: list[str] = []
    for block in blocks:
        kind = block.get("type")
        if kind == "header":
            lines.append(block["text"]["text"])
        elif kind == "section":
            if "text" in block:
                lines.append(unescape(block["text"]["text"]))
            for field in block.get("fields", []):
                lines.append(unescape(field["text"]).replace("\n", ": ", 1))
        elif kind == "context":
            lines.extend(unescape(e.get("text", "")) for e in block["elements"])
        elif kind == "actions":
            labels = []
            for element in block["elements"]:
                if element["type"] == "button":
                    labels.append(f"[{element['text']['text']}]")
                else:
                    labels.extend(f"[{o['text']['text']}]" for o in element.get("options", []))
            lines.append(" ".join(labels))
    return "\n".join(lines)
