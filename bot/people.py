"""Finding the person a command names: a platform mention or a display name."""

from __future__ import annotations

import re

from bot.context import Context
from bot.errors import UserError
from storage import people
from storage.tables import Member

# Adapters turn platform mentions into `<@platform-user-id>` before the core sees them.
MENTION = re.compile(r"^<@([^>|\s]+)(?:\|[^>]*)?>$")


async def find_person(ctx: Context, token: str) -> Member:
    """Resolve `<@U123>`, `@Ada Lovelace`, `@ada` or `ada` to one member, or say why not."""
    token = token.strip()
    mention = MENTION.match(token)
    if mention:
        member = await people.find_member_by_platform_id(ctx.session, ctx.platform, mention[1])
        if member is None:
            raise UserError("I haven't met that person yet: ask them to say `help` to me first.")
        return member
    name = token.lstrip("@").strip().strip('"')
    if not name:
        raise UserError("Who do you mean? Mention them, e.g. `@Ada`.")
    exact = await people.find_members_by_name(ctx.session, name)
    if len(exact) == 1:
        return exact[0]
    candidates = exact or await people.find_members_by_name(ctx.session, name, first_name=True)
    if len(candidates) == 1:
        return candidates[0]
    if candidates:
        listed = ", ".join(m.display_name for m in candidates[:5])
        raise UserError(f"More than one person matches `{name}`: {listed}. Use a full name.")
    raise UserError(f"I don't know anyone called `{name}`. Mention them, e.g. `@Ada`.")


def split_person(args: str) -> tuple[str, str]:
    """Split `<@U1> rest`, `@"Ada Lovelace" rest` or `@ada rest` into (person, rest)."""
    args = args.strip()
    if args.startswith("<@"):
        end = args.find(">")
        if end > 0:
            return args[: end + 1], args[end + 1 :].strip()
    if args.startswith('@"') or args.startswith('"'):
        start = args.index('"') + 1
        end = args.find('"', start)
        if end > 0:
            return args[: end + 1], args[end + 1 :].strip()
    head, _, rest = args.partition(" ")
    return head, rest.strip()
