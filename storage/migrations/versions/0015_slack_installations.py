"""slack installations: Slack OAuth installs (many workspaces, Grid orgs) and OAuth states

Revision ID: 0015
Revises: 0014
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

from storage.types import UTCDateTime

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "slack_installation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("enterprise_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.Column("team_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.Column("is_enterprise_install", sa.Boolean(), nullable=False),
        sa.Column("user_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("bot_token", sqlmodel.sql.sqltypes.AutoString(length=256), nullable=True),
        sa.Column("user_token", sqlmodel.sql.sqltypes.AutoString(length=256), nullable=True),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("installed_at", UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_slack_installation_lookup",
        "slack_installation",
        ["client_id", "enterprise_id", "team_id", "installed_at"],
        unique=False,
    )
    op.create_table(
        "slack_oauth_state",
        sa.Column("state", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("expires_at", UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("state"),
    )
    op.create_index(
        op.f("ix_slack_oauth_state_expires_at"), "slack_oauth_state", ["expires_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_slack_oauth_state_expires_at"), table_name="slack_oauth_state")
    op.drop_table("slack_oauth_state")
    op.drop_index("ix_slack_installation_lookup", table_name="slack_installation")
    op.drop_table("slack_installation")
