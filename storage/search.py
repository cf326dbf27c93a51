"""Full-text search over lessons: SQLite FTS5 or PostgreSQL tsvector, behind one function.

Neither index is part of the models: `install_search` adds it after the tables exist (SQLite:
the `lesson_fts` and `lesson_head_fts` external-content tables and their triggers; PostgreSQL:
the stored generated columns `lesson.search_vector` and `search_head` and their GIN indexes).
Migrations call it too.

Language. On PostgreSQL a lesson is indexed and searched with its community's language
(`community.language`, one of LANGUAGES; unset or unknown: `simple`, no stemming and no stop
words): a trigger copies the text search configuration into `lesson.search_config` when a
lesson is written, `reindex_community` when the community's language changes, and the stored
vector follows that column. On SQLite every lesson uses FTS5's `porter` stemmer, which knows
English only: other languages still match on whole words (`unicode61`, accents folded), but
an inflected form ("Prüfungen" for "Prüfung") does not find the other.

User text never reaches MATCH or to_tsquery as syntax: it is split into plain words here and
each word is quoted (FTS5) or joined with the plain `or` keyword of `websearch_to_tsquery`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.sql import dialect_name

FTS_COLUMNS = (
    "title",
    "statement",
    "topic_list",
    "abstract",
    "context",
    "planned",
    "actual",
    "why",
    "sustain",
    "improve",
)
# The columns a lesson is first ranked by: its title, the lesson itself and its topics.
PRIMARY_COLUMNS = ("title", "statement", "topic_list")
# bm25 weights in FTS_COLUMNS order: a hit in the title counts most, then lesson and topics.
_BM25 = "bm25(lesson_fts, 10.0, 6.0, 6.0, 4.0, 2.0, 1.0, 1.0, 1.0, 1.0, 1.0)"
_BM25_HEAD = "bm25(lesson_head_fts, 10.0, 6.0, 6.0)"  # the same weights, PRIMARY_COLUMNS only
# Languages a community may search in: PostgreSQL's built-in snowball configurations (all
# present since PostgreSQL 12). Anything else, or none, is searched with `simple`.
LANGUAGES = (
    "arabic", "danish", "dutch", "english", "finnish", "french", "german", "greek",
    "hungarian", "indonesian", "irish", "italian", "lithuanian", "nepali", "norwegian",
    "portuguese", "romanian", "russian", "spanish", "swedish", "tamil", "turkish",
)  # fmt: skip
FALLBACK_LANGUAGE = "simple"
_PG_CONFIG = "search_config"  # the lesson's own configuration (a regconfig column)


def search_language(language: str | None) -> str:
    """The configuration a community's lessons use: its language when known, else simple."""
    return language if language in LANGUAGES else FALLBACK_LANGUAGE


def _pg_part(columns: tuple[str, ...]) -> str:
    joined = " || ' ' || ".join(f"coalesce({c}, '')" for c in columns)
    return f"to_tsvector({_PG_CONFIG}, {joined})"


# Title, lesson and topics: what the quick path ranks (PRIMARY_COLUMNS), a small vector.
PG_HEAD = (
    f"(setweight({_pg_part(('title',))}, 'A') || "
    f"setweight({_pg_part(('statement', 'topic_list'))}, 'B'))"
)
PG_DOCUMENT = (
    f"(setweight({_pg_part(('title',))}, 'A') || "
    f"setweight({_pg_part(('statement', 'topic_list', 'abstract'))}, 'B') || "
    f"setweight({_pg_part(FTS_COLUMNS[4:])}, 'C'))"
)
MAX_TERMS = 12
MAX_TERM_LENGTH = 40
# Words that carry no meaning for search, plus the operator words AND, OR and NOT. "near" is
# kept: every FTS5 term is quoted, so NEAR is a plain word there, and people search "near-miss".
_STOP_TEXT = (
    "a an and are as at be by for from how i in is it not of on or the to was we what "
    "when where which who why with"
)
STOP_WORDS = frozenset(_STOP_TEXT.split())
_WORD = re.compile(r"\w+", re.UNICODE)


