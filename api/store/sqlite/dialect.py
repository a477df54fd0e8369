"""SQLite's SQL for every statement of api.store.statements, its schema, and how it binds times and ids.

Times are stored as fixed-width UTC text (text order is time order), event ids as 16-byte
BLOBs. A list parameter is written ``({many})`` and expanded into one placeholder per item.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import Any
from uuid import UUID

from api.projections.words import Term
from api.store.driver import Dialect
from api.store.standard_sql import COMPANY_ROWS_OF, EVENT_COLUMNS, STANDARD, SUBSCRIPTION, numbered, term_page
from api.store.statements import Q
from schema.codec import format_time, parse_time

__all__ = [
    "DIALECT",
    "MOST_VARIABLES",
    "SCHEMA",
    "SCHEMA_VERSION",
    "TEXT_CLEARED",
    "TEXT_FILLED",
    "TEXT_TRIGGERS",
    "expanded",
    "marks",
    "sql",
]

MOST_VARIABLES = 30_000
"""Below SQLite's limit of 32,766 bound parameters a statement."""

SCHEMA_VERSION = 7

SCHEMA = """
CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS events (
    position INTEGER PRIMARY KEY,
    id BLOB NOT NULL UNIQUE,
    type TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    body BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS events_by_type ON events (type, position);
CREATE INDEX IF NOT EXISTS events_by_time ON events (recorded_at, position);
CREATE TRIGGER IF NOT EXISTS events_are_not_updated BEFORE UPDATE ON events
    BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS events_are_not_deleted BEFORE DELETE ON events
    BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END;
-- A rowid table: rowid order is the order each event named its companies.
CREATE TABLE IF NOT EXISTS touches (
    company_id TEXT NOT NULL,
    position INTEGER NOT NULL,
    PRIMARY KEY (company_id, position)
);
CREATE INDEX IF NOT EXISTS touches_by_position ON touches (position);
CREATE TABLE IF NOT EXISTS companies (
    company_id TEXT PRIMARY KEY,
    version INTEGER NOT NULL,
    last_position INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS retractions (
    target INTEGER PRIMARY KEY,
    position INTEGER NOT NULL UNIQUE
);
-- Rows go to the end of the table in position order; only the small index entries land at random
-- places (by company). A clustered WITHOUT ROWID table put each ~500-byte item at a random leaf and
-- wrote several times the data per commit (stores made before keep that layout; both work).
CREATE TABLE IF NOT EXISTS read_rows (
    view TEXT NOT NULL,
    company_id TEXT NOT NULL,
    position INTEGER NOT NULL,
    key TEXT NOT NULL,
    sort TEXT NOT NULL,
    item BLOB NOT NULL,
    retracted_at INTEGER
);
CREATE UNIQUE INDEX IF NOT EXISTS read_rows_key ON read_rows (company_id, view, position, key);
CREATE INDEX IF NOT EXISTS read_rows_by_position ON read_rows (position);
-- Registrations are the only rows looked up by view across companies (the company list, shown names).
DROP INDEX IF EXISTS read_rows_by_view;
CREATE INDEX IF NOT EXISTS registrations ON read_rows (company_id, position) WHERE view = 'registration';
CREATE TABLE IF NOT EXISTS checkpoints (name TEXT PRIMARY KEY, position INTEGER NOT NULL);
-- A person's rows, and the people in id order (api.projections.people).
CREATE INDEX IF NOT EXISTS people ON read_rows (key, position) WHERE view IN ('person_role', 'person_meeting');
-- The filter index of GET /events (api.store.log_index): the events of one term in position order.
-- A store made before it gets the tables here and their rows at start-up (checkpoint log_index/n).
CREATE TABLE IF NOT EXISTS log_terms (
    term TEXT NOT NULL,
    position INTEGER NOT NULL,
    PRIMARY KEY (term, position)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS log_dated (
    position INTEGER PRIMARY KEY,
    first_day TEXT NOT NULL,
    last_day TEXT NOT NULL
);
UPDATE schema_version SET version = 2 WHERE version < 2;
-- Each event's SHA-256 over its canonical form (api.store.hashing), written in the append transaction;
-- a store made before it gets the table here and the hashes of its events at start-up. Append-only too.
CREATE TABLE IF NOT EXISTS event_hashes (position INTEGER PRIMARY KEY, hash BLOB NOT NULL);
CREATE TRIGGER IF NOT EXISTS event_hashes_are_not_updated BEFORE UPDATE ON event_hashes
    BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS event_hashes_are_not_deleted BEFORE DELETE ON event_hashes
    BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END;
-- The Merkle tree over the event hashes (api.store.merkle): every complete subtree's hash, by node id
-- (its index times 64 plus its level), written with the events; a store made before gets it at start-up.
CREATE TABLE IF NOT EXISTS merkle_nodes (id INTEGER PRIMARY KEY, hash BLOB NOT NULL);
CREATE TRIGGER IF NOT EXISTS merkle_nodes_are_not_updated BEFORE UPDATE ON merkle_nodes
    BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS merkle_nodes_are_not_deleted BEFORE DELETE ON merkle_nodes
    BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END;
-- Full-text search (api.projections.search): the search rows' words and compound parts, indexed by
-- Q.INDEX_TEXT after each write of rows and unindexed by the trigger below as rows are deleted (an update
-- only marks a row retracted). Contentless: the text
-- stays in read_rows. A document's rowid is its position times 4 plus its kind (event 0, company 1, person 2), so a
-- read point is a rowid range and the row is found again through read_rows_by_position.
CREATE VIRTUAL TABLE IF NOT EXISTS search_text USING fts5(
    words, parts, content = '', tokenize = 'unicode61 remove_diacritics 2'
);
CREATE TRIGGER IF NOT EXISTS search_rows_unindexed AFTER DELETE ON read_rows WHEN old.view = 'search' BEGIN
    INSERT INTO search_text (search_text, rowid, words, parts) VALUES (
        'delete',
        old.position * 4 + (CASE WHEN old.key LIKE 'company:%' THEN 1 WHEN old.key LIKE 'person:%' THEN 2 ELSE 0 END),
        substr(old.sort, 1, instr(old.sort, char(10)) - 1),
        substr(old.sort, instr(old.sort, char(10)) + 1)
    );
END;
-- GET /people?q= (schema version 3): every (person id, name) the people rows give (a role's lower-cased name,
-- '' for a meeting), kept by the triggers below as those rows come and go, and their trigram index: a
-- substring of 3 or more characters is an index lookup, not a LIKE over every person's rows. A candidate
-- list only: the page still tests each candidate's rows at the read point (PERSON_PAGE_NAMED). People
-- rows go only a view at a time (catch-up, rebuild), so a person's names go with their first row deleted.
CREATE TABLE IF NOT EXISTS person_names (
    person_id TEXT NOT NULL,
    name TEXT NOT NULL,
    UNIQUE (person_id, name)
);
CREATE VIRTUAL TABLE IF NOT EXISTS person_names_text USING fts5(
    person_id, name, content = 'person_names', content_rowid = 'rowid', tokenize = 'trigram'
);
CREATE TRIGGER IF NOT EXISTS person_rows_named AFTER INSERT ON read_rows
    WHEN new.view IN ('person_role', 'person_meeting') BEGIN
    INSERT OR IGNORE INTO person_names (person_id, name) VALUES (new.key, new.sort);
END;
CREATE TRIGGER IF NOT EXISTS person_rows_unnamed AFTER DELETE ON read_rows
    WHEN old.view IN ('person_role', 'person_meeting') BEGIN
    DELETE FROM person_names WHERE person_id = old.key;
END;
CREATE TRIGGER IF NOT EXISTS person_names_indexed AFTER INSERT ON person_names BEGIN
    INSERT INTO person_names_text (rowid, person_id, name) VALUES (new.rowid, new.person_id, new.name);
END;
CREATE TRIGGER IF NOT EXISTS person_names_unindexed AFTER DELETE ON person_names BEGIN
    INSERT INTO person_names_text (person_names_text, rowid, person_id, name)
        VALUES ('delete', old.rowid, old.person_id, old.name);
END;
-- A store made before version 3 names its people once, from the rows it holds.
INSERT OR IGNORE INTO person_names (person_id, name)
    SELECT key, sort FROM read_rows
    WHERE view IN ('person_role', 'person_meeting') AND (SELECT max(version) FROM schema_version) < 3;
UPDATE schema_version SET version = 3 WHERE version < 3;
-- Version 4: event_hashes and merkle_nodes (above), filled at start-up for a store made before.
UPDATE schema_version SET version = 4 WHERE version < 4;
-- Version 5: the signed heads the server issued (api.store.kept_heads), the first of each size and key;
-- append-only too. A store made before gets the table empty.
CREATE TABLE IF NOT EXISTS kept_heads (
    tree_size INTEGER NOT NULL,
    key_id TEXT NOT NULL,
    root_hash BLOB NOT NULL,
    recorded_at TEXT,
    signature TEXT NOT NULL,
    issued_at TEXT NOT NULL,
    PRIMARY KEY (tree_size, key_id)
) WITHOUT ROWID;
CREATE TRIGGER IF NOT EXISTS kept_heads_are_not_updated BEFORE UPDATE ON kept_heads
    BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS kept_heads_are_not_deleted BEFORE DELETE ON kept_heads
    BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END;
UPDATE schema_version SET version = 5 WHERE version < 5;
-- Version 6: durable subscriptions (api.store.subscribing). Each subscription's matching events are read from
-- the log into subscription_events a window at a time (``scanned``); an acknowledged event's row is deleted.
-- Times are milliseconds since the epoch.
CREATE TABLE IF NOT EXISTS subscriptions (
    name TEXT PRIMARY KEY,
    settings BLOB NOT NULL,
    start_after INTEGER NOT NULL,
    scanned INTEGER NOT NULL,
    created_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS subscription_events (
    subscription TEXT NOT NULL,
    position INTEGER NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('pending', 'leased', 'parked')),
    deliveries INTEGER NOT NULL,
    due INTEGER NOT NULL,
    lease TEXT,
    consumer TEXT,
    reason TEXT,
    PRIMARY KEY (subscription, position)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS subscription_events_by_state ON subscription_events (subscription, state, position);
CREATE TABLE IF NOT EXISTS subscription_consumers (
    subscription TEXT NOT NULL,
    consumer TEXT NOT NULL,
    last_seen INTEGER NOT NULL,
    claims INTEGER NOT NULL,
    PRIMARY KEY (subscription, consumer)
) WITHOUT ROWID;
UPDATE schema_version SET version = 6 WHERE version < 6;
-- Version 7: a search row's text is indexed by the statement that writes a group's rows (Q.INDEX_TEXT), all
-- of a group's at once, no longer by a trigger row by row (FTS5 flushed its terms at every row the
-- trigger wrote). Stores made before lose the trigger at their first start.
DROP TRIGGER IF EXISTS search_rows_indexed;
UPDATE schema_version SET version = 7 WHERE version < 7;
"""

