"""Helpers for survey tests: look at stored rows the way the app's queries expose them."""

from __future__ import annotations

from sqlmodel import select

from bot.app import Core
from storage.tables.surveys import SurveyAnswer, SurveyInvite


async def answer_rows(core: Core) -> list[SurveyAnswer]:
    async with core.services.db.session() as session:
        result = await session.exec(select(SurveyAnswer).order_by(SurveyAnswer.id))
        return list(result.all())


async def invite_rows(core: Core) -> list[SurveyInvite]:
    async with core.services.db.session() as session:
        result = await session.exec(select(SurveyInvite).order_by(SurveyInvite.id))
        return list(result.all())
