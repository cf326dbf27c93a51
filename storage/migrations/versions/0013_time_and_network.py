"""respect for people's time, the community life cycle and the leaders' handbook

Revision ID: 0013
Revises: 0008
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

from storage.types import UTCDateTime

revision: str = "0013"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("member", schema=None) as batch_op:
        batch_op.add_column(sa.Column("snoozed_until", UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(
            sa.Column("work_hours", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True)
        )
    with op.batch_alter_table("community", schema=None) as batch_op:
        batch_op.add_column(sa.Column("paused_at", UTCDateTime(timezone=True), nullable=True))
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "kind",
                sqlmodel.sql.sqltypes.AutoString(length=16),
                nullable=False,
                server_default="notice",
            )
        )
        batch_op.add_column(
            sa.Column("held", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True)
        )
    op.create_table(
        "programme_text",
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("body", sqlmodel.sql.sqltypes.AutoString(length=8000), nullable=False),
        sa.Column("updated_by", sa.Integer(), nullable=True),
        sa.Column("updated_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["updated_by"], ["member.id"]),
        sa.PrimaryKeyConstraint("name"),
    )


def downgrade() -> None:
    op.drop_table("programme_text")
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_column("held")
        batch_op.drop_column("kind")
    with op.batch_alter_table("community", schema=None) as batch_op:
        batch_op.drop_column("paused_at")
    with op.batch_alter_table("member", schema=None) as batch_op:
        batch_op.drop_column("work_hours")
        batch_op.drop_column("snoozed_until")
