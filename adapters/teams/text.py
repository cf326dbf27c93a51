"""Text in both directions: Teams message text to core text, core text to card Markdown.

Inbound, Teams sends what people typed as lightly formatted HTML: `<at>Name</at>` for each
mention (explained by a `mention` entity), `&lt;` for `<`, sometimes `<p>` or `<br>`. The bot's
own mention is removed, other people's become `<@29:id>` tokens the core resolves, the rest
becomes the characters people saw.

Outbound, Adaptive Card TextBlocks parse a Markdown subset (bold, italic, lists, links). Core
text uses only `*bold*`; everything else, user words included, is backslash-escaped so that
`[x](http://evil)`, `**`, `_`, list markers or `<at>` typed by anyone show literally. A card
never carries mention entities, so no `<at>` can become a mention either way.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping
from typing import Any

_AT = re.compile(r"<at(?:\s[^>]*)?>(.*?)</at>", re.I | re.S)
_BREAK = re.compile(r"<br\s*/?>|</p>\s*<p[^>]*>|</div>\s*<div[^>]*>", re.I)
_TAG = re.compile(r"</?(?:p|div|span|b|i|u|s|strong|em|strike|pre|code)(?:\s[^>]*)?>", re.I)
_LEADING_COP = re.compile(r"^\s*/?cop\b[:,]?\s*", re.I)

# Markdown control characters escaped everywhere, and block markers escaped at line start.
_SPECIAL = re.compile(r"([\\*_\[\]<>~])")
_LINE_START = re.compile(r"^(\s*)(?:([#>+\-=])|(\d+)([.)]))", re.M)
_BOLD = re.compile(r"(?<![\w*\\])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![\w*])")
_UNESCAPE = re.compile(r"\\([\\`*_\[\]<>~|{}#+\-=.)!])")


def to_core_text(
    text: str, entities: Iterable[Mapping[str, Any]] = (), *, bot_id: str | None = None
) -> str:
    """What the person typed, with the bot's mention and an optional leading `cop` removed."""
    names: dict[str, str] = {}
    for entity in entities:
        if str(entity.get("type", "")).lower() != "mention":
            continue
        mentioned = entity.get("mentioned") or {}
        tag = str(entity.get("text") or "")
        found = _AT.fullmatch(tag.strip())
        key = html.unescape(found[1] if found else str(mentioned.get("name") or "")).strip()
        if key and mentioned.get("id"):
            names[key] = str(mentioned["id"])

    def mention(match: re.Match[str]) -> str:
        name = html.unescape(match[1]).strip()
        user_id = names.get(name)
        if user_id is None:
            return name
        return " " if bot_id and user_id == bot_id else f"<@{user_id}>"

    text = _AT.sub(mention, text or "")
    text = _BREAK.sub("\n", text)
    text = _TAG.sub("", text)
    text = html.unescape(text).replace("\xa0", " ")
    text = _LEADING_COP.sub("", text.strip(), count=1)
    return " ".join(text.split()) if "\n" not in text else text.strip()


def escape(text: str) -> str:
    """User-provided text made inert in a TextBlock: shown literally, never as markup."""
    text = _SPECIAL.sub(r"\\\1", text)
    return _LINE_START.sub(_escape_marker, text)


def _escape_marker(match: re.Match[str]) -> str:
    if match[2]:
        return f"{match[1]}\\{match[2]}"
    return f"{match[1]}{match[3]}\\{match[4]}"


def markdown(text: str) -> str:
    """Core text as TextBlock Markdown: `*bold*` becomes `**bold**`, the rest is escaped."""
    parts: list[str] = []
    last = 0
    for found in _BOLD.finditer(text):
        parts.append(escape(text[last : found.start()]))
        parts.append(f"**{escape(found[1])}**")
        last = found.end()
    parts.append(escape(text[last:]))
    return "".join(parts)


def unmarkdown(text: str) -> str:
    """Roughly what a person reads in a TextBlock (tests and drivers): `**bold**` as the core's
    `*bold*`, escapes undone. Read left to right, so an escaped backslash right before `**`
    (`**\\\\**`, a bold backslash) does not hide the marker."""
    out: list[str] = []
    i = 0
    while i < len(text):
        escaped = _UNESCAPE.match(text, i)
        if escaped:
            out.append(escaped[1])
            i = escaped.end()
        elif text.startswith("**", i):
            out.append("*")
            i += 2
        else:
            out.append(text[i])
            i += 1
    return "".join(out)
