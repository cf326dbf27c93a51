"""Signed, expiring download links served by our HTTP server (.ics files, CSV exports, charts).

A link names a producer registered with `@download(kind)` and one argument; the server checks
the signature and expiry, then the producer builds the file from the database on request, so
nothing is stored and a link cannot be altered to fetch something else.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from datetime import datetime, timedelta
from urllib.parse import quote

from bot.config import Settings

DEFAULT_TTL = timedelta(days=30)
_EXPIRES = re.compile(r"[0-9]{1,12}")
_UNSAFE = re.compile(r"[^A-Za-z0-9 ._()+,;=@-]")


def _signature(settings: Settings, kind: str, arg: str, expires: int) -> str:
    message = f"{kind}\n{arg}\n{expires}".encode()
    return hmac.new(settings.signing_key, message, hashlib.sha256).hexdigest()[:32]


def link(
    settings: Settings, kind: str, arg: str, *, now: datetime, ttl: timedelta = DEFAULT_TTL
) -> str:
    """A URL that downloads what the `kind` producer makes for `arg`, valid for `ttl`."""
    expires = int((now + ttl).timestamp())
    signature = _signature(settings, kind, arg, expires)
    return f"{settings.base_url}/files/{kind}/{quote(arg, safe='')}?exp={expires}&sig={signature}"


def verify(
    settings: Settings, kind: str, arg: str, expires: str, signature: str, now: datetime
) -> bool:
    """True for an unexpired link we signed. Anything malformed is simply False: `str.isdigit`
    accepts "²" and `int` refuses 5,000 digits, and `compare_digest` raises on non-ASCII text."""
    if not _EXPIRES.fullmatch(expires) or int(expires) < now.timestamp():
        return False
    expected = _signature(settings, kind, arg, int(expires))
    return hmac.compare_digest(expected.encode(), signature.encode("utf-8", "replace"))


def safe_filename(name: str) -> str:
    """A file name for a quoted Content-Disposition: no quotes, slashes, backslashes or control
    characters (a header break would be an injected header), ASCII only, never empty."""
    cleaned = _UNSAFE.sub("_", name).strip(" .")
    return cleaned[:150] or "download"
