"""The port every platform implements so the core can send proactive messages."""

from __future__ import annotations

from typing import Protocol

from bot.messages import Platform, Reply, SentMessage, Target


class RetryLater(Exception):
    """The platform asked us to slow down (HTTP 429) or is briefly unavailable."""

    def __init__(self, seconds: float, reason: str = "rate limited") -> None:
        super().__init__(f"{reason}; retry in {seconds:.0f}s")
        self.seconds = seconds
        self.reason = reason


class Undeliverable(Exception):
    """The message can never be delivered (the person blocked the bot, left, or is unknown)."""


class ChatPort(Protocol):
    """Sends and updates messages on one platform."""

    platform: Platform

    async def send(self, target: Target, reply: Reply) -> SentMessage:
        """Post `reply` to a conversation, or as a DM to a user. Raises RetryLater/Undeliverable."""
        ...

    async def update(self, sent: SentMessage, reply: Reply) -> None:
        """Replace a message sent earlier."""
        ...


class PortRegistry:
    """Maps each connected platform to its port."""

    def __init__(self) -> None:
        self._ports: dict[Platform, ChatPort] = {}

    def register(self, port: ChatPort) -> None:
        self._ports[port.platform] = port

    def get(self, platform: Platform) -> ChatPort | None:
        return self._ports.get(platform)

    def platforms(self) -> list[Platform]:
        return list(self._ports)
