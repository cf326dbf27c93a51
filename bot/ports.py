"""The port every platform implements so the core can send proactive messages."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from bot.messages import Platform, Reply, SentMessage, Target


class RetryLater(Exception):
    """The platform is briefly unavailable (5xx, unreachable): an attempt, tried again later."""

    def __init__(self, seconds: float, reason: str = "unavailable") -> None:
        super().__init__(f"{reason}; retry in {seconds:.0f}s")
        self.seconds = seconds
        self.reason = reason


class RateLimited(RetryLater):
    """The platform asked us to slow down (HTTP 429, Retry-After): a pace, never a failure.

    Every send that shares the limit waits `seconds`; the message is not charged an attempt.
    """

    def __init__(self, seconds: float, reason: str = "rate limited") -> None:
        super().__init__(seconds, reason)


@dataclass(frozen=True, slots=True)
class Pace:
    """The limits one send draws on, as the platform sets them.

    `shared` is the budget of a workspace or tenant (the same on every replica: kept in the
    database); `channel` the conversation the message lands in, with its own, tighter rate.
    """

    shared: str
    shared_per_second: float
    channel: str
    channel_per_second: float
    # Requests this send makes on the shared budget (a Teams DM to someone the bot has no 1:1
    # chat with yet creates one first).
    cost: int = 1


class Undeliverable(Exception):
    """The message can never be delivered (the person blocked the bot, left, or is unknown)."""


def bucket_of(target: Target) -> str:
    """The budget a send to `target` shares with others: its platform's workspace or tenant.

    Stored on each outbox row (a Retry-After pauses the whole bucket) and used by the ports as
    the key of the shared rate, so both always agree.
    """
    return f"{target.platform.value}:{target.tenant_id or '-'}"


class ChatPort(Protocol):
    """Sends and updates messages on one platform."""

    platform: Platform

    async def send(self, target: Target, reply: Reply, *, key: str = "") -> SentMessage:
        """Post `reply` to a conversation, or as a DM to a user. Raises RetryLater, RateLimited
        or Undeliverable. `key` is the outbox key: a port that can, stores it with the message
        so `find_sent` can tell later whether this send happened."""
        ...

    async def find_sent(self, target: Target, key: str) -> SentMessage | None:
        """The message sent earlier with outbox `key`, if the platform can tell (else None)."""
        ...

    def pace(self, target: Target) -> Pace | None:
        """The limits a send to `target` draws on; None for a platform without limits."""
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
