"""The suite's loopback guard (tests/loopback/guard.py) refuses and reports any other host."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.loopback import guard


@pytest.mark.parametrize(
    "host", ["127.0.0.1", "127.8.9.10", "::1", "[::1]", "localhost", "::ffff:127.0.0.1", None]
)
def test_loopback_hosts_pass(host: str | None) -> None:
    assert guard.is_loopback_host(host)


@pytest.mark.parametrize(
    "host", ["login.microsoftonline.com", "slack.com", "10.0.0.1", "192.0.2.1", "::2", "0.0.0.0"]
)
def test_other_hosts_do_not(host: str) -> None:
    assert not guard.is_loopback_host(host)


@pytest.fixture
def own_log(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Attempts go to this test's own file, so the suite's fixture does not fail it."""
    log = tmp_path / "attempts.log"
    monkeypatch.setenv(guard.LOG_VARIABLE, str(log))
    return log


def test_resolving_or_connecting_elsewhere_is_refused_and_named(own_log: Path) -> None:
    with pytest.raises(guard.OutsideTraffic, match=r"login\.microsoftonline\.com"):
        socket.getaddrinfo("login.microsoftonline.com", 443)
    refused = pytest.raises(guard.OutsideTraffic)
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock, refused:
        sock.connect(("192.0.2.1", 9))
    tried = guard.attempts(str(own_log))
    assert len(tried) == 2
    assert "resolve 'login.microsoftonline.com'" in tried[0]
    assert "connect to '192.0.2.1'" in tried[1]
    assert socket.getaddrinfo("localhost", 80)  # loopback still resolves


def test_child_processes_are_guarded_too(own_log: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", "import socket; socket.getaddrinfo('slack.com', 443)"],
        env=dict(os.environ),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0
    assert "tests talk to loopback only" in done.stderr
    assert "resolve 'slack.com'" in guard.attempts(str(own_log))[0]
