"""What a person was last offered in a conversation: the buttons of the last answer and the last
list shown, so a bare `4` or `page 2` typed there means the same on every replica."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from storage.types import UTCDateTime


class LastOffer(SQLModel, table=True):
    __tablename__ = "last_offer"

    member_id: int = Field(foreign_key="member.id", primary_key=True)
    platform: str = Field(max_length=16, primary_key=True)
    conversation_id: str = Field(max_length=256, primary_key=True)
    # [[label, command or null, url or null], …] in the order the answer showed them.
    choices: list[Any] = Field(default_factory=list, sa_column=Column(JSON))
    # The last list command answered with one page of a list (without its `page N`).
    list_command: str | None = Field(default=None, max_length=2000)
    updated_at: datetime = Field(sa_type=UTCDateTime)
