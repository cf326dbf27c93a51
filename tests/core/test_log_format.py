"""`COPBOT_LOG_FORMAT=json`: one JSON object per line, and no secrets in any format."""

from __future__ import annotations

import io
import json
import logging
import sys
from pathlib import Path

from bot.log_format import JsonFormatter, RedactingFormatter, redact
from tests.helpers import serving

SECRETS = (
    "xoxb-1234-5678-abcdef",
    "xapp-1-A111-222-ffff",
    "Bearer eyJhbGciOi.J9.abc",
    "sig=0123456789abcdef",
    "postgresql://copbot:hunter2@db:5432/copbot",
)


def test_redact_blanks_every_kind_of_secret() -> None:
    line = " ".join(SECRETS)
    cleaned = redact(line)
    for secret in ("1234-5678-abcdef", "A111-222-ffff", "eyJhbGciOi", "0123456789", "hunter2"):
        assert secret not in cleaned
    assert "postgresql://copbot:[redacted]@db:5432/copbot" in cleaned
    assert redact("nothing to hide here") == "nothing to hide here"


def _record(message: str, *args: object, exc: bool = False) -> logging.LogRecord:
    info = None
    if exc:
        try:
            raise ValueError("token=abc123 rejected")
        except ValueError:
            info = sys.exc_info()
    return logging.LogRecord("copbot.test", logging.ERROR, __file__, 1, message, args, info)


def test_json_lines_are_objects_with_the_message_and_the_error() -> None:
    line = JsonFormatter().format(_record("sending %s failed with %s", 12, SECRETS[0], exc=True))
    entry = json.loads(line)
    assert "\n" not in line
    assert entry["level"] == "ERROR" and entry["logger"] == "copbot.test"
    assert entry["message"] == "sending 12 failed with xox*-[redacted]"
    assert entry["error"] == "ValueError: token=[redacted] rejected"
    assert "abc123" not in entry["traceback"]
    assert entry["time"].endswith("+00:00")


def test_text_lines_are_redacted_too() -> None:
    text = RedactingFormatter("%(message)s").format(_record("got %s", SECRETS[2]))
    assert text == "got Bearer [redacted]"


def test_serve_writes_json_lines_without_the_credentials(tmp_path: Path) -> None:
    with serving(
        tmp_path, COPBOT_LOG_FORMAT="json", COPBOT_METRICS_TOKEN="metrics-secret-value"
    ) as served:
        pass
    output = served.output
    lines = [line for line in output.splitlines() if line.strip()]
    assert lines
    entries = [json.loads(line) for line in lines]  # every line is one JSON object
    assert any("serving on" in entry["message"] for entry in entries)
    assert "metrics-secret-value" not in output


def test_json_formatter_survives_messages_that_are_not_text() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("copbot.test.json")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.warning({"count": 3})
    finally:
        logger.removeHandler(handler)
    assert json.loads(stream.getvalue())["message"] == "{'count': 3}"
