"""Coordinators named by COPBOT_ADMINS, known before they ever talk to copbot.

Each entry is a platform user id, optionally with its platform in front (`slack:U012AB`,
`teams:29:1a2b…`, `console:root`). A bare id is taken to be of the platform whose ids look like
it (Slack's `U…`/`W…`, Teams' `29:…`/`8:orgid:…`), else of the local chat. The router makes
whoever writes from such an account a coordinator; `ensure_admins` creates the members of those
who have not written yet, so what is meant for coordinators (an overdue health check, the
programme digest) reaches them too.
"""

from __future__ import annotations

import re
from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.config import Settings
from bot.messages import Platform
from storage import people

_SLACK_ID = re.compile(r"^[UW][A-Z0-9]{6,}$")
_PLATFORMS = {p.value for p in Platform}


def admin_accounts(settings: Settings) -> list[tuple[str, str]]:
    """(platform, user id) of each COPBOT_ADMINS entry."""
    accounts = []
    for entry in sorted(settings.admin_ids):
        platform, _, rest = entry.partition(":")
        if platform.lower() in _PLATFORMS and rest:
            accounts.append((platform.lower(), rest))
        elif _SLACK_ID.match(entry):
            accounts.append((Platform.SLACK.value, entry))
        elif entry.startswith(("29:", "8:orgid:")):
            accounts.append((Platform.TEAMS.value, entry))
        else:
            accounts.append((Platform.CONSOLE.value, entry))
    return accounts


def is_admin(settings: Settings, platform: str, user_id: str) -> bool:
    return user_id in settings.admin_ids or (platform, user_id) in admin_accounts(settings)


async def ensure_admins(session: AsyncSession, settings: Settings, now: datetime) -> int:
    """Create a coordinator for each COPBOT_ADMINS account copbot has not met; returns how many.

    Their name is the account id until they write (the router then takes their profile's)."""
    made = 0
    for platform, user_id in admin_accounts(settings):
        if await people.find_identity(session, platform, user_id) is not None:
            continue
        if await people.create_member_unless_known(
            session,
            platform=platform,
            user_id=user_id,
            display_name=user_id,
            now=now,
            is_coordinator=True,
        ):
            made += 1
    return made
