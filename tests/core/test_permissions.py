"""bot/permissions.py against the permission matrix of DOMAIN.md §6.2 (defaults).

Each row below is the matrix's column for one bot role, written out: a change to the table in
code that the domain model does not make fails here. Deliberate deviations are named.
"""

from __future__ import annotations

import pytest

from bot.permissions import ROLE_CAPABILITIES, Capability, Role, allows

C = Capability
# What DOMAIN.md §6.2 says each role may do ("Y" and "(Y)" both count as may).
MATRIX: dict[Role, set[Capability]] = {
    Role.MEMBER: {
        C.SEARCH,
        C.ASK_AND_ANSWER,
        C.EDIT_OWN_PROFILE,
        C.RECEIVE_ROUTED_QUESTIONS,
        C.SUBMIT_LESSON,
        C.VIEW_RESULTS,
    },
    Role.LEADER: {
        C.SEARCH,
        C.ASK_AND_ANSWER,
        C.EDIT_OWN_PROFILE,
        C.DESIGNATE_SME,
        C.RECEIVE_ROUTED_QUESTIONS,
        C.SUBMIT_LESSON,
        C.VALIDATE_LESSON,
        C.SCHEDULE_MEETINGS,
        C.MARK_ATTENDANCE,
        C.LAUNCH_SURVEY,
        C.LAUNCH_MICRO_PULSE,
        C.VIEW_RESULTS,
        C.SEE_NON_RESPONDERS,
        C.COMPLETE_HEALTH_CHECK,
        C.VIEW_HEALTH,
        C.RECEIVE_NUDGES,
        C.RECEIVE_DIGEST,
        C.EDIT_CHARTER,
        C.EDIT_GOALS,  # the matrix's "edit charter / objectives"
        C.MANAGE_ROLES,
        C.LINK_CHANNEL,
        C.FEATURE_STORIES,
        # §6.1: leaders "start close/merge workflow".
        C.CHANGE_LIFECYCLE,
    },
    Role.FACILITATOR: {
        C.SEARCH,
        C.ASK_AND_ANSWER,
        C.EDIT_OWN_PROFILE,
        C.SUBMIT_LESSON,
        C.SCHEDULE_MEETINGS,
        C.MARK_ATTENDANCE,
        C.LAUNCH_MICRO_PULSE,
        C.VIEW_RESULTS,
    },
    Role.SME: {
        C.SEARCH,
        C.ASK_AND_ANSWER,
        C.EDIT_OWN_PROFILE,
        C.RECEIVE_ROUTED_QUESTIONS,
        C.SUBMIT_LESSON,
        C.VALIDATE_LESSON,
        C.VIEW_RESULTS,
    },
    Role.MENTOR: {
        C.SEARCH,
        C.ASK_AND_ANSWER,
        C.EDIT_OWN_PROFILE,
        C.RECEIVE_ROUTED_QUESTIONS,
        C.SUBMIT_LESSON,
        C.VIEW_RESULTS,
    },
    Role.SPONSOR: {
        C.SEARCH,
        C.ASK_AND_ANSWER,
        C.EDIT_OWN_PROFILE,
        C.SUBMIT_LESSON,
        C.VIEW_RESULTS,
        C.VIEW_HEALTH,
        C.RECEIVE_DIGEST,
    },
    Role.COORDINATOR: {
        C.SEARCH,
        C.ASK_AND_ANSWER,
        C.EDIT_OWN_PROFILE,
        C.DESIGNATE_SME,
        C.SUBMIT_LESSON,
        C.VALIDATE_LESSON,
        C.LAUNCH_SURVEY,
        C.SEE_NON_RESPONDERS,
        C.VIEW_HEALTH,
        C.VIEW_RESULTS,
        C.RECEIVE_DIGEST,
        C.EDIT_CHARTER,
        C.EDIT_GOALS,  # the matrix's "edit charter / objectives"
        C.MANAGE_ROLES,
        C.EXPORT,
        C.VIEW_PORTFOLIO,
        C.LINK_CHANNEL,
        C.FEATURE_STORIES,
        C.CHANGE_LIFECYCLE,
    },
}
# The matrix gives data export to the CoE and IT only; the bot lets a leader export their own
# community's attendance and survey aggregates (no individual answers), as DESIGN.md's
# meetings and surveys features do.
DEVIATIONS: dict[Role, set[Capability]] = {Role.LEADER: {C.EXPORT}}


@pytest.mark.parametrize("role", list(Role))
def test_each_role_may_do_what_the_domain_matrix_says(role: Role) -> None:
    assert set(ROLE_CAPABILITIES[role]) == MATRIX[role] | DEVIATIONS.get(role, set())


def test_nobody_sees_individual_answers_and_only_the_coe_sees_the_portfolio() -> None:
    assert [r for r in Role if allows({r}, C.VIEW_PORTFOLIO)] == [Role.COORDINATOR]
    assert not allows({Role.SPONSOR}, C.SEE_NON_RESPONDERS)
    assert not allows({Role.SPONSOR, Role.MENTOR, Role.MEMBER}, C.MANAGE_ROLES)
    assert not allows({Role.FACILITATOR}, C.LAUNCH_SURVEY)
    assert not allows(set(), C.SEARCH)