def search_terms(query: str) -> list[str]:
    """The plain words of a query: lowercase, no operators or punctuation, at most 12."""
    terms: list[str] = []
    for word in _WORD.findall(query.lower()):
        word = word.strip("_")[:MAX_TERM_LENGTH]
        if word and word not in STOP_WORDS and word not in terms:
            terms.append(word)
        if len(terms) >= MAX_TERMS:
            break
    return terms


def fts5_query(terms: list[str], *, any_term: bool = False) -> str:
    """An FTS5 MATCH string where every term is a quoted string (no operator can slip in)."""
    quoted = ['"' + t.replace('"', '""') + '"' for t in terms]
    return (" OR " if any_term else " ").join(quoted)


def pg_query(terms: list[str], *, any_term: bool = False) -> str:
    """Text for websearch_to_tsquery: terms are \\w+ words, joined by `or` when any may match."""
    return (" or " if any_term else " ").join(terms)


def install_search(connection: Connection) -> None:
    """Create the full-text index for lessons (idempotent); call after the lesson table exists."""
    if connection.dialect.name == "sqlite":
        _install_sqlite(connection)
    elif connection.dialect.name == "postgresql":
        _install_postgresql(connection)


_KNOWN = ", ".join(f"'{name}'" for name in LANGUAGES)
_PG_STATEMENTS = (
    # A language name to its configuration; only built-in ones, so a look-alike in another
    # schema is never used.
    "CREATE OR REPLACE FUNCTION copbot_search_config(language text) RETURNS regconfig "
    "LANGUAGE sql STABLE AS $$ SELECT coalesce((SELECT c.oid::regconfig FROM "
    "pg_catalog.pg_ts_config c WHERE c.cfgname = language "
    f"AND c.cfgnamespace = 'pg_catalog'::regnamespace AND language IN ({_KNOWN})), "
    "'simple'::regconfig) $$",
    # The column the stored vector is computed from: generated columns may only read their
    # own row, so the community's language is copied here when a lesson is written (BEFORE
    # triggers run before generated columns are computed).
    "ALTER TABLE lesson ADD COLUMN IF NOT EXISTS search_config regconfig NOT NULL DEFAULT 'simple'",
    "CREATE OR REPLACE FUNCTION copbot_lesson_search_config() RETURNS trigger "
    "LANGUAGE plpgsql AS $$ BEGIN NEW.search_config := copbot_search_config("
    "(SELECT c.language FROM community c WHERE c.id = NEW.community_id)); RETURN NEW; END $$",
    "DROP TRIGGER IF EXISTS lesson_search_config ON lesson",
    "CREATE TRIGGER lesson_search_config BEFORE INSERT OR UPDATE OF community_id ON lesson "
    "FOR EACH ROW EXECUTE FUNCTION copbot_lesson_search_config()",
    # A stored column, not an expression index: ranking reads the vectors instead of
    # re-parsing every matching lesson's text.
    f"ALTER TABLE lesson ADD COLUMN IF NOT EXISTS search_vector tsvector "
    f"GENERATED ALWAYS AS ({PG_DOCUMENT}) STORED",
    "CREATE INDEX IF NOT EXISTS ix_lesson_search_vector ON lesson USING GIN (search_vector)",
    # Ranking a common word's every match reads thousands of long vectors; the quick path
    # ranks the matches of this small one instead (search_lessons).
    f"ALTER TABLE lesson ADD COLUMN IF NOT EXISTS search_head tsvector "
    f"GENERATED ALWAYS AS ({PG_HEAD}) STORED",
    "CREATE INDEX IF NOT EXISTS ix_lesson_search_head ON lesson USING GIN (search_head)",
)


def _install_postgresql(connection: Connection) -> None:
    columns = {
        (str(table), str(column))
        for table, column in connection.execute(
            text(
                "SELECT table_name, column_name FROM information_schema.columns "
                "WHERE table_schema = current_schema() AND table_name IN ('lesson', 'community') "
                "AND column_name IN ('search_config', 'language')"
            )
        )
    }
    upgrading = ("lesson", "search_config") not in columns
    if upgrading:
        # Before 0019 every lesson was indexed in English: rebuild the vector from the
        # configuration column (dropping the column drops its index too).
        connection.execute(text("ALTER TABLE lesson DROP COLUMN IF EXISTS search_vector"))
        connection.execute(text("ALTER TABLE lesson DROP COLUMN IF EXISTS search_head"))
    for statement in _PG_STATEMENTS:
        connection.execute(text(statement))
        if upgrading and ("community", "language") in columns and "CREATE TRIGGER" in statement:
            # Existing lessons take their community's language before the vector is built.
            connection.execute(text(_PG_REINDEX.format(where="TRUE")))