_SEARCH_TEXT_OF = """
INSERT INTO search_text (rowid, words, parts)
SELECT doc, words, parts FROM (
    SELECT position * 4 + (CASE WHEN key LIKE 'company:%' THEN 1 WHEN key LIKE 'person:%' THEN 2 ELSE 0 END) AS doc,
        substr(sort, 1, instr(sort, char(10)) - 1) AS words,
        substr(sort, instr(sort, char(10)) + 1) AS parts
    FROM read_rows WHERE position BETWEEN ?1 AND ?2 AND view = 'search'
)
WHERE NOT EXISTS (SELECT 1 FROM search_text_docsize WHERE id = doc)
ORDER BY doc
"""
"""Q.INDEX_TEXT: the full text of the search rows of a span of positions, in rowid order (FTS5 adds
documents cheapest so). One statement for a group's rows costs half to a third of what a trigger cost
that indexed each row as it was written: FTS5 wrote out its pending terms at every statement the trigger
ran. A document already indexed is left alone: FTS5 would take the same rowid twice without a word (and
count it twice), as when a release before schema version 7 made the trigger again on a shared file."""

_EVERY_BYTE = "X'" + "".join(f"{byte:02X}" for byte in range(256)) + "'"
_AVERAGES_BYTE = f"instr({_EVERY_BYTE}, substr((SELECT block FROM search_text_data WHERE id = 1), n + 1, 1)) - 1"
_SEARCH_DOCUMENTS = f"""
WITH RECURSIVE varint(n, value, more) AS (
    SELECT 0, 0, 1
    UNION ALL
    SELECT n + 1, (value << 7) | (({_AVERAGES_BYTE}) & 127), ({_AVERAGES_BYTE}) >= 128 FROM varint WHERE more AND n < 8
)
SELECT value FROM varint WHERE NOT more
"""
"""How many documents FTS5 counts in the search text: the first varint (seven bits a byte, high bit set
on all but the last) of its averages record, ``search_text_data`` id 1. A byte's value is where it stands
in a blob of every byte in order (SQLite before 3.41 has no unhex()). FTS5 takes a rowid it holds
again without a word and counts that document twice while its ``_docsize`` keeps one row: only this
count shows text indexed twice. The record is empty in a new table and after 'delete-all': that gives
no row. Counts past 2^56 are not decoded."""

