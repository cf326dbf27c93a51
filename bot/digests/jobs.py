"""Heartbeat work: each community's sponsor digest once per period, the programme digest once
per month. A claim per community and period (`storage.digests.claim_run`) keeps two replicas
from both building one; the outbox key keeps each recipient's copy to one."""

from __future__ import annotations

from bot.admins import ensure_admins
from bot.availability import BULK_KIND
from bot.context import JobContext
from bot.digests.programme import programme_digest, programme_window, reported_communities
from bot.digests.sponsor import period_of, sponsor_digest
from bot.figures.window import Window
from bot.permissions import Role
from bot.registry import due_job
from storage import communities, digests, people


@due_job("digests.sponsor")
async def sponsor_digests(jctx: JobContext) -> None:
    cadences = await digests.cadences(jctx.session)
    for community, _members in await communities.list_communities(jctx.session):
        if community.id is None:
            continue
        cadence = cadences.get(community.id, digests.DEFAULT_CADENCE)
        if cadence == "off":
            continue
        window = Window.last_complete(period_of(cadence), jctx.now, jctx.community_zone(community))
        if community.created_at >= window.end:
            continue  # nothing to report before the community's first whole period
        sponsors = await communities.members_with_role(jctx.session, community.id, Role.SPONSOR)
        if not sponsors:
            continue
        if not await digests.claim_run(jctx.session, f"sponsor:{community.id}:{window.key}",
                                       jctx.now):  # fmt: skip
            continue
        reply = await sponsor_digest(
            jctx.session, community, window, settings=jctx.settings, now=jctx.now
        )
        for sponsor in sponsors:
            assert sponsor.id is not None
            await jctx.notify_member(
                sponsor.id,
                reply,
                f"digest:{community.id}:{window.key}:{sponsor.id}",
                community_id=community.id,
                kind=BULK_KIND,
            )


@due_job("digests.programme")
async def programme_digests(jctx: JobContext) -> None:
    window = await programme_window(jctx.session, jctx.settings, jctx.now)
    await ensure_admins(jctx.session, jctx.settings, jctx.now)
    coordinators = await people.coordinators(jctx.session)
    network = await communities.leaders_network(jctx.session)
    if not coordinators and network is None:
        return
    # Only communities that existed during the month have a row: none, no digest (yet).
    if not await reported_communities(jctx.session, window, settings=jctx.settings):
        return
    if not await digests.claim_run(jctx.session, f"programme:{window.key}", jctx.now):
        return
    reply = await programme_digest(jctx.session, settings=jctx.settings, now=jctx.now)
    for coordinator in coordinators:
        if coordinator.id is None or coordinator.forgotten_at is not None:
            continue
        await jctx.notify_member(
            coordinator.id,
            reply,
            f"programme-digest:{window.key}:{coordinator.id}",
            kind=BULK_KIND,
        )
    if network is not None:
        await jctx.post_to_community(network, reply, f"programme-digest:{window.key}:network")
