"""Heartbeat work for surveys: open scheduled ones (invitations), remind, close.

Each step is claimed on the survey row with a conditional update and every DM has a
deterministic outbox key (`survey:{id}:invite:{member}`), so restarts and several replicas
send each message once.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from bot import activity as kinds
from bot import fanout
from bot.context import JobContext, zone
from bot.delivery import BULK, BULK_KIND
from bot.fanout import Launch
from bot.messages import Choice, Reply
from bot.permissions import Role
from bot.registry import due_job
from bot.surveys.core import min_answers, questions_of
from storage import communities, nudges, outbox_ops, people, surveys
from storage.tables import Community
from storage.tables.surveys import Survey

REMIND_BEFORE = timedelta(days=1)
LOW_RESPONSE_RATE = 20.0  # DOMAIN.md §4 N12


def local_time(moment: datetime, viewer_zone: str | None, fallback: str) -> str:
    return moment.astimezone(zone(viewer_zone, fallback)).strftime("%a %-d %b %Y, %H:%M %Z")


def when_closes(survey: Survey, viewer_zone: str | None, fallback: str) -> str:
    return local_time(survey.closes_at, viewer_zone, fallback)


def invitation(
    survey: Survey, community: Community, viewer_zone: str | None, *, reminder: bool = False
) -> Reply:
    """The DM: one click for a single question, else a button that opens the form.

    The reminder goes only to those who have not answered, so it asks rather than offering
    to "change" an answer, and names the closing time once.
    """
    assert survey.id is not None
    questions = questions_of(survey.questions)
    single = len(questions) == 1
    privacy = (
        f"Your answer{'' if single else 's'} {'is' if single else 'are'} anonymous."
        if survey.anonymous
        else "Answers are not anonymous."
    )
    closes = when_closes(survey, viewer_zone, community.timezone)
    until = (
        f"It closes {closes} and you have not answered yet."
        if reminder
        else f"You can change your answer{'' if len(questions) == 1 else 's'} until {closes}."
    )
    title = f"{'Reminder: ' if reminder else ''}{survey.title}"
    if len(questions) == 1 and questions[0].kind != "text":
        return Reply(
            f"*{questions[0].text}*\n{privacy} {until}",
            title=f"{title} ({community.name})",
            choices=questions[0].one_click(survey.id),
        )
    if len(questions) == 1:
        return Reply(
            f"*{questions[0].text}*\n{privacy} Type `survey answer {survey.id} <your answer>`. "
            + until,
            title=f"{title} ({community.name})",
        )
    return Reply(
        f"{community.name} asks {len(questions)} short questions. {privacy} {until}",
        title=title,
        choices=(Choice("Answer", f"survey answer {survey.id}", style="primary"),),
    )


async def audience_ids(jctx: JobContext, survey: Survey) -> list[int]:
    if survey.audience == "leaders":
        found = await communities.members_with_role(jctx.session, survey.community_id, Role.LEADER)
    else:
        found = await communities.members_of(jctx.session, survey.community_id)
    return sorted({m.id for m in found if m.id is not None})


async def open_survey(jctx: JobContext, survey: Survey) -> Launch:
    """Claim a scheduled survey, invite its audience; returns what was queued and how long
    the platforms' pace makes it take (the launcher hears when everyone has it)."""
    assert survey.id is not None
    if not await surveys.claim_state(jctx.session, survey.id, "scheduled", "open"):
        return Launch(0, timedelta(0))
    survey.state = "open"
    community = await communities.get_community(jctx.session, survey.community_id)
    assert community is not None
    ids = await audience_ids(jctx, survey)
    found = await people.members_by_ids(jctx.session, ids)
    before = await outbox_ops.last_id(jctx.session)
    # In bulk: one statement per thousands of members, not three per member (a 10,000-member
    # launch held SQLite's write lock for most of a minute).
    await surveys.add_invites(jctx.session, survey.id, ids)
    await jctx.notify_members(
        [
            (
                member_id,
                invitation(survey, community, member.timezone if member else None),
                f"{invite_prefix(survey.id)}{member_id}",
            )
            for member_id in ids
            for member in [found.get(member_id)]
        ],
        community_id=community.id,
        priority=BULK,
        kind=BULK_KIND,
        # Held for someone's hours or snooze past the close, an invitation would only lead
        # to "this survey has closed".
        not_after=survey.closes_at,
    )
    return await fanout.watch(
        jctx,
        key_prefix=invite_prefix(survey.id),
        after_outbox_id=before,
        launched_by=survey.created_by,
        community_id=community.id,
        kind="survey",
        title=survey.title,
        noun=audience_noun(survey),
    )


