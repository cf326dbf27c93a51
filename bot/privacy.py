"""Personal data rules: what `my data` hands over and what `forget` erases or unlinks."""

from __future__ import annotations

import json
import secrets
from datetime import date, datetime, timedelta
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.config import Settings
from bot.meetings.core import pulse_token
from bot.surveys.core import respondent_token
from storage import privacy
from storage.privacy import FORMER_MEMBER, PersonalRecords, Rekeying
from storage.tables import Member
from storage.tables.slack_installs import SlackInstallation

# A copy of someone's data is more sensitive than a CSV of counts: its link lives one hour.
MY_DATA_TTL = timedelta(hours=1)

NOT_INCLUDED = (
    "Your answers to anonymous surveys and your anonymous meeting ratings are stored without "
    "your name or id, so they cannot be linked to you and are not listed here; "
    "'survey_invitations' only says whether you answered.",
    "Other people are not named in this file (their names are their data): endorsements, "
    "questions and votes show the topic and the date.",
    "Questions routed to you show their topic, not the asker's words.",
    "Messages copbot sent you are listed by kind, title and date; their text is in your chat "
    "history (it can name other people, such as who endorsed you).",
)


def _when(value: datetime | date | None) -> str | None:
    return value.isoformat() if value is not None else None


def export(records: PersonalRecords, now: datetime) -> dict[str, Any]:
    """Everything copbot holds about one person, as JSON-safe data with readable names."""
    community = {cid: c.name for cid, c in records.communities.items()}
    meeting = {mid: m.title for mid, m in records.meetings.items()}

    def session_of(occurrence_id: int) -> dict[str, Any]:
        occurrence = records.occurrences.get(occurrence_id)
        if occurrence is None:
            return {"meeting": None, "session_starts_at": None}
        return {
            "meeting": meeting.get(occurrence.meeting_id),
            "session_starts_at": _when(occurrence.starts_at),
        }

    member = records.member
    questions: dict[int, list[dict[str, Any]]] = {
        sid: s.questions for sid, s in records.surveys.items()
    }
    availability = records.availability
    return {
        "about": f"Everything copbot stores about you, as of {now.isoformat()}.",
        "not_included": list(NOT_INCLUDED),
        "member": {
            "id": member.id,
            "display_name": member.display_name,
            "timezone": member.timezone,
            "work_hours": member.work_hours,
            "snoozed_until": _when(member.snoozed_until),
            "department": member.department,
            "title": member.title,
            "is_coordinator": member.is_coordinator,
            "created_at": _when(member.created_at),
            "last_seen_at": _when(member.last_seen_at),
        },
        "identities": [
            {
                "platform": i.platform,
                "platform_user_id": i.platform_user_id,
                "tenant_id": i.tenant_id,
                "email": i.email,
                "last_seen_at": _when(i.last_seen_at),
            }
            for i in records.identities
        ],
        "direct_conversations": [
            {
                "platform": c.platform,
                "conversation_id": c.conversation_id,
                "last_seen_at": _when(c.last_seen_at),
            }
            for c in records.conversations
        ],
        "communities": [
            {
                "community": community.get(m.community_id),
                "joined_at": _when(m.joined_at),
                "left_at": _when(m.left_at),
            }
            for m in records.memberships
        ],
        "roles": [
            {
                "community": community.get(r.community_id),
                "role": r.role,
                "since": _when(r.granted_at),
            }
            for r in records.roles
        ],
        "expertise": [
            {
                "topic": e.topic,
                "level": e.level,
                "source": e.source,
                "updated_at": _when(e.updated_at),
            }
            for e in records.expertise
        ],
        "availability": None
        if availability is None
        else {
            "open_to_questions": availability.open_to_questions,
            "mentor": availability.mentor,
            "do_not_route": availability.do_not_route,
            "weekly_cap": availability.weekly_cap,
            "visibility": availability.visibility,
            "updated_at": _when(availability.updated_at),
        },
        "sme_designations": [
            {
                "community": community.get(d.community_id),
                "topic": d.topic,
                "since": _when(d.designated_at),
            }
            for d in records.designations
        ],
        "endorsements_given": [
            {"topic": e.topic, "at": _when(e.created_at)} for e in records.endorsements_given
        ],
        "endorsements_received": [
            {"topic": e.topic, "at": _when(e.created_at)} for e in records.endorsements_received
        ],
        "questions_asked": [
            {"topic": q.topic, "question": q.question, "asked_at": _when(q.asked_at)}
            for q in records.questions_asked
        ],
        "questions_routed_to_you": [
            {"topic": q.topic, "asked_at": _when(q.asked_at)} for q in records.questions_received
        ],
        "questions_stored": [
            {
                "id": q.id,
                "community": community.get(q.community_id or 0),
                "topics": q.topic_list.split(),
                "question": q.text,
                "state": q.state,
                "asked_at": _when(q.asked_at),
            }
            for q in records.questions
        ],
        "answers_written": [
            {"question": a.question_id, "answer": a.text, "at": _when(a.created_at)}
            for a in records.answers
        ],
        "stories_written": [
            {
                "id": s.id,
                "community": community.get(s.community_id),
                "title": s.title,
                "situation": s.situation,
                "what_the_community_did": s.activity,
                "gained": s.gained,
                "used": s.used,
                "result": s.result,
                "created_at": _when(s.created_at),
            }
            for s in records.stories
        ],
        "stories_naming_you": list(records.stories_naming_you),
        "lessons_written": [_lesson(lesson, community) for lesson in records.lessons],
        "lesson_votes": [
            {"lesson": v.lesson_id, "kind": v.kind, "at": _when(v.at)} for v in records.lesson_votes
        ],
        "rsvps": [
            {**session_of(r.occurrence_id), "status": r.status, "updated_at": _when(r.updated_at)}
            for r in records.rsvps
        ],
        "attendance": [
            {**session_of(a.occurrence_id), "source": a.source, "recorded_at": _when(a.recorded_at)}
            for a in records.attendance
        ],
        "meeting_reminder_opt_ins": [
            {"meeting": meeting.get(o.meeting_id), "since": _when(o.created_at)}
            for o in records.reminder_opt_ins
        ],
        "survey_invitations": [
            {
                "survey": records.surveys[i.survey_id].title,
                "anonymous": records.surveys[i.survey_id].anonymous,
                "answered": i.answered,
            }
            for i in records.survey_invites
            if i.survey_id in records.surveys
        ],
        "named_survey_answers": [
            {
                "survey": records.surveys[a.survey_id].title,
                "question": _question_text(questions.get(a.survey_id, []), a.question),
                "answer": a.value,
            }
            for a in records.named_answers
            if a.survey_id in records.surveys
        ],
        "health_checks": [
            {
                "community": community.get(h.community_id),
                "quarter": h.quarter,
                "asked_at": _when(h.prompted_at),
                "answered_at": _when(h.answered_at),
                "answers": h.answers,
            }
            for h in records.health_checks
        ],
        "leader_nudges": [
            {
                "community": community.get(n.community_id),
                "rule": n.rule,
                "sent_at": _when(n.sent_at),
                "said": n.detail,
                "status": n.status,
                "reason_given": n.reason,
            }
            for n in records.nudges
        ],
        "activity": [
            {
                "community": community.get(a.community_id),
                "kind": a.kind,
                "ref": a.ref,
                "at": _when(a.occurred_at),
            }
            for a in records.activity
        ],
        "last_buttons_and_lists_shown_to_you": [
            {
                "platform": o.platform,
                "conversation": o.conversation_id,
                # How many: their labels may name other people, which `my data` never shows.
                "buttons": len(o.choices or []),
                "list": o.list_command,
                "at": _when(o.updated_at),
            }
            for o in records.last_offers
        ],
        "messages_to_you": [
            {
                "kind": m.key.split(":", 1)[0],
                "title": m.reply.get("title"),
                "queued_at": _when(m.created_at),
                "status": m.status,
                "sent_at": _when(m.sent_at),
            }
            for m in records.messages
        ],
        "dashboard_sessions": [
            {"signed_in_at": _when(s.created_at), "expires_at": _when(s.expires_at)}
            for s in records.dashboard_sessions
        ],
        "slack_installations_you_made": [_slack_install(i) for i in records.slack_installations],
    }


