"""Lessons learned (after-action review fields), their topics and their reuse log."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Connection, Date, Index, Text, UniqueConstraint, event
from sqlmodel import Field, SQLModel

from storage.types import UTCDateTime


class Lesson(SQLModel, table=True):
    """One lesson (DOMAIN.md 5.1). `topic_list` repeats the topics as words for full-text search."""

    __table_args__ = (
        Index("ix_lesson_community_status", "community_id", "status"),
        Index("ix_lesson_author", "author_id"),
        Index("ix_lesson_status_created", "status", "created_at"),
        # Covers the visibility filters of a search, so matches never read the wide rows.
        Index(
            "ix_lesson_filter",
            "id",
            "status",
            "deleted_at",
            "community_id",
            "author_id",
            "sensitivity",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="community.id")
    author_id: int = Field(foreign_key="member.id")
    title: str = Field(max_length=150)
    kind: str = Field(default="insight", max_length=16)  # success | problem | insight
    # When it happened (NASA "Date Lesson Occurred"); None for a quick one-line lesson.
    event_date: date | None = Field(default=None, sa_type=Date)
    abstract: str = Field(default="", max_length=300)  # one-paragraph summary
    # Who may read it (NASA access classification): org (anyone) | community (its members)
    # | restricted (its author, the community's leaders and SMEs of its topics).
    sensitivity: str = Field(default="org", max_length=16)
    context: str = Field(default="", sa_type=Text)
    planned: str = Field(default="", sa_type=Text)
    actual: str = Field(default="", sa_type=Text)
    why: str = Field(default="", sa_type=Text)
    sustain: str = Field(default="", sa_type=Text)
    improve: str = Field(default="", sa_type=Text)
    statement: str = Field(default="", sa_type=Text)
    topic_list: str = Field(default="", max_length=1000)
    status: str = Field(default="draft", max_length=16)  # draft | published | archived
    validated_by: int | None = Field(default=None, foreign_key="member.id")
    validated_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    source: str | None = Field(default=None, max_length=500)
    created_at: datetime = Field(sa_type=UTCDateTime)
    updated_at: datetime = Field(sa_type=UTCDateTime)
    deleted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class LessonTopic(SQLModel, table=True):
    """A lesson's topic; `reuse_count` repeats the lesson's reuse votes so the most reused
    lessons on a topic come straight from one index."""

    __tablename__ = "lesson_topic"
    __table_args__ = (
        Index("ix_lesson_topic_topic", "topic", "lesson_id"),
        Index("ix_lesson_topic_reuse", "topic", "reuse_count", "lesson_id"),
    )

    lesson_id: int = Field(foreign_key="lesson.id", primary_key=True)
    topic: str = Field(max_length=64, primary_key=True)
    reuse_count: int = 0


class LessonReuse(SQLModel, table=True):
    """ "This helped" / "I applied this": the lesson reuse KPI counts these (once per person)."""

    __tablename__ = "lesson_reuse"
    __table_args__ = (UniqueConstraint("lesson_id", "member_id", "kind"),)

    id: int | None = Field(default=None, primary_key=True)
    lesson_id: int = Field(foreign_key="lesson.id")
    member_id: int = Field(foreign_key="member.id", index=True)
    kind: str = Field(max_length=16)  # helped | applied
    at: datetime = Field(sa_type=UTCDateTime)


def _install_search(target: object, connection: Connection, **kw: object) -> None:
    # Imported late: storage.search reads the lesson table, which must be defined first.
    from storage.search import after_create

    after_create(target, connection, **kw)


event.listen(SQLModel.metadata, "after_create", _install_search)