def invite_prefix(survey_id: int) -> str:
    return f"survey:{survey_id}:invite:"


def audience_noun(survey: Survey) -> str:
    return "leaders" if survey.audience == "leaders" else "members"


async def _tell_launcher(jctx: JobContext, survey: Survey, launch: Launch) -> None:
    """A scheduled survey opened with nobody watching: say how long a big one takes."""
    if not launch.takes_a_while:
        return  # the completion notice follows within seconds
    community = await communities.get_community(jctx.session, survey.community_id)
    status = launch.status(audience_noun(survey), community.name if community else "")
    await jctx.notify_member(
        survey.created_by,
        Reply(
            f"Your survey *{survey.title}* has opened. {status}; I will tell you when everyone "
            "has it.",
            title="Survey opened",
        ),
        key=f"survey:{survey.id}:sending",
        community_id=survey.community_id,
    )


@due_job("surveys.1-open")
async def open_due(jctx: JobContext) -> None:
    for survey in await surveys.due_to_open(jctx.session, jctx.now):
        if survey.closes_at <= jctx.now:
            # Never opened in time (long downtime): close it quietly, nobody to ask any more.
            await surveys.claim_state(
                jctx.session, survey.id or 0, "scheduled", "closed", closed_at=jctx.now
            )
            continue
        await _tell_launcher(jctx, survey, await open_survey(jctx, survey))


@due_job("surveys.2-remind")
async def remind_due(jctx: JobContext) -> None:
    for survey in await surveys.due_to_remind(jctx.session, jctx.now, REMIND_BEFORE):
        assert survey.id is not None
        if not await surveys.claim_reminder(jctx.session, survey.id):
            continue
        if survey.opens_at > survey.closes_at - REMIND_BEFORE:
            continue  # open for less than a day: the invitation was the reminder
        community = await communities.get_community(jctx.session, survey.community_id)
        assert community is not None
        for member in await surveys.not_answered(jctx.session, survey.id):
            assert member.id is not None
            await jctx.notify_member(
                member.id,
                invitation(survey, community, member.timezone, reminder=True),
                key=f"survey:{survey.id}:reminder:{member.id}",
                community_id=community.id,
                priority=BULK,
                kind=BULK_KIND,
                not_after=survey.closes_at,
            )


async def close_survey(jctx: JobContext, survey: Survey) -> bool:
    """Close an open survey, tell its creator, flag a low response rate (N12)."""
    assert survey.id is not None
    if not await surveys.claim_state(jctx.session, survey.id, "open", "closed", closed_at=jctx.now):
        return False
    survey.state = "closed"
    if survey.anonymous:
        for member_id in await surveys.invitee_ids(jctx.session, survey.id, answered=True):
            await jctx.record_activity(
                survey.community_id, member_id, kinds.SURVEY_RESPONSE, ref=f"survey:{survey.id}"
            )
    invited, answered = await surveys.invite_counts(jctx.session, survey.id)
    rate = 100.0 * answered / invited if invited else 0.0
    if invited and rate < LOW_RESPONSE_RATE:
        await nudges.raise_signal(
            jctx.session,
            key=f"N12:survey:{survey.id}",
            community_id=survey.community_id,
            rule="N12",
            now=jctx.now,
            detail=f"{survey.title}: {answered} of {invited} answered ({rate:.0f}%)",
            member_id=survey.created_by,
            ref=f"survey:{survey.id}",
        )
    await jctx.notify_member(
        survey.created_by,
        Reply(
            f"*{survey.title}* has closed: {answered} of {invited} answered. "
            + _who_sees(jctx, survey, answered),
            title="Survey closed",
            choices=(Choice("Results", f"survey results {survey.id}", style="primary"),),
        ),
        key=f"survey:{survey.id}:closed",
        community_id=survey.community_id,
    )
    return True


def _who_sees(jctx: JobContext, survey: Survey, answered: int) -> str:
    threshold = min_answers(jctx.settings)
    if survey.anonymous and answered < threshold:
        return (
            f"Fewer than {threshold} answered, so the results of this anonymous survey stay "
            "hidden to protect who said what."
        )
    if survey.audience == "leaders":
        return "The leaders who were asked can now see the results too."
    return "Members can now see the results too."


@due_job("surveys.3-close")
async def close_due(jctx: JobContext) -> None:
    for survey in await surveys.due_to_close(jctx.session, jctx.now):
        await close_survey(jctx, survey)
