"""Personal data: everything stored about one member (for `my data`) and erasing it (`forget`).

Erasing keeps the member row as a tombstone ("a former member"): lessons, surveys, meetings
and the activity log point at it, and keeping the id reserved means no new member can ever
get the same id (SQLite reuses the highest rowid after a delete), which would let them
compute a forgotten person's anonymous-answer tokens.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import String, cast, delete, or_, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage import questions as question_store
from storage import slack_installs
from storage import stories as story_store
from storage.experts import refresh_stats
from storage.inbox import erase_sent_by
from storage.tables import (
    ActivityEvent,
    Community,
    Conversation,
    Identity,
    InboundEvent,
    Member,
    MemberRole,
    Membership,
    OutboxMessage,
)
from storage.tables.core import ProgrammeText
from storage.tables.experts import (
    Endorsement,
    ExpertAvailability,
    Expertise,
    ExpertRouting,
    ExpertStat,
    SmeDesignation,
)
from storage.tables.goals import CharterGoal
from storage.tables.health import HealthCheck
from storage.tables.lessons import Lesson, LessonReuse
from storage.tables.meetings import (
    Meeting,
    MeetingAttendance,
    MeetingOccurrence,
    MeetingPulse,
    MeetingReminderOptIn,
    MeetingRsvp,
)
from storage.tables.nudges import Nudge, NudgeLeader, NudgeSignal, NudgeSilence, NudgeThreshold
from storage.tables.offers import LastOffer
from storage.tables.questions import Answer, Question
from storage.tables.slack_installs import SlackInstallation
from storage.tables.stories import Story
from storage.tables.surveys import Survey, SurveyAnswer, SurveyInvite
from storage.tables.web import WebSession, WebSignIn

T = TypeVar("T")

FORMER_MEMBER = "a former member"
# Large IN lists are split so neither database hits its bound-parameter limit.
_CHUNK = 500


@dataclass(slots=True)
class PersonalRecords:
    """The rows that are about one member, with the titles needed to make sense of them."""

    member: Member
    identities: list[Identity] = field(default_factory=list)
    conversations: list[Conversation] = field(default_factory=list)
    memberships: list[Membership] = field(default_factory=list)
    roles: list[MemberRole] = field(default_factory=list)
    communities: dict[int, Community] = field(default_factory=dict)
    expertise: list[Expertise] = field(default_factory=list)
    availability: ExpertAvailability | None = None
    designations: list[SmeDesignation] = field(default_factory=list)
    endorsements_given: list[Endorsement] = field(default_factory=list)
    endorsements_received: list[Endorsement] = field(default_factory=list)
    questions_asked: list[ExpertRouting] = field(default_factory=list)
    questions_received: list[ExpertRouting] = field(default_factory=list)
    questions: list[Question] = field(default_factory=list)
    answers: list[Answer] = field(default_factory=list)
    stories: list[Story] = field(default_factory=list)
    stories_naming_you: list[int] = field(default_factory=list)
    lessons: list[Lesson] = field(default_factory=list)
    lesson_votes: list[LessonReuse] = field(default_factory=list)
    rsvps: list[MeetingRsvp] = field(default_factory=list)
    attendance: list[MeetingAttendance] = field(default_factory=list)
    reminder_opt_ins: list[MeetingReminderOptIn] = field(default_factory=list)
    occurrences: dict[int, MeetingOccurrence] = field(default_factory=dict)
    meetings: dict[int, Meeting] = field(default_factory=dict)
    survey_invites: list[SurveyInvite] = field(default_factory=list)
    named_answers: list[SurveyAnswer] = field(default_factory=list)
    surveys: dict[int, Survey] = field(default_factory=dict)
    health_checks: list[HealthCheck] = field(default_factory=list)
    nudges: list[Nudge] = field(default_factory=list)
    activity: list[ActivityEvent] = field(default_factory=list)
    messages: list[OutboxMessage] = field(default_factory=list)
    dashboard_sessions: list[WebSession] = field(default_factory=list)
    last_offers: list[LastOffer] = field(default_factory=list)
    slack_installations: list[SlackInstallation] = field(default_factory=list)


async def _all(session: AsyncSession, query: Any) -> list[Any]:
    return list((await session.exec(query)).all())


async def personal_records(session: AsyncSession, member: Member) -> PersonalRecords:
    """Every row about `member` (read only)."""
    m = member.id
    assert m is not None
    found = PersonalRecords(member=member)
    found.identities = await _all(session, select(Identity).where(Identity.member_id == m))
    found.conversations = await _direct_conversations(session, found.identities)
    found.memberships = await _all(
        session, select(Membership).where(Membership.member_id == m).order_by(col(Membership.id))
    )
    found.roles = await _all(session, select(MemberRole).where(MemberRole.member_id == m))
    found.expertise = await _all(session, select(Expertise).where(Expertise.member_id == m))
    found.availability = await session.get(ExpertAvailability, m)
    found.designations = await _all(
        session, select(SmeDesignation).where(SmeDesignation.member_id == m)
    )
    found.endorsements_given = await _all(
        session, select(Endorsement).where(Endorsement.endorser_id == m)
    )
    found.endorsements_received = await _all(
        session, select(Endorsement).where(Endorsement.member_id == m)
    )
    found.questions_asked = await _all(
        session, select(ExpertRouting).where(ExpertRouting.asker_id == m)
    )
    found.questions_received = await _all(
        session, select(ExpertRouting).where(ExpertRouting.expert_id == m)
    )
    found.questions = await question_store.asked_by(session, m)
    found.answers = await question_store.answered_by(session, m)
    found.stories = await story_store.written_by(session, m)
    found.stories_naming_you = await story_store.naming(session, m)
    found.lessons = await _all(
        session, select(Lesson).where(Lesson.author_id == m).order_by(col(Lesson.id))
    )
    found.lesson_votes = await _all(session, select(LessonReuse).where(LessonReuse.member_id == m))
    found.rsvps = await _all(session, select(MeetingRsvp).where(MeetingRsvp.member_id == m))
    found.attendance = await _all(
        session, select(MeetingAttendance).where(MeetingAttendance.member_id == m)
    )
    found.reminder_opt_ins = await _all(
        session, select(MeetingReminderOptIn).where(MeetingReminderOptIn.member_id == m)
    )
    found.survey_invites = await _all(
        session, select(SurveyInvite).where(SurveyInvite.member_id == m)
    )
    found.named_answers = await _all(
        session,
        select(SurveyAnswer)
        .where(SurveyAnswer.member_id == m)
        .order_by(col(SurveyAnswer.survey_id), col(SurveyAnswer.question)),
    )
    found.health_checks = await _all(session, select(HealthCheck).where(HealthCheck.leader_id == m))
    found.nudges = await _all(
        session, select(Nudge).where(Nudge.leader_id == m).order_by(col(Nudge.id))
    )
    found.activity = await _all(
        session,
        select(ActivityEvent).where(ActivityEvent.member_id == m).order_by(col(ActivityEvent.id)),
    )
    found.messages = await _all(
        session,
        select(OutboxMessage).where(OutboxMessage.member_id == m).order_by(col(OutboxMessage.id)),
    )
    found.dashboard_sessions = await _all(
        session,
        select(WebSession).where(WebSession.member_id == m).order_by(col(WebSession.created_at)),
    )
    found.last_offers = await _all(session, select(LastOffer).where(LastOffer.member_id == m))
    found.slack_installations = await slack_installs.installed_by(session, found.identities)
    await _load_titles(session, found)
    return found


async def _direct_conversations(
    session: AsyncSession, identities: Sequence[Identity]
) -> list[Conversation]:
    """The member's 1:1 chats with the bot (their platform ids are in them)."""
    if not identities:
        return []
    return await _all(
        session,
        select(Conversation).where(
            col(Conversation.is_direct).is_(True),
            or_(
                *(
                    (col(Conversation.platform) == i.platform)
                    & (col(Conversation.platform_user_id) == i.platform_user_id)
                    for i in identities
                )
            ),
        ),
    )


