"""questions and stories: questions, their topics, offers to experts and answers; value stories

Revision ID: 0011
Revises: 0008
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types

revision: str = "0011"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "story",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("situation", sa.Text(), nullable=False),
        sa.Column("activity", sa.Text(), nullable=False),
        sa.Column("gained", sa.Text(), nullable=False),
        sa.Column("used", sa.Text(), nullable=False),
        sa.Column("result", sa.Text(), nullable=False),
        sa.Column("quantity", sa.Float(), nullable=True),
        sa.Column("unit", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("cycle", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("may_name", sa.Boolean(), nullable=False),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("featured_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("featured_by", sa.Integer(), nullable=True),
        sa.Column("deleted_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["member.id"],
        ),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["community.id"],
        ),
        sa.ForeignKeyConstraint(
            ["featured_by"],
            ["member.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("story", schema=None) as batch_op:
        batch_op.create_index("ix_story_author", ["author_id"], unique=False)
        batch_op.create_index(
            "ix_story_community_created", ["community_id", "created_at"], unique=False
        )
        batch_op.create_index("ix_story_featured", ["community_id", "featured_at"], unique=False)

    op.create_table(
        "question",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=True),
        sa.Column("asker_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("state", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("topic_list", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
        sa.Column("asked_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("first_answer_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("solved_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("expert_id", sa.Integer(), nullable=True),
        sa.Column("escalate_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("posted_to_channel_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("lesson_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["asker_id"],
            ["member.id"],
        ),
        sa.ForeignKeyConstraint(
            ["community_id"],
            ["community.id"],
        ),
        sa.ForeignKeyConstraint(
            ["expert_id"],
            ["member.id"],
        ),
        sa.ForeignKeyConstraint(
            ["lesson_id"],
            ["lesson.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("question", schema=None) as batch_op:
        batch_op.create_index("ix_question_asker", ["asker_id"], unique=False)
        batch_op.create_index(
            "ix_question_community_asked", ["community_id", "asked_at"], unique=False
        )
        batch_op.create_index("ix_question_escalate", ["escalate_at"], unique=False)
        batch_op.create_index(
            "ix_question_state", ["community_id", "state", "asked_at"], unique=False
        )

    op.create_table(
        "story_person",
        sa.Column("story_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["member.id"],
        ),
        sa.ForeignKeyConstraint(
            ["story_id"],
            ["story.id"],
        ),
        sa.PrimaryKeyConstraint("story_id", "member_id"),
    )
    with op.batch_alter_table("story_person", schema=None) as batch_op:
        batch_op.create_index("ix_story_person_member", ["member_id"], unique=False)

    op.create_table(
        "answer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("accepted", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["member.id"],
        ),
        sa.ForeignKeyConstraint(
            ["question_id"],
            ["question.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("answer", schema=None) as batch_op:
        batch_op.create_index("ix_answer_author", ["author_id"], unique=False)
        batch_op.create_index("ix_answer_question", ["question_id", "created_at"], unique=False)

    op.create_table(
        "question_offer",
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("expert_id", sa.Integer(), nullable=False),
        sa.Column("offered_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("declined_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["expert_id"],
            ["member.id"],
        ),
        sa.ForeignKeyConstraint(
            ["question_id"],
            ["question.id"],
        ),
        sa.PrimaryKeyConstraint("question_id", "expert_id"),
    )
    with op.batch_alter_table("question_offer", schema=None) as batch_op:
        batch_op.create_index("ix_question_offer_expert", ["expert_id"], unique=False)

    op.create_table(
        "question_topic",
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("topic", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["question_id"],
            ["question.id"],
        ),
        sa.PrimaryKeyConstraint("question_id", "topic"),
    )
    with op.batch_alter_table("question_topic", schema=None) as batch_op:
        batch_op.create_index("ix_question_topic_topic", ["topic", "question_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("question_topic", schema=None) as batch_op:
        batch_op.drop_index("ix_question_topic_topic")

    op.drop_table("question_topic")
    with op.batch_alter_table("question_offer", schema=None) as batch_op:
        batch_op.drop_index("ix_question_offer_expert")

    op.drop_table("question_offer")
    with op.batch_alter_table("answer", schema=None) as batch_op:
        batch_op.drop_index("ix_answer_question")
        batch_op.drop_index("ix_answer_author")

    op.drop_table("answer")
    with op.batch_alter_table("story_person", schema=None) as batch_op:
        batch_op.drop_index("ix_story_person_member")

    op.drop_table("story_person")
    with op.batch_alter_table("question", schema=None) as batch_op:
        batch_op.drop_index("ix_question_state")
        batch_op.drop_index("ix_question_escalate")
        batch_op.drop_index("ix_question_community_asked")
        batch_op.drop_index("ix_question_asker")

    op.drop_table("question")
    with op.batch_alter_table("story", schema=None) as batch_op:
        batch_op.drop_index("ix_story_featured")
        batch_op.drop_index("ix_story_community_created")
        batch_op.drop_index("ix_story_author")

    op.drop_table("story")
