"""`copbot serve` starts for real: migrates, prints where it serves and how to connect."""

from __future__ import annotations

from pathlib import Path

from tests.helpers import serving


def test_serve_without_credentials_answers_healthz(tmp_path: Path) -> None:
    with serving(tmp_path) as served:
        assert served.health["status"] == "ok" and served.health["database"] == "ok"
    output = served.output
    assert f"copbot is serving on {served.url}" in output
    assert "Slack:" in output and "Teams:" in output
    assert "copbot chat --demo" in output
    assert "Traceback" not in output
    assert (tmp_path / "serve.db").exists()
