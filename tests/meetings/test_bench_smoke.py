"""The heartbeat benchmark runs end to end on a tiny data set (the real run is not part of
the suite): as a script, and through its importable `measure`."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from bench.heartbeat import measure

ROOT = Path(__file__).resolve().parents[2]


def test_benchmark_script_smoke() -> None:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SLACK_", "MICROSOFT_", "COPBOT_BENCH_"))
    }
    result = subprocess.run(
        [sys.executable, "-m", "bench.heartbeat", "--meetings", "2", "4", "--idle-ticks", "2"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert "first heartbeat s" in lines[0]
    assert [line.split()[:3] for line in lines[1:]] == [
        ["sqlite", "2", "10"],
        ["sqlite", "4", "20"],
    ]


def test_measure_reports_both_figures() -> None:
    figures = measure(3)
    assert figures["occurrences"] == 15
    assert figures["first_heartbeat_s"] > 0 and figures["idle_heartbeat_ms"] > 0
