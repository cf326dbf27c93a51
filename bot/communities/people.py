"""Personal settings: timezone, and linking your accounts on several platforms."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from bot.communities.checks import check_timezone
from bot.context import Context
from bot.errors import UserError
from bot.messages import Reply
from bot.registry import command
from storage import conversations, people

GROUP = "You"
LINK_CODE_MINUTES = 15


@command(
    "timezone",
    usage="timezone [Area/City]",
    summary="See or set your timezone",
    group=GROUP,
    examples=("timezone Europe/Berlin",),
)
async def timezone(ctx: Context, args: str) -> Reply:
    if not args.strip():
        current = ctx.member.timezone or f"{ctx.settings.timezone} (the default)"
        return Reply(f"Your timezone is {current}. Change it with `timezone Europe/Berlin`.")
    ctx.member.timezone = check_timezone(args.strip())
    ctx.session.add(ctx.member)
    return Reply(f"Your timezone is now {ctx.member.timezone}; times I show you use it.")


def _link_code(ctx: Context, member_id: int, window: int, nonce: str) -> str:
    # The deployment's secret (COPBOT_SECRET_KEY first): a code must not be computable from
    # public facts, or anyone could claim to be someone else. "link:" keeps it apart from the
    # download-link signatures made with the same key. The nonce makes every code new, so a
    # spent one can be replaced at once.
    message = f"link:{member_id}:{window}:{nonce}".encode()
    digest = hmac.new(ctx.settings.signing_key, message, hashlib.sha256).hexdigest()
    return f"{member_id}-{nonce}{digest[:8]}"


@command(
    "link",
    usage="link [code]",
    summary="Be one person across Slack and Teams: get a code here, type it there",
    group=GROUP,
)
async def link(ctx: Context, args: str) -> Reply:
    window = int(ctx.now.timestamp() // (LINK_CODE_MINUTES * 60))
    code = args.strip()
    if not code:
        fresh_code = _link_code(ctx, ctx.member_id, window, secrets.token_hex(2))
        return Reply(
            f"Your link code is `{fresh_code}` (valid about {LINK_CODE_MINUTES} minutes). "
            "On your other platform, type `link <code>` in a direct message to me."
        )
    owner_text, _, signed = code.partition("-")
    if not owner_text.isdigit():
        raise UserError("That doesn't look like a link code. Type `link` to get one.")
    owner_id = int(owner_text)
    valid = [_link_code(ctx, owner_id, w, signed[:4]) for w in (window, window - 1)]
    if not any(hmac.compare_digest(code.encode(), v.encode()) for v in valid):
        raise UserError(
            "That code is wrong or expired. Type `link` on the other platform for a fresh one."
        )
    if owner_id == ctx.member_id:
        return Reply("That's your own code: type it on your *other* platform.")
    # A code makes whoever types it that person: once it was seen by a channel, or used, it is
    # spent (anyone there could type it within its 15 minutes and become them).
    fresh = await conversations.first_time_seen(ctx.session, f"link-code:{code}", ctx.now)
    if not ctx.request.conversation.is_direct:
        # An answer, not an error: the spent code must be committed.
        return Reply(
            "That code was shown in a shared conversation, so it no longer works. Type `link` "
            "again on your other platform and send the new code to me in a direct message."
        )
    if not fresh:
        raise UserError("That code was used already. Type `link` on the other platform again.")
    owner = await people.get_member(ctx.session, owner_id)
    if owner is None:
        raise UserError("That code is wrong or expired.")
    await people.link_identity(ctx.session, ctx.identity, owner_id)
    return Reply(f"Linked: this account is now the same person as {owner.display_name}.")
