"""One community's page for its leaders, sponsors and coordinators: health trend, attendance
(new vs returning), survey results under the anonymity rules and lessons awaiting validation.

The page itself needs `VIEW_HEALTH` (bot.dashboard.routes); each section asks for what it shows,
exactly as the chat verbs do.
"""

from __future__ import annotations

from datetime import UTC, datetime

from bot.context import Context
from bot.errors import UserError
from bot.health.core import RAG, STAGES, pretty
from bot.health.lookup import recent_quarters
from bot.lessons.access import manages
from bot.pages import COMMUNITY, Cell, Chart, Column, Section, Series, Table
from bot.permissions import Capability
from bot.registry import page_section
from bot.surveys.access import may_see
from bot.surveys.results import SurveyResults, survey_results
from bot.surveys.stats import QuestionStats, Withheld, response_rate
from storage import lessons, meetings, surveys
from storage.tables import Community
from storage.tables.surveys import Survey

SESSIONS_SHOWN = 12
SURVEYS_SHOWN = 5
_BEGINNING = datetime(2000, 1, 1, tzinfo=UTC)


def _one(value: float | None, digits: int = 0) -> float | None:
    return None if value is None else round(value, digits)


@page_section(COMMUNITY, 10)
async def health_trend(ctx: Context, community: Community | None) -> Section | None:
    if community is None or not await ctx.can(Capability.VIEW_HEALTH, community):
        return None
    assert community.id is not None
    quarters = await recent_quarters(ctx.session, community.id)
    if not quarters:
        return Section(
            key="health",
            title="Health over quarters",
            empty="No health check has been answered yet; leaders get one each quarter.",
        )
    labels = tuple(pretty(q.quarter) for q in quarters)
    rows = tuple(
        (
            pretty(q.quarter),
            q.answered,
            _one(q.index),
            RAG.get(q.rag or "", "n/a"),
            STAGES.get(q.stage or "", "n/a"),
        )
        for q in quarters
    )
    return Section(
        key="health",
        title="Health over quarters",
        notes=(
            "Leader Health Index: the leaders' mean score over the health check's scored items, "
            "0-100. RAG: the most worried answer given that quarter.",
        ),
        chart=Chart(
            "line",
            labels,
            (Series("Leader Health Index", tuple(_one(q.index) for q in quarters)),),
            maximum=100,
        ),
        table=Table(
            (
                Column("Quarter"),
                Column("Leaders answered", numeric=True),
                Column("Health index", numeric=True),
                Column("RAG"),
                Column("Stage"),
            ),
            rows,
        ),
    )


@page_section(COMMUNITY, 20)
async def attendance(ctx: Context, community: Community | None) -> Section | None:
    if community is None or not await ctx.can(Capability.VIEW_HEALTH, community):
        return None
    assert community.id is not None
    held = await meetings.held_sessions(ctx.session, community.id, _BEGINNING, ctx.now)
    seen: set[int] = set()
    figures = []
    for occurrence, came, going in held:
        new = len(came - seen)
        figures.append((occurrence, len(came), new, len(came) - new, going))
        seen |= came
    figures = [f for f in figures if f[1] or f[4]][-SESSIONS_SHOWN:]
    if not figures:
        return Section(
            key="attendance",
            title="Attendance per meeting",
            empty="No attendance recorded yet: leaders mark it in chat with "
            "`attendance <session id> @person`, members with `checkin`.",
        )
    titles: dict[int, str] = {}
    for occurrence, *_ in figures:
        if occurrence.meeting_id not in titles:
            meeting = await meetings.get_meeting(ctx.session, occurrence.meeting_id)
            titles[occurrence.meeting_id] = meeting.title if meeting else "a meeting"
    labels = tuple(f"{o.starts_at.astimezone(ctx.tz):%d %b}" for o, *_ in figures)
    rows = tuple(
        (
            f"{o.starts_at.astimezone(ctx.tz):%Y-%m-%d} {titles[o.meeting_id]}",
            attended,
            new,
            returning,
            going,
        )
        for o, attended, new, returning, going in figures
    )
    return Section(
        key="attendance",
        title="Attendance per meeting",
        notes=("New: attending one of this community's meetings for the first time.",),
        chart=Chart(
            "stacked",
            labels,
            (
                Series("Returning", tuple(float(f[3]) for f in figures)),
                Series("New", tuple(float(f[2]) for f in figures)),
            ),
            unit="people",
        ),
        table=Table(
            (
                Column("Session"),
                Column("Attended", numeric=True),
                Column("New", numeric=True),
                Column("Returning", numeric=True),
                Column("RSVP going", numeric=True),
            ),
            rows,
        ),
    )


