"""The access log of `copbot serve` never records a download link's signature."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from tests.helpers import free_port


def test_access_log_has_paths_without_query_strings(tmp_path: Path) -> None:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "MICROSOFT_"))}
    env.update(
        DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path}/log.db",
        PORT=str(port),
        HOST="127.0.0.1",
        COPBOT_ACCESS_LOG="1",  # off by default
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "serve"],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        up = False
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not up:
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=2):
                    up = True
            except OSError:
                if process.poll() is not None:
                    break
                time.sleep(0.2)  # waiting for a real process to start, not for scheduling
        assert up, "the server never answered /healthz"
        link = f"{base}/files/my-data/1?exp=9999999999&sig=0123456789abcdef0123456789abcdef"
        request = urllib.request.Request(link, headers={"Referer": f"{link}&from=referer"})
        try:
            urllib.request.urlopen(request, timeout=5)
        except urllib.error.HTTPError as refused:
            assert refused.code == 403  # a forged signature
    finally:
        process.terminate()
        output = process.communicate(timeout=30)[0]
    logged = [line for line in output.splitlines() if "/files/my-data/1" in line]
    assert len(logged) == 1, output
    assert '"GET /files/my-data/1 HTTP/1.1" 403' in logged[0]
    assert f'"{base}/files/my-data/1" "Python-urllib' in logged[0]  # the Referer, cut short
    assert "sig=" not in output and "exp=" not in output and "from=referer" not in output
