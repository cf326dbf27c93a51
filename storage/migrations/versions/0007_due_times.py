"""due times: indexed next reminder, agenda check and health-check round per row

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 21:00:00
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("meetingoccurrence", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("remind_at", storage.types.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column("agenda_check_at", storage.types.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.create_index(
            batch_op.f("ix_meetingoccurrence_remind_at"), ["remind_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_meetingoccurrence_agenda_check_at"), ["agenda_check_at"], unique=False
        )
        batch_op.create_index(
            "ix_meetingoccurrence_follow_up", ["followed_up", "ends_at"], unique=False
        )
    with op.batch_alter_table("meeting", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_meeting_planned_until"), ["planned_until"], unique=False
        )
    with op.batch_alter_table("survey", schema=None) as batch_op:
        batch_op.create_index("ix_survey_closing", ["state", "closes_at"], unique=False)
    # NULL: the prompt job looks at every community at the next heartbeat and stores when
    # its next round is due.
    with op.batch_alter_table("community", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("health_due_at", storage.types.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.create_index(batch_op.f("ix_community_health_due_at"), ["health_due_at"])
    with op.batch_alter_table("healthcheck", schema=None) as batch_op:
        batch_op.create_index(
            "ix_healthcheck_to_remind", ["reminded", "answered_at", "prompted_at"], unique=False
        )
    with op.batch_alter_table("healthround", schema=None) as batch_op:
        batch_op.create_index("ix_healthround_to_escalate", ["escalated", "starts_at"])
    # Sessions planned before this migration: the first heartbeat looks at each once and
    # stores its exact next reminder and agenda check (a due time may be early, never late).
    now = sa.bindparam("now", datetime.now(UTC), type_=storage.types.UTCDateTime())
    occurrence = sa.table(
        "meetingoccurrence",
        sa.column("state", sa.String()),
        sa.column("starts_at", storage.types.UTCDateTime()),
        sa.column("remind_at", storage.types.UTCDateTime()),
        sa.column("agenda_check_at", storage.types.UTCDateTime()),
    )
    op.execute(
        occurrence.update()
        .where(occurrence.c.state == "scheduled", occurrence.c.starts_at > now)
        .values(remind_at=now, agenda_check_at=now)
    )


def downgrade() -> None:
    with op.batch_alter_table("healthround", schema=None) as batch_op:
        batch_op.drop_index("ix_healthround_to_escalate")
    with op.batch_alter_table("healthcheck", schema=None) as batch_op:
        batch_op.drop_index("ix_healthcheck_to_remind")
    with op.batch_alter_table("community", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_community_health_due_at"))
        batch_op.drop_column("health_due_at")
    with op.batch_alter_table("survey", schema=None) as batch_op:
        batch_op.drop_index("ix_survey_closing")
    with op.batch_alter_table("meeting", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_meeting_planned_until"))
    with op.batch_alter_table("meetingoccurrence", schema=None) as batch_op:
        batch_op.drop_index("ix_meetingoccurrence_follow_up")
        batch_op.drop_index(batch_op.f("ix_meetingoccurrence_agenda_check_at"))
        batch_op.drop_index(batch_op.f("ix_meetingoccurrence_remind_at"))
        batch_op.drop_column("agenda_check_at")
        batch_op.drop_column("remind_at")
