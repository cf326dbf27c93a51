"""Capability modules. Each registers its commands, forms and jobs when imported."""

from __future__ import annotations

import importlib

MODULES = (
    "bot.communities.commands",
    "bot.communities.people",
    "bot.communities.roles",
    "bot.delivery_ops.commands",
    "bot.experts.commands",
    "bot.health.commands",
    "bot.help_commands",
    "bot.lessons.commands",
    "bot.meetings.commands",
    "bot.privacy_ops.commands",
    "bot.surveys.commands",
)


def load_all() -> None:
    """Import every capability module, so its decorators register it."""
    for name in MODULES:
        importlib.import_module(name)
