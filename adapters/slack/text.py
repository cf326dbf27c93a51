"""Slack's incoming message text turned into the plain text the core expects."""

from __future__ import annotations

import re

_USER = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")
_CHANNEL = re.compile(r"<#([CGD][A-Z0-9]+)(?:\|([^>]*))?>")
_SPECIAL = re.compile(r"<!(here|channel|everyone)(?:\|[^>]*)?>")
_SUBTEAM = re.compile(r"<!subteam\^[A-Z0-9]+(?:\|([^>]*))?>")
_LINK = re.compile(r"<((?:https?|mailto):[^|>]+)(?:\|([^>]*))?>")


def to_core_text(text: str, *, bot_user_id: str | None = None) -> str:
    """Normalise mentions to `<@U123>`, drop the bot's own mention, unescape `&lt;` and friends.

    Slack sends what people typed with `&`, `<`, `>` escaped and real tokens in `<…>`; only real
    user mentions stay tokens, the rest become the words people saw.
    """
    if bot_user_id:
        text = re.sub(rf"<@{re.escape(bot_user_id)}(?:\|[^>]*)?>[:,]?", " ", text)
    text = _USER.sub(r"<@\1>", text)
    text = _CHANNEL.sub(lambda m: f"#{m[2] or m[1]}", text)
    text = _SPECIAL.sub(r"@\1", text)
    text = _SUBTEAM.sub(lambda m: m[1] or "@group", text)
    text = _LINK.sub(lambda m: m[1].removeprefix("mailto:"), text)
    text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    return " ".join(text.split()) if "\n" not in text else text.strip()
