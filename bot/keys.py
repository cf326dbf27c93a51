"""The deployment key, generated once and kept in the database (COPBOT_SECRET_KEY overrides it).

Every entry point (start-up, a request, a heartbeat tick, a download, demo seeding) awaits
`ensure_signing_key` before it builds a context, so handlers keep reading the key synchronously
as `settings.signing_key`. After the first call it costs one attribute check.
"""

from __future__ import annotations

import secrets
from datetime import datetime

from bot.config import Settings
from storage import keys
from storage.db import Database

SIGNING = "signing"
KEY_BYTES = 32


async def ensure_signing_key(db: Database, settings: Settings, now: datetime) -> None:
    """Load the stored key into `settings`, creating it when this deployment has none yet."""
    if settings.signing_key_ready:
        return
    async with db.session() as session:
        key = await keys.stored_key(session, SIGNING, secrets.token_bytes(KEY_BYTES), now)
    settings.use_stored_key(key)
