"""delivery pace: outbox priority, bucket and maybe-sent; shared send buckets

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01 21:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("priority", sa.Integer(), nullable=False, server_default="1"))
        batch_op.add_column(
            sa.Column(
                "bucket",
                sqlmodel.sql.sqltypes.AutoString(length=160),
                nullable=False,
                server_default="",
            )
        )
        batch_op.add_column(
            sa.Column("maybe_sent", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.create_index("ix_outbox_claim", ["status", "priority", "id"], unique=False)
    op.create_table(
        "sendbucket",
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=160), nullable=False),
        sa.Column("next_slot", sa.Float(), nullable=False),
        sa.Column("paused_until", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("key"),
    )


def downgrade() -> None:
    op.drop_table("sendbucket")
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_claim")
        batch_op.drop_column("maybe_sent")
        batch_op.drop_column("bucket")
        batch_op.drop_column("priority")
