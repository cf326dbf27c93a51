"""Capability modules. Each registers its commands, forms and jobs when imported."""

from __future__ import annotations

import importlib
import pkgutil


def load_all() -> None:
    """Import every module in this package, so its decorators register it."""
    for info in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{info.name}")
