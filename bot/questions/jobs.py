"""Escalation: a question nobody answered in time goes to the next expert, then the channel."""

from __future__ import annotations

from bot.context import JobContext
from bot.questions.core import community_of, next_expert
from bot.questions.routing import move_on, tell_asker
from bot.registry import due_job
from storage import people, questions


@due_job("questions.escalate")
async def escalate(jctx: JobContext) -> None:
    """Each due question is claimed (storage.questions.claim_escalations), so two replicas
    never move the same question on twice; the messages' keys make a retry harmless too."""
    for question in await questions.claim_escalations(jctx.session, jctx.now):
        assert question.id is not None
        community = await community_of(jctx.session, question)
        expert_id = await next_expert(jctx.session, question, jctx.now)
        where = await move_on(jctx, question, community, expert_id)
        expert = await people.get_member(jctx.session, expert_id) if expert_id else None
        step = f"expert-{expert_id}" if where == "expert" else where or "nobody"
        await tell_asker(jctx, question, where, expert, step=step)