def _rate(found: SurveyResults) -> str:
    rate = response_rate(found.respondents, found.invited)
    return f"{found.respondents} of {found.invited} answered" + (
        f" ({rate:.0f}%)" if rate is not None else ""
    )


def _survey_part(survey: Survey, found: SurveyResults) -> Section:
    key = f"survey-{survey.id}"
    title = f"{survey.title} ({survey.state}{', anonymous' if survey.anonymous else ''})"
    if found.sealed:
        return Section(
            key=key,
            title=title,
            notes=(
                f"{_rate(found)}. An anonymous survey shows only its response rate until it "
                f"closes; then each question shows from {found.threshold} answers.",
            ),
        )
    rows: list[tuple[Cell, ...]] = []
    for number, item in enumerate(found.questions, start=1):
        if isinstance(item, Withheld):
            hidden = f"hidden: fewer than {found.threshold} answers"
            rows.append((f"{number}. {item.question.text}", None, None, None, None, hidden))
            continue
        assert isinstance(item, QuestionStats)
        spread = ", ".join(f"{label} {count}" for label, count in item.distribution if count)
        if item.question.kind == "text":
            spread = f"{len(item.texts)} written answers (read them in chat)"
        rows.append(
            (
                f"{number}. {item.question.text}",
                item.n,
                _one(item.mean, 1),
                _one(item.favourable),
                _one(item.nps),
                spread,
            )
        )
    return Section(
        key=key,
        title=title,
        notes=(f"{_rate(found)}.",),
        table=Table(
            (
                Column("Question"),
                Column("Answers", numeric=True),
                Column("Mean", numeric=True),
                Column("% favourable", numeric=True),
                Column("NPS", numeric=True),
                Column("Answers given"),
            ),
            tuple(rows),
        ),
    )


@page_section(COMMUNITY, 30)
async def survey_section(ctx: Context, community: Community | None) -> Section | None:
    if community is None or not await ctx.can(Capability.VIEW_RESULTS, community):
        return None
    assert community.id is not None
    parts = []
    for survey in await surveys.surveys_of(ctx.session, community.id, limit=SURVEYS_SHOWN):
        try:
            await may_see(ctx, survey, community)
        except UserError:
            continue  # chat's `survey results` would refuse it too
        # The one gate for what of a survey may be shown (bot.surveys.results).
        parts.append(_survey_part(survey, await survey_results(ctx.session, survey, ctx.settings)))
    return Section(
        key="surveys",
        title="Survey results",
        parts=tuple(parts),
        empty="" if parts else "No survey results to show yet.",
    )


@page_section(COMMUNITY, 40)
async def lessons_waiting(ctx: Context, community: Community | None) -> Section | None:
    if community is None or not await manages(ctx, community.id or 0):
        return None
    assert community.id is not None
    drafts = await lessons.pending(ctx.session, [community.id], topic_filter=None)
    rows = tuple(
        (
            f"#{d.id} {d.title}",
            d.created_at.astimezone(ctx.tz).date().isoformat(),
            " ".join(f"#{t}" for t in d.topic_list.split()),
        )
        for d in drafts
    )
    return Section(
        key="lessons-pending",
        title="Lessons waiting for validation",
        notes=("Publish one in chat with `lesson publish <number>`.",) if rows else (),
        table=Table((Column("Lesson"), Column("Submitted"), Column("Topics")), rows)
        if rows
        else None,
        empty="No lessons are waiting for validation.",
    )
