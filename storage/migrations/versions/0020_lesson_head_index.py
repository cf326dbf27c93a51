"""lesson head index: SQLite ranks a search's best matches in the title, lesson and topics

Revision ID: 0020
Revises: 0019
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    from storage.search import install_search

    # SQLite: adds `lesson_head_fts` and its triggers and fills it from the lessons. Every
    # statement is idempotent, so on PostgreSQL (whose `search_head` came with 0019) this
    # changes nothing.
    install_search(op.get_bind())


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for suffix in ("ai", "ad", "au"):
            op.execute(f"DROP TRIGGER IF EXISTS lesson_head_fts_{suffix}")
        op.execute("DROP TABLE IF EXISTS lesson_head_fts")
