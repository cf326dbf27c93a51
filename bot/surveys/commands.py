"""Pulse survey verbs: answer by DM, results, CSV, pending, close, show and list.

Launching one (the form or the §1.5 B template) is `bot.surveys.create`. Opening, the
reminder and closing run on the heartbeat in `bot.surveys.jobs`. Anonymous answers are stored
under an opaque token (see `storage.tables.surveys`); what of the results may be shown, and
when, is decided in `bot.surveys.results` for every view.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import timedelta
from zoneinfo import ZoneInfo

from bot import activity, downloads
from bot.context import Context, JobContext, zone
from bot.errors import NotAllowed, UserError
from bot.messages import Attachment, Choice, Form, Image, Reply
from bot.permissions import Capability
from bot.registry import command, download, form, home_section
from bot.surveys import jobs as surveys_jobs
from bot.surveys.access import may_see
from bot.surveys.core import (
    questions_of,
    respondent_token,
)
from bot.surveys.files import aggregates_csv, chart_png
from bot.surveys.results import survey_results
from bot.surveys.stats import Withheld, response_rate, summary_line
from storage import communities, surveys
from storage.tables import Community
from storage.tables.surveys import Survey

GROUP = "Surveys"
DEFAULT_OPEN_FOR = timedelta(days=14)
_ID = re.compile(r"^#?(\d{1,9})$")
# `closes friday`, `closes next friday`, `opens tomorrow 17:00`, `closes 2026-03-20 17:00`.
_OPTION = re.compile(r"\b(closes|opens)\s+((?:next\s+)?\S+(?:\s+\d{1,2}:\d{2})?)", re.IGNORECASE)
# An opening time this far in the past is a typo, not "now" (e.g. last year's date).
PAST_SLACK = timedelta(hours=1)


def parse_id(text: str, usage: str) -> int:
    found = _ID.match(text.strip())
    if not found:
        raise UserError(f"Which survey? Type `{usage}`; `surveys` shows the numbers.")
    return int(found[1])


async def load(ctx: Context, text: str, usage: str) -> tuple[Survey, Community]:
    survey_id = parse_id(text, usage)
    survey = await surveys.get_survey(ctx.session, survey_id)
    community = (
        await communities.get_community(ctx.session, survey.community_id) if survey else None
    )
    if survey is None or community is None:
        raise UserError(f"There is no survey `{survey_id}`. Type `surveys` to see them.")
    return survey, community


# -- creating ----------------------------------------------------------------------------------


def asker_zone(ctx: Context, community: Community) -> ZoneInfo:
    """Typed times are read in the asker's timezone (else the community's): the same zone the
    confirmation shows them in, so `tomorrow 17:00` comes back as 17:00."""
    return zone(ctx.member.timezone, community.timezone)


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


# -- answering ---------------------------------------------------------------------------------


def answer_form(survey: Survey, mine: dict[int, str]) -> Form:
    assert survey.id is not None
    return Form(
        f"survey.answer:{survey.id}",
        survey.title[:24],
        tuple(
            q.form_field(f"q{n}", mine.get(n)) for n, q in enumerate(questions_of(survey.questions))
        ),
        "Send",
    )


async def _not_open_yet(ctx: Context, survey: Survey) -> str:
    community = await communities.get_community(ctx.session, survey.community_id)
    fallback = community.timezone if community else ctx.settings.timezone
    opens = surveys_jobs.local_time(survey.opens_at, ctx.member.timezone, fallback)
    return f"*{survey.title}* has not opened yet; it is sent on {opens}."


async def _answerable(ctx: Context, survey: Survey) -> None:
    assert survey.id is not None
    if survey.state == "scheduled":
        raise UserError(await _not_open_yet(ctx, survey))
    if survey.state != "open":
        raise UserError(
            f"*{survey.title}* has closed. Type `survey results {survey.id}` to see the results."
        )
    if await surveys.invite_of(ctx.session, survey.id, ctx.member_id) is None:
        raise UserError(f"*{survey.title}* was not sent to you, so there is nothing to answer.")


async def _save(ctx: Context, survey: Survey, values: dict[int, str | None]) -> None:
    assert survey.id is not None
    await surveys.save_answers(
        ctx.session,
        survey.id,
        respondent_token(ctx.settings, survey.id, ctx.member_id),
        values,
        member_id=None if survey.anonymous else ctx.member_id,
    )
    first = await surveys.mark_answered(ctx.session, survey.id, ctx.member_id)
    # An anonymous answer's activity is logged when the survey closes (bot.surveys.jobs), so
    # the activity log's time stamps cannot be matched with changes in the live results.
    if first and not survey.anonymous:
        await ctx.record_activity(
            survey.community_id, ctx.member_id, activity.SURVEY_RESPONSE, ref=f"survey:{survey.id}"
        )


@command(
    "survey answer",
    usage="survey answer <survey id> [<answer>]",
    summary="Answer a survey (a form opens for longer ones)",
    group=GROUP,
    details="You can change your answers until the survey closes.",
)
async def answer(ctx: Context, args: str) -> Reply:
    head, _, rest = args.strip().partition(" ")
    survey, _community = await load(ctx, head, "survey answer <survey id> [<answer>]")
    assert survey.id is not None
    await _answerable(ctx, survey)
    questions = questions_of(survey.questions)
    token = respondent_token(ctx.settings, survey.id, ctx.member_id)
    if len(questions) == 1 and rest.strip():
        value = questions[0].parse(rest)
        await _save(ctx, survey, {0: value})
        label = questions[0].labels().get(value, value)
        change = (
            f"Type `survey answer {survey.id} <new answer>` to change it"
            if questions[0].kind == "text"
            else "Tap another answer to change it"
        )
        # Replaces the invitation in place and keeps its buttons, so a change is one click too.
        return Reply(
            f"*{questions[0].text}*\nThanks! Your answer ({label}) is saved"
            + (" anonymously" if survey.anonymous else "")
            + f". {change} until the survey closes.",
            title=survey.title,
            choices=questions[0].one_click(survey.id),
            replace=True,
        )
    mine = await surveys.answers_of(ctx.session, survey.id, token)
    return Reply(
        f"*{survey.title}*" + (" (anonymous)" if survey.anonymous else ""),
        form=answer_form(survey, mine),
    )


@form("survey.answer")
async def answer_submitted(ctx: Context, values: Mapping[str, str]) -> Reply:
    survey, _community = await load(ctx, values.get("_arg", ""), "survey answer <survey id>")
    await _answerable(ctx, survey)
    questions = questions_of(survey.questions)
    parsed: dict[int, str | None] = {}
    errors: dict[str, str] = {}
    for number, question in enumerate(questions):
        raw = (values.get(f"q{number}") or "").strip()
        if not raw:
            if question.required:
                errors[f"q{number}"] = "Please answer this one."
            parsed[number] = None
            continue
        try:
            parsed[number] = question.parse(raw)
        except UserError as exc:
            errors[f"q{number}"] = exc.message[:150]
    if errors:
        raise UserError("Some answers need another look.", fields=errors)
    await _save(ctx, survey, parsed)
    return Reply(
        f"Thanks! Your answers to *{survey.title}* are saved"
        + (" anonymously" if survey.anonymous else "")
        + f". Type `survey answer {survey.id}` to change them until the survey closes."
    )


# -- results -----------------------------------------------------------------------------------


@command(
    "survey results",
    usage="survey results <survey id>",
    summary="Response rate, distributions, mean, % favourable, NPS and a chart",
    group=GROUP,
    details="Named surveys: leaders see results at any time, members once the survey has "
    "closed. Anonymous surveys show only how many answered until they close; then each "
    "question shows once enough people answered it, so nobody's answer can be worked out.",
)
async def results(ctx: Context, args: str) -> Reply:
    survey, community = await load(ctx, args, "survey results <survey id>")
    assert survey.id is not None
    leader = await may_see(ctx, survey, community)
    found = await survey_results(ctx.session, survey, ctx.settings)
    rate = response_rate(found.respondents, found.invited)
    rate_text = f"{found.respondents} of {found.invited} answered" + (
        f" ({rate:.0f}%)" if rate is not None else ""
    )
    title = f"Survey {survey.id} results"
    if found.sealed:
        closes = surveys_jobs.when_closes(survey, ctx.member.timezone, community.timezone)
        waits = "It has not opened yet. " if survey.state == "scheduled" else ""
        # Live figures would give away whoever answers between two looks: the rate only.
        return Reply(
            f"Anonymous survey *{survey.title}*: {rate_text}. {waits}Results appear when it "
            f"closes on {closes}; each question is shown from {found.threshold} answers, so "
            "nobody's answer can be singled out.",
            title=title,
        )
    state = {"open": "open", "closed": "closed", "scheduled": "not open yet"}[survey.state]
    if not found.anything_shown and found.questions:
        return Reply(
            f"*{survey.title}* ({state}): {rate_text}. Results of an anonymous survey are shown "
            f"from {found.threshold} answers, so nobody's answer can be singled out.",
            title=title,
        )
    lines = [f"*{survey.title}* ({community.name}, {state}): {rate_text}."]
    for number, item in enumerate(found.questions, start=1):
        lines.append(f"*{number}. {item.question.text}*")
        if isinstance(item, Withheld):
            lines.append(
                f"  Hidden: fewer than {found.threshold} answers to this question, so nobody's "
                "answer can be singled out."
            )
        elif item.question.kind == "text":
            lines.extend([f"  • {t}" for t in item.texts] or ["  (no answers)"])
        else:
            lines.append(f"  {summary_line(item)}")
    choices: list[Choice] = []
    if leader:
        choices.append(
            Choice(
                "Download CSV",
                url=downloads.link(ctx.settings, "survey-csv", str(survey.id), now=ctx.now),
            )
        )
        if not survey.anonymous and survey.state == "open":
            choices.append(Choice("Who has not answered", f"survey pending {survey.id}"))
    png = chart_png(survey.title, found.questions)
    return Reply(
        "\n".join(lines),
        title=title,
        image=Image(png, f"Answer distribution of {survey.title}", f"survey-{survey.id}.png")
        if png
        else None,
        choices=tuple(choices),
    )


@download("survey-csv")
async def csv_export(jctx: JobContext, arg: str) -> Attachment | None:
    if not arg.isdecimal():
        return None
    survey = await surveys.get_survey(jctx.session, int(arg))
    if survey is None:
        return None
    # Built when the link is opened, so a link handed out earlier still follows today's rule.
    found = await survey_results(jctx.session, survey, jctx.settings)
    return Attachment(
        aggregates_csv(found.questions, found.respondents, found.invited),
        f"survey-{survey.id}.csv",
        "text/csv",
    )


@command(
    "survey pending",
    usage="survey pending <survey id>",
    summary="Who has not answered a named survey yet (leaders)",
    group=GROUP,
)
async def pending(ctx: Context, args: str) -> Reply:
    survey, community = await load(ctx, args, "survey pending <survey id>")
    assert survey.id is not None
    await ctx.require(Capability.SEE_NON_RESPONDERS, community)
    if survey.anonymous:
        raise UserError(
            "That survey is anonymous, so nobody can see who answered. The response rate is "
            f"in `survey results {survey.id}`."
        )
    missing = await surveys.not_answered(ctx.session, survey.id)
    if not missing:
        return Reply(f"Everyone asked has answered *{survey.title}*.")
    names = ", ".join(m.display_name for m in missing)
    if survey.state == "closed":
        return Reply(f"Did not answer *{survey.title}* before it closed ({len(missing)}): {names}.")
    return Reply(f"Not answered *{survey.title}* yet ({len(missing)}): {names}.")


@command(
    "survey close",
    usage="survey close <survey id> [confirm]",
    summary="Close a survey now (leaders; asks to confirm)",
    group=GROUP,
    details="Closing cannot be undone: nobody can answer afterwards. A survey that has not "
    "opened yet is cancelled.",
)
async def close(ctx: Context, args: str) -> Reply:
    head, _, rest = args.strip().partition(" ")
    survey, community = await load(ctx, head, "survey close <survey id>")
    assert survey.id is not None
    if not await ctx.can(Capability.LAUNCH_SURVEY, community):
        # The generic refusal would say "can launch surveys", which is not what was asked.
        raise NotAllowed(
            f"Only leaders or coordinators of {community.name} can close a survey. "
            f"Type `roles in {community.slug}` to see who they are."
        )
    if survey.state == "closed":
        return Reply(f"*{survey.title}* is already closed.")
    if rest.strip().lower() not in {"confirm", "yes"}:
        # One stray click on "Close now" would end a survey for good: ask first.
        return await _confirm_close(ctx, survey, community)
    if survey.state == "scheduled":
        await surveys.claim_state(ctx.session, survey.id, "scheduled", "closed", closed_at=ctx.now)
        return Reply(f"*{survey.title}* is cancelled; it was never sent.")
    await surveys_jobs.close_survey(ctx, survey)
    return Reply(
        f"*{survey.title}* is closed.",
        choices=(Choice("Results", f"survey results {survey.id}", style="primary"),),
    )


async def _confirm_close(ctx: Context, survey: Survey, community: Community) -> Reply:
    assert survey.id is not None
    if survey.state == "scheduled":
        return Reply(
            f"Cancel *{survey.title}*? It has not been sent yet and will not be.",
            choices=(
                Choice("Yes, cancel it", f"survey close {survey.id} confirm", style="danger"),
                Choice("Keep it", f"survey {survey.id}"),
            ),
        )
    invited, answered = await surveys.invite_counts(ctx.session, survey.id)
    closes = surveys_jobs.when_closes(survey, ctx.member.timezone, community.timezone)
    return Reply(
        f"Close *{survey.title}* now? {answered} of {invited} have answered; nobody can answer "
        f"or change an answer afterwards. Otherwise it closes on its own {closes}.",
        choices=(
            Choice("Yes, close it", f"survey close {survey.id} confirm", style="danger"),
            Choice("Keep it open", f"survey {survey.id}"),
        ),
    )


@command(
    "survey",
    usage="survey <survey id>",
    summary="One survey: its questions, when it closes, whether you answered",
    group=GROUP,
)
async def show(ctx: Context, args: str) -> Reply | list[Reply]:
    if not args.strip():
        return await list_surveys(ctx, "")
    survey, community = await load(ctx, args, "survey <survey id>")
    assert survey.id is not None
    leader = await ctx.can(Capability.LAUNCH_SURVEY, community)
    invite = await surveys.invite_of(ctx.session, survey.id, ctx.member_id)
    if invite is None and not leader:
        if survey.state == "scheduled":
            raise UserError(await _not_open_yet(ctx, survey))
        raise UserError(f"*{survey.title}* was not sent to you.")
    questions = questions_of(survey.questions)
    closes = surveys_jobs.when_closes(survey, ctx.member.timezone, community.timezone)
    state = {"scheduled": "not open yet", "open": f"open until {closes}", "closed": "closed"}
    lines = [f"{n}. {q.text}" for n, q in enumerate(questions, start=1)]
    choices: list[Choice] = []
    if invite is not None and survey.state == "open":
        label = "Change my answers" if invite.answered else "Answer"
        choices.append(Choice(label, f"survey answer {survey.id}", style="primary"))
    if leader or survey.state == "closed":
        choices.append(Choice("Results", f"survey results {survey.id}"))
    you = ""
    if invite is not None:
        you = " You have answered." if invite.answered else " You have not answered yet."
    return Reply(
        f"*{survey.title}* ({community.name}): {state[survey.state]}, "
        f"{'anonymous' if survey.anonymous else 'named'}.{you}",
        title=f"Survey {survey.id}",
        fields=(("Questions", "\n".join(lines)),),
        choices=tuple(choices),
    )


# -- listing -----------------------------------------------------------------------------------


@command(
    "surveys",
    usage="surveys [in <community>]",
    summary="Surveys waiting for your answer, and a community's recent surveys",
    group=GROUP,
)
async def list_surveys(ctx: Context, args: str) -> list[Reply]:
    replies = list(await waiting(ctx))
    if ctx.named_community is not None or ctx.channel_community is not None or args.strip():
        community: Community | None = await ctx.community(args.strip() or None)
    else:
        mine = await communities.communities_of(ctx.session, ctx.member_id)
        community = mine[0] if len(mine) == 1 else None
    if community is not None and community.id is not None:
        lines = []
        leader = await ctx.can(Capability.LAUNCH_SURVEY, community)
        for survey in await surveys.surveys_of(ctx.session, community.id):
            if survey.audience == "leaders" and not leader:
                continue
            lines.append(f"`{survey.id}` *{survey.title}*: {_state_line(ctx, survey, community)}")
        if lines:
            replies.append(Reply("\n".join(lines), title=f"Surveys in {community.name}"))
    if not replies:
        replies.append(
            Reply(
                "No surveys for you right now. Leaders launch one with `survey new pulse` or "
                "`survey new`."
            )
        )
    return replies


def _state_line(ctx: Context, survey: Survey, community: Community) -> str:
    """`open until …`, `opens … (closes …)` or `closed …`, in the viewer's timezone."""
    closes = surveys_jobs.when_closes(survey, ctx.member.timezone, community.timezone)
    if survey.state == "scheduled":
        opens = surveys_jobs.local_time(survey.opens_at, ctx.member.timezone, community.timezone)
        return f"opens {opens}, closes {closes}"
    if survey.state == "closed":
        closed_at = survey.closed_at or survey.closes_at
        return "closed " + surveys_jobs.local_time(
            closed_at, ctx.member.timezone, community.timezone
        )
    return f"open until {closes}"


@home_section(40)
async def waiting(ctx: Context) -> list[Reply]:
    rows = await surveys.open_for_member(ctx.session, ctx.member_id)
    todo = [s for s, answered in rows if not answered]
    if not todo:
        return []
    return [
        Reply(
            "\n".join(
                f"*{s.title}* (closes {s.closes_at.astimezone(ctx.tz):%-d %b})" for s in todo
            ),
            title="Surveys waiting for you",
            choices=tuple(
                Choice(f"Answer: {s.title}"[:40], f"survey answer {s.id}") for s in todo[:3]
            ),
        )
    ]
