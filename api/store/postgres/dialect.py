"""PostgreSQL's SQL for every statement of api.store.statements, its migrations, and how it binds times and ids.

A list parameter binds as an array (``= ANY($1::text[])``). Times are ``timestamptz`` and
event ids ``uuid``, bound as they are. Text columns are ``COLLATE "C"``: bytewise order, as
in SQLite.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from uuid import UUID

from api.projections.words import Term
from api.store.driver import Dialect
from api.store.standard_sql import COMPANY_ROWS_OF, EVENT_COLUMNS, STANDARD, SUBSCRIPTION, term_page
from api.store.statements import Q

__all__ = ["CHANNEL", "DIALECT", "MIGRATIONS", "SCHEMA_VERSION"]

SCHEMA_VERSION = 7

# After the first, each migration is idempotent, so a store whose recorded version is behind its tables (an
# operator rolled the version back by hand, or a test rebuilt an older schema) still opens.
MIGRATIONS = (
    # 1: the log, its per-company index, and the read models.
    """
    CREATE TABLE events (
        position BIGINT PRIMARY KEY,
        id UUID NOT NULL UNIQUE,
        type TEXT COLLATE "C" NOT NULL,
        recorded_at TIMESTAMPTZ NOT NULL,
        body BYTEA NOT NULL
    );
    CREATE INDEX events_by_type ON events (type, position);
    CREATE INDEX events_by_time ON events (recorded_at, position);
    CREATE FUNCTION tidings_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'the event log is append-only';
    END;
    $$;
    CREATE TRIGGER events_are_not_changed BEFORE UPDATE OR DELETE ON events
        FOR EACH ROW EXECUTE FUNCTION tidings_append_only();
    CREATE TRIGGER events_are_not_truncated BEFORE TRUNCATE ON events
        FOR EACH STATEMENT EXECUTE FUNCTION tidings_append_only();
    CREATE TABLE log_head (
        id SMALLINT PRIMARY KEY CHECK (id = 1),
        position BIGINT NOT NULL,
        recorded_at TIMESTAMPTZ
    );
    INSERT INTO log_head (id, position, recorded_at) VALUES (1, 0, NULL);
    CREATE TABLE touches (
        position BIGINT NOT NULL,
        ord INTEGER NOT NULL,
        company_id TEXT COLLATE "C" NOT NULL,
        PRIMARY KEY (position, ord),
        UNIQUE (company_id, position)
    );
    CREATE TABLE companies (
        company_id TEXT COLLATE "C" PRIMARY KEY,
        version BIGINT NOT NULL,
        last_position BIGINT NOT NULL
    );
    CREATE TABLE retractions (
        target BIGINT PRIMARY KEY,
        position BIGINT NOT NULL UNIQUE
    );
    CREATE TABLE read_rows (
        view TEXT COLLATE "C" NOT NULL,
        company_id TEXT COLLATE "C" NOT NULL,
        position BIGINT NOT NULL,
        key TEXT COLLATE "C" NOT NULL,
        sort TEXT COLLATE "C" NOT NULL,
        item BYTEA NOT NULL,
        retracted_at BIGINT,
        PRIMARY KEY (company_id, view, position, key)
    );
    CREATE INDEX read_rows_by_position ON read_rows (position);
    CREATE INDEX read_rows_by_view ON read_rows (view, company_id, position);
    CREATE TABLE checkpoints (name TEXT COLLATE "C" PRIMARY KEY, position BIGINT NOT NULL);
    """,
    # 2: the filter index of GET /events (api.store.log_index); its rows are written at start-up
    # from the log (checkpoint log_index/n), then in every append transaction.
    """
    CREATE TABLE IF NOT EXISTS log_terms (
        term TEXT COLLATE "C" NOT NULL,
        position BIGINT NOT NULL,
        PRIMARY KEY (term, position)
    );
    CREATE TABLE IF NOT EXISTS log_dated (
        position BIGINT PRIMARY KEY,
        first_day TEXT COLLATE "C" NOT NULL,
        last_day TEXT COLLATE "C" NOT NULL
    );
    """,
    # 3: a person's rows, and the people in id order (api.projections.people).
    """
    CREATE INDEX IF NOT EXISTS people ON read_rows (key, position) WHERE view IN ('person_role', 'person_meeting');
    """,
    # 4: full-text search (api.projections.search): a search row's words (weight A) and compound parts
    # (weight D), folded by Python and split on spaces by the 'simple' configuration, as a tsvector.
    """
    ALTER TABLE read_rows ADD COLUMN IF NOT EXISTS search_vector tsvector GENERATED ALWAYS AS (
        CASE WHEN view = 'search' THEN
            setweight(to_tsvector('simple', split_part(sort, E'\\n', 1)), 'A')
            || setweight(to_tsvector('simple', split_part(sort, E'\\n', 2)), 'D')
        END
    ) STORED;
    CREATE INDEX IF NOT EXISTS search ON read_rows USING gin (search_vector) WHERE view = 'search';
    """,
    # 5: each event's SHA-256 over its canonical form (api.store.hashing), written in the append
    # transaction; the events of a store made before get theirs at start-up. Append-only, as the log.
    """
    CREATE TABLE IF NOT EXISTS event_hashes (position BIGINT PRIMARY KEY, hash BYTEA NOT NULL);
    CREATE OR REPLACE TRIGGER event_hashes_are_not_changed BEFORE UPDATE OR DELETE ON event_hashes
        FOR EACH ROW EXECUTE FUNCTION tidings_append_only();
    CREATE OR REPLACE TRIGGER event_hashes_are_not_truncated BEFORE TRUNCATE ON event_hashes
        FOR EACH STATEMENT EXECUTE FUNCTION tidings_append_only();
    -- The Merkle tree over the event hashes (api.store.merkle): every complete subtree's hash, by node
    -- id (its index times 64 plus its level), written with the events; a store made before gets it at start-up.
    CREATE TABLE IF NOT EXISTS merkle_nodes (id BIGINT PRIMARY KEY, hash BYTEA NOT NULL);
    CREATE OR REPLACE TRIGGER merkle_nodes_are_not_changed BEFORE UPDATE OR DELETE ON merkle_nodes
        FOR EACH ROW EXECUTE FUNCTION tidings_append_only();
    CREATE OR REPLACE TRIGGER merkle_nodes_are_not_truncated BEFORE TRUNCATE ON merkle_nodes
        FOR EACH STATEMENT EXECUTE FUNCTION tidings_append_only();
    """,
    # 6: the signed heads the server issued (api.store.kept_heads), the first of each size and key;
    # append-only, as the log. A store made before gets the table empty.
    """
    CREATE TABLE IF NOT EXISTS kept_heads (
        tree_size BIGINT NOT NULL,
        key_id TEXT COLLATE "C" NOT NULL,
        root_hash BYTEA NOT NULL,
        recorded_at TIMESTAMPTZ,
        signature TEXT NOT NULL,
        issued_at TIMESTAMPTZ NOT NULL,
        PRIMARY KEY (tree_size, key_id)
    );
    CREATE OR REPLACE TRIGGER kept_heads_are_not_changed BEFORE UPDATE OR DELETE ON kept_heads
        FOR EACH ROW EXECUTE FUNCTION tidings_append_only();
    CREATE OR REPLACE TRIGGER kept_heads_are_not_truncated BEFORE TRUNCATE ON kept_heads
        FOR EACH STATEMENT EXECUTE FUNCTION tidings_append_only();
    """,
    # 7: durable subscriptions (api.store.subscribing). Each subscription's matching events are read from the
    # log into subscription_events a window at a time (``scanned``); an acknowledged event's row is deleted.
    # Times are milliseconds since the epoch, from the database clock.
    """
    CREATE TABLE IF NOT EXISTS subscriptions (
        name TEXT COLLATE "C" PRIMARY KEY,
        settings BYTEA NOT NULL,
        start_after BIGINT NOT NULL,
        scanned BIGINT NOT NULL,
        created_at BIGINT NOT NULL
    );
    CREATE TABLE IF NOT EXISTS subscription_events (
        subscription TEXT COLLATE "C" NOT NULL,
        position BIGINT NOT NULL,
        state TEXT COLLATE "C" NOT NULL CHECK (state IN ('pending', 'leased', 'parked')),
        deliveries INTEGER NOT NULL,
        due BIGINT NOT NULL,
        lease TEXT COLLATE "C",
        consumer TEXT COLLATE "C",
        reason TEXT,
        PRIMARY KEY (subscription, position)
    );
    CREATE INDEX IF NOT EXISTS subscription_events_by_state ON subscription_events (subscription, state, position);
    CREATE TABLE IF NOT EXISTS subscription_consumers (
        subscription TEXT COLLATE "C" NOT NULL,
        consumer TEXT COLLATE "C" NOT NULL,
        last_seen BIGINT NOT NULL,
        claims BIGINT NOT NULL,
        PRIMARY KEY (subscription, consumer)
    );
    """,
)

CHANNEL = """CASE WHEN octet_length('tidings.' || current_schema()) <= 63 THEN 'tidings.' || current_schema()
    ELSE 'tidings.' || left(encode(sha256(convert_to(current_schema(), 'UTF8')), 'hex'), 40) END"""
"""The NOTIFY channel of the store's schema, as SQL (api.store.postgres.driver.channel says it in Python)."""

