"""Questions asked to an expert or to a community, the experts they were offered to, answers."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Text
from sqlmodel import Field, SQLModel

from storage.types import UTCDateTime


class Question(SQLModel, table=True):
    """One question. `first_answer_at` is the first answer by someone other than the asker
    (time to first answer, answer rate); `escalate_at` is when an unanswered question moves on
    to the next expert or the community's channel (None: nothing more to do)."""

    __table_args__ = (
        Index("ix_question_community_asked", "community_id", "asked_at"),
        Index("ix_question_asker", "asker_id"),
        Index("ix_question_escalate", "escalate_at"),
        Index("ix_question_state", "community_id", "state", "asked_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    community_id: int | None = Field(default=None, foreign_key="community.id")
    asker_id: int = Field(foreign_key="member.id")
    text: str = Field(sa_type=Text)
    kind: str = Field(default="expert", max_length=16)  # expert | community
    state: str = Field(default="open", max_length=16)  # open | answered | solved
    topic_list: str = Field(default="", max_length=1000)
    asked_at: datetime = Field(sa_type=UTCDateTime)
    first_answer_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    solved_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # The expert the question waits for now (None once it went to the channel).
    expert_id: int | None = Field(default=None, foreign_key="member.id")
    escalate_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    posted_to_channel_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    lesson_id: int | None = Field(default=None, foreign_key="lesson.id")


class QuestionTopic(SQLModel, table=True):
    """A question's topic: real demand for expert coverage and `experts gaps`."""

    __tablename__ = "question_topic"
    __table_args__ = (Index("ix_question_topic_topic", "topic", "question_id"),)

    question_id: int = Field(foreign_key="question.id", primary_key=True)
    topic: str = Field(max_length=64, primary_key=True)


class QuestionOffer(SQLModel, table=True):
    """An expert a question was offered to, in order; `declined_at` set by "Not me"."""

    __tablename__ = "question_offer"
    __table_args__ = (Index("ix_question_offer_expert", "expert_id"),)

    question_id: int = Field(foreign_key="question.id", primary_key=True)
    expert_id: int = Field(foreign_key="member.id", primary_key=True)
    offered_at: datetime = Field(sa_type=UTCDateTime)
    declined_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class Answer(SQLModel, table=True):
    """An answer to a question."""

    __table_args__ = (
        Index("ix_answer_question", "question_id", "created_at"),
        Index("ix_answer_author", "author_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    question_id: int = Field(foreign_key="question.id")
    author_id: int = Field(foreign_key="member.id")
    text: str = Field(sa_type=Text)
    created_at: datetime = Field(sa_type=UTCDateTime)
    accepted: bool = False
