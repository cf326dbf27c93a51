"""Importing the app and building it without Teams loads no library only some paths need.

Run in a fresh interpreter (this one has imported everything the suite uses). See
docs/HACKING.md, "Imports a process may not need".
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# Modules a process must not load before it needs them (add yours: docs/HACKING.md).
NOT_AT_START = (
    "matplotlib",
    "botbuilder",
    "botframework",
    "msrest",
    "jwt",
    "slack_bolt.adapter.socket_mode",
    "slack_sdk.socket_mode",
    "alembic",  # only when the schema is behind (tests/storage/test_migrations.py)
    "icalendar",
    "jinja2",
)
PROBE = """
import json, os, sys
import bot.app
from bot.app import create_app
from bot.config import Settings

before = sorted(sys.modules)
settings = Settings(
    DATABASE_URL="sqlite+aiosqlite:///unused.db",
    HOST=os.environ["PROBE_HOST"],  # no MICROSOFT_APP_ID: no Teams (emulator on loopback)
    SLACK_BOT_TOKEN="xoxb-probe",
    SLACK_SIGNING_SECRET="probe",
)
create_app(settings, run_scheduler=False, migrate=False)
print(json.dumps({"import": before, "built": sorted(sys.modules)}))
"""


def loaded(names: list[str]) -> list[str]:
    return [n for n in names if any(n == m or n.startswith(m + ".") for m in NOT_AT_START)]


# Not loopback: Teams is not mounted. Loopback: emulator mode is mounted, and builds its
# botbuilder adapter only when a Teams activity, send or stored request needs it.
@pytest.mark.parametrize("host", ["0.0.0.0", "127.0.0.1"])
def test_the_app_loads_no_optional_library_before_it_needs_it(host: str) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "MICROSOFT_"))}
    env["PROBE_HOST"] = host
    result = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, cwd=ROOT, env=env,
        timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    modules = json.loads(result.stdout.strip().splitlines()[-1])
    assert loaded(modules["import"]) == []
    assert loaded(modules["built"]) == []
