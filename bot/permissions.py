"""Roles and what each may do: one table, after DOMAIN.md §6.2 (defaults)."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    MEMBER = "member"
    LEADER = "leader"
    FACILITATOR = "facilitator"
    SME = "sme"
    MENTOR = "mentor"
    SPONSOR = "sponsor"
    COORDINATOR = "coordinator"


# Roles a leader or coordinator may hand out with `role add` (member comes from joining).
ASSIGNABLE_ROLES = (Role.LEADER, Role.FACILITATOR, Role.SME, Role.MENTOR, Role.SPONSOR)


class Capability(StrEnum):
    SEARCH = "search"
    ASK_AND_ANSWER = "ask and answer questions"
    EDIT_OWN_PROFILE = "edit own profile"
    DESIGNATE_SME = "designate SMEs"
    RECEIVE_ROUTED_QUESTIONS = "receive routed questions"
    SUBMIT_LESSON = "submit lessons"
    VALIDATE_LESSON = "validate lessons"
    SCHEDULE_MEETINGS = "schedule meetings"
    MARK_ATTENDANCE = "mark attendance"
    LAUNCH_SURVEY = "launch surveys"
    LAUNCH_MICRO_PULSE = "launch micro-pulses"
    VIEW_RESULTS = "view aggregated results"
    SEE_NON_RESPONDERS = "see who has not answered"
    COMPLETE_HEALTH_CHECK = "complete the health check"
    VIEW_HEALTH = "view health"
    RECEIVE_NUDGES = "receive leader nudges"
    RECEIVE_DIGEST = "receive the sponsor digest"
    EDIT_CHARTER = "edit the charter"
    EDIT_GOALS = "set the charter's goals, targets and status"
    MANAGE_ROLES = "manage community roles"
    EXPORT = "export community data"
    VIEW_PORTFOLIO = "view the cross-community portfolio"
    LINK_CHANNEL = "link a channel to the community"
    FEATURE_STORIES = "feature stories for the digest"
    CHANGE_LIFECYCLE = "pause, archive or reopen the community"


_C = Capability
_EVERY_MEMBER = frozenset(
    {
        _C.SEARCH,
        _C.ASK_AND_ANSWER,
        _C.EDIT_OWN_PROFILE,
        _C.SUBMIT_LESSON,
        _C.VIEW_RESULTS,
        _C.RECEIVE_ROUTED_QUESTIONS,
    }
)

ROLE_CAPABILITIES: dict[Role, frozenset[Capability]] = {
    Role.MEMBER: _EVERY_MEMBER,
    Role.LEADER: _EVERY_MEMBER
    | {
        _C.DESIGNATE_SME,
        _C.VALIDATE_LESSON,
        _C.SCHEDULE_MEETINGS,
        _C.MARK_ATTENDANCE,
        _C.LAUNCH_SURVEY,
        _C.LAUNCH_MICRO_PULSE,
        _C.SEE_NON_RESPONDERS,
        _C.COMPLETE_HEALTH_CHECK,
        _C.VIEW_HEALTH,
        _C.RECEIVE_NUDGES,
        _C.RECEIVE_DIGEST,
        _C.EDIT_CHARTER,
        _C.EDIT_GOALS,
        _C.MANAGE_ROLES,
        _C.EXPORT,
        _C.LINK_CHANNEL,
        _C.FEATURE_STORIES,
        _C.CHANGE_LIFECYCLE,
    },
    # Facilitators run sessions; questions reach them as members or SMEs, not as facilitators.
    Role.FACILITATOR: (_EVERY_MEMBER - {_C.RECEIVE_ROUTED_QUESTIONS})
    | {_C.SCHEDULE_MEETINGS, _C.MARK_ATTENDANCE, _C.LAUNCH_MICRO_PULSE},
    # SMEs validate lessons in their own topics; the lessons module checks the topic.
    Role.SME: _EVERY_MEMBER | {_C.VALIDATE_LESSON},
    Role.MENTOR: _EVERY_MEMBER,
    # Sponsors see aggregates and digests, never individual answers; like everyone they may
    # share a lesson, but questions are not routed to them.
    Role.SPONSOR: frozenset(
        {
            _C.SEARCH,
            _C.ASK_AND_ANSWER,
            _C.EDIT_OWN_PROFILE,
            _C.SUBMIT_LESSON,
            _C.VIEW_RESULTS,
            _C.VIEW_HEALTH,
            _C.RECEIVE_DIGEST,
        }
    ),
    # The CoE is not an expert pool: questions are routed to it only as a member of a community.
    Role.COORDINATOR: (_EVERY_MEMBER - {_C.RECEIVE_ROUTED_QUESTIONS})
    | {
        _C.DESIGNATE_SME,
        _C.VALIDATE_LESSON,
        _C.LAUNCH_SURVEY,
        _C.SEE_NON_RESPONDERS,
        _C.VIEW_HEALTH,
        _C.RECEIVE_DIGEST,
        _C.EDIT_CHARTER,
        _C.EDIT_GOALS,
        _C.MANAGE_ROLES,
        _C.EXPORT,
        _C.VIEW_PORTFOLIO,
        _C.LINK_CHANNEL,
        _C.FEATURE_STORIES,
        _C.CHANGE_LIFECYCLE,
    },
}

# What adds something new to a community: refused while it is paused or archived (read-only).
CREATES_CONTENT = frozenset(
    {_C.SUBMIT_LESSON, _C.SCHEDULE_MEETINGS, _C.LAUNCH_SURVEY, _C.LAUNCH_MICRO_PULSE}
)


def allows(roles: set[Role], capability: Capability) -> bool:
    return any(capability in ROLE_CAPABILITIES[role] for role in roles)


def roles_allowed(capability: Capability) -> list[Role]:
    """The roles that carry `capability`, for telling someone who can help."""
    return [role for role in Role if capability in ROLE_CAPABILITIES[role]]
