"""Retention: the content of old sent, cancelled or expired outbox rows is purged, their keys kept.

Keeping the row and its key is what makes a purged message impossible to send again: enqueue
inserts-or-ignores on the key. Failed and undeliverable rows keep their content so a
coordinator can still retry them.
"""

from __future__ import annotations

from datetime import timedelta

from bot.context import JobContext
from bot.registry import due_job
from storage import outbox_ops, sweeps

SWEEP = "outbox-content"
EVERY = timedelta(hours=1)  # a row kept an hour past its retention is no harm


@due_job("delivery.purge")
async def purge_old_content(jctx: JobContext) -> None:
    cutoff = jctx.now - timedelta(days=jctx.settings.outbox_retention_days)
    since = await sweeps.done_until(jctx.session, SWEEP)
    if since is not None and cutoff - since < EVERY:
        return  # one primary-key read per heartbeat until the next hour's sweep is due
    await outbox_ops.purge_content(jctx.session, since=since, before=cutoff)
    await sweeps.advance(jctx.session, SWEEP, cutoff)