_TERMS = {"terms": "p.term = ANY({list}::text[])", "flag": "{flag}::boolean"}
_LATEST_REGISTRATION = "SELECT DISTINCT ON (company_id) company_id, key, sort, item FROM read_rows"

_OWN: dict[Q, str | None] = {
    Q.INDEX_TEXT: None,  # the search column is generated with each row
    # Taking the log lock and reading the head is one statement (api.store.postgres.driver says why).
    Q.TAKE_HEAD: "SELECT position, recorded_at, clock_timestamp() FROM log_head WHERE id = 1 FOR UPDATE",
    Q.KNOWN: (
        "SELECT e.position, e.recorded_at, e.body, r.position, h.hash FROM events e "
        "LEFT JOIN retractions r ON r.target = e.position LEFT JOIN event_hashes h ON h.position = e.position WHERE e.id = ANY($1::uuid[])"
    ),
    Q.TOUCHED: "SELECT position, company_id FROM touches WHERE position = ANY($1::bigint[]) ORDER BY position, ord",
    Q.VERSIONS: "SELECT company_id, version FROM companies WHERE company_id = ANY($1::text[])",
    Q.INSERT_TOUCH: "INSERT INTO touches (position, ord, company_id) VALUES ($1, $2, $3)",
    # Moving the head and announcing it is one round trip; the notification leaves at COMMIT.
    Q.MOVE_HEAD: (
        "WITH head AS (UPDATE log_head SET position = $1, recorded_at = $2 WHERE id = 1 RETURNING position) "
        f"SELECT pg_notify({CHANNEL}, position::text) FROM head"
    ),
    Q.NODES: "SELECT id, hash FROM merkle_nodes WHERE id = ANY($1::bigint[])",
    # Claims, acks and nacks of one subscription wait for each other on its row, across instances.
    # The class is the migrations' lock class plus one (api.store.postgres.driver._MIGRATION_LOCK).
    Q.SUB_MAKING: "SELECT pg_advisory_xact_lock(1953064042, hashtext(current_schema()))",
    Q.SUB_LOCK: (
        f"SELECT {SUBSCRIPTION}, (extract(epoch FROM clock_timestamp()) * 1000)::bigint "
        "FROM subscriptions WHERE name = $1 FOR UPDATE"
    ),
    Q.EVENTS_AT: f"{EVENT_COLUMNS} WHERE e.position = ANY($1::bigint[])",
    Q.TERM_PAGE: term_page(**_TERMS, descending=False),
    Q.TERM_PAGE_DESC: term_page(**_TERMS, descending=True),
    Q.COMPANY_ROWS_OF_VIEWS: f"{COMPANY_ROWS_OF} AND view = ANY($3::text[]) ORDER BY position, view, key",
    Q.REGISTRATIONS: (
        "SELECT DISTINCT ON (company_id) company_id, item FROM read_rows WHERE view = 'registration' "
        "AND company_id = ANY($1::text[]) AND position <= $2 ORDER BY company_id, position DESC"
    ),
    Q.RENAMES: (
        "SELECT company_id, item FROM read_rows WHERE view = 'rename' AND company_id = ANY($1::text[]) "
        "AND position <= $2 AND (retracted_at IS NULL OR retracted_at > $2) ORDER BY position"
    ),
    Q.COMPANY_PAGE: f"""
        WITH latest AS (
            {_LATEST_REGISTRATION} WHERE view = 'registration' AND position <= $1
            ORDER BY company_id, position DESC
        )
        SELECT company_id, item FROM latest
        WHERE company_id > $2 AND ($3::text IS NULL OR key = $3) AND ($4::text IS NULL OR strpos(sort, $4) > 0)
        ORDER BY company_id
        LIMIT $5
    """,
    Q.COMPANY_COUNTS: (
        "SELECT company_id, count(*), max(position) FROM touches "
        "WHERE company_id = ANY($1::text[]) AND position <= $2 GROUP BY company_id"
    ),
    Q.TOUCHED_BETWEEN: "SELECT position, company_id FROM touches WHERE position BETWEEN $1 AND $2 ORDER BY position, ord",
    Q.TARGETS: "SELECT id, position FROM events WHERE id = ANY($1::uuid[])",
    Q.EVENTS_OF_TYPES: "SELECT position, body FROM events WHERE type = ANY($1::text[]) AND position <= $2 ORDER BY position",
    Q.DELETE_ROWS_OF_VIEWS: "DELETE FROM read_rows WHERE view = ANY($1::text[])",
    Q.ANALYZE_INDEX: "ANALYZE log_terms, log_dated",
    # PostgreSQL's ranked search and LIKE over the people index stay as they are (issue 17 measured SQLite).
    Q.SEARCH_TOP: None,
    Q.PERSON_PAGE_NAMED: None,
    Q.SEARCH: """
        WITH found AS (
            SELECT key, position, item, ts_rank(search_vector, query, 1)::float8 AS score
            FROM read_rows, CAST($1::text AS tsquery) AS query
            WHERE view = 'search' AND search_vector @@ query AND position <= $2
                AND (retracted_at IS NULL OR retracted_at > $2)
        ), best AS (
            SELECT key, position, item, score,
                row_number() OVER (PARTITION BY key ORDER BY score DESC, position DESC) AS nth
            FROM found
        )
        SELECT position, item, score FROM best WHERE nth = 1 ORDER BY score DESC, position DESC, key LIMIT $3 OFFSET $4
    """,
    Q.DAMAGE: (
        "SELECT 'integrity: the log head is at ' || h.position || ' but the last position is ' || e.last "
        "FROM log_head h, (SELECT coalesce(max(position), 0) AS last FROM events) e "
        "WHERE h.id = 1 AND h.position != e.last"
    ),
}

SQL: dict[Q, str | None] = {**STANDARD, **_OWN}


def search_query(terms: Sequence[Term]) -> str:
    """A tsquery: every term quoted (a quote or backslash doubled); whole words weigh A, a prefix ``:*``."""
    quoted = []
    for term in terms:
        lexeme = "'" + term.text.replace("\\", "\\\\").replace("'", "''") + "'"
        quoted.append(lexeme + (":*" if term.prefix else ":") + ("" if term.inner else "A"))
    return " & ".join(quoted)


def _instant(moment: datetime) -> datetime:
    """``moment`` in UTC; one that UTC cannot hold lies before or after every event."""
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        return (datetime.min if moment.year == 1 else datetime.max).replace(tzinfo=UTC)


def _same(value: datetime) -> datetime:
    return value


def _uuid(value: UUID) -> UUID:
    return value


DIALECT = Dialect(
    sql=SQL, time=_instant, read_time=_same, event_id=_uuid, read_event_id=_uuid, search_query=search_query
)
