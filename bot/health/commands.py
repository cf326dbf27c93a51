"""The quarterly leader health check: answer it, see the community's health, set its schedule.

Prompts, the reminder and the escalation run on the heartbeat in `bot.health.jobs`; the
questions, quarters and scoring live in `bot.health.core`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from bot import activity
from bot.context import Context
from bot.errors import UserError
from bot.form_limits import limits_of
from bot.health import jobs as health_jobs
from bot.health import lookup as health_lookup
from bot.health.core import (
    A5_ITEMS,
    CHOICE_ITEMS,
    DIMENSIONS,
    DIRECTIONS,
    RAG,
    STAGES,
    TEXT_ITEMS,
    QuarterHealth,
    current_round,
    index_of,
    low_items,
    parse_quarter,
    pretty,
    previous,
    quarter_label,
    question,
    trend,
)
from bot.health.portfolio import DECISIONS, portfolio
from bot.messages import Choice, Form, FormField, Reply
from bot.paging import take_page
from bot.permissions import Capability, Role
from bot.registry import command, form
from storage import communities, health, nudges, people
from storage.tables import Community
from storage.tables.health import HealthCheck

GROUP = "Health"


def check_form(check: HealthCheck, community: Community) -> Form:
    fields = check_fields(check.answers or {})
    return Form(f"health.check:{check.id}", f"Health check {pretty(check.quarter)}", tuple(fields))


def check_fields(mine: Mapping[str, Any]) -> list[FormField]:
    fields: list[FormField] = []
    for item in A5_ITEMS:
        value = mine.get(item)
        initial = None if item not in mine else ("na" if value is None else str(value))
        field = question(item).form_field(item, initial)
        fields.append(dataclasses.replace(field, label=f"{item}. {field.label}"[:150]))
    for item, (text, options) in CHOICE_ITEMS.items():
        fields.append(
            FormField(
                item,
                f"{item}. {text}",
                "choice",
                required=True,
                options=tuple((label, key) for key, label in options.items()),
                initial=mine.get(item),
            )
        )
    for item, text in TEXT_ITEMS.items():
        fields.append(
            FormField(
                item,
                f"{item}. {text}"[:150],
                "multiline",
                initial=mine.get(item),
                max_length=2000,
                hint="Optional",
            )
        )
    return fields


HEALTH_LIMITS = limits_of(check_fields({}))


async def _round(ctx: Context, community: Community) -> tuple[str, datetime]:
    return current_round(
        ctx.now,
        community.health_check_day,
        community.health_check_hour,
        ctx.community_zone(community),
    )


@command(
    "health check",
    usage="health check [in <community>]",
    summary="Answer this quarter's leader health check (leaders)",
    group=GROUP,
    details="16 questions from the quarterly health check; you can change your answers until "
    "the next quarter's check.",
)
async def start(ctx: Context, args: str) -> Reply:
    community = await ctx.community(args.strip() or None)
    assert community.id is not None
    await ctx.require(Capability.COMPLETE_HEALTH_CHECK, community)
    quarter, _starts = await _round(ctx, community)
    await health.add_check(ctx.session, community.id, quarter, ctx.member_id, ctx.now)
    check = await health.find_check(ctx.session, community.id, quarter, ctx.member_id)
    assert check is not None
    return Reply(
        f"Health check of *{community.name}* for {pretty(quarter)}.",
        form=check_form(check, community),
    )


def parse_answers(values: Mapping[str, str]) -> dict[str, Any]:
    answers: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for item in A5_ITEMS:
        raw = (values.get(item) or "").strip()
        if not raw:
            errors[item] = "Please answer this one (N/A is fine)."
            continue
        try:
            value = question(item).parse(raw)
        except UserError as exc:
            errors[item] = exc.message[:150]
            continue
        answers[item] = None if value == "na" else int(value)
    for item, (_text, options) in CHOICE_ITEMS.items():
        raw = (values.get(item) or "").strip().lower()
        by_label = {label.lower(): key for key, label in options.items()}
        if raw in options or raw in by_label:
            answers[item] = raw if raw in options else by_label[raw]
        else:
            errors[item] = "Pick one: " + ", ".join(options.values())
    for item in TEXT_ITEMS:
        raw = (values.get(item) or "").strip()
        if len(raw) > 2000:
            errors[item] = "Keep it under 2000 characters."
        answers[item] = raw or None
    if errors:
        raise UserError("Some answers need another look.", fields=errors)
    return answers


@form("health.check", limits=HEALTH_LIMITS)
async def submitted(ctx: Context, values: Mapping[str, str]) -> Reply:
    arg = values.get("_arg", "")
    check = await health.get_check(ctx.session, int(arg)) if arg.isdecimal() else None
    if check is None or check.leader_id != ctx.member_id:
        raise UserError("That health check is not yours. Type `health check` to open your own.")
    community = await communities.get_community(ctx.session, check.community_id)
    assert community is not None and community.id is not None
    # A form left open in a chat can be sent long after: by someone no longer a leader, or
    # after the next round began (it would rewrite a quarter that was already reported).
    await ctx.require(Capability.COMPLETE_HEALTH_CHECK, community)
    quarter, _starts = await _round(ctx, community)
    # Only older quarters are closed: moving `health schedule` later in the month can make the
    # round computed now the previous one while this quarter's check was already sent.
    if check.quarter < quarter:  # "2026Q1" labels sort in time order
        raise UserError(
            f"That form is the {pretty(check.quarter)} health check, which is over now. "
            f"Type `health check in {community.slug}` for the {pretty(quarter)} one."
        )
    answers = parse_answers(values)
    first = check.answered_at is None
    await health.save_answers(ctx.session, check, answers, ctx.now)
    if first:
        await ctx.record_activity(
            community.id, ctx.member_id, activity.HEALTH_CHECK, ref=f"health:{check.id}"
        )
    if answers.get("L13") and community.stage != answers["L13"]:
        community.stage = answers["L13"]  # the leader's own view of the stage (L13)
        ctx.session.add(community)
    await raise_nudges(ctx, community, check, answers)
    scores = [v for k, v in answers.items() if k in A5_ITEMS and v is not None]
    index = index_of(scores)
    shown = f"{index:.0f}" if index is not None else "n/a"
    return Reply(
        f"Thanks! Your health check of *{community.name}* for {pretty(check.quarter)} is saved "
        f"(Leader Health Index {shown}/100). You can change it with `health check` until the "
        "next quarter's check.",
        choices=(Choice("Community health", f"health in {community.slug}", style="primary"),),
    )


async def raise_nudges(
    ctx: Context, community: Community, check: HealthCheck, answers: dict[str, Any]
) -> None:
    """Scores <= 2 raise the matching §4 signals; so do a leave/merge direction and a story."""
    assert community.id is not None
    base = f"{community.id}:{check.quarter}"
    for item, rule in low_items(answers):
        await nudges.raise_signal(
            ctx.session,
            key=f"{rule}:{base}:{item}",
            community_id=community.id,
            rule=rule,
            now=ctx.now,
            detail=f"{item} scored {answers[item]}: {A5_ITEMS[item][1]}"[:500],
            member_id=check.leader_id,
            ref=f"health:{check.id}",
        )
    if answers.get("L14") in {"merge", "pause", "close"}:
        await nudges.raise_signal(
            ctx.session,
            key=f"N18:{base}",
            community_id=community.id,
            rule="N18",
            now=ctx.now,
            detail=f"Leader proposes to {answers['L14']} the community",
            member_id=check.leader_id,
            ref=f"health:{check.id}",
        )
    if answers.get("L15"):
        await nudges.raise_signal(
            ctx.session,
            key=f"N9:{base}:story:{check.leader_id}",
            community_id=community.id,
            rule="N9",
            now=ctx.now,
            detail="Value story in the health check",
            member_id=check.leader_id,
            ref=f"health:{check.id}",
        )


async def quarter_health(ctx: Context, community_id: int, quarter: str) -> QuarterHealth:
    return await health_lookup.quarter_health(ctx.session, community_id, quarter)


def _score(value: float | None) -> str:
    return f"{value:.1f}" if value is not None else "n/a"


@command(
    "health",
    usage="health [<community>]",
    summary="The community's health: Leader Health Index, dimensions, RAG, stage, trend",
    group=GROUP,
    details="For leaders, sponsors and coordinators. Compares the latest quarter's health "
    "check with the one before.",
)
async def show(ctx: Context, args: str) -> Reply:
    rest, page_number = take_page(args)
    if (
        not rest.strip()
        and ctx.member.is_coordinator
        and ctx.named_community is None
        and ctx.channel_community is None
    ):
        # A coordinator looks after every community: without one named, all of them.
        return await portfolio(ctx, page_number)
    community = await ctx.community(args.strip() or None)
    assert community.id is not None
    roles = await ctx.require(Capability.VIEW_HEALTH, community)
    quarter, starts = await _round(ctx, community)
    status = await _round_status(ctx, community, quarter, starts)
    done = await health.answered_quarters(ctx.session, community.id)
    choices: list[Choice] = []
    if Role.LEADER in roles:
        mine = await health.find_check(ctx.session, community.id, quarter, ctx.member_id)
        label = (
            "Change my health check"
            if mine is not None and mine.answered_at is not None
            else "Answer the health check"
        )
        choices.append(Choice(label, f"health check in {community.slug}"))
    if not done:
        return Reply(
            f"No health check of *{community.name}* has been answered yet. {status}",
            title=f"Health of {community.name}",
            choices=tuple(choices),
        )
    latest = await quarter_health(ctx, community.id, done[0])
    before_label = quarter_label(*previous(*parse_quarter(done[0])))
    before = await quarter_health(ctx, community.id, before_label)
    lines = [
        f"*{pretty(latest.quarter)}* ({latest.answered} leader"
        f"{'s' if latest.answered != 1 else ''} answered)",
        "Leader Health Index: "
        + (f"*{latest.index:.0f}*/100" if latest.index is not None else "n/a")
        + trend(latest.index, before.index),
    ]
    lines.append(
        f"Overall: {RAG.get(latest.rag or '', 'n/a')}"
        + (f" (last quarter: {RAG[before.rag].split(' ')[0]})" if before.rag else "")
    )
    lines.append(
        f"Stage: {STAGES.get(latest.stage or '', 'n/a')}; next quarter: "
        f"{DIRECTIONS.get(latest.direction or '', 'n/a')}"
    )
    dims = [
        f"{name} {_score(latest.dimensions.get(name))}"
        + trend(latest.dimensions.get(name), before.dimensions.get(name), 1).replace(
            " vs last quarter", ""
        )
        for name in DIMENSIONS
    ]
    fields = [("Dimensions (1-5)", "\n".join(dims))]
    low = [
        f"{item} {A5_ITEMS[item][0]}: {score:.1f}"
        for item, score in latest.items.items()
        if score <= 2
    ]
    if low:
        fields.append(("Low scores", "\n".join(low)))
    if latest.direction in DECISIONS and await ctx.can(Capability.CHANGE_LIFECYCLE, community):
        # The leaders asked to merge, pause or close (L14): the way there is one click away.
        fields.append(
            (
                "Decide its future",
                f"The leaders suggest: {DIRECTIONS[latest.direction].lower()}. Pause it for a "
                "while, or archive it (read-only, members pointed to related communities, "
                "sponsors told); `community reopen` undoes either.",
            )
        )
        choices.append(Choice("Pause the community", f"community pause {community.slug}"))
        choices.append(Choice("Archive the community", f"community archive {community.slug}"))
    if roles & {Role.LEADER, Role.COORDINATOR}:
        if latest.stories:
            fields.append(("Value stories", "\n".join(f"• {s}" for s in latest.stories)))
        if latest.help:
            fields.append(("Help wanted", "\n".join(f"• {h}" for h in latest.help)))
    return Reply(
        "\n".join(lines),
        title=f"Health of {community.name}",
        fields=tuple(fields),
        choices=tuple(choices),
        context=status,
    )


async def _round_status(ctx: Context, community: Community, quarter: str, starts: datetime) -> str:
    assert community.id is not None
    checks = await health.checks_for(ctx.session, community.id, quarter)
    if not checks and ctx.now >= starts + health_jobs.ESCALATE_AFTER:
        # The heartbeat no longer prompts a round this old (see bot.health.jobs), so "not
        # sent yet" would promise a message that never comes.
        return (
            f"No {pretty(quarter)} check was sent to this community's leaders; they can answer "
            "it with `health check`, and the next one goes out at the start of next quarter."
        )
    if not checks:
        return f"The {pretty(quarter)} check has not been sent yet."
    found = await people.members_by_ids(ctx.session, [c.leader_id for c in checks])
    done = [
        found[c.leader_id].display_name for c in checks if c.answered_at and c.leader_id in found
    ]
    waiting = [
        found[c.leader_id].display_name
        for c in checks
        if not c.answered_at and c.leader_id in found
    ]
    text = f"{pretty(quarter)} check: answered by {', '.join(done) or 'nobody yet'}"
    if waiting:
        text += f"; waiting for {', '.join(waiting)}"
    return text + "."


@command(
    "health schedule",
    usage="health schedule <day 1-28> <hour 0-23> [in <community>]",
    summary="When each quarter's health check is sent (leaders)",
    group=GROUP,
    details="The day of the quarter's first month and the hour, in the community's timezone.",
    examples=("health schedule 3 10 in data-eng",),
)
async def schedule(ctx: Context, args: str) -> Reply:
    community = await ctx.community()
    await ctx.require(Capability.EDIT_CHARTER, community)
    parts = args.split()
    usage = "Type `health schedule <day 1-28> <hour 0-23>`, e.g. `health schedule 3 10`."
    if not args.strip():
        return Reply(
            f"The health check of *{community.name}* goes out on day "
            f"{community.health_check_day} of each quarter's first month at "
            f"{community.health_check_hour:02d}:00 ({community.timezone}). {usage}"
        )
    if len(parts) != 2 or not all(p.isdecimal() for p in parts):
        raise UserError(usage)
    day, hour = int(parts[0]), int(parts[1])
    if not 1 <= day <= 28 or not 0 <= hour <= 23:
        raise UserError("The day is 1 to 28 and the hour 0 to 23. " + usage)
    await health.set_schedule(ctx.session, community, day, hour)
    return Reply(
        f"The health check of *{community.name}* now goes out on day {day} of January, April, "
        f"July and October at {hour:02d}:00 ({community.timezone})."
    )