TEXT_TRIGGERS = (
    "search_rows_unindexed",
    "person_rows_named",
    "person_rows_unnamed",
    "person_names_indexed",
    "person_names_unindexed",
)
"""The triggers that keep the full-text tables in step with read_rows row by row (SCHEMA): as search rows are
deleted, and as person rows come and go. A whole rebuild drops them, empties those tables (TEXT_CLEARED), and
fills the people's names once every row is written (TEXT_FILLED); the search text is filled as after any
write of rows (Q.INDEX_TEXT)."""

TEXT_CLEARED = (
    "INSERT INTO search_text (search_text) VALUES ('delete-all')",
    "DELETE FROM person_names",
    "INSERT INTO person_names_text (person_names_text) VALUES ('delete-all')",
)

TEXT_FILLED = (
    # Position order, as the trigger named them: a person's rowid is never shown, only the names compared.
    "INSERT OR IGNORE INTO person_names (person_id, name) SELECT key, sort FROM read_rows "
    "WHERE view IN ('person_role', 'person_meeting') ORDER BY position",
    "INSERT INTO person_names_text (person_names_text) VALUES ('rebuild')",
)

# A list parameter is ``({many})``, expanded into one ``?`` an item: the statement's other
# parameters are plain ``?`` too, bound in the order they appear.
_TERMS = {"terms": "p.term IN ({{many}})", "flag": "?"}


