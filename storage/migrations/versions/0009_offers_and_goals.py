"""last offer (the buttons and list a bare `4` or `page 2` means) and charter goals

Revision ID: 0009
Revises: 0008
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "last_offer",
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("platform", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column(
            "conversation_id", sqlmodel.sql.sqltypes.AutoString(length=256), nullable=False
        ),
        sa.Column("choices", sa.JSON(), nullable=True),
        sa.Column("list_command", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
        sa.Column("updated_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["member_id"], ["member.id"]),
        sa.PrimaryKeyConstraint("member_id", "platform", "conversation_id"),
    )
    op.create_table(
        "charter_goal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("text", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("target", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("status_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["community_id"], ["community.id"]),
        sa.ForeignKeyConstraint(["created_by"], ["member.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("charter_goal", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_charter_goal_community_id"), ["community_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("charter_goal", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_charter_goal_community_id"))
    op.drop_table("charter_goal")
    op.drop_table("last_offer")
