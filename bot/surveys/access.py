"""Who may see a survey's results at all (the anonymity rule itself is `bot.surveys.results`):
chat's `survey results` and the dashboard's community page ask the same question here."""

from __future__ import annotations

from bot.context import Context
from bot.errors import UserError
from bot.permissions import Capability
from bot.surveys import jobs as surveys_jobs
from storage import surveys
from storage.tables import Community
from storage.tables.surveys import Survey


async def may_see(ctx: Context, survey: Survey, community: Community) -> bool:
    """True for leaders/coordinators (any time); members see results once closed."""
    if await ctx.can(Capability.LAUNCH_SURVEY, community):
        return True
    await ctx.require(Capability.VIEW_RESULTS, community)
    assert survey.id is not None
    if survey.audience == "leaders" and (
        await surveys.invite_of(ctx.session, survey.id, ctx.member_id) is None
    ):
        raise UserError("Only the community's leaders see that survey's results.")
    if survey.state != "closed":
        closes = surveys_jobs.when_closes(survey, ctx.member.timezone, community.timezone)
        raise UserError(
            f"*{survey.title}* is still open; members see the results once it closes ({closes})."
        )
    return False
