"""The benchmark runs end to end on a tiny data set (the real run is not part of the suite)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_benchmark_smoke(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "MICROSOFT_"))}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.bench_experts_lessons",
            "--members=200",
            "--lessons=100",
            "--queries=3",
            "--baseline-runs=1",
            "--no-pg",
            f"--database-url=sqlite+aiosqlite:///{tmp_path}/bench.db",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    assert "expert <topic> (core)" in result.stdout
    assert "lessons: naive LIKE scan" in result.stdout