_PG_REINDEX = (
    "UPDATE lesson SET search_config = copbot_search_config(c.language) FROM community c "
    "WHERE c.id = lesson.community_id AND {where} "
    "AND lesson.search_config IS DISTINCT FROM copbot_search_config(c.language)"
)


async def reindex_community(session: AsyncSession, community_id: int) -> int:
    """After a community's language changed: index its lessons again (PostgreSQL; SQLite's
    index does not depend on the language). Returns how many lessons were re-indexed."""
    if dialect_name(session) != "postgresql":
        return 0
    await session.flush()
    result = await session.exec(
        text(_PG_REINDEX.format(where="lesson.community_id = :c")),  # type: ignore[call-overload]  # sqlmodel's exec() has no text() overload
        params={"c": community_id},
    )
    return int(result.rowcount or 0)


# SQLite: the whole lesson (`lesson_fts`), and its head alone (`lesson_head_fts`: title, lesson
# and topics), whose smaller index the quick path ranks, as PostgreSQL's `search_head`.
SQLITE_INDEXES = {"lesson_fts": FTS_COLUMNS, "lesson_head_fts": PRIMARY_COLUMNS}


def _install_sqlite(connection: Connection) -> None:
    for table, fts_columns in SQLITE_INDEXES.items():
        for statement in _sqlite_index(table, fts_columns):
            connection.exec_driver_sql(statement)


def _sqlite_index(table: str, fts_columns: tuple[str, ...]) -> list[str]:
    """An FTS5 index over `fts_columns` of lesson, kept up to date by triggers."""
    columns = ", ".join(fts_columns)
    new = ", ".join(f"new.{c}" for c in fts_columns)
    old = ", ".join(f"old.{c}" for c in fts_columns)
    delete_old = f"INSERT INTO {table}({table}, rowid, {columns}) VALUES ('delete', old.id, {old});"
    insert_new = f"INSERT INTO {table}(rowid, {columns}) VALUES (new.id, {new});"
    return [
        f"CREATE VIRTUAL TABLE IF NOT EXISTS {table} USING fts5({columns}, content='lesson', "
        "content_rowid='id', tokenize='porter unicode61 remove_diacritics 2')",
        f"CREATE TRIGGER IF NOT EXISTS {table}_ai AFTER INSERT ON lesson BEGIN {insert_new} END",
        f"CREATE TRIGGER IF NOT EXISTS {table}_ad AFTER DELETE ON lesson BEGIN {delete_old} END",
        f"CREATE TRIGGER IF NOT EXISTS {table}_au AFTER UPDATE OF {columns} ON lesson "
        f"BEGIN {delete_old} {insert_new} END",
        f"INSERT INTO {table}({table}) VALUES ('rebuild')",
    ]


def after_create(target: Any, connection: Connection, **_kw: Any) -> None:
    """Metadata hook: `create_all()` (tests, `copbot demo`) installs the search index too."""
    tables = _kw.get("tables")
    if tables is not None and not any(t.name == "lesson" for t in tables):
        return
    install_search(connection)


@dataclass(slots=True)
class SearchResult:
    total: int  # at most COUNT_CAP + 1: see more_than
    lessons: list[Any] = field(default_factory=list)  # Lesson rows, best first
    any_term: bool = False  # True when no lesson had every word and any word was used

    @property
    def more_than(self) -> int | None:
        """COUNT_CAP when there are more matches than that (the total stopped counting)."""
        return COUNT_CAP if self.total > COUNT_CAP else None


@dataclass(frozen=True, slots=True)
class Reader:
    """Who is reading, for lesson sensitivity (the rules live in bot.lessons.access)."""

    member_id: int
    # Community roles that read every lesson of their community (leaders).
    manager_roles: tuple[str, ...] = ()
    everything: bool = False  # a coordinator (CoE) reads every published lesson