async def _load_titles(session: AsyncSession, found: PersonalRecords) -> None:
    occurrence_ids = {r.occurrence_id for r in found.rsvps}
    occurrence_ids |= {a.occurrence_id for a in found.attendance}
    found.occurrences = await _by_id(session, MeetingOccurrence, occurrence_ids)
    meeting_ids = {o.meeting_id for o in found.occurrences.values()}
    meeting_ids |= {o.meeting_id for o in found.reminder_opt_ins}
    found.meetings = await _by_id(session, Meeting, meeting_ids)
    survey_ids = {i.survey_id for i in found.survey_invites}
    survey_ids |= {a.survey_id for a in found.named_answers}
    found.surveys = await _by_id(session, Survey, survey_ids)
    community_ids = {x.community_id for x in found.memberships}
    community_ids |= {x.community_id for x in found.roles}
    community_ids |= {x.community_id for x in found.designations}
    community_ids |= {x.community_id for x in found.lessons}
    community_ids |= {x.community_id for x in found.questions if x.community_id is not None}
    community_ids |= {x.community_id for x in found.stories}
    community_ids |= {m.community_id for m in found.meetings.values()}
    community_ids |= {s.community_id for s in found.surveys.values()}
    community_ids |= {h.community_id for h in found.health_checks}
    community_ids |= {n.community_id for n in found.nudges}
    community_ids |= {a.community_id for a in found.activity}
    found.communities = await _by_id(session, Community, community_ids)


