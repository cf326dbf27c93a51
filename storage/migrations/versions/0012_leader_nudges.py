"""leader nudges: the daily evaluation's schedule, nudges sent, the weekly cap, silences and
per-community thresholds

Revision ID: 0012
Revises: 0011
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "nudge_leader",
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("last_sent_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["member.id"],
        ),
        sa.PrimaryKeyConstraint("member_id"),
    )
    op.create_table(
        "nudge",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("rule", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("leader_id", sa.Integer(), nullable=False),
        sa.Column("period", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("subject", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("detail", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("action", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("sent_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("snoozed_until", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
        sa.Column("resolved_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["community.id"],
        ),
        sa.ForeignKeyConstraint(
            ["leader_id"],
            ["member.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("community_id", "rule", "leader_id", "period"),
    )
    with op.batch_alter_table("nudge", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_nudge_community_id"), ["community_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_nudge_leader_id"), ["leader_id"], unique=False)

    op.create_table(
        "nudge_schedule",
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("next_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("runs", sa.Integer(), nullable=False),
        sa.Column("last_run_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["community.id"],
        ),
        sa.PrimaryKeyConstraint("community_id"),
    )
    with op.batch_alter_table("nudge_schedule", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_nudge_schedule_next_at"), ["next_at"], unique=False)

    op.create_table(
        "nudge_silence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("rule", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("until", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("by", sa.Integer(), nullable=True),
        sa.Column("at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["by"],
            ["member.id"],
        ),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["community.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("community_id", "rule"),
    )
    with op.batch_alter_table("nudge_silence", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_nudge_silence_community_id"), ["community_id"], unique=False
        )

    op.create_table(
        "nudge_threshold",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("rule", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("set_by", sa.Integer(), nullable=True),
        sa.Column("set_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["community.id"],
        ),
        sa.ForeignKeyConstraint(
            ["set_by"],
            ["member.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("community_id", "rule", "name"),
    )
    with op.batch_alter_table("nudge_threshold", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_nudge_threshold_community_id"), ["community_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("nudge_threshold", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_nudge_threshold_community_id"))

    op.drop_table("nudge_threshold")
    with op.batch_alter_table("nudge_silence", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_nudge_silence_community_id"))

    op.drop_table("nudge_silence")
    with op.batch_alter_table("nudge_schedule", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_nudge_schedule_next_at"))

    op.drop_table("nudge_schedule")
    with op.batch_alter_table("nudge", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_nudge_leader_id"))
        batch_op.drop_index(batch_op.f("ix_nudge_community_id"))

    op.drop_table("nudge")
    op.drop_table("nudge_leader")
