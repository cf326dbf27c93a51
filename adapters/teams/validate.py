"""What a Bot Framework activity must look like before botbuilder or a turn reads it.

botbuilder's msrest models take almost anything (a tenant id that is an object, a sender id
that is a number) and the turn then fails on it, or stores it. Every key the SDK or our turn
reads is checked here against the type the Bot Framework schema gives it; an activity that does
not match is answered 400 before anything is stored. Every string in an activity that passes is
cleaned of what no database stores (`bot.clean_text`).
"""

from __future__ import annotations

from typing import Any

from adapters.shapes import Malformed, each, either, match, required_text, text_or_none
from bot.clean_text import clean_json

_ACCOUNT = {
    "id": required_text,
    "name": text_or_none,
    "aadObjectId": text_or_none,
    "role": text_or_none,
}
_CONVERSATION = {
    "id": required_text,
    "name": text_or_none,
    "conversationType": text_or_none,
    "tenantId": text_or_none,
    "isGroup": (bool, type(None)),
}
_MENTION = {"mentioned": either(type(None), {"id": text_or_none, "name": text_or_none})}
_ACTIVITY = {
    "type": required_text,
    "id": text_or_none,
    "name": text_or_none,
    "action": text_or_none,
    "text": text_or_none,
    "textFormat": text_or_none,
    "locale": text_or_none,
    "timestamp": text_or_none,
    "localTimestamp": text_or_none,
    "serviceUrl": required_text,
    "channelId": text_or_none,
    "replyToId": text_or_none,
    "deliveryMode": text_or_none,
    "from": _ACCOUNT,
    "recipient": either(type(None), _ACCOUNT),
    "conversation": _CONVERSATION,
    "membersAdded": either(type(None), each(_ACCOUNT)),
    "membersRemoved": either(type(None), each(_ACCOUNT)),
    "localTimezone": text_or_none,
    "entities": either(
        type(None),
        each({"type": text_or_none, "text": text_or_none, "timezone": text_or_none, **_MENTION}),
    ),
    "channelData": either(
        type(None),
        {
            "tenant": either(type(None), {"id": text_or_none}),
            "team": either(type(None), {"id": text_or_none, "name": text_or_none}),
            "channel": either(type(None), {"id": text_or_none, "name": text_or_none}),
        },
    ),
    "value": either(
        type(None),
        str,  # a plain string value (some clients send one): no card data, read as a message
        {
            "commandId": text_or_none,
            "messagePayload": either(
                type(None), {"body": either(type(None), {"content": text_or_none})}
            ),
            "data": either(type(None), dict),
        },
    ),
}
_REQUIRED = ("from", "conversation")


def checked_activity(body: Any) -> dict[str, Any] | None:
    """The activity's JSON, cleaned, when it has the documented shape; else None (400)."""
    try:
        match(body, _ACTIVITY, "activity")
        missing = [key for key in _REQUIRED if key not in body]
        if missing or "serviceUrl" not in body:
            raise Malformed(f"activity has no {', '.join(missing) or 'serviceUrl'}")
    except Malformed:
        return None
    cleaned: dict[str, Any] = clean_json(body)
    return cleaned