async def _by_id(session: AsyncSession, model: type[T], ids: Iterable[int]) -> dict[int, T]:
    wanted = sorted(set(ids))
    rows: dict[int, T] = {}
    for start in range(0, len(wanted), _CHUNK):
        chunk = wanted[start : start + _CHUNK]
        for row in await _all(session, select(model).where(col(model.id).in_(chunk))):  # type: ignore[attr-defined]  # each table passed here has an id
            rows[row.id] = row
    return rows


# -- what erasing needs to know first --------------------------------------------------------------


async def answered_anonymous_surveys(session: AsyncSession, member_id: int) -> list[int]:
    """Anonymous surveys the member answered: their answers there are re-keyed, not deleted."""
    return await _all(
        session,
        select(SurveyInvite.survey_id)
        .join(Survey, col(Survey.id) == SurveyInvite.survey_id)
        .where(
            SurveyInvite.member_id == member_id,
            col(SurveyInvite.answered).is_(True),
            col(Survey.anonymous).is_(True),
        ),
    )


async def rated_occurrences(session: AsyncSession, member_id: int) -> list[int]:
    """Sessions with micro-pulse answers in communities the member ever belonged to (only a
    member can rate): the candidates for their anonymous pulse tokens."""
    communities = select(Membership.community_id).where(Membership.member_id == member_id)
    return await _all(
        session,
        select(MeetingPulse.occurrence_id)
        .join(MeetingOccurrence, col(MeetingOccurrence.id) == MeetingPulse.occurrence_id)
        .join(Meeting, col(Meeting.id) == MeetingOccurrence.meeting_id)
        .where(col(Meeting.community_id).in_(communities))
        .distinct(),
    )


# -- erasing -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Rekeying:
    """Anonymous answers to unlink: each old token (computable from the member id with the
    server key) becomes a random one, so the answers still count but nobody, not even the
    server, can find them from the person any more."""

    survey_tokens: dict[int, tuple[str, str]]  # survey id -> (old token, new token)
    pulse_tokens: dict[str, str]  # old pulse token -> new one


