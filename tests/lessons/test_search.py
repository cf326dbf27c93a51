"""Lesson search: relevance, filters, paging and hostile query text (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import text

from storage import lessons as lesson_store
from storage.db import Database, alembic_config
from storage.search import fts5_query, search_lessons, search_terms
from storage.tables import Community, Member
from tests.helpers import Chat

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

HOSTILE = [
    '"',
    '""',
    "*",
    "kube*",
    "NEAR(kubernetes upgrade)",
    "AND OR NOT",
    "kubernetes AND",
    "-kubernetes",
    "^kubernetes",
    "(kubernetes",
    "kubernetes)",
    "title:kubernetes",
    "'; DROP TABLE lesson; --",
    "x" * 10_000,
    "kubernetes " * 1000,
    "🚀🔥 kubernetes 🙈",
    "\x00\x01 kubernetes",
    "{} [] <> \\ / ; : %_",
    "NOT",
    "a the of",
]


async def seed(database: Database) -> dict[str, int]:
    async with database.session() as session:
        author = Member(display_name="Ada", created_at=NOW, last_seen_at=NOW)
        session.add(author)
        await session.flush()
        # English communities: stemming ("upgrading" finds "upgrades") is English here.
        data_eng = Community(
            slug="data-eng", name="Data Engineering", created_at=NOW, language="english"
        )
        safety = Community(slug="safety", name="Safety", created_at=NOW, language="english")
        session.add_all([data_eng, safety])
        await session.flush()
        assert author.id and data_eng.id and safety.id
        made: dict[str, int] = {}
        specs = [
            (
                "upgrade",
                data_eng.id,
                "Kubernetes upgrades need a canary node pool",
                "When upgrading kubernetes, drain a canary pool first.",
                ["kubernetes"],
            ),
            (
                "mention",
                data_eng.id,
                "Cost reports by team",
                "Tag every resource; kubernetes namespaces map to teams.",
                ["finops"],
            ),
            (
                "safety",
                safety.id,
                "Permit audits on Mondays",
                "Audit permits to work at the start of the week.",
                ["permit-to-work"],
            ),
            (
                "draft",
                data_eng.id,
                "Draft about kubernetes secrets",
                "Rotate kubernetes secrets quarterly.",
                ["kubernetes"],
            ),
        ]
        for key, community_id, title, statement, topics in specs:
            lesson = await lesson_store.create_lesson(
                session,
                community_id=community_id,
                author_id=author.id,
                topics=topics,
                now=NOW,
                title=title,
                statement=statement,
            )
            if key != "draft":
                await lesson_store.publish(session, lesson, by=author.id, now=NOW)
            assert lesson.id
            made[key] = lesson.id
        made["author"] = author.id
        made["c_data"] = data_eng.id
        made["c_safety"] = safety.id
        return made


def test_terms_are_plain_words() -> None:
    # NEAR is a plain word once quoted (fts5_query below); AND/OR/NOT carry no meaning.
    assert search_terms('NEAR("a" kube*) AND -x ^y') == ["near", "kube", "x", "y"]
    assert fts5_query(["kube", 'x"y']) == '"kube" "x""y"'
    assert search_terms("a the of") == []
    assert len(search_terms(" ".join(f"w{i}" for i in range(50)))) == 12


async def test_title_hits_rank_before_body_hits(database: Database) -> None:
    made = await seed(database)
    async with database.session() as session:
        found = await search_lessons(session, "kubernetes", limit=10)
    assert [lesson.id for lesson in found.lessons] == [made["upgrade"], made["mention"]]
    assert found.total == 2


async def test_stemming_and_all_words_then_any_word(database: Database) -> None:
    made = await seed(database)
    async with database.session() as session:
        stemmed = await search_lessons(session, "upgrading canaries")
        assert [lesson.id for lesson in stemmed.lessons] == [made["upgrade"]]
        assert not stemmed.any_term
        partial = await search_lessons(session, "kubernetes permits")
        assert partial.any_term and partial.total == 3


async def test_filters_and_drafts(database: Database) -> None:
    made = await seed(database)
    async with database.session() as session:
        in_safety = await search_lessons(session, "", community_id=made["c_safety"])
        assert [lesson.id for lesson in in_safety.lessons] == [made["safety"]]
        on_topic = await search_lessons(session, "kubernetes", topic="finops")
        assert [lesson.id for lesson in on_topic.lessons] == [made["mention"]]
        own = await search_lessons(session, "secrets", reader=made["author"])
        assert [lesson.id for lesson in own.lessons] == [made["draft"]]
        assert (await search_lessons(session, "secrets")).total == 0
        assert (await search_lessons(session, "secrets", reader=999)).total == 0


async def test_paging(database: Database) -> None:
    await seed(database)
    async with database.session() as session:
        first = await search_lessons(session, "kubernetes", limit=1, offset=0)
        second = await search_lessons(session, "kubernetes", limit=1, offset=1)
        third = await search_lessons(session, "kubernetes", limit=1, offset=2)
    assert first.total == second.total == 2
    assert first.lessons[0].id != second.lessons[0].id
    assert third.lessons == []


async def test_edits_and_deletes_reach_the_index(database: Database) -> None:
    made = await seed(database)
    async with database.session() as session:
        lesson = await lesson_store.get_lesson(session, made["safety"])
        assert lesson is not None
        await lesson_store.update_lesson(
            session, lesson, topics=["audits"], now=NOW, title="Scaffold checks"
        )
    async with database.session() as session:
        assert (await search_lessons(session, "scaffold")).total == 1
        assert (await search_lessons(session, "permit")).total == 1  # still in the statement
        assert (await search_lessons(session, "audits")).total == 1
        lesson = await lesson_store.get_lesson(session, made["safety"])
        assert lesson is not None
        await lesson_store.soft_delete(session, lesson, NOW)
    async with database.session() as session:
        assert (await search_lessons(session, "scaffold")).total == 0


@pytest.mark.parametrize("query", HOSTILE)
async def test_hostile_text_never_breaks_search(database: Database, query: str) -> None:
    await seed(database)
    async with database.session() as session:
        found = await search_lessons(session, query)
    assert found.total >= 0
    if "kubernetes" in query.lower() and "-" not in query[:1]:
        assert found.total >= 1, query


@pytest.mark.parametrize("query", HOSTILE[:14] + HOSTILE[15:])
async def test_hostile_text_through_the_bot(chat: Chat, community: str, query: str) -> None:
    replies = await chat(
        "lesson Kubernetes upgrades | Upgrade Kubernetes one node pool at a time #k8s", as_="lead"
    )
    number = int(replies[0].text.split("Saved lesson ")[1].split(" ")[0])
    await chat(f"lesson publish {number}", as_="lead")
    replies = await chat(f"lessons {query}", as_="ada")
    text = "\n".join(r.text for r in replies)
    assert replies and "something went wrong" not in text
    if "kubernetes" in query.lower() and not query.startswith("-"):
        assert "*Kubernetes upgrades*" in text, query  # results, not just no error
    else:
        assert "lesson" in text.lower() or "words to search" in text


async def test_search_command_pages_with_next_buttons(chat: Chat, community: str) -> None:
    for n in range(7):
        replies = await chat(
            f"lesson Queue lesson {n} | When queues back up, scale consumers #queues",
            as_="lead",
        )
        number = int(replies[0].text.split("Saved lesson ")[1].split(" ")[0])
        await chat(f"lesson publish {number}", as_="lead")
    first = (await chat("lessons queues", as_="ada"))[0]
    assert "Page 1 of 2 (7 in all)" in (first.context or "")
    more = first.choices[-1]
    assert more.command == "lessons queues page 2"
    second = (await chat.click(more, as_="ada"))[0]
    assert "Page 2 of 2" in (second.context or "") and second.text.startswith("6.")
    by_topic = await chat.text("lessons #queue", as_="ada")
    assert "7 in all" in by_topic
    none = await chat.text("lessons zebra", as_="ada")
    assert "No lessons match `zebra`" in none


async def test_filters_find_matches_beyond_the_best_ranked(database: Database) -> None:
    """The quick path ranks the best 200 matches; a narrow filter still finds the rest."""
    from storage.experts import bulk_insert
    from storage.search import QUICK_WINDOW
    from storage.tables.lessons import Lesson

    made = await seed(database)
    rows = [
        {
            "community_id": made["c_data"],
            "author_id": made["author"],
            "title": f"Kubernetes kubernetes note {n}",
            "statement": "kubernetes kubernetes",
            "status": "published",
            "created_at": NOW,
            "updated_at": NOW,
        }
        for n in range(QUICK_WINDOW + 10)
    ]
    rows.append(
        {
            **rows[0],
            "community_id": made["c_safety"],
            "title": "Ladder checks",
            "statement": "Inspect ladders before use; the site kubernetes dashboard is not "
            "where ladder defects are logged, the paper register is.",
        }
    )
    async with database.session() as session:
        await bulk_insert(session, Lesson, rows)
    async with database.session() as session:
        everywhere = await search_lessons(session, "kubernetes", limit=5)
        assert everywhere.total == QUICK_WINDOW + 13
        narrow = await search_lessons(session, "kubernetes", community_id=made["c_safety"])
        assert narrow.total == 1 and narrow.lessons[0].title == "Ladder checks"
        deep = await search_lessons(session, "kubernetes", limit=5, offset=205)
        assert len(deep.lessons) == 5 and deep.total == QUICK_WINDOW + 13
        mention = await search_lessons(session, "kubernetes namespaces")
        assert [lesson.id for lesson in mention.lessons] == [made["mention"]]


async def test_totals_stop_counting_past_the_cap(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A common word's every match is not counted: past COUNT_CAP it says "more than"."""
    from storage import search

    made = await seed(database)
    monkeypatch.setattr(search, "COUNT_CAP", 2)
    async with database.session() as session:
        found = await search_lessons(session, "kubernetes", reader=made["author"], limit=1)
        assert found.total == 3 and found.more_than == 2  # 3 lessons: 2 published, 1 draft
        listed = await search_lessons(session, "", limit=1)
        assert listed.more_than == 2
        exact = await search_lessons(session, "canary")
        assert exact.total == 1 and exact.more_than is None