_ROLE = re.compile(r"^[a-z_-]{1,24}$")


def readable_clause(reader: Reader | None, alias: str = "l") -> str:
    """SQL condition: lessons `reader` may see (published or their draft, by sensitivity).

    org: anyone; community: its members; restricted: the author, the community's leaders and
    SMEs of one of the lesson's topics there. Drafts: the author only (validators use
    `lessons pending`). No reader: published org lessons only. Only integers and role names
    checked against a pattern are written into the SQL; the membership and role look-ups are
    uncorrelated subqueries, so a search costs no extra round trip.
    """
    a = alias
    if reader is None:
        return f"({a}.status = 'published' AND {a}.sensitivity = 'org')"
    me = int(reader.member_id)
    if reader.everything:
        return f"({a}.author_id = {me} OR {a}.status = 'published')"
    mine = (
        f"{a}.community_id IN (SELECT m.community_id FROM membership m "
        f"WHERE m.member_id = {me} AND m.left_at IS NULL)"
    )
    roles = ", ".join(f"'{r}'" for r in reader.manager_roles if _ROLE.match(r)) or "NULL"
    led = (
        f"{a}.community_id IN (SELECT r.community_id FROM memberrole r "
        f"WHERE r.member_id = {me} AND r.role IN ({roles}))"
    )
    sme = (
        f"EXISTS (SELECT 1 FROM sme_designation s JOIN lesson_topic st ON st.topic = s.topic "
        f"WHERE st.lesson_id = {a}.id AND s.community_id = {a}.community_id "
        f"AND s.member_id = {me})"
    )
    return (
        f"({a}.author_id = {me} OR ({a}.status = 'published' AND ("
        f"{a}.sensitivity = 'org' "
        f"OR ({a}.sensitivity = 'community' AND ({mine} OR {led})) "
        f"OR ({a}.sensitivity = 'restricted' AND ({led} OR {sme})))))"
    )


def _filters(
    community_id: int | None, topic: str | None, reader: Reader | None
) -> tuple[str, dict[str, Any]]:
    clauses = ["l.deleted_at IS NULL", "l.status IN ('published', 'draft')"]
    params: dict[str, Any] = {}
    clauses.append(readable_clause(reader))
    if community_id is not None:
        clauses.append("l.community_id = :community")
        params["community"] = community_id
    if topic:
        clauses.append(
            "EXISTS (SELECT 1 FROM lesson_topic t WHERE t.lesson_id = l.id AND t.topic = :topic)"
        )
        params["topic"] = topic
    return " AND ".join(clauses), params


