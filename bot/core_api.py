"""What a platform adapter may use of the core: a small interface, not the composition root.

Adapters type against `CoreAPI`; `bot.app.Core` is the one implementation. So `adapters/`
never imports `bot.app` (which imports the adapters to mount them): no import circle.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from bot.context import Services
    from bot.conversation_book import ConversationBook
    from bot.heartbeat import Heartbeat
    from bot.inbox import Inbox
    from bot.router import Router


class CoreAPI(Protocol):
    @property
    def services(self) -> Services:
        """Settings, clock and ports (the local chat also seeds its database through it)."""
        ...

    @property
    def router(self) -> Router:
        """`handle(...)` an inbound command, action or form; `home(...)` a member's view."""
        ...

    @property
    def inbox(self) -> Inbox:
        """Acknowledged platform requests, processed from the database."""
        ...

    @property
    def heartbeat(self) -> Heartbeat:
        """Due jobs and delivery (the local chat ticks it by hand)."""
        ...

    @property
    def conversations(self) -> ConversationBook:
        """Stored conversation references, for ports that send proactively."""
        ...

    async def first_time_seen(self, key: str) -> bool:
        """Record an inbound platform event id; False when it was handled before (a retry)."""
        ...

    async def settle(self) -> None:
        """Wait for a kicked delivery to finish."""
        ...
