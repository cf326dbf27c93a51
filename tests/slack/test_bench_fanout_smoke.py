"""The fan-out benchmark runs end to end on 30 members (the real run is not part of the suite)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_fanout_benchmark_smoke() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "MICROSOFT_"))}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.fanout",
            "--members=30",
            "--workspace-per-minute=3000",
            "--heartbeat-seconds=1",
            "--baseline-members=30",
            "--meetings=5",
            "--heartbeat-ticks=2",
        ],
        capture_output=True,
        text=True,
        timeout=180,
        cwd=ROOT,
        env=env,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    paced, baseline = result.stdout.split("== baseline", 1)
    assert "duplicates:               0\n" in paced
    assert "lost:                     0 " in paced
    assert "429s provoked:            0 " in paced
    assert "conversations.open calls: 0\n" in paced
    assert "reached 30 of 30 members" in paced
    assert "outbox rows:              sent 30\n" in baseline
    assert "5 weekly meetings: idle" in baseline
