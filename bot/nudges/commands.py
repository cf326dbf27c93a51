"""`nudges` (rules, thresholds and state), `nudges set`, `nudges resume`, and the three buttons
every nudge carries: "Do it", "Snooze" and "Not relevant"."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

from bot.context import Context
from bot.errors import NotAllowed, UserError
from bot.form_limits import limits_of
from bot.messages import Choice, Form, FormField, Reply
from bot.nudges.catalogue import COMMON, RULES, Rule, find_rule, limits_for
from bot.nudges.core import SNOOZE
from bot.permissions import Role
from bot.registry import command, form
from storage import communities, nudges
from storage.tables import Community
from storage.tables.nudges import Nudge, NudgeSilence

GROUP = "Nudges"
REASONS = (
    ("handled", "We already handle this another way"),
    ("fit", "It doesn't fit our community or its stage"),
    ("data", "The numbers behind it are wrong"),
    ("timing", "Right idea, wrong time"),
    ("other", "Something else"),
)
_REASON_LABELS = dict(REASONS)
DISMISS_FORM = "nudge.dismiss"
NOTE_MAX = 200


async def _leader_community(ctx: Context, *, change: bool) -> Community:
    community = await ctx.community()
    roles = await ctx.roles(community)
    if Role.LEADER in roles or (not change and Role.COORDINATOR in roles):
        return community
    raise NotAllowed(
        f"Nudges are the suggestions copbot sends to the leaders of {community.name}, so only "
        f"they can see and change them. Type `roles in {community.slug}` to see who leads it."
    )


def _day(at: datetime | None, ctx: Context) -> str:
    return f"{at.astimezone(ctx.tz):%Y-%m-%d}" if at else "—"


def _value(value: float) -> str:
    return f"{value:g}"


def rule_state(ctx: Context, rule: Rule, last: Nudge | None, silence: NudgeSilence | None) -> str:
    parts = []
    if silence is not None and silence.until > ctx.now:
        why = f": “{silence.reason}”" if silence.reason else ""
        parts.append(f"quiet until {_day(silence.until, ctx)}{why}")
    if last is not None:
        parts.append(f"last sent {_day(last.sent_at, ctx)}")
        if last.status == "snoozed" and last.snoozed_until and last.snoozed_until > ctx.now:
            parts.append(f"snoozed until {_day(last.snoozed_until, ctx)}")
        elif last.status == "done":
            parts.append("done")
        elif last.status == "dismissed":
            parts.append("marked not relevant")
    return "; ".join(parts) if parts else "not sent yet"


def threshold_text(rule: Rule, own: Mapping[str, float], *, common: bool) -> str:
    values = limits_for(rule, own)
    shown = []
    for threshold in rule.thresholds:
        if threshold in COMMON and not common and threshold.name not in own:
            continue
        mark = "*" if threshold.name in own else ""
        shown.append(f"{threshold.name} {_value(values[threshold.name])}{mark}")
    return ", ".join(shown) or "no thresholds"


@command(
    "nudges",
    usage="nudges [<rule>] [in <community>]",
    summary="The leader nudges: rules, thresholds and what was sent (leaders)",
    group=GROUP,
    details="Every day copbot checks each rule for your community and sends each leader at "
    "most one nudge a week, the most pressing first. Each nudge has Do it, Snooze (back in a "
    "week) and Not relevant (that rule stays quiet for a while). `nudges N1` shows one rule "
    "with what each threshold means; a * marks your community's own values.",
    examples=("nudges", "nudges N10 in data-eng"),
)
async def show(ctx: Context, args: str) -> Reply:
    community = await _leader_community(ctx, change=False)
    assert community.id is not None
    own = await nudges.thresholds(ctx.session, community.id)
    latest = await nudges.latest_by_rule(ctx.session, community.id)
    quiet = await nudges.silences(ctx.session, community.id)
    if args.strip():
        rule = find_rule(args.split()[0])
        if rule is None:
            raise UserError(_unknown_rule(args.split()[0]))
        state = rule_state(ctx, rule, latest.get(rule.code), quiet.get(rule.code))
        lines = [f"*{rule.code}* {rule.title}: {state}"]
        values = limits_for(rule, own.get(rule.code, {}))
        for threshold in rule.thresholds:
            mark = " (yours)" if threshold.name in own.get(rule.code, {}) else ""
            lines.append(
                f"• `{threshold.name}` {_value(values[threshold.name])}{mark}: {threshold.meaning}"
                f" (default {_value(threshold.default)})"
            )
        return Reply(
            "\n".join(lines),
            title=f"Nudge {rule.code} for {community.name}",
            context=f"Change one: nudges set {rule.code} <threshold> <value> in {community.slug}",
        )
    lines = [
        f"*{rule.code}* {rule.title} ({threshold_text(rule, own.get(rule.code, {}), common=False)})"
        f": {rule_state(ctx, rule, latest.get(rule.code), quiet.get(rule.code))}"
        for rule in RULES
    ]
    common = ", ".join(f"{t.name} {_value(t.default)}" for t in COMMON)
    return Reply(
        "Most pressing first; at most one nudge a week per leader.\n" + "\n".join(lines),
        title=f"Nudges for {community.name}",
        context=f"Every rule also has {common}. `nudges N1` explains a rule; "
        f"`nudges set N1 days 45` changes a threshold. * marks your own values.",
    )


def _unknown_rule(word: str) -> str:
    codes = ", ".join(rule.code for rule in RULES)
    return f"I don't know the nudge rule `{word}`. The rules are {codes}; `nudges` lists them."


@command(
    "nudges set",
    usage="nudges set <rule> <threshold> <value> [in <community>]",
    summary="Change a nudge threshold for your community (leaders)",
    group=GROUP,
    examples=(
        "nudges set N1 days 45",
        "nudges set QUIET weeks 6",
        "nudges set N10 silence-days 30",
    ),
)
async def set_threshold(ctx: Context, args: str) -> Reply:
    community = await _leader_community(ctx, change=True)
    assert community.id is not None
    words = args.split()
    if len(words) != 3:
        raise UserError(
            "Say which rule, which threshold and the new value, e.g. `nudges set N1 days 45`. "
            "`nudges N1` lists a rule's thresholds."
        )
    rule = find_rule(words[0])
    if rule is None:
        raise UserError(_unknown_rule(words[0]))
    names = [t.name for t in rule.thresholds]
    name = words[1].lower()
    if name not in names:
        raise UserError(
            f"{rule.code} has no threshold `{words[1]}`. Its thresholds are "
            + ", ".join(f"`{n}`" for n in names)
            + "."
        )
    try:
        value = float(words[2].rstrip("%"))
    except ValueError:
        raise UserError(
            f"`{words[2]}` is not a number. Try e.g. `nudges set {rule.code} {name} 30`."
        ) from None
    if not (-100 <= value <= 10_000) or (value < 0 and name not in {"nps", "growth"}):
        raise UserError(f"{_value(value)} is out of range for `{name}`; use a number from 0 up.")
    await nudges.set_threshold(
        ctx.session, community.id, rule.code, name, value, by=ctx.member_id, now=ctx.now
    )
    default = next(t.default for t in rule.thresholds if t.name == name)
    return Reply(
        f"{rule.code} ({rule.title}) in {community.name} now uses {name} {_value(value)} "
        f"(default {_value(default)}). It counts from the next daily check.",
        choices=(Choice("See the rule", f"nudges {rule.code} in {community.slug}"),),
        context=f"Undo: nudges set {rule.code} {name} {_value(default)} in {community.slug}",
    )


@command(
    "nudges resume",
    usage="nudges resume <rule> [in <community>]",
    summary='Let a rule marked "not relevant" nudge again (leaders)',
    group=GROUP,
)
async def resume(ctx: Context, args: str) -> Reply:
    community = await _leader_community(ctx, change=True)
    assert community.id is not None
    rule = find_rule(args.split()[0]) if args.split() else None
    if rule is None:
        raise UserError("Say which rule, e.g. `nudges resume N1`. `nudges` lists them.")
    await nudges.silence(
        ctx.session,
        community.id,
        rule.code,
        until=ctx.now,
        reason="",
        by=ctx.member_id,
        now=ctx.now,
    )
    return Reply(f"{rule.code} ({rule.title}) can nudge the leaders of {community.name} again.")


# -- the buttons -------------------------------------------------------------------------------


async def _mine(ctx: Context, args: str) -> tuple[Nudge, Community, Rule]:
    word = args.split()[0] if args.split() else ""
    nudge = await nudges.get_nudge(ctx.session, int(word)) if word.isdigit() else None
    if nudge is None or nudge.leader_id != ctx.member_id:
        raise UserError("I can't find that nudge of yours. `nudges` shows your community's.")
    community = await communities.get_community(ctx.session, nudge.community_id)
    rule = find_rule(nudge.rule)
    if community is None or rule is None:
        raise UserError("That nudge's community is gone.")
    return nudge, community, rule


@command(
    "nudge do", usage="nudge do <id>", summary="Do what a nudge suggests", group=GROUP, hidden=True
)
async def do_it(ctx: Context, args: str) -> Reply | list[Reply]:
    nudge, community, _rule = await _mine(ctx, args)
    assert community.id is not None
    await nudges.resolve(ctx.session, nudge, "done", ctx.now)
    await nudges.resolve_signals(
        ctx.session, community.id, nudge.rule, nudge.subject or "", "done", ctx.now
    )
    return await run_line(ctx, nudge.action)


async def run_line(ctx: Context, line: str) -> Reply | list[Reply]:
    """Run a command line as the person clicking (what "Do it" stands for)."""
    words = line.split(maxsplit=2)
    registry = ctx.services.registry
    spec, rest = None, ""
    if len(words) >= 2:
        spec = registry.commands.get(f"{words[0]} {words[1]}".lower())
        rest = words[2] if len(words) > 2 else ""
    if spec is None and words:
        spec = registry.commands.get(words[0].lower())
        rest = line[len(words[0]) :].strip()
    if spec is None:
        return Reply(f"Type `{line}` to do it.")
    head, sep, slug = rest.rpartition(" in ")
    if rest.startswith("in "):
        head, sep, slug = "", " in ", rest[3:]
    if sep:
        found = await communities.find_community(ctx.session, slug.strip())
        if found is not None:
            ctx.named_community = found
            rest = head.strip()
    result = await spec.handler(ctx, rest)
    return result if result is not None else Reply("Done.")


@command(
    "nudge snooze",
    usage="nudge snooze <id>",
    summary="Bring a nudge back in a week",
    group=GROUP,
    hidden=True,
)
async def snooze(ctx: Context, args: str) -> Reply:
    nudge, community, rule = await _mine(ctx, args)
    until = ctx.now + SNOOZE
    await nudges.resolve(ctx.session, nudge, "snoozed", ctx.now, snoozed_until=until)
    return Reply(
        f"Snoozed: I'll bring *{rule.title.lower()}* for {community.name} back after "
        f"{_day(until, ctx)}, if it still holds.",
    )


def dismiss_fields(rule: Rule) -> tuple[FormField, ...]:
    return (
        FormField("reason", f"{rule.code}: {rule.title}", "choice", True, REASONS),
        FormField(
            "note",
            "Anything to add? (optional)",
            "text",
            max_length=NOTE_MAX,
            placeholder="e.g. we meet in person every week",
        ),
    )


def dismiss_form(nudge: Nudge, rule: Rule) -> Form:
    return Form(
        f"{DISMISS_FORM}:{nudge.id}",
        "Why not relevant?",
        dismiss_fields(rule),
        submit_label="Send",
    )


@command(
    "nudge dismiss",
    usage="nudge dismiss <id> [reason]",
    summary="Mark a nudge not relevant",
    group=GROUP,
    hidden=True,
)
async def dismiss(ctx: Context, args: str) -> Reply:
    nudge, community, rule = await _mine(ctx, args)
    reason = args.split(maxsplit=1)[1].strip() if len(args.split(maxsplit=1)) > 1 else ""
    if not reason:
        return Reply(
            "Why is this one not relevant? Your answer helps tune the rules.",
            form=dismiss_form(nudge, rule),
            context=f"Or type: nudge dismiss {nudge.id} <reason>",
        )
    return await _silence(ctx, nudge, community, rule, reason[:NOTE_MAX])


@form(DISMISS_FORM, limits=limits_of(dismiss_fields(RULES[0])))
async def dismissed(ctx: Context, values: Mapping[str, str]) -> Reply:
    nudge, community, rule = await _mine(ctx, values.get("_arg", ""))
    key = values.get("reason", "")
    if key not in _REASON_LABELS:
        raise UserError("Pick a reason.", fields={"reason": "Pick one of the reasons."})
    note = values.get("note", "").strip()
    reason = _REASON_LABELS[key] + (f": {note}" if note else "")
    return await _silence(ctx, nudge, community, rule, reason[:300])


async def _silence(
    ctx: Context, nudge: Nudge, community: Community, rule: Rule, reason: str
) -> Reply:
    assert community.id is not None
    own = await nudges.thresholds(ctx.session, community.id)
    days = limits_for(rule, own.get(rule.code, {}))["silence-days"]
    until = ctx.now + timedelta(days=days)
    await nudges.resolve(ctx.session, nudge, "dismissed", ctx.now, reason=reason)
    await nudges.silence(
        ctx.session,
        community.id,
        rule.code,
        until=until,
        reason=reason,
        by=ctx.member_id,
        now=ctx.now,
    )
    await nudges.resolve_signals(
        ctx.session, community.id, nudge.rule, nudge.subject or "", "dismissed", ctx.now
    )
    leaders = await communities.members_with_role(ctx.session, community.id, Role.LEADER)
    others = [m.display_name for m in leaders if m.id != ctx.member_id]
    also = f" (for {', '.join(others)} too)" if others else ""
    return Reply(
        f"Thanks, noted: “{reason}”. I won't suggest *{rule.title.lower()}* for "
        f"{community.name}{also} until {_day(until, ctx)}.",
        context=f"Changed your mind? nudges resume {rule.code} in {community.slug}",
    )
