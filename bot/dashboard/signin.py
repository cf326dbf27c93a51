"""Sign-in links from chat, browser sessions and CSRF tokens for the dashboard.

- A sign-in link names the member, a random nonce and an expiry, signed with the deployment
  key (like `bot.downloads`). It works once: opening it shows a "Sign in" button, and pressing
  it spends the nonce in the database (`storage.web_sessions.spend_sign_in`), so every replica
  agrees. Link previews (Slack unfurls, Teams cards) only GET the page and spend nothing.
- A session is a random cookie value; the database keeps its SHA-256 with the member and the
  expiry, so signing out (or `forget`) ends it everywhere.
- The CSRF token of a session is an HMAC of its hash: tied to the session, never stored.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlencode

from bot.config import Settings

LINK_TTL = timedelta(minutes=10)
SESSION_TTL = timedelta(hours=12)
COOKIE = "copbot_session"
_NUMBER = re.compile(r"[0-9]{1,12}")
_NONCE = re.compile(r"[A-Za-z0-9_-]{16,64}")
_TOKEN = re.compile(r"[A-Za-z0-9_-]{32,64}")


@dataclass(frozen=True, slots=True)
class SignInLink:
    member_id: int
    nonce: str
    expires: int
    signature: str

    def fields(self) -> dict[str, str]:
        """The link's parts as form fields (the sign-in button posts them back)."""
        return {
            "m": str(self.member_id),
            "n": self.nonce,
            "exp": str(self.expires),
            "sig": self.signature,
        }


def _sign(settings: Settings, *parts: str) -> str:
    message = "\n".join(parts).encode()
    return hmac.new(settings.signing_key, message, hashlib.sha256).hexdigest()[:40]


def new_link(settings: Settings, member_id: int, now: datetime) -> str:
    """A personal sign-in URL for `member_id`, valid for `LINK_TTL` and once."""
    nonce = secrets.token_urlsafe(18)
    expires = int((now + LINK_TTL).timestamp())
    signature = _sign(settings, "sign-in", str(member_id), nonce, str(expires))
    link = SignInLink(member_id, nonce, expires, signature)
    return f"{settings.base_url}/signin?{urlencode(link.fields())}"


def read_link(settings: Settings, fields: dict[str, str], now: datetime) -> SignInLink | None:
    """The link in these query or form fields when it is ours, intact and unexpired; else None.

    Malformed input is simply None (see `bot.downloads.verify` for why each check is there).
    """
    member, nonce = fields.get("m", ""), fields.get("n", "")
    expires, signature = fields.get("exp", ""), fields.get("sig", "")
    if not (_NUMBER.fullmatch(member) and _NONCE.fullmatch(nonce) and _NUMBER.fullmatch(expires)):
        return None
    if int(expires) < now.timestamp():
        return None
    expected = _sign(settings, "sign-in", member, nonce, expires)
    if not hmac.compare_digest(expected.encode(), signature.encode("utf-8", "replace")):
        return None
    return SignInLink(int(member), nonce, int(expires), signature)


def new_session_token() -> str:
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str | None:
    """What the database keys a session by; None for a cookie no session could have."""
    if not _TOKEN.fullmatch(token):
        return None
    return hashlib.sha256(token.encode()).hexdigest()


def csrf_token(settings: Settings, session_hash: str) -> str:
    return _sign(settings, "csrf", session_hash)


def csrf_ok(settings: Settings, session_hash: str, given: str) -> bool:
    expected = csrf_token(settings, session_hash)
    return hmac.compare_digest(expected.encode(), given.encode("utf-8", "replace"))


def origin_ok(origin: str | None, referer: str | None, allowed: set[str]) -> bool:
    """A form post came from our own pages: its Origin (or, without one, its Referer) is ours.

    Browsers send Origin with every POST; a request with neither header is no browser's
    cross-site post, and still needs the session's CSRF token.
    """
    if origin is not None:
        return origin in allowed
    if referer:
        return any(referer == o or referer.startswith(o + "/") for o in allowed)
    return True
