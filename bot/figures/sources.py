"""How each figure is computed from what copbot records (DOMAIN.md §2).

A source is `async def source(inp: SourceInput) -> dict[str, Measure]` computing the figures
whose keys it lists in `SOURCES` (figures that share rows share a source, so a window costs a
dozen queries). To add a figure, define it in `bot.figures.definitions` and add a source here
(or a key to one); the queries belong in `storage/figures.py` (or the new table's module).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from dateutil.relativedelta import relativedelta
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import activity
from bot.config import Settings
from bot.figures.measure import Measure
from bot.figures.window import Period, Window
from bot.health.core import combine
from bot.surveys.core import min_answers
from storage import figures as facts
from storage import questions as asked_questions
from storage import stories as told_stories

# Joining is not an action (DOMAIN.md §2): every new member would count as active.
NOT_ACTIONS = frozenset({activity.JOIN})
# Core members: 5+ contributions in a quarter (DOMAIN.md §2's window), 2+ in a month, and at
# least half the window's sessions.
CORE_CONTRIBUTIONS = {Period.QUARTER: 5, Period.MONTH: 2}
REPEAT_SESSIONS = 5  # "came to 5+ meetings" in the trailing 12 months
ACTIVATION_DAYS = 30
LESSON_AGE_DAYS = 90


@dataclass(frozen=True, slots=True)
class SourceInput:
    session: AsyncSession
    community_id: int
    window: Window
    settings: Settings
    now: datetime | None = None

    @property
    def since(self) -> datetime:
        return self.window.start

    @property
    def until(self) -> datetime:
        return self.window.end

    @property
    def held_until(self) -> datetime:
        """The window's end, or now for a window in progress (sessions not yet held)."""
        return min(self.until, self.now) if self.now is not None else self.until


Source = Callable[[SourceInput], Awaitable[dict[str, Measure]]]


def _members_at(stints: list[facts.Stint], at: datetime) -> set[int]:
    return {
        s.member_id for s in stints if s.joined_at < at and (s.left_at is None or s.left_at >= at)
    }


async def participation(inp: SourceInput) -> dict[str, Measure]:
    stints = await facts.stints(inp.session, inp.community_id, inp.until)
    members = _members_at(stints, inp.until)
    label = inp.window.label
    keys = ("active_ratio", "contributor_ratio", "tier_core", "tier_active", "tier_peripheral",
            "tier_inactive")  # fmt: skip
    if not members:
        return {k: Measure(None, missing=f"no members at the end of {label}") for k in keys}
    actions = await facts.actions_by_member(
        inp.session, inp.community_id, inp.since, inp.until, ignore_kinds=NOT_ACTIONS
    )
    held = await facts.sessions_held(inp.session, inp.community_id, inp.since, inp.held_until)
    came = Counter(
        a.member_id
        for a in await facts.attendances(inp.session, inp.community_id, inp.since, inp.held_until)
    )
    tiers: Counter[str] = Counter()
    active = contributors = 0
    for member in members:
        acts, contributions = actions.get(member, (0, 0))
        sessions = came[member]
        active += acts > 0 or sessions > 0
        contributors += contributions > 0
        if contributions >= CORE_CONTRIBUTIONS[inp.window.period] and (
            not held or 2 * sessions >= len(held)
        ):
            tiers["core"] += 1
        elif contributions >= 1 or sessions >= 2:
            tiers["active"] += 1
        elif acts > 0 or sessions > 0:
            tiers["peripheral"] += 1
        else:
            tiers["inactive"] += 1
    total = len(members)
    found = {
        "active_ratio": Measure.ratio(active, total, "members", missing=""),
        "contributor_ratio": Measure.ratio(contributors, total, "members", missing=""),
    }
    for tier in ("core", "active", "peripheral", "inactive"):
        found[f"tier_{tier}"] = Measure.ratio(tiers[tier], total, "members", missing="")
    return found


