"""search language: a community's language for lesson search, and search at scale

Revision ID: 0019
Revises: 0018
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The search index as it was before (PostgreSQL): every lesson in English.
_ENGLISH_VECTOR = """
ALTER TABLE lesson ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('english'::regconfig, coalesce(title, '')), 'A')
    || setweight(to_tsvector('english'::regconfig, coalesce(statement, '') || ' ' ||
        coalesce(topic_list, '') || ' ' || coalesce(abstract, '')), 'B')
    || setweight(to_tsvector('english'::regconfig, coalesce(context, '') || ' ' ||
        coalesce(planned, '') || ' ' || coalesce(actual, '') || ' ' || coalesce(why, '') ||
        ' ' || coalesce(sustain, '') || ' ' || coalesce(improve, '')), 'C')) STORED
"""


def upgrade() -> None:
    with op.batch_alter_table("community", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("language", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True)
        )
    # Lessons were searched in English until now: existing communities keep that. New
    # communities search with `simple` until a leader sets their language.
    op.execute("UPDATE community SET language = 'english'")
    from storage.search import install_search

    # PostgreSQL: rebuilds the vectors from each lesson's community language.
    install_search(op.get_bind())


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS lesson_search_config ON lesson")
        op.execute("DROP FUNCTION IF EXISTS copbot_lesson_search_config()")
        op.execute("ALTER TABLE lesson DROP COLUMN IF EXISTS search_vector")
        op.execute("ALTER TABLE lesson DROP COLUMN IF EXISTS search_head")
        op.execute("ALTER TABLE lesson DROP COLUMN IF EXISTS search_config")
        op.execute("DROP FUNCTION IF EXISTS copbot_search_config(text)")
        op.execute(_ENGLISH_VECTOR)
        op.execute("CREATE INDEX ix_lesson_search_vector ON lesson USING GIN (search_vector)")
    with op.batch_alter_table("community", schema=None) as batch_op:
        batch_op.drop_column("language")