def _slack_install(row: SlackInstallation) -> dict[str, Any]:
    """Where and when they installed copbot, with what it may do there; never a token."""
    data = row.data
    return {
        "enterprise_id": row.enterprise_id,
        "enterprise_name": data.get("enterprise_name"),
        "team_id": row.team_id,
        "team_name": data.get("team_name"),
        "org_wide": row.is_enterprise_install,
        "installed_at": _when(row.installed_at),
        "bot_scopes": _scopes(data.get("bot_scopes")),
        "user_scopes": _scopes(data.get("user_scopes")),
    }


def _scopes(value: Any) -> list[str]:
    # slack_sdk keeps scopes as a list, or a comma-separated string from older versions.
    if isinstance(value, str):
        return [s for s in value.split(",") if s]
    return [str(s) for s in value or ()]


def _lesson(lesson: Any, community: dict[int, str]) -> dict[str, Any]:
    fields = ("title", "kind", "status", "sensitivity", "abstract", "statement", "context")
    more = ("planned", "actual", "why", "sustain", "improve", "topic_list", "source")
    return {
        "id": lesson.id,
        "community": community.get(lesson.community_id),
        **{name: getattr(lesson, name) for name in (*fields, *more)},
        "event_date": _when(lesson.event_date),
        "created_at": _when(lesson.created_at),
        "updated_at": _when(lesson.updated_at),
        "deleted_at": _when(lesson.deleted_at),
    }


def _question_text(questions: list[dict[str, Any]], index: int) -> str | None:
    return questions[index].get("text") if 0 <= index < len(questions) else None


async def export_bytes(session: AsyncSession, member: Member, now: datetime) -> bytes:
    records = await privacy.personal_records(session, member)
    data = export(records, now)
    return json.dumps(data, indent=2, ensure_ascii=False).encode("utf-8")


async def forget(session: AsyncSession, settings: Settings, member: Member, now: datetime) -> None:
    """Erase a member: personal rows go, anonymous answers are unlinked, the row stays as a
    nameless tombstone so their lessons read "a former member"."""
    assert member.id is not None
    # Anonymous tokens are keyed hashes of the member id: recompute them now, while we still
    # may, and swap each for a random one, so no key can ever find these answers again.
    survey_tokens = {
        survey_id: (respondent_token(settings, survey_id, member.id), secrets.token_hex(20))
        for survey_id in await privacy.answered_anonymous_surveys(session, member.id)
    }
    pulse_tokens = {
        pulse_token(settings, occurrence_id, member.id): secrets.token_hex(16)
        for occurrence_id in await privacy.rated_occurrences(session, member.id)
    }
    await privacy.erase_member(session, member, Rekeying(survey_tokens, pulse_tokens), now)


__all__ = ["FORMER_MEMBER", "MY_DATA_TTL", "export", "export_bytes", "forget"]
