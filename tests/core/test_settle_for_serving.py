"""`copbot serve` pays its one-off costs before the first request (bot.cli.settle_for_serving):
the ORM's table classes are configured and what start-up built is frozen out of the garbage
collector's reach. Run in a fresh interpreter: this one has configured and frozen its own."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROBE = """
import asyncio, gc, json
from sqlmodel import SQLModel
from bot.app import create_app
from bot.cli import settle_for_serving
from bot.config import Settings

app = create_app(
    Settings(DATABASE_URL="sqlite+aiosqlite:///unused.db"), run_scheduler=False, migrate=False
)
mappers = list(SQLModel._sa_registry.mappers)

def state():
    return {"configured": sum(m.configured for m in mappers), "frozen": gc.get_freeze_count()}

before = state()
asyncio.run(settle_for_serving(app))
print(json.dumps({"tables": len(mappers), "before": before, "after": state()}))
"""


def test_serving_starts_with_its_tables_configured_and_its_start_up_frozen() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "MICROSOFT_"))}
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen["tables"] > 30
    # Before: SQLAlchemy would configure them on the first query, inside a request's work.
    assert seen["before"] == {"configured": 0, "frozen": 0}
    assert seen["after"]["configured"] == seen["tables"]
    assert seen["after"]["frozen"] > 50_000
