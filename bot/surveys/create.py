"""Launching a survey: `survey new`, its form, the pulse template and the checks."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

from bot.context import Context
from bot.errors import UserError
from bot.form_limits import limits_of
from bot.messages import Choice, Form, FormField, Reply
from bot.permissions import Capability
from bot.registry import command, form
from bot.surveys import jobs as surveys_jobs
from bot.surveys.commands import _OPTION, DEFAULT_OPEN_FOR, GROUP, PAST_SLACK, asker_zone, plural
from bot.surveys.core import (
    PULSE,
    PULSE_TITLE,
    Question,
    min_answers,
    parse_question_lines,
)
from bot.surveys.when import HOW, parse_moment
from storage import surveys
from storage.tables import Community
from storage.tables.surveys import Survey


def survey_form(community: Community) -> Form:
    return Form(f"survey.new:{community.slug}", "New survey", SURVEY_FIELDS, "Create")


SURVEY_FIELDS = (
    FormField("title", "Title", required=True, max_length=200, placeholder="Q2 pulse"),
    FormField(
        "questions",
        "Questions",
        "multiline",
        required=True,
        max_length=6000,
        placeholder="a5: The sessions are relevant to my work\nnps: How likely are you "
        "to recommend us?\ntext: What should we do more of? (optional)",
        hint="One a line: a5:, nps:, choice: q | a | b, ypn:, text:. "
        "Add (optional) to allow skipping.",
    ),
    FormField(
        "audience",
        "Who is asked",
        "choice",
        required=True,
        options=(("Members", "members"), ("Leaders", "leaders")),
        initial="members",
    ),
    FormField(
        "anonymous",
        "Anonymous",
        "choice",
        required=True,
        options=(("Yes (recommended)", "yes"), ("No, names are kept", "no")),
        initial="yes",
    ),
    FormField("opens", "Opens", initial="now", hint=HOW),
    FormField("closes", "Closes", required=True, initial="14d", hint=HOW),
)


@command(
    "survey new",
    usage="survey new [pulse] [closes <when>] [opens <when>] [leaders] [named]",
    summary="Launch a pulse survey (leaders)",
    group=GROUP,
    details="With no arguments a form opens for your own questions. `survey new pulse` sends "
    "the quarterly member pulse (9 questions). Surveys are anonymous unless you add `named`; "
    "`leaders` asks the community's leaders instead of its members. " + HOW,
    examples=("survey new pulse closes 2026-03-20", "survey new pulse opens 2026-04-01 09:00"),
)
async def create(ctx: Context, args: str) -> Reply:
    community = await ctx.community()
    await ctx.require(Capability.LAUNCH_SURVEY, community)
    text = args.strip()
    if not text:
        return Reply(f"Write a survey for {community.name}.", form=survey_form(community))
    options = {k.lower(): v for k, v in _OPTION.findall(text)}
    words = _OPTION.sub(" ", text).lower().split()
    unknown = [w for w in words if w not in {"pulse", "leaders", "named"}]
    if "pulse" not in words or unknown:
        raise UserError(
            "Type `survey new pulse` for the quarterly member pulse, optionally with "
            "`closes <when>`, `opens <when>`, `leaders` or `named`; or just `survey new` "
            "for a form with your own questions."
        )
    zone = asker_zone(ctx, community)
    opens = parse_moment(options.get("opens", "now"), now=ctx.now, zone=zone, end_of_day=False)
    closes = (
        parse_moment(options["closes"], now=ctx.now, zone=zone, end_of_day=True)
        if "closes" in options
        else max(opens, ctx.now) + DEFAULT_OPEN_FOR
    )
    return await _create(
        ctx,
        community,
        title=PULSE_TITLE,
        questions=list(PULSE),
        audience="leaders" if "leaders" in words else "members",
        anonymous="named" not in words,
        template="pulse",
        opens=opens,
        closes=closes,
    )


@form("survey.new", limits=limits_of(SURVEY_FIELDS))
async def create_from_form(ctx: Context, values: Mapping[str, str]) -> Reply:
    community = await ctx.community(values.get("_arg"))
    await ctx.require(Capability.LAUNCH_SURVEY, community)
    title = " ".join(values.get("title", "").split())
    if not title or len(title) > 200:
        raise UserError("Give the survey a title.", fields={"title": "Required."})
    questions = parse_question_lines(values.get("questions", ""))
    audience = values.get("audience") or "members"
    if audience not in {"members", "leaders"}:
        raise UserError("Ask members or leaders.", fields={"audience": "Members or leaders."})
    anonymous = (values.get("anonymous") or "yes").lower() != "no"
    zone = asker_zone(ctx, community)
    try:
        opens = parse_moment(values.get("opens", ""), now=ctx.now, zone=zone, end_of_day=False)
    except UserError as exc:
        raise UserError(exc.message, fields={"opens": HOW}) from None
    try:
        closes = parse_moment(values.get("closes", ""), now=ctx.now, zone=zone, end_of_day=True)
    except UserError as exc:
        raise UserError(exc.message, fields={"closes": HOW}) from None
    return await _create(
        ctx,
        community,
        title=title,
        questions=questions,
        audience=audience,
        anonymous=anonymous,
        template="",
        opens=opens,
        closes=closes,
    )


async def _create(
    ctx: Context,
    community: Community,
    *,
    title: str,
    questions: list[Question],
    audience: str,
    anonymous: bool,
    template: str,
    opens: datetime,
    closes: datetime,
) -> Reply:
    assert community.id is not None
    if opens < ctx.now - PAST_SLACK:
        raise UserError(
            "That opening time is in the past. Use `now` to send the survey straight away, "
            "or a later time.",
            fields={"opens": "In the past; use now or a later time."},
        )
    opens = max(opens, ctx.now)
    if closes <= ctx.now:
        raise UserError(
            "That closing time is in the past. Give a later one, e.g. `7d` or `friday`.",
            fields={"closes": "In the past; e.g. 7d or friday."},
        )
    if closes <= opens + timedelta(hours=1):
        raise UserError(
            "The survey must close at least an hour after it opens.",
            fields={"closes": "Later than the opening time."},
        )
    survey = await surveys.create_survey(
        ctx.session,
        Survey(
            community_id=community.id,
            title=title,
            template=template,
            questions=[q.to_dict() for q in questions],
            audience=audience,
            anonymous=anonymous,
            created_by=ctx.member_id,
            created_at=ctx.now,
            opens_at=opens,
            closes_at=closes,
        ),
    )
    assert survey.id is not None
    closes_text = surveys_jobs.when_closes(survey, ctx.member.timezone, community.timezone)
    who = "leaders" if audience == "leaders" else "members"
    privacy = "anonymous" if anonymous else "named: leaders can see who has not answered"
    stop = Choice("Close now", f"survey close {survey.id}", style="danger")
    if opens <= ctx.now:
        launch = await surveys_jobs.open_survey(ctx, survey)
        status = launch.status(who, community.name)
    else:
        local = surveys_jobs.local_time(opens, ctx.member.timezone, community.timezone)
        status = f"It goes to the {who} of {community.name} on {local}"
        stop = Choice("Cancel it", f"survey close {survey.id}", style="danger")
    context = "A reminder goes to those who have not answered a day before it closes."
    threshold = min_answers(ctx.settings)
    asked = len(await surveys_jobs.audience_ids(ctx, survey))
    if anonymous:
        context += (
            f" Results appear when it closes, each question from {threshold} answers; until "
            "then only the response rate shows."
        )
    if anonymous and asked < threshold:
        # Better said now than discovered when the results stay empty.
        context = (
            f"Only {plural(asked, who[:-1])} can answer, and an anonymous survey shows results "
            f"from {threshold} answers: these results will stay hidden. Close it and launch it "
            "with `named`, or ask the members instead."
        )
    return Reply(
        f"Survey `{survey.id}` *{title}* ({plural(len(questions), 'question')}, {privacy}). "
        f"{status}; it closes {closes_text}.",
        choices=(Choice("Results", f"survey results {survey.id}"), stop),
        context=context,
    )
