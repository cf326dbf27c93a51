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


def downgrade() -> None:
    op.drop_table("last_offer")
