"""Errors a handler raises to give the person a friendly answer instead of a result."""

from __future__ import annotations


class UserError(Exception):
    """Bad input or an impossible request; the message says what to type instead."""

    def __init__(self, message: str, *, fields: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.fields = fields or {}


class NotAllowed(UserError):
    """The person's role does not allow this."""


class Superseded(Exception):
    """Another worker took this inbound request over (bot.inbox): roll the work back."""
