"""Who a Slack user is: `users.info`, cached in memory for an hour per user.

The cache is bounded (`MAX_CACHED`, the least recently asked out first), and a failed look-up
is remembered for `FAILED_TTL` too: a Slack outage or a missing scope must not cost a
`users.info` call on every request.

Slack has no standard department: workspaces that keep one have a custom profile field
labelled "Department" (`team.profile.get` names it, `users.profile.get` holds its value). When
the workspace has none, or the app lacks the `users.profile:read` scope, department stays empty.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from dataclasses import replace
from datetime import datetime, timedelta

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.clock import Clock
from bot.messages import Platform, User

_LOGGER = logging.getLogger(__name__)
TTL = timedelta(hours=1)
FAILED_TTL = timedelta(minutes=1)
MAX_CACHED = 10_000
DEPARTMENT_LABELS = frozenset({"department", "dept", "division"})
_FAILED = (SlackApiError, aiohttp.ClientError, TimeoutError)


class Profiles:
    def __init__(self, client: AsyncWebClient, clock: Clock) -> None:
        self.client = client
        self.clock = clock
        self._cache: OrderedDict[str, tuple[datetime, User]] = OrderedDict()
        self._department_field: str | None = None
        self._fields_known_until: datetime | None = None

    async def user(self, user_id: str, team_id: str | None, fallback_name: str | None) -> User:
        """The neutral `User` (id = the Slack user id, tenant = the team id)."""
        now = self.clock.now()
        cached = self._cache.get(user_id)
        if cached is not None and cached[0] > now:
            self._cache.move_to_end(user_id)
            return cached[1]
        try:
            response = await self.client.users_info(user=user_id)
        except _FAILED as exc:
            # Without a profile we still answer: the id is what identity resolution needs.
            _LOGGER.info("users.info for %s failed: %s", user_id, exc)
            fallback = User(Platform.SLACK, user_id, name=fallback_name, tenant_id=team_id)
            self._keep(user_id, now + FAILED_TTL, fallback)
            return fallback
        data = response.get("user") or {}
        user = to_user(data, user_id, team_id, fallback_name)
        department = await self._department(user_id, data.get("profile") or {}, now)
        if department:
            user = replace(user, department=department)
        self._keep(user_id, now + TTL, user)
        return user

    def forget(self, user_id: str) -> None:
        """Drop a cached profile (the person changed it): the next request asks Slack."""
        self._cache.pop(user_id, None)

    def _keep(self, user_id: str, until: datetime, user: User) -> None:
        self._cache[user_id] = (until, user)
        self._cache.move_to_end(user_id)
        while len(self._cache) > MAX_CACHED:
            self._cache.popitem(last=False)

    async def _department(self, user_id: str, profile: dict, now: datetime) -> str | None:
        field_id = await self._department_field_id(now)
        if field_id is None:
            return None
        fields = profile.get("fields")
        if not isinstance(fields, dict) or field_id not in fields:
            try:
                response = await self.client.users_profile_get(user=user_id)
            except _FAILED as exc:
                _LOGGER.info("users.profile.get for %s failed: %s", user_id, exc)
                return None
            fields = (response.get("profile") or {}).get("fields") or {}
        value = (fields.get(field_id) or {}).get("value") if isinstance(fields, dict) else None
        if not isinstance(value, str) or not value.strip():
            return None
        return value.strip()[:120]

    async def _department_field_id(self, now: datetime) -> str | None:
        """The id of the workspace's "Department" profile field, looked up once an hour."""
        if self._fields_known_until is not None and self._fields_known_until > now:
            return self._department_field
        self._fields_known_until = now + TTL
        self._department_field = None
        try:
            response = await self.client.team_profile_get()
        except _FAILED as exc:
            _LOGGER.info("team.profile.get failed: %s", exc)
            return None
        for field in (response.get("profile") or {}).get("fields") or []:
            if str(field.get("label", "")).strip().lower() in DEPARTMENT_LABELS:
                self._department_field = field.get("id")
                break
        return self._department_field


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
