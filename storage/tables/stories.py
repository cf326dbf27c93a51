"""Value-creation stories (Wenger-Trayner cycles) and the people they thank."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Text
from sqlmodel import Field, SQLModel

from storage.types import UTCDateTime


class Story(SQLModel, table=True):
    """One success story in the value-creation shape: situation -> what the community did ->
    what was gained -> how it was used -> result (DOMAIN.md 1.2, 3)."""

    __table_args__ = (
        Index("ix_story_community_created", "community_id", "created_at"),
        Index("ix_story_featured", "community_id", "featured_at"),
        Index("ix_story_author", "author_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="community.id")
    author_id: int = Field(foreign_key="member.id")
    title: str = Field(max_length=120)
    situation: str = Field(default="", sa_type=Text)
    activity: str = Field(default="", sa_type=Text)  # what the community did
    gained: str = Field(default="", sa_type=Text)
    used: str = Field(default="", sa_type=Text)
    result: str = Field(default="", sa_type=Text)
    # The result as a number where one was given ("12 hours saved" -> 12.0, "hours saved").
    quantity: float | None = None
    unit: str = Field(default="", max_length=40)
    cycle: str = Field(default="realised", max_length=16)
    # Whether the people in the story agreed to be named (posts thank them by name only then).
    may_name: bool = False
    created_at: datetime = Field(sa_type=UTCDateTime)
    featured_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    featured_by: int | None = Field(default=None, foreign_key="member.id")
    deleted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class StoryPerson(SQLModel, table=True):
    """A member a story thanks."""

    __tablename__ = "story_person"
    __table_args__ = (Index("ix_story_person_member", "member_id"),)

    story_id: int = Field(foreign_key="story.id", primary_key=True)
    member_id: int = Field(foreign_key="member.id", primary_key=True)