def _positional(sql: str) -> str:
    return re.sub(r"\$\d+", "?", sql)


_OWN: dict[Q, str | None] = {
    Q.INDEX_TEXT: _SEARCH_TEXT_OF,
    Q.SUB_MAKING: "SELECT 1",  # one writer: the makers of subscriptions take turns already
    Q.TAKE_HEAD: "SELECT position, recorded_at, NULL FROM events ORDER BY position DESC LIMIT 1",
    Q.KNOWN: (
        "SELECT e.position, e.recorded_at, e.body, r.position, h.hash FROM events e "
        "LEFT JOIN retractions r ON r.target = e.position LEFT JOIN event_hashes h ON h.position = e.position WHERE e.id IN ({many})"
    ),
    Q.TOUCHED: "SELECT position, company_id FROM touches WHERE position IN ({many}) ORDER BY rowid",
    Q.VERSIONS: "SELECT company_id, version FROM companies WHERE company_id IN ({many})",
    Q.INSERT_TOUCH: "INSERT INTO touches (position, company_id) VALUES (?1, ?3)",  # rowid keeps the order (?2)
    Q.MOVE_HEAD: None,  # the events table is the head; BEGIN IMMEDIATE is the lock
    Q.SUB_LOCK: f"SELECT {SUBSCRIPTION}, NULL FROM subscriptions WHERE name = ?1",  # BEGIN IMMEDIATE locked it
    Q.ANALYZE_INDEX: None,  # the filter index's plans are index searches by rule, with or without statistics
    Q.NODES: "SELECT id, hash FROM merkle_nodes WHERE id IN ({many})",
    Q.EVENTS_AT: f"{EVENT_COLUMNS} WHERE e.position IN ({{many}})",
    Q.TERM_PAGE: _positional(term_page(**_TERMS, descending=False)),
    Q.TERM_PAGE_DESC: _positional(term_page(**_TERMS, descending=True)),
    Q.COMPANY_ROWS_OF_VIEWS: numbered(COMPANY_ROWS_OF) + " AND view IN ({many}) ORDER BY position, view, key",
    # A bare column beside max() is taken from the row holding the maximum (SQLite only).
    Q.REGISTRATIONS: (
        "SELECT company_id, item, max(position) FROM read_rows WHERE view = 'registration' "
        "AND company_id IN ({many}) AND position <= ? GROUP BY company_id"
    ),
    # The read's position is one placeholder after the list, used twice through the join.
    Q.RENAMES: (
        "SELECT r.company_id, r.item FROM (SELECT company_id, item, position, retracted_at FROM read_rows "
        "WHERE view = 'rename' AND company_id IN ({many})) r JOIN (SELECT ? AS at) a "
        "ON r.position <= a.at AND (r.retracted_at IS NULL OR r.retracted_at > a.at) ORDER BY r.position"
    ),
    Q.COMPANY_PAGE: """
        WITH latest AS (
            SELECT company_id, key, sort, item, max(position) AS position
            FROM read_rows WHERE view = 'registration' AND position <= ?1
            GROUP BY company_id
        )
        SELECT company_id, item FROM latest
        WHERE company_id > ?2 AND (?3 IS NULL OR key = ?3) AND (?4 IS NULL OR instr(sort, ?4) > 0)
        ORDER BY company_id
        LIMIT ?5
    """,
    Q.COMPANY_COUNTS: (
        "SELECT company_id, count(*), max(position) FROM touches "
        "WHERE company_id IN ({many}) AND position <= ? GROUP BY company_id"
    ),
    Q.TOUCHED_BETWEEN: "SELECT position, company_id FROM touches WHERE position BETWEEN ? AND ? ORDER BY rowid",
    Q.TARGETS: "SELECT id, position FROM events WHERE id IN ({many})",
    Q.EVENTS_OF_TYPES: "SELECT position, body FROM events WHERE type IN ({many}) AND position <= ? ORDER BY position",
    Q.DELETE_ROWS_OF_VIEWS: "DELETE FROM read_rows WHERE view IN ({many})",
    Q.DAMAGE: (
        # The search rows are counted once, for both of the search index's counts.
        "WITH search_counts AS MATERIALIZED (SELECT (SELECT count(*) FROM search_text_docsize) AS indexed, "
        f"({_SEARCH_DOCUMENTS}) AS counted, (SELECT count(*) FROM read_rows WHERE view = 'search') AS stored) "
        "SELECT 'integrity: ' || integrity_check FROM pragma_integrity_check WHERE integrity_check != 'ok' "
        "UNION ALL SELECT 'integrity: the search index holds ' || indexed || ' documents but there are ' "
        "|| stored || ' search rows' FROM search_counts WHERE indexed != stored "
        "UNION ALL SELECT 'integrity: the search index counts ' || counted || ' documents but there are ' "
        "|| stored || ' search rows' FROM search_counts WHERE counted != stored "
        "UNION ALL SELECT 'integrity: the name index holds ' || named || ' names but the people rows give ' "
        "|| given FROM (SELECT (SELECT count(*) FROM person_names) AS named, (SELECT count(*) FROM "
        "(SELECT DISTINCT key, sort FROM read_rows WHERE view IN ('person_role', 'person_meeting'))) AS given) "
        "WHERE named != given"
    ),
    # bm25() is lower for a better match; the answer's score is its negation (higher first).
    Q.SEARCH: """
        WITH hits AS (
            SELECT rowid AS doc, bm25(search_text, 1.0, 0.2) AS rank FROM search_text
            WHERE search_text MATCH ?1 AND rowid < (?2 + 1) * 4
        ), found AS (
            SELECT r.key, r.position, r.item, -h.rank AS score,
                row_number() OVER (PARTITION BY r.key ORDER BY h.rank, r.position DESC) AS nth
            FROM hits h JOIN read_rows r ON r.position = h.doc >> 2 AND r.view = 'search'
                AND (CASE WHEN r.key LIKE 'company:%' THEN 1 WHEN r.key LIKE 'person:%' THEN 2 ELSE 0 END) = h.doc & 3
            WHERE r.retracted_at IS NULL OR r.retracted_at > ?2
        )
        SELECT position, item, score FROM found WHERE nth = 1 ORDER BY score DESC, position DESC, key LIMIT ?3 OFFSET ?4
    """,
    # SEARCH over the best ?3 documents only, in the order the page sorts (rank, then position newest first):
    # a sort that keeps ?3 + 1 rows, not every match's (a common word matches 100,000 documents at 1,000,000
    # events). Each answer row says whether every match was ranked, and whether the cut fell between two
    # documents of one position and rank, which the page orders by key (then the full SEARCH decides).
    Q.SEARCH_TOP: """
        WITH top AS MATERIALIZED (
            SELECT rowid AS doc, bm25(search_text, 1.0, 0.2) AS rank FROM search_text
            WHERE search_text MATCH ?1 AND rowid < (?2 + 1) * 4
            ORDER BY rank, doc DESC LIMIT ?3 + 1
        ), numbered AS MATERIALIZED (
            SELECT doc, rank, row_number() OVER (ORDER BY rank, doc DESC) AS n FROM top
        ), found AS (
            SELECT r.key, r.position, r.item, -h.rank AS score,
                row_number() OVER (PARTITION BY r.key ORDER BY h.rank, r.position DESC) AS nth
            FROM numbered h JOIN read_rows r ON r.position = h.doc >> 2 AND r.view = 'search'
                AND (CASE WHEN r.key LIKE 'company:%' THEN 1 WHEN r.key LIKE 'person:%' THEN 2 ELSE 0 END) = h.doc & 3
            WHERE h.n <= ?3 AND (r.retracted_at IS NULL OR r.retracted_at > ?2)
        )
        SELECT position, item, score, (SELECT count(*) FROM top) <= ?3,
            coalesce((SELECT a.rank = b.rank AND a.doc >> 2 = b.doc >> 2 FROM numbered a JOIN numbered b
                ON a.n = ?3 AND b.n = ?3 + 1), 0)
        FROM found WHERE nth = 1 ORDER BY score DESC, position DESC, key LIMIT ?4 OFFSET ?5
    """,
    # The people whose names hold the text, by the trigram index; each candidate's rows still decide at the
    # read point, word for word as PERSON_PAGE does (the index folds case more widely than LIKE).
    Q.PERSON_PAGE_NAMED: """
        SELECT n.person_id FROM person_names_text JOIN person_names n ON n.rowid = person_names_text.rowid
        WHERE person_names_text MATCH ?3 AND n.person_id > ?1 AND EXISTS (
            SELECT 1 FROM read_rows r WHERE r.key = n.person_id AND r.view IN ('person_role', 'person_meeting')
                AND r.position <= ?2 AND (r.retracted_at IS NULL OR r.retracted_at > ?2)
                AND (r.key LIKE ?4 ESCAPE '!' OR r.sort LIKE ?4 ESCAPE '!')
        )
        GROUP BY n.person_id ORDER BY n.person_id LIMIT ?5
    """,
}

