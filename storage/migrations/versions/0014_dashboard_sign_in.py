"""dashboard sign-in: spent sign-in links and browser sessions

Revision ID: 0014
Revises: 0013
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "web_sign_in",
        sa.Column("nonce", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("used_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["member_id"], ["member.id"]),
        sa.PrimaryKeyConstraint("nonce"),
    )
    op.create_index(op.f("ix_web_sign_in_member_id"), "web_sign_in", ["member_id"])
    op.create_index(op.f("ix_web_sign_in_expires_at"), "web_sign_in", ["expires_at"])
    op.create_table(
        "web_session",
        sa.Column("token_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["member_id"], ["member.id"]),
        sa.PrimaryKeyConstraint("token_hash"),
    )
    op.create_index(op.f("ix_web_session_member_id"), "web_session", ["member_id"])
    op.create_index(op.f("ix_web_session_expires_at"), "web_session", ["expires_at"])


def downgrade() -> None:
    op.drop_index(op.f("ix_web_session_expires_at"), table_name="web_session")
    op.drop_index(op.f("ix_web_session_member_id"), table_name="web_session")
    op.drop_table("web_session")
    op.drop_index(op.f("ix_web_sign_in_expires_at"), table_name="web_sign_in")
    op.drop_index(op.f("ix_web_sign_in_member_id"), table_name="web_sign_in")
    op.drop_table("web_sign_in")
