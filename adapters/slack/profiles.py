"""Who a Slack user is: `users.info`, cached in memory for an hour per user and install.

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
        # By (tenant, user): the same person seen through another install of one Grid org.
        self._cache: OrderedDict[tuple[str | None, str], tuple[datetime, User]] = OrderedDict()
        # Each workspace names its own "Department" field: (known until, field id) by tenant.
        self._department_fields: dict[str | None, tuple[datetime, str | None]] = {}

    async def user(self, user_id: str, team_id: str | None, fallback_name: str | None) -> User:
        """The neutral `User` (id = the Slack user id, tenant = the install's tenant: see
        adapters.slack.workspaces). Calls Slack with the token of the install in hand."""
        now = self.clock.now()
        key = (team_id, user_id)
        cached = self._cache.get(key)
        if cached is not None and cached[0] > now:
            self._cache.move_to_end(key)
            return cached[1]
        try:
            response = await self.client.users_info(user=user_id)
        except _FAILED as exc:
            # Without a profile we still answer: the id is what identity resolution needs.
            _LOGGER.info("users.info for %s failed: %s", user_id, exc)
            fallback = User(Platform.SLACK, user_id, name=fallback_name, tenant_id=team_id)
            self._keep(key, now + FAILED_TTL, fallback)
            return fallback
        data = response.get("user") or {}
        user = to_user(data, user_id, team_id, fallback_name)
        department = await self._department(user_id, team_id, data.get("profile") or {}, now)
        if department:
            user = replace(user, department=department)
        self._keep(key, now + TTL, user)
        return user

    def forget(self, user_id: str) -> None:
        """Drop a person's cached profiles (they changed it): the next request asks Slack."""
        for key in [key for key in self._cache if key[1] == user_id]:
            del self._cache[key]

    def _keep(self, key: tuple[str | None, str], until: datetime, user: User) -> None:
        self._cache[key] = (until, user)
        self._cache.move_to_end(key)
        while len(self._cache) > MAX_CACHED:
            self._cache.popitem(last=False)

    async def _department(
        self, user_id: str, tenant: str | None, profile: dict, now: datetime
    ) -> str | None:
        field_id = await self._department_field_id(tenant, now)
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

    async def _department_field_id(self, tenant: str | None, now: datetime) -> str | None:
        """The id of the workspace's "Department" profile field, looked up once an hour."""
        known = self._department_fields.get(tenant)
        if known is not None and known[0] > now:
            return known[1]
        if len(self._department_fields) >= MAX_CACHED:
            self._department_fields.clear()
        self._department_fields[tenant] = (now + TTL, None)
        try:
            response = await self.client.team_profile_get()
        except _FAILED as exc:
            _LOGGER.info("team.profile.get failed: %s", exc)
            return None
        for field in (response.get("profile") or {}).get("fields") or []:
            if str(field.get("label", "")).strip().lower() in DEPARTMENT_LABELS:
                self._department_fields[tenant] = (now + TTL, field.get("id"))
                break
        return self._department_fields[tenant][1]


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
