"""A workspace or tenant that removed copbot: delivery there stops, coordinators are told.

Adapters call `workspace_removed` when the platform says the bot was uninstalled or its access
revoked. The messages still queued for that workspace can never go out: they end
`undeliverable` with the reason (the `delivery` view shows it), rather than failing one by one
after eight attempts. Coordinators get one DM each (through the outbox, keyed by the platform's
event, so a retried event tells them once).
"""

from __future__ import annotations

import logging

from bot.context import Services
from bot.delivery import URGENT, notify_member
from bot.messages import Platform, Reply, UserRef
from bot.ports import bucket_of
from storage import outbox, people

_LOGGER = logging.getLogger(__name__)


async def workspace_removed(
    services: Services, platform: Platform, tenant: str | None, *, why: str, event_key: str
) -> int:
    """Ends the workspace's queued messages (returns how many) and tells the coordinators."""
    bucket = bucket_of(UserRef(platform, "", tenant))
    now = services.clock.now()
    async with services.db.session() as session:
        ended = await outbox.end_pending_in_bucket(session, bucket, why)
        coordinators = await people.coordinators(session)
        notice = Reply(
            f"*{why[:1].upper()}{why[1:]}.* Nothing more is sent there; {ended} queued "
            f"message{'s' if ended != 1 else ''} ended undeliverable (see `delivery`). "
            "Its people keep their data until they `forget` it; to bring copbot back, "
            "install it there again.",
            title="copbot was removed from a workspace",
        )
        for coordinator in coordinators:
            if coordinator.id is None or coordinator.forgotten_at is not None:
                continue
            await notify_member(
                session,
                coordinator.id,
                notice,
                f"removed:{event_key}:{coordinator.id}",
                now=now,
                priority=URGENT,
            )
    _LOGGER.warning("%s %s: %s; %d queued messages ended", platform.value, tenant, why, ended)
    services.kick_delivery()
    return ended
