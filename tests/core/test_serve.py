"""`copbot serve` starts for real: migrates, prints where it serves and how to connect."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from tests.helpers import free_port


def test_serve_without_credentials_answers_healthz(tmp_path: Path) -> None:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "MICROSOFT_"))}
    env.update(
        DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path}/serve.db", PORT=str(port), HOST="127.0.0.1"
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "serve"],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        body = None
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and body is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                    body = json.loads(r.read())
            except OSError:
                if process.poll() is not None:
                    break
                time.sleep(0.2)  # waiting for a real process to start, not for scheduling
        assert body is not None, "the server never answered /healthz"
        assert body["status"] == "ok" and body["database"] == "ok"
    finally:
        process.terminate()
        output = process.communicate(timeout=30)[0]
    assert f"copbot is serving on http://127.0.0.1:{port}" in output
    assert "Slack:" in output and "Teams:" in output
    assert "copbot chat --demo" in output
    assert "Traceback" not in output
    assert (tmp_path / "serve.db").exists()
