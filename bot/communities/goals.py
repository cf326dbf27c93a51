"""Charter goals with a measure: each goal a target and a status a leader keeps up to date
(met / on track / at risk), so digests can report objectives against the charter (APQC's first
evaluation strategy). Members read them in `charter` and `charter goals`."""

from __future__ import annotations

import re

from bot.context import Context
from bot.errors import UserError
from bot.messages import Choice, Reply
from bot.permissions import Capability
from bot.registry import command
from storage import goals
from storage.tables import Community
from storage.tables.goals import CharterGoal

GROUP = "Communities"
MAX_GOALS = 12
TEXT_LIMIT = 300
TARGET_LIMIT = 120
STATUS_LABELS = {"on-track": "on track", "at-risk": "at risk", "met": "met"}
_STATUS_WORDS = {
    "met": "met",
    "done": "met",
    "achieved": "met",
    "on-track": "on-track",
    "ontrack": "on-track",
    "on": "on-track",
    "at-risk": "at-risk",
    "atrisk": "at-risk",
    "risk": "at-risk",
    "none": None,
    "clear": None,
}
_TARGET = re.compile(r"\s+target\s*:?\s+", re.I)
USAGE = (
    "`charter goal add <goal> target <target>`, `charter goal <n> status met|on-track|at-risk`, "
    "`charter goal <n> target <target>` or `charter goal <n> remove`"
)


def goal_line(number: int, goal: CharterGoal) -> str:
    target = f" — target: {goal.target}" if goal.target else ""
    status = STATUS_LABELS.get(goal.status or "", "no status yet")
    return f"{number}. {goal.text}{target} — *{status}*"


async def goal_lines(ctx: Context, community: Community) -> list[str]:
    assert community.id is not None
    found = await goals.goals_of(ctx.session, community.id)
    return [goal_line(n, g) for n, g in enumerate(found, start=1)]


def status_of(words: str) -> str | None:
    key = "-".join(words.lower().split())
    if key not in _STATUS_WORDS:
        raise UserError(
            f"A goal's status is `met`, `on-track` or `at-risk` (or `none`), e.g. "
            f"`charter goal 1 status at-risk`; I didn't understand `{words[:30]}`."
        )
    return _STATUS_WORDS[key]


def _checked(text: str, target: str) -> tuple[str, str]:
    if not text:
        raise UserError(f"What is the goal? Type {USAGE}.")
    if len(text) > TEXT_LIMIT:
        raise UserError(f"A goal can be at most {TEXT_LIMIT} characters.")
    if len(target) > TARGET_LIMIT:
        raise UserError(f"A target can be at most {TARGET_LIMIT} characters.")
    return text, target


@command(
    "charter goals",
    usage="charter goals [community]",
    summary="The charter's goals with their targets and status",
    group=GROUP,
)
async def list_goals(ctx: Context, args: str) -> Reply:
    community = await ctx.community(args.strip() or None)
    lines = await goal_lines(ctx, community)
    leader = await ctx.can(Capability.EDIT_GOALS, community)
    if not lines:
        hint = " Add one with `charter goal add <goal> target <target>`." if leader else ""
        return Reply(f"{community.name} has no goals with a target yet.{hint}")
    return Reply(
        "\n".join(lines),
        title=f"Goals of {community.name}",
        context=f"Leaders keep them up to date: {USAGE}." if leader else None,
        choices=(Choice("Show charter", f"charter {community.slug}"),),
    )


@command(
    "charter goal",
    usage="charter goal add <goal> [target <target>] | charter goal <n> status|target|remove …",
    summary="Give the charter a goal with a target, and say how it goes (leaders)",
    group=GROUP,
    details="Status is met, on-track or at-risk. A target is free text (`20 lessons by June`) "
    "or a number and unit (`50 %`).",
    examples=(
        "charter goal add Capture lessons from every incident target 20 lessons by June",
        "charter goal 1 status at-risk",
    ),
)
async def edit_goal(ctx: Context, args: str) -> Reply:
    community = await ctx.community()
    await ctx.require(Capability.EDIT_GOALS, community)
    assert community.id is not None
    first, _, rest = args.strip().partition(" ")
    rest = rest.strip()
    if first.lower() == "add":
        found = await goals.goals_of(ctx.session, community.id)
        if len(found) >= MAX_GOALS:
            raise UserError(
                f"{community.name} has {MAX_GOALS} goals already: remove one with "
                "`charter goal <n> remove` first. A few goals are easier to follow."
            )
        text, target = _checked(*_split_target(rest))
        await goals.add_goal(ctx.session, community.id, text, target, by=ctx.member_id, now=ctx.now)
        return _done(community, f"Added goal {len(found) + 1} to the charter of {community.name}.")
    goal, number = await _numbered(ctx, community, first)
    verb, _, value = rest.partition(" ")
    verb, value = verb.lower(), value.strip()
    if verb == "status":
        goal.status = status_of(value)
        goal.status_at = ctx.now
        await goals.save_goal(ctx.session, goal)
        shown = STATUS_LABELS.get(goal.status or "", "no status yet")
        return _done(community, f"Goal {number} of {community.name} is now *{shown}*.")
    if verb == "target":
        goal.target = _checked(goal.text, value)[1]
        await goals.save_goal(ctx.session, goal)
        return _done(community, f"Goal {number} now has the target: {value or '(none)'}.")
    if verb in {"remove", "delete"}:
        await goals.remove_goal(ctx.session, goal)
        return _done(community, f"Removed goal {number}: {goal.text}")
    raise UserError(f"Type {USAGE}.")


def _split_target(rest: str) -> tuple[str, str]:
    parts = _TARGET.split(rest, maxsplit=1)
    return parts[0].strip(), (parts[1].strip() if len(parts) > 1 else "")


async def _numbered(ctx: Context, community: Community, word: str) -> tuple[CharterGoal, int]:
    assert community.id is not None
    found = await goals.goals_of(ctx.session, community.id)
    if not word.isdigit() or not 0 < int(word) <= len(found):
        known = f"1-{len(found)}" if found else "none yet"
        raise UserError(
            f"Which goal? Goals are numbered as in `charter goals` ({known}). Type {USAGE}."
        )
    return found[int(word) - 1], int(word)


def _done(community: Community, text: str) -> Reply:
    return Reply(text, choices=(Choice("Show goals", f"charter goals {community.slug}"),))