async def search_lessons(
    session: AsyncSession,
    query: str,
    *,
    community_id: int | None = None,
    topic: str | None = None,
    reader: Reader | int | None = None,
    limit: int = 10,
    offset: int = 0,
) -> SearchResult:
    """Lessons matching `query` (any text; it is tokenised here), most relevant first.

    Every word must match; when no lesson has them all, lessons with any of them are returned
    (`any_term`). An empty query lists the newest lessons. Published lessons the reader may
    see (`readable_clause`), plus their own drafts; a bare member id reads like a member
    with no leader role. Lessons matching in the title, lesson or topics come first, each
    group by relevance. The total stops counting past COUNT_CAP (`SearchResult.more_than`).
    """
    if isinstance(reader, int):
        reader = Reader(reader)
    where, params = _filters(community_id, topic, reader)
    params.update(limit=max(1, min(limit, 100)), offset=max(0, offset))
    terms = search_terms(query)
    if not terms:
        sql = (
            f"SELECT l.id FROM lesson l WHERE {where} "
            "ORDER BY l.created_at DESC, l.id DESC LIMIT :limit OFFSET :offset"
        )
        return await _fetch(session, sql, f"SELECT l.id FROM lesson l WHERE {where}", params)
    postgresql = dialect_name(session) == "postgresql"
    for any_term in (False, True):
        if any_term and len(terms) == 1:
            break
        if postgresql:
            params["q"] = pg_query(terms, any_term=any_term)
            configs = await _pg_configs(session, community_id)
            if not configs:
                return SearchResult(0)
            matches = f"SELECT l.id FROM lesson l WHERE {_pg_match(configs)} AND {where}"
            best = (
                "WITH m AS MATERIALIZED (SELECT l.id, "
                f"{_pg_rank(configs, 'search_head')} AS rank FROM lesson l "
                f"WHERE {_pg_match(configs, 'search_head')} "
                f"ORDER BY rank DESC, l.id DESC LIMIT {QUICK_WINDOW}) "
                f"SELECT l.id FROM m JOIN lesson l ON l.id = m.id WHERE {where} "
                "ORDER BY m.rank DESC, l.id DESC"
            )
            head = _pg_match(configs, "search_head")
            sql = (
                f"{matches} ORDER BY NOT {head}, CASE WHEN {head} THEN "
                f"{_pg_rank(configs, 'search_head')} ELSE {_pg_rank(configs, 'search_vector')} "
                "END DESC, l.id DESC LIMIT :limit OFFSET :offset"
            )
        else:
            params["q"] = fts5_query(terms, any_term=any_term)
            # A join, not `l.id IN (…)`: the count stops at COUNT_CAP matches instead of
            # collecting every match of a common word first (1.4 ms → 0.24 ms at 50,000).
            matches = (
                "SELECT l.id FROM lesson_fts JOIN lesson l ON l.id = lesson_fts.rowid "
                f"WHERE lesson_fts MATCH :q AND {where}"
            )
            best = (
                f"WITH m AS MATERIALIZED (SELECT rowid AS id, {_BM25_HEAD} AS rank "
                "FROM lesson_head_fts WHERE lesson_head_fts MATCH :q "
                f"ORDER BY rank LIMIT {QUICK_WINDOW}) "
                f"SELECT l.id FROM m JOIN lesson l ON l.id = m.id WHERE {where} "
                "ORDER BY m.rank, l.id DESC"
            )
            # Materialised first: bm25() only works in the query that runs MATCH. Lessons
            # matching in the title, lesson or topics come first, as on the quick path.
            sql = (
                f"WITH m AS MATERIALIZED (SELECT rowid AS id, {_BM25} AS rank FROM lesson_fts "
                "WHERE lesson_fts MATCH :q), "
                f"p AS MATERIALIZED (SELECT rowid AS id, {_BM25_HEAD} AS rank "
                "FROM lesson_head_fts WHERE lesson_head_fts MATCH :q) "
                "SELECT l.id FROM m JOIN lesson l ON l.id = m.id "
                f"LEFT JOIN p ON p.id = m.id WHERE {where} "
                "ORDER BY p.id IS NULL, coalesce(p.rank, m.rank), l.id DESC "
                "LIMIT :limit OFFSET :offset"
            )
        total = await _count(session, matches, params)
        if not total:
            continue  # no lesson has every word: try any word
        quick = await _quick(session, best, total, params, any_term=any_term)
        if quick is not None:
            return quick
        return await _fetch(session, sql, matches, params, any_term=any_term, total=total)
    return SearchResult(0)


async def _pg_configs(session: AsyncSession, community_id: int | None) -> list[str]:
    """The text search configurations lessons are indexed in: one per language the
    communities use (a handful), so each lesson is matched with its own stemmer."""
    only = " WHERE c.id = :community" if community_id is not None else ""
    sql = f"SELECT DISTINCT copbot_search_config(c.language)::text FROM community c{only}"
    rows = (await session.exec(text(sql), params={"community": community_id})).all()  # type: ignore[call-overload]  # sqlmodel's exec() has no text() overload
    known = {*LANGUAGES, FALLBACK_LANGUAGE}
    return sorted(str(r[0]) for r in rows if str(r[0]) in known)  # literals in the SQL below


def _pg_query(config: str) -> str:
    # A constant configuration: the planner sees the tsquery and picks the GIN index.
    return f"websearch_to_tsquery('{config}'::regconfig, :q)"


def _pg_match(configs: list[str], column: str = "search_vector") -> str:
    """Lessons of each configuration matched by the query in that configuration."""
    return (
        "("
        + " OR ".join(
            f"(l.search_config = '{c}'::regconfig AND l.{column} @@ {_pg_query(c)})"
            for c in configs
        )
        + ")"
    )