async def test_the_reply_says_more_than(
    chat: Chat, community: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from storage import search

    monkeypatch.setattr(search, "COUNT_CAP", 2)
    for n in range(4):
        replies = await chat(f"lesson Queue lesson {n} | Scale consumers #queues", as_="lead")
        number = int(replies[0].text.split("Saved lesson ")[1].split(" ")[0])
        await chat(f"lesson publish {number}", as_="lead")
    first = (await chat("lessons queues", as_="ada"))[0]
    assert "Page 1 (more than 2 in all)" in (first.context or "")
    assert first.choices[-1].command == "lessons queues page 2"
    second = (await chat("page 2", as_="ada"))[0]  # a bare `page 2` turns it too
    assert "No more lessons for `queues`" in second.text


async def test_top_lessons_of_a_topic_beyond_the_window(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The most reused lessons are read first; unreadable ones there do not hide the rest."""
    made = await seed(database)
    monkeypatch.setattr(lesson_store, "TOP_WINDOW", 1)
    async with database.session() as session:
        draft = await lesson_store.get_lesson(session, made["draft"])
        assert draft is not None
        await lesson_store.publish(session, draft, by=made["author"], now=NOW)
        draft.sensitivity = "restricted"  # the newest: first in the window, unreadable
        session.add(draft)
    async with database.session() as session:
        top = await lesson_store.top_lessons_for_topic(session, "kubernetes", reader=None)
    assert [lesson.id for lesson, _n in top] == [made["upgrade"]]


async def test_sqlite_ranks_from_a_head_index_kept_by_migration_and_triggers(
    tmp_path: Path,
) -> None:
    """SQLite's quick path ranks `lesson_head_fts` (title, lesson, topics). Migration 0020
    builds it from the lessons already there; triggers keep it up to date on every edit."""
    db = Database(f"sqlite+aiosqlite:///{tmp_path}/head.db")
    try:
        await db.upgrade()
        made = await seed(db)

        async def head_hits(word: str) -> list[int]:
            async with db.engine.connect() as conn:
                rows = await conn.execute(
                    text("SELECT rowid FROM lesson_head_fts WHERE lesson_head_fts MATCH :w"),
                    {"w": word},
                )
                return sorted(int(r[0]) for r in rows)

        async with db.engine.begin() as conn:  # as a deployment still at 0019 had it
            await conn.run_sync(lambda c: command.downgrade(alembic_config(c), "0019"))
            names = await conn.execute(text("SELECT name FROM sqlite_master"))
            assert "lesson_head_fts" not in {str(n) for (n,) in names}
        await db.upgrade()
        assert await head_hits("canary") == [made["upgrade"]]
        assert await head_hits("kubernetes") == sorted(
            [made["upgrade"], made["mention"], made["draft"]]
        )
        async with db.session() as session:
            lesson = await lesson_store.get_lesson(session, made["upgrade"])
            assert lesson is not None
            await lesson_store.update_lesson(
                session, lesson, topics=["kubernetes"], now=NOW, title="Node pools"
            )
        assert await head_hits("pools") == [made["upgrade"]]
        assert await head_hits("canary") == [made["upgrade"]]  # still in the statement
        async with db.session() as session:
            lesson = await lesson_store.get_lesson(session, made["upgrade"])
            assert lesson is not None
            await lesson_store.update_lesson(
                session, lesson, topics=["kubernetes"], now=NOW, statement="Drain first."
            )
        assert await head_hits("canary") == []
        async with db.session() as session:
            found = await search_lessons(session, "pools")
        assert [lesson.id for lesson in found.lessons] == [made["upgrade"]]
    finally:
        await db.dispose()