SQL: dict[Q, str | None] = {**{q: numbered(text) for q, text in STANDARD.items()}, **_OWN}


def search_query(terms: Sequence[Term]) -> str:
    """An FTS5 query: every term quoted (a quote doubled), whole words in ``words``, a prefix ``*``."""
    quoted = []
    for term in terms:
        phrase = '"' + term.text.replace('"', '""') + '"' + ("*" if term.prefix else "")
        quoted.append(phrase if term.inner else f"words : {phrase}")
    return " AND ".join(quoted)


TRIGRAM = 3
"""The trigram index finds a text of this many characters or more; a shorter one matches no trigram."""


def name_query(text: str) -> str | None:
    """The trigram index's query for ids and names holding ``text``: one quoted phrase, whose trigrams must
    follow one another (a substring); None for a text too short to have a trigram."""
    return '"' + text.replace('"', '""') + '"' if len(text) >= TRIGRAM else None


DIALECT = Dialect(
    sql=SQL,
    time=format_time,
    read_time=parse_time,
    event_id=lambda event_id: event_id.bytes,
    read_event_id=lambda value: UUID(bytes=bytes(value)),
    search_query=search_query,
    name_query=name_query,
)


def sql(statement: Q) -> str:
    text = DIALECT.sql[statement]
    if text is None:
        raise LookupError(f"SQLite has no statement {statement}")
    return text