async def meetings(inp: SourceInput) -> dict[str, Measure]:
    label = inp.window.label
    held = await facts.sessions_held(inp.session, inp.community_id, inp.since, inp.held_until)
    rows = await facts.attendances(inp.session, inp.community_id, inp.since, inp.held_until)
    found: dict[str, Measure] = {"sessions_held": Measure.count(len(held))}
    no_sessions = f"no sessions held in {label}"
    if not held:
        found["attendance_rate"] = Measure(None, missing=no_sessions)
        found["rsvp_show_rate"] = Measure(None, missing=no_sessions)
        found["new_attendee_share"] = Measure(None, missing=no_sessions)
    else:
        stints = await facts.stints(inp.session, inp.community_id, inp.held_until)
        by_session: dict[int, set[int]] = {}
        for row in rows:
            by_session.setdefault(row.occurrence_id, set()).add(row.member_id)
        rates = []
        for occurrence_id, starts_at in held:
            invited = _members_at(stints, starts_at) | by_session.get(occurrence_id, set())
            if invited:
                rates.append(len(by_session.get(occurrence_id, set())) / len(invited))
        found["attendance_rate"] = (
            Measure(sum(rates) / len(rates), detail=f"mean of {len(held)} sessions", n=len(held))
            if rates
            else Measure(None, missing=f"no members at the sessions of {label}")
        )
        going = await facts.going_rsvps(inp.session, [o for o, _ in held])
        showed = sum(member in by_session.get(occurrence, set()) for occurrence, member in going)
        found["rsvp_show_rate"] = Measure.ratio(
            showed, len(going), "who said they were going", missing=f"no RSVPs in {label}"
        )
        firsts = await facts.first_attendances(
            inp.session, inp.community_id, {r.member_id for r in rows}, inp.held_until
        )
        new = sum(firsts.get(r.member_id) == r.starts_at for r in rows)
        found["new_attendee_share"] = Measure.ratio(
            new, len(rows), "attendances", missing=f"nobody attended in {label}"
        )
    year_start = (inp.until.astimezone(inp.window.zone) - relativedelta(months=12)).astimezone(
        inp.until.tzinfo
    )
    year = Counter(
        a.member_id
        for a in await facts.attendances(inp.session, inp.community_id, year_start, inp.held_until)
    )
    loyal = sum(n >= REPEAT_SESSIONS for n in year.values())
    found["repeat_attendance"] = Measure.ratio(
        loyal, len(year), "attendees of the last 12 months",
        missing="nobody attended in the 12 months to the end of " + label,
    )  # fmt: skip
    return found


async def reach_and_growth(inp: SourceInput) -> dict[str, Measure]:
    label = inp.window.label
    stints = await facts.stints(inp.session, inp.community_id, inp.until)
    members = _members_at(stints, inp.until)
    rows = await facts.attendances(inp.session, inp.community_id, inp.since, inp.held_until)
    attendees = {r.member_id for r in rows}
    known = await facts.departments(inp.session, members | attendees)
    scope = {known[m] for m in members if m in known}
    found: dict[str, Measure] = {}
    if not scope:
        none = "no departments known (members' profiles have none)"
        found["department_reach"] = Measure(None, missing=none)
        found["largest_department"] = Measure(None, missing=none)
    elif not attendees:
        found["department_reach"] = Measure(None, missing=f"nobody attended in {label}")
        found["largest_department"] = Measure(None, missing=f"nobody attended in {label}")
    else:
        reached = {known[m] for m in attendees if m in known} & scope
        found["department_reach"] = Measure.ratio(len(reached), len(scope), "departments",
                                                  missing="")  # fmt: skip
        per_department = Counter(known[m] for m in attendees if m in known)
        if per_department:
            # Ties go to the first name alphabetically, so the detail never flickers.
            name, biggest = min(per_department.items(), key=lambda kv: (-kv[1], kv[0]))
            whole = sum(per_department.values())
            found["largest_department"] = Measure(
                biggest / whole, detail=f"{name}, {biggest} of {whole} attendees", n=whole
            )
        else:
            found["largest_department"] = Measure(None, missing="attendees' departments unknown")
    joined = [s for s in stints if inp.since <= s.joined_at < inp.until]
    left = [s for s in stints if s.left_at is not None and inp.since <= s.left_at < inp.until]
    found["joins"] = Measure.count(len(joined))
    found["leaves"] = Measure.count(len(left))
    found["net_growth"] = Measure.count(len(joined) - len(left))
    window = timedelta(days=ACTIVATION_DAYS)
    times = await facts.action_times(
        inp.session, inp.community_id, {s.member_id for s in joined}, inp.since,
        inp.until + window, ignore_kinds=NOT_ACTIONS,
    )  # fmt: skip
    activated = sum(
        any(m == s.member_id and s.joined_at <= at < s.joined_at + window for m, at in times)
        for s in joined
    )
    found["activation"] = Measure.ratio(
        activated, len(joined), "new members", missing=f"nobody joined in {label}"
    )
    return found


async def knowledge(inp: SourceInput) -> dict[str, Measure]:
    captured = await facts.lessons_created(inp.session, inp.community_id, inp.since, inp.until)
    eligible, reused = await facts.lesson_reuse(
        inp.session, inp.community_id, inp.until - timedelta(days=LESSON_AGE_DAYS), inp.until
    )
    used = await facts.topics_used(inp.session, inp.community_id, inp.until)
    covered = used & await facts.sme_topics(inp.session, inp.community_id, inp.until)
    return {
        "lessons_captured": Measure.count(captured),
        "lesson_reuse_rate": Measure.ratio(
            reused, eligible, "lessons 90+ days old",
            missing=f"no published lesson was 90+ days old by the end of {inp.window.label}",
        ),
        "expert_coverage": Measure.ratio(
            len(covered), len(used), "topics", missing="the community uses no topics yet"
        ),
    }  # fmt: skip