def _pg_rank(configs: list[str], column: str) -> str:
    if len(configs) == 1:
        return f"ts_rank(l.{column}, {_pg_query(configs[0])})"
    cases = " ".join(
        f"WHEN '{c}'::regconfig THEN ts_rank(l.{column}, {_pg_query(c)})" for c in configs
    )
    return f"(CASE l.search_config {cases} END)"


# The quick path ranks only the best matches in the main columns, then filters.
QUICK_WINDOW = 200
# Totals stop here: counting every match of a common word costs more than the page itself.
COUNT_CAP = 1000


async def _quick(
    session: AsyncSession, best: str, total: int, params: dict[str, Any], *, any_term: bool
) -> SearchResult | None:
    """Rank the best QUICK_WINDOW matches in the title, lesson and topics (FTS5's bm25, or
    ts_rank of the small `search_head` vector) and filter those.

    Ranking only those columns keeps a common word cheap (its matches in the long AAR texts
    are many). None when too few remain for the page asked for (a rare community or topic
    filter, a deep page, words found only in the AAR texts): the caller ranks every match.
    """
    wanted = params["offset"] + params["limit"]
    if wanted > QUICK_WINDOW // 2:
        return None
    ids = [int(r[0]) for r in (await session.exec(text(best), params=params)).all()]  # type: ignore[call-overload]  # sqlmodel's exec() has no text() overload
    if len(ids) < wanted and total > len(ids):
        return None
    page = ids[params["offset"] : wanted]
    return SearchResult(total, await _lessons_by_ids(session, page), any_term)


async def _count(session: AsyncSession, matches: str, params: dict[str, Any]) -> int:
    """How many rows `matches` selects, up to COUNT_CAP + 1 (then: "more than 1,000")."""
    sql = f"SELECT count(*) FROM ({matches} LIMIT {COUNT_CAP + 1}) AS found"
    return int((await session.exec(text(sql), params=params)).one()[0])  # type: ignore[call-overload]  # sqlmodel's exec() has no text() overload


async def _lessons_by_ids(session: AsyncSession, ids: list[int]) -> list[Any]:
    from storage.tables.lessons import Lesson

    if not ids:
        return []
    result = await session.exec(select(Lesson).where(col(Lesson.id).in_(ids)))
    by_id = {lesson.id: lesson for lesson in result.all()}
    return [by_id[i] for i in ids if i in by_id]


async def _fetch(
    session: AsyncSession,
    sql: str,
    matches: str,
    params: dict[str, Any],
    *,
    any_term: bool = False,
    total: int | None = None,
) -> SearchResult:
    """The page `sql` selects; `total` counts `matches` when not given."""
    if total is None:
        total = await _count(session, matches, params)
    if not total:
        return SearchResult(0, any_term=any_term)
    ids = [int(r[0]) for r in (await session.exec(text(sql), params=params)).all()]  # type: ignore[call-overload]  # sqlmodel's exec() has no text() overload
    return SearchResult(total, await _lessons_by_ids(session, ids), any_term)


async def naive_search(session: AsyncSession, query: str, *, limit: int = 10) -> list[int]:
    """Baseline for the benchmark: LIKE '%word%' on every text column, newest first."""
    from storage.sql import like_escape

    terms = search_terms(query)
    if not terms:
        return []
    clauses = []
    params: dict[str, Any] = {"limit": limit}
    for i, term in enumerate(terms):
        params[f"t{i}"] = f"%{like_escape(term)}%"
        clauses.append(
            "(" + " OR ".join(f"lower({c}) LIKE :t{i} ESCAPE '\\'" for c in FTS_COLUMNS) + ")"
        )
    sql = (
        "SELECT id FROM lesson WHERE status = 'published' AND deleted_at IS NULL AND "
        + " AND ".join(clauses)
        + " ORDER BY created_at DESC LIMIT :limit"
    )
    rows = (await session.exec(text(sql), params=params)).all()  # type: ignore[call-overload]  # sqlmodel's exec() has no text() overload
    return [int(r[0]) for r in rows]