def expanded(statement: Q, params: Sequence[Any]) -> Iterator[tuple[str, Sequence[Any]]]:
    """The statement's SQL and flat parameters; a list parameter too long for one statement is cut
    into parts and the statement run once per part (every list statement answers per item)."""
    text = sql(statement)
    lists = [i for i, p in enumerate(params) if isinstance(p, list)]
    if not lists:
        yield text, params
        return
    index = lists[0]
    values: list[Any] = params[index]
    parts = [values[i : i + MOST_VARIABLES] for i in range(0, len(values), MOST_VARIABLES)] or [[]]
    assert len(lists) == 1 or len(values) <= MOST_VARIABLES, "only one list parameter may be long"
    for part in parts:
        flat: list[Any] = []
        placeholders: list[str] = []
        for i, param in enumerate(params):
            if isinstance(param, list):
                item = part if i == index else param
                placeholders.append(marks(len(item)))
                flat.extend(item)
            else:
                flat.append(param)
        yield text.format_map({"many": _Marks(placeholders)}), flat


class _Marks:
    """Hands out each list parameter's placeholders in turn, one ``{many}`` after the other."""

    def __init__(self, marks: list[str]) -> None:
        self._marks = iter(marks)

    def __format__(self, spec: str) -> str:
        return next(self._marks)


def marks(count: int) -> str:
    return ", ".join("?" * count)