async def erase_member(
    session: AsyncSession, member: Member, rekeying: Rekeying, now: datetime
) -> None:
    """Erase what is personal about `member` and turn the row into a tombstone."""
    m = member.id
    assert m is not None
    await _unlink_anonymous_answers(session, rekeying)
    identities = await _all(session, select(Identity).where(Identity.member_id == m))
    for conversation in await _direct_conversations(session, identities):
        await session.delete(conversation)
    for identity in identities:
        # Raw requests hold their platform id and what they typed.
        await erase_sent_by(session, identity.platform, identity.platform_user_id)
    # Slack installs they made keep working for their workspace, without their user id.
    await slack_installs.forget_installer(session, identities)
    endorsed = [
        (e.member_id, e.topic)
        for e in await _all(session, select(Endorsement).where(Endorsement.endorser_id == m))
    ]
    # Named answers go, and with them the invitation, so "3 of 4 answered" stays true.
    named = select(Survey.id).where(col(Survey.anonymous).is_(False))
    deletions = [
        delete(SurveyAnswer).where(col(SurveyAnswer.member_id) == m),
        delete(SurveyInvite).where(
            col(SurveyInvite.member_id) == m, col(SurveyInvite.survey_id).in_(named)
        ),
        delete(Identity).where(col(Identity.member_id) == m),
        # Spent link codes start with the member id (see bot.commands.people).
        delete(InboundEvent).where(
            col(InboundEvent.key).startswith(f"link-code:{m}-", autoescape=True)
        ),
        delete(MemberRole).where(col(MemberRole.member_id) == m),
        delete(Expertise).where(col(Expertise.member_id) == m),
        delete(ExpertAvailability).where(col(ExpertAvailability.member_id) == m),
        delete(SmeDesignation).where(col(SmeDesignation.member_id) == m),
        delete(Endorsement).where(
            or_(col(Endorsement.member_id) == m, col(Endorsement.endorser_id) == m)
        ),
        delete(ExpertRouting).where(
            or_(col(ExpertRouting.asker_id) == m, col(ExpertRouting.expert_id) == m)
        ),
        delete(ExpertStat).where(col(ExpertStat.member_id) == m),
        delete(MeetingRsvp).where(col(MeetingRsvp.member_id) == m),
        delete(MeetingAttendance).where(col(MeetingAttendance.member_id) == m),
        delete(MeetingReminderOptIn).where(col(MeetingReminderOptIn.member_id) == m),
        # The buttons and list they were last shown (what a bare `4` or `page 2` would run).
        delete(LastOffer).where(col(LastOffer.member_id) == m),
        # Nudges sent to them (with the reasons they gave) and their weekly-cap row; a rule
        # they silenced stays silenced for the community, without their name.
        delete(Nudge).where(col(Nudge.leader_id) == m),
        delete(NudgeLeader).where(col(NudgeLeader.member_id) == m),
        update(NudgeSilence).where(col(NudgeSilence.by) == m).values(by=None),
        update(NudgeThreshold).where(col(NudgeThreshold.set_by) == m).values(set_by=None),
        update(NudgeSignal).where(col(NudgeSignal.member_id) == m).values(member_id=None),
        # Messages to them, queued or sent: their text and their platform id.
        delete(OutboxMessage).where(col(OutboxMessage.member_id) == m),
        # Dashboard sign-in: open browser sessions end, spent links go.
        delete(WebSession).where(col(WebSession.member_id) == m),
        delete(WebSignIn).where(col(WebSignIn.member_id) == m),
        update(Meeting).where(col(Meeting.facilitator_id) == m).values(facilitator_id=None),
        update(CharterGoal).where(col(CharterGoal.created_by) == m).values(created_by=None),
        update(ProgrammeText).where(col(ProgrammeText.updated_by) == m).values(updated_by=None),
        update(Membership)
        .where(col(Membership.member_id) == m, col(Membership.left_at).is_(None))
        .values(left_at=now),
    ]
    for statement in deletions:
        await session.exec(statement.execution_options(synchronize_session=False))
    # Questions and answers keep their rows (the figures count them) without their text;
    # stories no longer thank them.
    await question_store.erase_member(session, m)
    await story_store.erase_member(session, m)
    await _scrub_name_from_messages(session, member.display_name)
    member.display_name = FORMER_MEMBER
    member.timezone = member.department = member.title = None
    member.work_hours = None
    member.snoozed_until = None
    member.is_coordinator = False
    member.current_community_id = None
    member.last_seen_at = member.created_at
    member.forgotten_at = now
    session.add(member)
    # The people they endorsed rank as if they never had.
    await refresh_stats(session, endorsed, now)


async def _unlink_anonymous_answers(session: AsyncSession, rekeying: Rekeying) -> None:
    for survey_id, (old, new) in rekeying.survey_tokens.items():
        await session.exec(
            update(SurveyAnswer)
            .where(
                col(SurveyAnswer.survey_id) == survey_id,
                col(SurveyAnswer.respondent) == old,
                col(SurveyAnswer.member_id).is_(None),
            )
            .values(respondent=new)
            .execution_options(synchronize_session=False)
        )
    olds = sorted(rekeying.pulse_tokens)
    for start in range(0, len(olds), _CHUNK):
        chunk = olds[start : start + _CHUNK]
        rows = await _all(session, select(MeetingPulse).where(col(MeetingPulse.token).in_(chunk)))
        for pulse in rows:
            pulse.token = rekeying.pulse_tokens[pulse.token]
            session.add(pulse)
    await session.flush()


async def _scrub_name_from_messages(session: AsyncSession, name: str) -> None:
    """Messages kept for others ("Ada endorsed you") lose the name: they stay in the outbox
    until its retention ends and show in the receivers' `my data`."""
    if len(name.strip()) < 2:
        return
    word = re.compile(rf"(?<!\w){re.escape(name)}(?!\w)")
    # The JSON column holds the name as json.dumps wrote it (non-ASCII escaped).
    forms = {name, json.dumps(name)[1:-1]}
    stored = cast(OutboxMessage.reply, String)
    candidates = await _all(
        session,
        select(OutboxMessage).where(
            or_(*(stored.contains(form, autoescape=True) for form in forms))
        ),
    )
    for message in candidates:
        scrubbed = _replace_words(message.reply, word)
        if scrubbed != message.reply:
            message.reply = scrubbed
            session.add(message)
    await session.flush()


def _replace_words(value: Any, word: re.Pattern[str]) -> Any:
    if isinstance(value, str):
        return word.sub(FORMER_MEMBER, value)
    if isinstance(value, list):
        return [_replace_words(v, word) for v in value]
    if isinstance(value, dict):
        # Attached files and images are base64: never rewrite their bytes.
        return {
            k: v if k in {"file", "image"} else _replace_words(v, word) for k, v in value.items()
        }
    return value