async def surveys(inp: SourceInput) -> dict[str, Measure]:
    label = inp.window.label
    opened = await facts.surveys_opened(inp.session, inp.community_id, inp.since, inp.until)
    if not opened:
        none = Measure(None, missing=f"no survey opened in {label}")
        return {"survey_response_rate": none, "nps": none}
    invited, answered = await facts.invite_totals(inp.session, [s.id for s in opened if s.id])
    found = {
        "survey_response_rate": Measure.ratio(
            answered, invited, "invitees", missing=f"nobody was invited to a survey in {label}"
        )
    }
    asked = [
        (s.id, index)
        for s in opened
        if s.id is not None
        for index, question in enumerate(s.questions)
        if question.get("kind") == "nps"
    ]
    if not asked:
        found["nps"] = Measure(None, missing=f"no survey in {label} asked the recommend question")
        return found
    scores = [int(v) for v in await facts.answers_to(inp.session, asked) if v.isdigit()]
    scores = [s for s in scores if 0 <= s <= 10]
    least = min_answers(inp.settings)
    if len(scores) < least:
        # The count of answers is safe to show; the score of so few people is not.
        found["nps"] = Measure(
            None,
            missing=f"hidden: {len(scores)} answer{'s' * (len(scores) != 1)}, shown from {least}",
            n=len(scores),
        )
        return found
    promoters = sum(s >= 9 for s in scores)
    detractors = sum(s <= 6 for s in scores)
    found["nps"] = Measure(
        100 * (promoters - detractors) / len(scores), detail=f"n = {len(scores)}", n=len(scores)
    )
    return found


async def leader_health(inp: SourceInput) -> dict[str, Measure]:
    # The latest quarter that ended by the window's end: a month shows its quarter's check
    # only once that quarter is over and reviewed.
    quarter = Window.containing(Period.QUARTER, inp.until - timedelta(microseconds=1),
                                inp.window.zone)  # fmt: skip
    if quarter.end > inp.until:
        quarter = quarter.previous()
    label, checks = await facts.latest_health_checks(inp.session, inp.community_id, quarter.key)
    if label is None:
        return {"leader_health_index": Measure(
            None, missing=f"no health check answered for a quarter ended by {quarter.label}'s end"
        )}  # fmt: skip
    result = combine(label, [c.answers or {} for c in checks])
    if result.index is None:
        return {"leader_health_index": Measure(None, missing="the health check had no scores")}
    pretty = f"Q{label[5:]} {label[:4]}"
    return {
        "leader_health_index": Measure(
            result.index,
            detail=f"{pretty}, {result.answered} leader{'s' * (result.answered != 1)}",
            n=result.answered,
        )
    }


async def questions(inp: SourceInput) -> dict[str, Measure]:
    """Questions asked in the window and how they were answered (the potential value cycle)."""
    found = await asked_questions.question_figures(
        inp.session, inp.community_id, inp.since, inp.until
    )
    label = inp.window.label
    median = found.median_ttfa_seconds
    return {
        "questions_asked": Measure.count(found.asked),
        "answer_rate": Measure.ratio(
            found.answered_within_7_days, found.asked, "questions",
            missing=f"no questions asked in {label}",
        ),
        "time_to_first_answer": (
            Measure(median / 3600, n=found.asked)
            if median is not None
            else Measure(None, missing=f"no question asked in {label} has an answer yet")
        ),
    }  # fmt: skip


async def stories(inp: SourceInput) -> dict[str, Measure]:
    told = await told_stories.stories_in_window(inp.session, inp.community_id, inp.since, inp.until)
    return {"value_stories": Measure.count(len(told))}


SOURCES: tuple[tuple[frozenset[str], Source], ...] = (
    (frozenset({"active_ratio", "contributor_ratio", "tier_core", "tier_active",
                "tier_peripheral", "tier_inactive"}), participation),
    (frozenset({"attendance_rate", "sessions_held", "rsvp_show_rate", "repeat_attendance",
                "new_attendee_share"}), meetings),
    (frozenset({"department_reach", "largest_department", "joins", "leaves", "net_growth",
                "activation"}), reach_and_growth),
    (frozenset({"lessons_captured", "lesson_reuse_rate", "expert_coverage"}), knowledge),
    (frozenset({"survey_response_rate", "nps"}), surveys),
    (frozenset({"leader_health_index"}), leader_health),
    (frozenset({"questions_asked", "answer_rate", "time_to_first_answer"}), questions),
    (frozenset({"value_stories"}), stories),
)  # fmt: skip
