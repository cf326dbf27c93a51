"""Which Slack workspace a request or a message belongs to, and the token that speaks there.

The neutral `tenant_id` of a Slack user, conversation and outbox row names the install whose
token reaches them:

- `T123`: a workspace of its own (or the only one, with `SLACK_BOT_TOKEN`);
- `E123:T456`: a workspace of an Enterprise Grid org where copbot is installed per workspace;
- `E123`: a whole Grid org, installed org-wide: one token for every workspace of the org, and a
  person (whose user id is the same in every workspace of the org) is one identity.

The rate bucket of a send (`bot.ports.bucket_of`) is `slack:<tenant>`, so each install keeps
its own budget, and an uninstall ends exactly that install's queued messages.

One `WorkspaceClient` serves every workspace: each Web API call uses the token of the install
in hand, set with `Workspaces.acting_for` around the work (a context variable, so concurrent
tasks for different workspaces never see each other's token).
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator
from typing import Any

from slack_bolt.request.internals import (
    extract_enterprise_id,
    extract_is_enterprise_install,
    extract_team_id,
)
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.web.async_client import AsyncWebClient

_ACTING: contextvars.ContextVar[str | None] = contextvars.ContextVar("slack_token", default=None)


class NotInstalled(Exception):
    """No token for this workspace: copbot was never installed there, or was removed."""


class WorkspaceClient(AsyncWebClient):
    """An AsyncWebClient whose token is the one of the workspace being served (else its own)."""

    # An attribute in slack_sdk, read on every call: here, the token of the install in hand.
    @property
    def token(self) -> str | None:
        return _ACTING.get() or self._own_token

    @token.setter
    def token(self, value: str | None) -> None:
        self._own_token = value


def tenant_of(enterprise_id: str | None, team_id: str | None, org_wide: bool) -> str | None:
    if enterprise_id and (org_wide or not team_id):
        return enterprise_id
    if enterprise_id and team_id:
        return f"{enterprise_id}:{team_id}"
    return team_id


def tenant_of_payload(body: dict[str, Any]) -> str | None:
    """The tenant of any Slack payload (command, interaction, event), as Bolt reads its ids."""
    return tenant_of(
        extract_enterprise_id(body),
        extract_team_id(body),
        bool(extract_is_enterprise_install(body)),
    )


def install_of(tenant: str | None) -> tuple[str | None, str | None, bool]:
    """(enterprise id, team id, org-wide) of a tenant made by `tenant_of`."""
    if not tenant:
        return None, None, False
    if ":" in tenant:
        enterprise, team = tenant.split(":", 1)
        return enterprise, team, False
    if tenant.startswith("E"):
        return tenant, None, True
    return None, tenant, False


class Workspaces:
    """Finds the bot token of a tenant: the one `SLACK_BOT_TOKEN`, or the installation store's."""

    def __init__(
        self, single_token: str | None, store: AsyncInstallationStore | None = None
    ) -> None:
        self.single_token = single_token
        self.store = store

    @property
    def multi(self) -> bool:
        return self.store is not None

    async def token_for(self, tenant: str | None) -> str:
        if self.store is None:
            if not self.single_token:
                raise NotInstalled("SLACK_BOT_TOKEN is not set")
            return self.single_token
        enterprise, team, org_wide = install_of(tenant)
        bot = await self.store.async_find_bot(
            enterprise_id=enterprise, team_id=team, is_enterprise_install=org_wide
        )
        if bot is None or not bot.bot_token:
            raise NotInstalled(f"copbot is not installed in Slack workspace {tenant or '?'}")
        return bot.bot_token

    @contextlib.contextmanager
    def using(self, token: str | None) -> Iterator[None]:
        """Web API calls made inside use `token` (None: the client's own)."""
        reset = _ACTING.set(token)
        try:
            yield
        finally:
            _ACTING.reset(reset)

    @contextlib.asynccontextmanager
    async def acting_for(self, tenant: str | None) -> Any:
        """Web API calls made inside use the token of `tenant`'s install (raises NotInstalled)."""
        token = await self.token_for(tenant) if self.multi else None
        with self.using(token):
            yield
