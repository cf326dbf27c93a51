"""Pulse surveys: the survey with its questions, who was invited, and the answers.

Anonymity (why it is built this way): an anonymous survey's answers carry no member id. Each
answer row holds `respondent`, an opaque token HMAC(server secret, "survey:{id}:{member}")
made in `bot.surveys.core.respondent_token`, so a member can change their own answer (the bot
recomputes the token from who is asking) while nothing in the database maps an answer to a
person without the secret. Who has answered is kept apart in `SurveyInvite.answered`, with no
time stamp and no answer, only to remind non-responders and to count the response rate; answer
rows carry no time stamp either, so timing cannot join the two. Named (non-anonymous) surveys
also store `member_id` on the answer.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.types import UTCDateTime


class Survey(SQLModel, table=True):
    __table_args__ = (
        Index("ix_survey_due", "state", "opens_at"),
        # The reminder and closing jobs read open surveys by closing time.
        Index("ix_survey_closing", "state", "closes_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="community.id", index=True)
    title: str = Field(max_length=200)
    template: str = Field(default="", max_length=16)  # "pulse" for DOMAIN.md §1.5 B, else ""
    # [{"kind": "a5"|"nps"|"choice"|"ypn"|"text", "text": str, "options": [str], "required": bool}]
    questions: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON))
    audience: str = Field(default="members", max_length=16)  # members | leaders
    anonymous: bool = True
    created_by: int = Field(foreign_key="member.id")
    created_at: datetime = Field(sa_type=UTCDateTime)
    opens_at: datetime = Field(sa_type=UTCDateTime)
    closes_at: datetime = Field(sa_type=UTCDateTime)
    # scheduled -> open -> closed; each step is claimed with a conditional update.
    state: str = Field(default="scheduled", max_length=16)
    reminded: bool = False
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class SurveyInvite(SQLModel, table=True):
    """One invited person; `answered` only (no time, no answer) for reminders and the rate."""

    __table_args__ = (UniqueConstraint("survey_id", "member_id"),)

    id: int | None = Field(default=None, primary_key=True)
    survey_id: int = Field(foreign_key="survey.id", index=True)
    member_id: int = Field(foreign_key="member.id", index=True)
    answered: bool = False


class SurveyAnswer(SQLModel, table=True):
    """One answer to one question; `value` is the canonical text ("4", "na", "yes", free text)."""

    __table_args__ = (UniqueConstraint("survey_id", "respondent", "question"),)

    id: int | None = Field(default=None, primary_key=True)
    survey_id: int = Field(foreign_key="survey.id", index=True)
    respondent: str = Field(max_length=64)  # opaque token, see the module docstring
    member_id: int | None = Field(default=None, foreign_key="member.id")  # named surveys only
    question: int  # 0-based position in Survey.questions
    value: str = Field(max_length=2000)
