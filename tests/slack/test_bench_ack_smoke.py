"""The acknowledgement benchmark runs end to end on tiny numbers (the real run is not part of
the suite, and nothing here asserts a time)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_ack_benchmark_smoke() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "MICROSOFT_"))}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.ack",
            "--no-pg",
            "--requests=4",
            "--rounds=1",
            "--concurrency",
            "1",
            "2",
            "--users=3",
            "--members=30",
            "--lessons=10",
            "--startups=1",
        ],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=ROOT,
        env=env,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "answers arrived" not in result.stderr  # every request was answered
    lines = result.stdout.splitlines()
    for command in ("help", "expert", "lessons"):
        for concurrency in (1, 2):
            row = next(line for line in lines if line.split()[:2] == [command, str(concurrency)])
            assert row.split("|")[1].split()[3] == "0", row  # no errors
    assert any(line.startswith("copbot    start-up") for line in lines)
    assert any(line.startswith("bare-bolt start-up") for line in lines)
