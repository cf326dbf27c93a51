"""fan-outs awaiting their completion notice, and sweep marks for the retention purge

Revision ID: 0003
Revises: 0002
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_OPEN = sa.text("notified_at IS NULL")


def upgrade() -> None:
    op.create_table(
        "fanout",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key_prefix", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("after_outbox_id", sa.Integer(), nullable=False),
        sa.Column("last_outbox_id", sa.Integer(), nullable=False),
        sa.Column("launched_by", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=True),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("noun", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("notified_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["community_id"], ["community.id"]),
        sa.ForeignKeyConstraint(["launched_by"], ["member.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("fanout", schema=None) as batch_op:
        batch_op.create_index(
            "ix_fanout_open", ["id"], unique=False, sqlite_where=_OPEN, postgresql_where=_OPEN
        )
    op.create_table(
        "sweep_mark",
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("done_until", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )


def downgrade() -> None:
    op.drop_table("sweep_mark")
    with op.batch_alter_table("fanout", schema=None) as batch_op:
        batch_op.drop_index("ix_fanout_open")
    op.drop_table("fanout")
