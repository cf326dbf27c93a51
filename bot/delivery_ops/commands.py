"""`delivery` for coordinators: what the outbox holds, what failed and why, and retrying it."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from bot.context import Context
from bot.errors import NotAllowed, UserError
from bot.fanout import counted
from bot.messages import Choice, Reply
from bot.pacing import about
from bot.paging import Page, take_page
from bot.registry import command
from storage import communities, outbox_ops, people
from storage.tables import OutboxMessage

GROUP = "Delivery"
FAILURES_PER_PAGE = 10
STATES = outbox_ops.STATES
_ID = re.compile(r"^#?(\d{1,12})$")
USAGE = (
    "Type `delivery` to see the queue, `delivery retry <id>` to send one message again or "
    "`delivery retry failed` to send every failed one again."
)


async def _require_coordinator(ctx: Context) -> None:
    if ctx.member.is_coordinator:
        return
    names = sorted(m.display_name for m in await people.coordinators(ctx.session))
    who = f" ({', '.join(names[:3])})" if names else ""
    raise NotAllowed(
        "Only coordinators can see the delivery queue and retry messages. If a message did "
        f"not arrive, tell a coordinator{who}."
    )


def age(since: datetime, now: datetime) -> str:
    """'under a minute', 'about 12 minutes', 'about 3 hours', '4 days'."""
    waited = max(now - since, timedelta(0))
    if waited >= timedelta(days=2):
        return f"{waited.days} days"
    return about(waited)


def _state_lines(counts: list[tuple[str, str, int]]) -> list[str]:
    by_state: dict[str, dict[str, int]] = {state: {} for state in STATES}
    for status, platform, count in counts:
        by_state.setdefault(status, {})[platform] = count
    lines = []
    for status, platforms in by_state.items():
        total = sum(platforms.values())
        split = ", ".join(f"{p} {n:,}" for p, n in sorted(platforms.items()))
        lines.append(f"*{status.capitalize()}* {total:,}" + (f" ({split})" if total else ""))
    return lines


async def _recipients(ctx: Context, rows: list[OutboxMessage]) -> dict[int, str]:
    """Who or where each row was for: the person's name, or the community's channel."""
    members = await people.members_by_ids(
        ctx.session, sorted({r.member_id for r in rows if r.member_id is not None})
    )
    names: dict[int, str] = {}
    for row in rows:
        assert row.id is not None
        if row.member_id is not None and row.member_id in members:
            names[row.id] = members[row.member_id].display_name
        elif row.community_id is not None:
            community = await communities.get_community(ctx.session, row.community_id)
            names[row.id] = f"the channel of {community.name}" if community else "a channel"
        else:
            names[row.id] = "someone no longer known"
    return names


def _failure_line(row: OutboxMessage, to: str) -> str:
    reason = row.error or row.status
    return f"`{row.id}` to {to} ({row.platform}, {row.status}): {reason}"


@command(
    "delivery",
    usage="delivery [page N]",
    summary="What is waiting to be sent, what failed and why (coordinators)",
    group=GROUP,
    details=(
        "Counts every proactive message by state and platform, says how long the oldest "
        "pending one has waited, and lists the recent failures with their reason, newest "
        f"first. {USAGE}"
    ),
    examples=("delivery", "delivery page 2"),
)
async def overview(ctx: Context, args: str) -> Reply:
    await _require_coordinator(ctx)
    rest, number = take_page(args)
    if rest:
        raise UserError(f"I did not understand `{rest[:40]}`. {USAGE}")
    lines = _state_lines(await outbox_ops.state_counts(ctx.session))
    oldest = await outbox_ops.oldest_pending_since(ctx.session)
    lines.append(
        f"The oldest pending message has waited {age(oldest, ctx.now)}."
        if oldest
        else "Nothing is waiting to be sent."
    )
    total = await outbox_ops.count_failures(ctx.session)
    page = Page(number, FAILURES_PER_PAGE, total)
    if page.number > page.pages:
        page = Page(page.pages, FAILURES_PER_PAGE, total)
    rows = await outbox_ops.recent_failures(
        ctx.session, offset=page.offset, limit=FAILURES_PER_PAGE
    )
    choices: list[Choice] = []
    context = "Nothing has failed."
    if rows:
        names = await _recipients(ctx, rows)
        lines.append("")
        lines.append("*Recent failures*")
        lines.extend(_failure_line(row, names[row.id or 0]) for row in rows)
        context = f"{page.footer()}. `delivery retry <id>` sends one again."
        if await outbox_ops.count_with_status(ctx.session, "failed"):
            choices.append(Choice("Retry failed", "delivery retry failed"))
    return Reply(
        "\n".join(lines),
        title="Delivery",
        choices=(*choices, *page.more("delivery")),
        context=context,
    )


@command(
    "delivery retry",
    usage="delivery retry <id>|failed",
    summary="Send a failed message again, or every failed one (coordinators)",
    group=GROUP,
    details=(
        "`delivery retry <id>` puts one failed or undeliverable message back in the queue with "
        "fresh attempts. `delivery retry failed` does it for every failed message; undeliverable "
        "ones stay, since the platform said they can never arrive (e.g. a deactivated account)."
    ),
    examples=("delivery retry 42", "delivery retry failed"),
)
async def retry(ctx: Context, args: str) -> Reply:
    await _require_coordinator(ctx)
    arg = args.strip().lower()
    if arg in {"failed", "all failed", "all"}:
        return await _retry_failed(ctx)
    found = _ID.match(arg)
    if not found:
        raise UserError(
            "Which message? Type `delivery retry <id>` with a number from `delivery`, or "
            "`delivery retry failed` for every failed one."
        )
    row_id = int(found[1])
    row = await outbox_ops.get_message(ctx.session, row_id)
    if row is None:
        raise UserError(f"There is no message `{row_id}`. `delivery` lists the failures.")
    if row.status not in outbox_ops.FINAL_FAILURES:
        raise UserError(
            f"Message `{row_id}` is {row.status}: only failed or undeliverable messages can be "
            "retried. `delivery` lists them."
        )
    to = (await _recipients(ctx, [row]))[row_id]
    if not await outbox_ops.retry_one(ctx.session, row_id, ctx.now):
        raise UserError(f"Message `{row_id}` changed meanwhile. Type `delivery` to see it now.")
    return Reply(f"Message `{row_id}` to {to} is queued again.")


async def _retry_failed(ctx: Context) -> Reply:
    queued = await outbox_ops.retry_all_failed(ctx.session, ctx.now)
    permanent = await outbox_ops.count_with_status(ctx.session, "undeliverable")
    text = (
        f"Queued {counted(queued, 'failed messages')} again."
        if queued
        else "No message has failed: nothing to retry."
    )
    if permanent:
        text += (
            f" Undeliverable messages ({permanent:,}) stay as they are: the platform "
            "said they can never arrive (e.g. a deactivated account or a blocked bot). If that "
            "changed, retry one with `delivery retry <id>`."
        )
    return Reply(text)
