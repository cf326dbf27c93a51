"""The mounted Teams endpoint, with botbuilder loaded only when Teams is used.

Emulator mode is mounted whenever HOST is loopback and no MICROSOFT_APP_ID is set: also a
Slack-only deployment behind a reverse proxy on the same host. Importing botbuilder (msrest,
requests, jwt, cryptography) costs about a second of start-up and 20 MB, so in emulator mode
the `TeamsAdapter` is built on the first activity, the first proactive send to Teams or the
first stored Teams request the inbox takes over, whichever comes first. With an app id
`adapters.teams.mount` builds it at once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web

from bot.config import Settings
from bot.core_api import CoreAPI
from bot.messages import Platform, Reply, Request, SentMessage, Target
from bot.ports import Pace
from storage.tables.inbox import InboxItem

if TYPE_CHECKING:
    from adapters.teams.handlers import TeamsAdapter


class Mounted:
    """Stands for the Teams adapter (HTTP route, port and inbox handler) until it is built."""

    def __init__(self, core: CoreAPI, settings: Settings) -> None:
        self.core = core
        self.settings = settings
        self.port = LazyPort(self)
        self._adapter: TeamsAdapter | None = None

    def adapter(self) -> TeamsAdapter:
        """The adapter, built (and botbuilder imported) on the first call."""
        if self._adapter is None:
            from adapters.teams.handlers import TeamsAdapter

            # Registers its own inbox handler in place of this one.
            self._adapter = TeamsAdapter(self.core, self.settings)
        return self._adapter

    async def handle_http(self, request: web.Request) -> web.Response:
        return await self.adapter().handle_http(request)

    async def close(self, app: web.Application) -> None:
        if self._adapter is not None:
            await self._adapter.close(app)

    # -- InboxHandler (until the adapter registers its own) --------------------------------------

    async def to_request(self, item: InboxItem) -> Request | None:
        return await self.adapter().inbox.to_request(item)

    async def answer(self, item: InboxItem, replies: list[Reply], *, late: bool) -> None:
        await self.adapter().inbox.answer(item, replies, late=late)


class LazyPort:
    """The Teams `ChatPort`, passing every call to the adapter's (built on the first one)."""

    platform = Platform.TEAMS

    def __init__(self, mounted: Mounted) -> None:
        self.mounted = mounted

    async def send(self, target: Target, reply: Reply, *, key: str = "") -> SentMessage:
        return await self.mounted.adapter().port.send(target, reply, key=key)

    async def find_sent(self, target: Target, key: str) -> SentMessage | None:
        return await self.mounted.adapter().port.find_sent(target, key)

    def pace(self, target: Target) -> Pace | None:
        return self.mounted.adapter().port.pace(target)

    async def update(self, sent: SentMessage, reply: Reply) -> None:
        await self.mounted.adapter().port.update(sent, reply)


TEAMS = web.AppKey("teams", Mounted)
