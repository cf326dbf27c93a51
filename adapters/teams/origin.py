"""Where a Teams activity came from: the person, the conversation, and the reference to answer.

Pure functions of the activity, so a stored activity (adapters.teams.inbox) gives the same
origin again in another process.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from botbuilder.core import TurnContext
from botbuilder.schema import Activity, ConversationReference

from adapters.teams.port import base_conversation_id
from bot.messages import ConversationRef, Platform, User


@dataclass(frozen=True, slots=True)
class Origin:
    """Where an activity came from, and what is needed to answer there."""

    user: User
    conversation: ConversationRef
    reference: ConversationReference

    @property
    def is_direct(self) -> bool:
        return self.conversation.is_direct


def tenant_of(body: Mapping[str, Any]) -> str | None:
    channel_data = given if isinstance(given := body.get("channelData"), dict) else {}
    conversation = found if isinstance(found := body.get("conversation"), dict) else {}
    return (channel_data.get("tenant") or {}).get("id") or conversation.get("tenantId")


def origin_of(activity: Activity, body: Mapping[str, Any], user: User) -> Origin:
    """Where an activity came from (pure: a stored activity gives the same origin again)."""
    tenant = tenant_of(body)
    conversation = activity.conversation
    kind = conversation.conversation_type or ("groupChat" if conversation.is_group else "")
    is_direct = kind == "personal" or (not kind and not conversation.is_group)
    base = base_conversation_id(conversation.id)
    thread = conversation.id.split(";messageid=", 1)[1] if base != conversation.id else None
    reference = TurnContext.get_conversation_reference(activity)
    reference.activity_id = None
    reference.conversation.id = base
    reference.conversation.tenant_id = tenant
    raw = reference.serialize()
    ref = ConversationRef(
        Platform.TEAMS, base, tenant, thread_id=thread, is_direct=is_direct, raw=raw
    )
    return Origin(user, ref, reference)
