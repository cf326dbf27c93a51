"""How the server's log lines look: text for people, or one JSON object per line for a collector.

`COPBOT_LOG_FORMAT=json` gives `{"time", "level", "logger", "message"}` (plus `error` and
`traceback` for an exception). Either way, anything shaped like a secret is blanked before the
line is written: Slack tokens, bearer tokens, download-link signatures and passwords in database
URLs. copbot's own log messages carry ids and counts, never what people wrote; this is the net
under that rule for a third-party message that quotes a request or a URL.
"""

from __future__ import annotations

import json
import logging
import re
from datetime import UTC, datetime

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

_SECRETS = (
    (re.compile(r"\bxox[abeoprs]-[A-Za-z0-9-]+"), "xox*-[redacted]"),
    (re.compile(r"\bxapp-[A-Za-z0-9-]+"), "xapp-[redacted]"),
    (re.compile(r"(?i)\bbearer\s+[A-Za-z0-9._~+/=-]+"), "Bearer [redacted]"),
    (re.compile(r"(?i)\b(sig|signature|token|code|state)=[^&\s\"']+"), r"\1=[redacted]"),
    (re.compile(r"(://[^:/@\s]+:)[^@\s]+@"), r"\1[redacted]@"),
)


def redact(text: str) -> str:
    for pattern, replacement in _SECRETS:
        text = pattern.sub(replacement, text)
    return text


class RedactingFormatter(logging.Formatter):
    """The usual text line, with secrets blanked."""

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


class JsonFormatter(logging.Formatter):
    """One JSON object per line; secrets blanked in every field."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, str] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": redact(record.getMessage()),
        }
        if record.exc_info and record.exc_info[1] is not None:
            error = record.exc_info[1]
            entry["error"] = redact(f"{type(error).__name__}: {error}")
            entry["traceback"] = redact(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False)


def is_json(log_format: str) -> bool:
    return log_format.strip().lower() == "json"


def configure(log_format: str, level: int = logging.INFO) -> None:
    """Set up the root logger for a `copbot` process (text unless `json` is asked for)."""
    handler = logging.StreamHandler()
    if is_json(log_format):
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(RedactingFormatter(TEXT_FORMAT))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
