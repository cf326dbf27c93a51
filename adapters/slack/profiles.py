"""Who a Slack user is: `users.info`, cached in memory for an hour per user."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.clock import Clock
from bot.messages import Platform, User

_LOGGER = logging.getLogger(__name__)
TTL = timedelta(hours=1)
MAX_CACHED = 10_000


class Profiles:
    def __init__(self, client: AsyncWebClient, clock: Clock) -> None:
        self.client = client
        self.clock = clock
        self._cache: dict[str, tuple[datetime, User]] = {}

    async def user(self, user_id: str, team_id: str | None, fallback_name: str | None) -> User:
        """The neutral `User` (id = the Slack user id, tenant = the team id)."""
        now = self.clock.now()
        cached = self._cache.get(user_id)
        if cached is not None and cached[0] > now:
            return cached[1]
        try:
            response = await self.client.users_info(user=user_id)
        except (SlackApiError, aiohttp.ClientError, TimeoutError) as exc:
            # Without a profile we still answer: the id is what identity resolution needs.
            _LOGGER.info("users.info for %s failed: %s", user_id, exc)
            return User(Platform.SLACK, user_id, name=fallback_name, tenant_id=team_id)
        user = to_user(response.get("user") or {}, user_id, team_id, fallback_name)
        if len(self._cache) >= MAX_CACHED:
            self._cache.clear()
        self._cache[user_id] = (now + TTL, user)
        return user


def to_user(data: dict, user_id: str, team_id: str | None, fallback_name: str | None) -> User:
    profile = data.get("profile") or {}
    name = (
        profile.get("display_name")
        or profile.get("real_name")
        or data.get("real_name")
        or data.get("name")
        or fallback_name
    )
    return User(
        Platform.SLACK,
        user_id,
        name=name or None,
        email=profile.get("email") or None,
        timezone=data.get("tz") or None,
        title=profile.get("title") or None,
        tenant_id=team_id or data.get("team_id") or None,
    )
