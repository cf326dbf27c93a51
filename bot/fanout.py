"""Fan-outs (one message to many people): the launcher is told how long it will take at the
platforms' pace, and hears once every message is final how many it reached and why some not.

A launcher notes the outbox's last id, queues the messages under one key prefix, then calls
`watch`; the `delivery.fanout-done` due job sends the notice, once, when no row of the fan-out
is pending or sending any more.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import timedelta

from bot.context import JobContext
from bot.delivery import REPLY, URGENT
from bot.messages import Choice, Platform, Reply
from bot.pacing import about, fanout_duration
from bot.registry import due_job
from storage import fanouts, outbox_ops, people
from storage.tables.delivery import Fanout

# Below this the messages are out before the launcher has read the reply: no estimate then.
WORTH_AN_ESTIMATE = timedelta(seconds=10)
REASONS_SHOWN = 3


def counted(count: int, noun: str) -> str:
    """'1,000 members', '1 member' (`noun` is the plural)."""
    return f"{count:,} {noun[:-1] if count == 1 and noun.endswith('s') else noun}"


@dataclass(frozen=True, slots=True)
class Launch:
    """What was queued: how many, and how long the platforms' pace makes it take."""

    total: int
    duration: timedelta

    @property
    def takes_a_while(self) -> bool:
        return self.duration >= WORTH_AN_ESTIMATE

    def status(self, noun: str, where: str = "") -> str:
        """'Sent to 3 members of X' or 'Sending to 1,000 members of X, about 4 minutes'."""
        who = counted(self.total, noun) + (f" of {where}" if where else "")
        if not self.takes_a_while:
            return f"Sent to {who}"
        return f"Sending to {who}, {about(self.duration)}"


async def watch(
    jctx: JobContext,
    *,
    key_prefix: str,
    after_outbox_id: int,
    launched_by: int,
    community_id: int | None,
    kind: str,
    title: str,
    noun: str = "members",
) -> Launch:
    """Record a fan-out whose rows were just queued (ids above `after_outbox_id`, keys starting
    with `key_prefix`) and estimate its duration from what was actually queued."""
    last = await outbox_ops.last_id(jctx.session)
    counts = await outbox_ops.platform_counts(jctx.session, key_prefix, after_outbox_id, last)
    total = sum(counts.values())
    launch = Launch(
        total, fanout_duration(jctx.settings, {Platform(p): n for p, n in counts.items()})
    )
    if total:
        await fanouts.create(
            jctx.session,
            Fanout(
                key_prefix=key_prefix,
                after_outbox_id=after_outbox_id,
                last_outbox_id=last,
                launched_by=launched_by,
                community_id=community_id,
                kind=kind,
                title=title,
                noun=noun,
                total=total,
                created_at=jctx.now,
            ),
        )
    return launch


def _reasons(failures: Counter[str]) -> str:
    shown = [
        f"{reason}{f' ×{count:,}' if count > 1 else ''}"
        for reason, count in failures.most_common(REASONS_SHOWN)
    ]
    if len(failures) > REASONS_SHOWN:
        shown.append("…")
    return ", ".join(shown)


def notice(fanout: Fanout, outcomes: list[tuple[str, str | None, int]], *, hint: bool) -> Reply:
    """'Your survey *X* reached 998 of 1,000 members; 2 could not be reached (…).'"""
    reached = sum(count for status, _error, count in outcomes if status == "sent")
    failures: Counter[str] = Counter()
    cancelled = held = expired = 0
    for status, error, count in outcomes:
        if status in outbox_ops.FINAL_FAILURES:
            failures[error or status] += count
        elif status == "cancelled":
            cancelled += count
        elif status == "held":
            held += count
        elif status == "expired":
            expired += count
    text = (
        f"Your {fanout.kind} *{fanout.title}* reached {reached:,} of "
        f"{counted(fanout.total, fanout.noun)}"
    )
    missed = sum(failures.values())
    if missed:
        text += f"; {missed:,} could not be reached ({_reasons(failures)})"
    if cancelled:
        text += f"; {cancelled:,} {'was' if cancelled == 1 else 'were'} cancelled before sending"
    if held:
        text += f"; {held:,} will get it in their working hours or when their snooze ends"
    if expired:
        text += (
            f"; {expired:,} did not get it: it was over before their working hours or "
            "snooze let it through"
        )
    text += "."
    choices: tuple[Choice, ...] = ()
    if hint and missed:
        text += " `delivery` for details."
        choices = (Choice("Delivery", "delivery"),)
    return Reply(text, title=f"{fanout.kind.capitalize()} delivered", choices=choices)


@due_job("delivery.fanout-done")
async def tell_launchers(jctx: JobContext) -> None:
    """Notify the launcher of each fan-out whose every message is final, once."""
    for fanout in await fanouts.unfinished(jctx.session):
        assert fanout.id is not None
        span = (fanout.key_prefix, fanout.after_outbox_id, fanout.last_outbox_id)
        if await outbox_ops.has_unfinished(jctx.session, *span):
            continue
        if not await fanouts.claim_notice(jctx.session, fanout.id, jctx.now):
            continue
        launcher = await people.get_member(jctx.session, fanout.launched_by)
        hint = bool(launcher and launcher.is_coordinator)
        await jctx.notify_member(
            fanout.launched_by,
            notice(fanout, await outbox_ops.outcomes(jctx.session, *span), hint=hint),
            key=f"fanout:{fanout.id}:done",
            community_id=fanout.community_id,
            priority=URGENT,  # the launcher is waiting for it, ahead of other fan-outs
            kind=REPLY,  # the answer to their own launch: never held for their hours
        )
