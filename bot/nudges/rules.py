"""The leader nudge rules (DOMAIN.md §4, plus "going quiet"): pure functions over `Facts`.

Each rule looks at one snapshot and its thresholds and returns a `Finding` (what it saw, what to
try, which command "Do it" runs) or None. `bot.nudges.catalogue` lists them with their titles,
default thresholds and priority.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from statistics import mean

from bot.nudges.facts import Facts

Limits = Mapping[str, float]


@dataclass(frozen=True, slots=True)
class Threshold:
    name: str
    default: float
    meaning: str


@dataclass(frozen=True, slots=True)
class Finding:
    rule: str
    subject: str  # what it is about, e.g. "lesson:12" (a rule repeats per subject)
    detail: str  # what copbot saw, one line
    text: str  # the suggestion
    action: str  # the command "Do it" runs
    action_label: str = "Do it"
    # Who gets it besides the community's leaders (e.g. the facilitator of a meeting).
    also: frozenset[int] = frozenset()
    # Only these leaders (e.g. the leader whose own capacity is low); None: every leader.
    only: frozenset[int] | None = None
    # When the suggestion is moot (the session it is about has started): a nudge held for
    # its leader's hours or snooze until then is dropped instead of arriving late.
    not_after: datetime | None = None


Check = Callable[[Facts, Limits], "Finding | None"]


def _days(value: float) -> timedelta:
    return timedelta(days=value)


def _when(at: datetime) -> str:
    return f"{at:%Y-%m-%d}"


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _with(f: Facts, command: str) -> str:
    return f"{command} in {f.slug}"


# -- rhythm and meetings -----------------------------------------------------------------------


def no_rhythm(f: Facts, t: Limits) -> Finding | None:
    """N1: no session in the last N days and none in the next M."""
    held_recently = f.last_session_at is not None and f.last_session_at >= f.now - _days(t["days"])
    coming = f.next_session_at is not None and f.next_session_at <= f.now + _days(t["ahead-days"])
    if held_recently or coming:
        return None
    last = f"the last was on {_when(f.last_session_at)}" if f.last_session_at else "none yet"
    return Finding(
        "N1",
        "rhythm",
        f"No session in the last {t['days']:.0f} days ({last}) and none in the next "
        f"{t['ahead-days']:.0f}.",
        "Schedule the next session: a steady rhythm keeps people coming. A recurring slot "
        "(say, the first Tuesday of each month) is easiest to remember.",
        _with(f, "meeting new"),
        "Schedule a session",
    )


def missing_agenda(f: Facts, t: Limits) -> Finding | None:
    """N2: a session within N days has no agenda."""
    soon = [g for g in f.agenda_gaps if f.now < g.starts_at <= f.now + _days(t["days"])]
    if not soon:
        return None
    gap = min(soon, key=lambda g: g.starts_at)
    return Finding(
        "N2",
        f"occurrence:{gap.occurrence_id}",
        f"*{gap.title}* on {_when(gap.starts_at)} has no agenda yet.",
        "Post the agenda and ask members for one question each.",
        f"meeting edit {gap.meeting_id}",
        "Edit the agenda",
        also=frozenset({gap.facilitator_id} if gap.facilitator_id else ()),
        not_after=gap.starts_at,
    )


def attendance_down(f: Facts, t: Limits) -> Finding | None:
    """N3: the last session's attendance fell >= X% below the mean of the 3 before, or two
    drops in a row."""
    counts = [s.attendees for s in f.sessions]
    if len(counts) < 3:
        return None
    last = counts[-1]
    trailing = counts[-4:-1]
    base = mean(trailing)
    fell = base > 0 and (base - last) / base * 100 >= t["drop-pct"]
    two_drops = counts[-3] > counts[-2] > counts[-1]
    if not (fell or two_drops):
        return None
    why = (
        f"{last} came to the last session against {base:.1f} on average before"
        if fell
        else f"Attendance dropped twice in a row ({counts[-3]}, {counts[-2]}, {counts[-1]})"
    )
    return Finding(
        "N3",
        f"session:{_when(f.sessions[-1].starts_at)}",
        why + ".",
        "Refresh the programme: run a topic poll, try a new format (case clinic, demo, "
        "lightning talks) or invite a guest expert.",
        _with(f, "survey new"),
        "Run a topic poll",
    )


def no_newcomers(f: Facts, t: Limits) -> Finding | None:
    """N4: new-attendee share below X% over the last 3 sessions, or no member growth in a
    quarter."""
    recent = f.sessions[-3:]
    came = sum(s.attendees for s in recent)
    share = 100.0 * sum(s.first_timers for s in recent) / came if came else None
    stale_room = len(recent) == 3 and share is not None and share < t["new-share-pct"]
    old_enough = f.created_at <= f.now - _days(90)
    no_growth = old_enough and f.members_now - f.members_quarter_ago <= t["growth"]
    if not (stale_room or no_growth):
        return None
    why = (
        f"Only {share:.0f}% of attendees at the last 3 sessions were new"
        if stale_room and share is not None
        else f"Membership went from {f.members_quarter_ago} to {f.members_now} in 90 days"
    )
    return Finding(
        "N4",
        "newcomers",
        why + ".",
        "Recruit: ask each core member to bring one colleague, reach out to departments not "
        "yet represented, and share a short 'why join' post.",
        _with(f, "charter"),
        "Share the charter",
    )


def narrow_reach(f: Facts, t: Limits) -> Finding | None:
    """N5: one department > X% of active members, or reach < Y% of departments in scope."""
    active = sum(f.active_by_department.values())
    if active == 0:
        return None
    top_department, top = max(f.active_by_department.items(), key=lambda kv: (kv[1], kv[0]))
    top_share = 100.0 * top / active
    reach = (
        100.0 * len(f.active_by_department) / f.departments_in_scope
        if f.departments_in_scope
        else 100.0
    )
    if top_share <= t["top-share-pct"] and reach >= t["reach-pct"]:
        return None
    why = (
        f"{top_share:.0f}% of active members are from {top_department}"
        if top_share > t["top-share-pct"]
        else f"Active members come from {reach:.0f}% of the departments in scope"
    )
    return Finding(
        "N5",
        "reach",
        why + ".",
        "Widen reach: co-host a session with an adjacent community, ask your sponsor to "
        "promote the community, or schedule a session in another time zone.",
        _with(f, "members"),
        "See who takes part",
    )


def waiting_questions(f: Facts, t: Limits) -> Finding | None:
    """N6: a question unanswered > N hours, or the median time to first answer > M hours."""
    if f.unanswered is None:
        return None
    waiting = [q for q in f.unanswered if q.asked_at <= f.now - timedelta(hours=t["hours"])]
    slow = f.median_ttfa_hours is not None and f.median_ttfa_hours > t["ttfa-hours"]
    if not (waiting or slow):
        return None
    why = (
        f"{_count(len(waiting), 'question has', 'questions have')} waited more than "
        f"{t['hours']:.0f} hours for an answer"
        if waiting
        else f"The median time to a first answer is {f.median_ttfa_hours:.0f} hours"
    )
    return Finding(
        "N6",
        f"question:{waiting[0].question_id}" if waiting else "ttfa",
        why + ".",
        "These questions are waiting: answer one, tag an expert, or let copbot route it.",
        _with(f, "questions"),
        "Open questions",
    )


def topic_without_expert(f: Facts, t: Limits) -> Finding | None:
    """N7: a topic used >= N times this quarter with no SME."""
    hot = [(topic, uses) for topic, uses in f.topics_without_sme if uses >= t["uses"]]
    if not hot:
        return None
    topic, uses = hot[0]
    return Finding(
        "N7",
        f"topic:{topic}",
        f"*{topic}* came up {uses} times this quarter and has no subject-matter expert.",
        f"Recruit an expert for {topic}: the people who know it best are one click away.",
        _with(f, "experts gaps"),
        "Find an expert",
    )


def load_on_few(f: Facts, t: Limits) -> Finding | None:
    """N8: leaders authored > X% of contributions, or top 3 > Y%, or a leader scored L3 <= 2."""
    total = sum(f.contributions.values())
    low_core = [c for c in f.checks if (_score(c.answers, "L3") or 5) <= t["l3"]]
    why = ""
    if total >= t["min-contributions"]:
        by_leaders = sum(n for m, n in f.contributions.items() if m in f.leader_ids)
        top3 = sum(sorted(f.contributions.values(), reverse=True)[:3])
        if 100.0 * by_leaders / total > t["leader-share-pct"]:
            why = f"Leaders made {100.0 * by_leaders / total:.0f}% of the contributions in 90 days"
        elif 100.0 * top3 / total > t["top3-share-pct"]:
            why = f"Three people made {100.0 * top3 / total:.0f}% of the contributions in 90 days"
    if not why and low_core:
        why = f"The health check of {low_core[0].quarter} says the core group is thin (L3)"
    if not why:
        return None
    return Finding(
        "N8",
        "load",
        why + ".",
        "Share the load: invite core members to host the next session, or rotate the chair.",
        _with(f, "roles"),
        "See the roles",
    )


def _score(answers: Mapping[str, object], item: str) -> float | None:
    value = answers.get(item)
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


# -- value, lessons, checks --------------------------------------------------------------------


def value_to_celebrate(f: Facts, t: Limits) -> Finding | None:
    """N9: a member's success story not featured yet, a value story in the health check (L15),
    or a lesson reused >= N times."""
    fresh = [s for s in f.stories if s.created_at >= f.now - _days(t["story-days"])]
    if fresh:
        story = fresh[0]
        return Finding(
            "N9",
            f"story:{story.story_id}",
            f"A new success story: *{story.title}*.",
            "Celebrate: feature it, so the people in it are thanked in the channel and the "
            "story goes into the sponsor digest.",
            f"story feature {story.story_id}",
            "Feature the story",
        )
    told = [c for c in f.checks if str(c.answers.get("L15") or "").strip()]
    if told:
        check = told[0]
        return Finding(
            "N9",
            f"story:{check.quarter}:{check.leader_id}",
            f"The health check of {check.quarter} has a value story.",
            "Celebrate: thank the people in it publicly and add the story to the sponsor digest.",
            _with(f, "health"),
            "See the story",
        )
    reused = [lesson for lesson in f.reused_lessons if lesson.reuses >= t["reuses"]]
    if not reused:
        return None
    lesson = reused[0]
    return Finding(
        "N9",
        f"lesson:{lesson.lesson_id}",
        f"The lesson *{lesson.title}* helped {lesson.reuses} people.",
        "Celebrate: thank its author publicly and add it to the sponsor digest.",
        f"lesson show {lesson.lesson_id}",
        "Show the lesson",
    )


def lesson_waiting(f: Facts, t: Limits) -> Finding | None:
    """N10: a lesson submitted more than N days ago and not validated."""
    old = [d for d in f.drafts if d.at <= f.now - _days(t["days"])]
    if not old:
        return None
    first = old[0]
    more = f" and {len(old) - 1} more" if len(old) > 1 else ""
    return Finding(
        "N10",
        f"lesson:{first.lesson_id}",
        f"*{first.title}*{more} has waited for validation since {_when(first.at)}.",
        "Validate and publish it, so others can find and reuse it.",
        _with(f, "lessons pending"),
        "Validation list",
    )


def lesson_unused(f: Facts, t: Limits) -> Finding | None:
    """N10b: a lesson validated more than N days ago that nobody reused."""
    idle = [u for u in f.unused_lessons if u.reuses == 0 and u.at <= f.now - _days(t["days"])]
    if not idle:
        return None
    first = idle[0]
    return Finding(
        "N10b",
        f"lesson:{first.lesson_id}",
        f"*{first.title}* was validated on {_when(first.at)} and nobody has reused it yet.",
        "Promote it: link it to related questions and mention it in the next session.",
        f"lesson show {first.lesson_id}",
        "Show the lesson",
    )


def check_overdue(f: Facts, t: Limits) -> Finding | None:
    """N11: the quarterly health check is not done 14 days after it was due."""
    if not f.overdue_checks:
        return None
    quarter = f.overdue_checks[0]
    return Finding(
        "N11",
        f"health:{quarter}",
        f"The health check for {quarter} is still open.",
        "Take 5 minutes for it: it shows the trend and points to where copbot can help.",
        _with(f, "health check"),
        "Start the check",
    )


def low_response(f: Facts, t: Limits) -> Finding | None:
    """N12: a survey closed in the last N days with a response rate below X%."""
    recent = [
        s
        for s in f.surveys
        if s.invited
        and s.closed_at >= f.now - _days(t["days"])
        and 100.0 * s.answered / s.invited < t["rate-pct"]
    ]
    if not recent:
        return None
    survey = recent[0]
    return Finding(
        "N12",
        f"survey:{survey.survey_id}",
        f"*{survey.title}*: {survey.answered} of {survey.invited} answered "
        f"({100.0 * survey.answered / survey.invited:.0f}%).",
        "Next time: shorten the survey, ask people personally, and share 'you said, we did' "
        "results.",
        f"survey results {survey.survey_id}",
        "See the results",
    )


def needs_renewal(f: Facts, t: Limits) -> Finding | None:
    """N13: NPS < X, relevance (M3) favourable < Y%, or a leader scored L1 <= 2."""
    why = ""
    pulse = f.pulse
    if pulse is not None and pulse.nps is not None and pulse.nps < t["nps"]:
        why = f"The last pulse's NPS is {pulse.nps:+.0f} (n={pulse.nps_n})"
    elif (
        pulse is not None
        and pulse.relevance_favourable is not None
        and pulse.relevance_favourable < t["relevance-pct"]
    ):
        why = f"Only {pulse.relevance_favourable:.0f}% find the topics relevant to their work"
    else:
        low = [c for c in f.checks if (_score(c.answers, "L1") or 5) <= t["l1"]]
        if low:
            why = f"The health check of {low[0].quarter} says the purpose may not fit any more (L1)"
    if not why:
        return None
    return Finding(
        "N13",
        "renewal",
        why + ".",
        "Hold a renewal session: revisit the charter and the domain together with members.",
        _with(f, "charter edit"),
        "Revisit the charter",
    )


def leader_stretched(f: Facts, t: Limits) -> Finding | None:
    """N15: a leader scored L11 (time and support to lead) <= 2; only that leader is told."""
    low = [c for c in f.checks if (_score(c.answers, "L11") or 5) <= t["l11"]]
    if not low:
        return None
    return Finding(
        "N15",
        f"capacity:{low[0].quarter}",
        f"Your health check of {low[0].quarter} says leading takes more time than you have.",
        "Recruit a co-leader, ask your sponsor for protected time, and join the leaders' network.",
        _with(f, "roles"),
        "Find a co-leader",
        only=frozenset(c.leader_id for c in low),
    )


def sponsor_distant(f: Facts, t: Limits) -> Finding | None:
    """N14: a leader scored L10 (the sponsor knows and supports us) <= 2, or the sponsor has
    not written to copbot since the last N digests went out."""
    low = [c for c in f.checks if (_score(c.answers, "L10") or 5) <= t["l10"]]
    recent = f.digests_built[: int(t["digests"])]
    silent = (
        f.has_sponsor
        and len(recent) >= int(t["digests"])
        and (f.sponsor_last_seen_at is None or f.sponsor_last_seen_at < recent[-1])
    )
    if low:
        detail = f"A leader's health check of {low[0].quarter} says the sponsor is not close."
        subject = f"sponsor:{low[0].quarter}"
    elif silent:
        detail = (
            f"Your sponsor has not replied to or opened anything from the last "
            f"{len(recent)} digests (since {_when(recent[-1])})."
        )
        subject = f"sponsor:{_when(recent[0])}"
    else:
        return None
    return Finding(
        "N14",
        subject,
        detail,
        "Invite your sponsor to a session and send them one value story with one concrete ask "
        "(time for members, a decision, a budget line).",
        _with(f, "stories"),
        "Pick a value story",
    )


EARLY_STAGES = frozenset({"potential", "coalescing"})


def early_days(f: Facts, t: Limits) -> Finding | None:
    """N16: the community is new (Potential or Coalescing): the leaders say so in their health
    check, or, when they have not said, it is younger than N days."""
    young = f.now - f.created_at < _days(t["days"])
    if not (f.stage in EARLY_STAGES or (f.stage is None and young)):
        return None
    said = (
        f"your health check says *{f.stage}*"
        if f.stage
        else f"it is {(f.now - f.created_at).days} days old"
    )
    return Finding(
        "N16",
        f"early:{f.stage or 'young'}",
        f"*{f.name}* is in its first stage ({said}).",
        "Focus on relationships and value: an introduction round, a short poll of what members "
        "need, a draft charter, and three quick wins people can point to.",
        _with(f, "charter"),
        "Draft the charter",
    )


def keep_fresh(f: Facts, t: Limits) -> Finding | None:
    """N17: the community is in Stewardship (the leaders say so, or, when they have not said,
    it is older than N years), or a leader has led it unchanged for N years."""
    span = _days(365 * t["years"])
    old = f.now - f.created_at > span
    long_led = sorted(
        at for m, at in f.leaders_since.items() if m in f.leader_ids and f.now - at > span
    )
    if not (f.stage == "stewardship" or (f.stage is None and old) or long_led):
        return None
    if long_led:
        detail = f"The same leader has led *{f.name}* since {_when(long_led[0])}."
    else:
        detail = f"*{f.name}* is a mature community (Stewardship)."
    return Finding(
        "N17",
        "fresh",
        detail,
        "Keep it fresh: invite an outside speaker, take up a cutting-edge topic, and plan who "
        "leads next (a co-leader to grow, or an annual leader election).",
        _with(f, "roles"),
        "Plan succession",
    )


def future_in_question(f: Facts, t: Limits) -> Finding | None:
    """N18: active ratio < X% two quarters running, no sessions, and (NPS < 0 or a leader
    proposes merge, pause or close)."""
    proposals = [c for c in f.checks if c.answers.get("L14") in {"merge", "pause", "close"}]
    dormant = (
        len(f.active_ratios) >= 2
        and all(r < t["active-pct"] for r in f.active_ratios[:2])
        and f.sessions_last_two_quarters == 0
    )
    unhappy = f.pulse is not None and f.pulse.nps is not None and f.pulse.nps < 0
    if not (dormant and (unhappy or proposals)):
        return None
    return Finding(
        "N18",
        "future",
        f"Fewer than {t['active-pct']:.0f}% of members were active in each of the last two "
        "quarters, no sessions were held"
        + (f", and a leader proposes to {proposals[0].answers['L14']}" if proposals else "")
        + ".",
        "Decide the community's future: refocus, merge, pause or close. If you close it, "
        "announce it with reasons, hold a final session and point members to related "
        "communities.",
        _with(f, "health"),
        "Review the health",
    )


def going_quiet(f: Facts, t: Limits) -> Finding | None:
    """No member action of any kind for N weeks (a session nobody attends is no action)."""
    since = f.last_action_at or f.created_at
    if since > f.now - timedelta(weeks=t["weeks"]):
        return None
    weeks = (f.now - since).days // 7
    return Finding(
        "QUIET",
        f"quiet:{_when(since)}",
        f"*{f.name}* has gone quiet: nobody has joined, asked, answered, shared a lesson, "
        f"RSVP'd or come to a session for {weeks} weeks.",
        "Try a low-effort restart first: post one open question to the channel, or schedule a "
        "short informal session on a topic members asked about.",
        _with(f, "meeting new"),
        "Schedule a session",
    )
