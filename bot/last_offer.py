"""What a bare `4` or `page 2` means: the 4th button of the last answer given to this person in
this conversation, or page 2 of the last list shown there.

Kept in the database (storage/offers.py), so after a restart or on another replica the same
words still mean the same thing. Buttons are counted across an answer's messages in order, as
the local chat numbers them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.context import Context
from bot.errors import UserError
from bot.messages import Choice, Reply
from bot.paging import continued, list_to_remember
from storage import offers

_BARE_NUMBER = re.compile(r"^\s*#?(\d{1,6})\s*[.)]?\s*$")


def _where(ctx: Context) -> tuple[int, str, str]:
    conversation = ctx.request.conversation
    return ctx.member_id, str(conversation.platform), conversation.conversation_id


async def expand(ctx: Context, line: str) -> str | Reply | None:
    """The command a bare number or `page N` stands for here, a Reply when it stands for a link,
    or None when `line` is neither (a UserError when it cannot be followed)."""
    number = _BARE_NUMBER.match(line)
    paging = line.lower().startswith("page")
    if number is None and not paging:
        return None
    offer = await offers.last_offer(ctx.session, *_where(ctx))
    if number is None:
        return continued(offer.list_command if offer else None, line)
    choices = offer.choices if offer else []
    picked = int(number.group(1))
    if not choices:
        raise UserError(
            f"`{picked}` clicks a numbered button, and my last answer here had none. "
            "Type `help` to see what I can do."
        )
    if not 0 < picked <= len(choices):
        raise UserError(
            f"My last answer here had buttons 1-{len(choices)}: type one of those numbers, "
            "or the command shown."
        )
    label, command, url = [*choices[picked - 1], None, None, None][:3]
    if command:
        return str(command)
    # A link button: the link again, as a button (its address is not text to type).
    return Reply(f"*{label}*", choices=(Choice(str(label), url=str(url)),) if url else ())


def _choices(replies: Sequence[Reply]) -> list[tuple[str, str | None, str | None]]:
    return [(c.label[:200], c.command, c.url) for reply in replies for c in reply.choices]


async def remember(ctx: Context, line: str, replies: Sequence[Reply]) -> None:
    """Keep this answer's buttons (and its list, when it showed a page) for the next line."""
    if ctx.member.forgotten_at is not None:
        return  # they were just forgotten: nothing of theirs is kept, not even this
    await offers.remember(
        ctx.session,
        *_where(ctx),
        choices=_choices(replies),
        list_command=list_to_remember(line, replies),
        now=ctx.now,
    )


async def remember_sent(
    session: AsyncSession,
    member_id: int,
    platform: str,
    conversation_id: str,
    reply: Reply,
    now: datetime,
) -> None:
    """A proactive message with buttons (a reminder, an invitation, a nudge) just reached this
    person's direct conversation: a bare number typed there now clicks one of its buttons.
    One without buttons leaves the last offer as it was."""
    found = _choices([reply])
    if found:
        await offers.remember(
            session,
            member_id,
            platform,
            conversation_id,
            choices=found,
            list_command=None,
            now=now,
        )
