"""The statements both databases run with the same text, written once with ``$n`` placeholders.

A dialect takes these and adds the statements whose text differs (list parameters, the log's
head, the company page, ...); SQLite reads ``$n`` as ``?n``. See api.store.statements for each
statement's parameters and columns.
"""

from __future__ import annotations

import re

from api.store.statements import Q

__all__ = ["COMPANY_ROWS_OF", "EVENT_COLUMNS", "STANDARD", "SUBSCRIPTION", "TERM_PROBES", "numbered", "term_page"]

_EVENT_COLUMNS = (
    "SELECT e.position, e.recorded_at, e.body, h.hash FROM events e LEFT JOIN event_hashes h ON h.position = e.position"
)
_LOG_SPAN = f"{_EVENT_COLUMNS} WHERE e.position > $1 AND e.position < $2 ORDER BY e.position"
_TERM_RANGE = "SELECT position FROM log_terms WHERE term = $1 AND position > $2 AND position < $3"
_YEARS = "FROM log_terms WHERE term >= 'year:' AND term < 'year;' ORDER BY term"

TERM_PROBES = 5
"""Lists of terms a TERM_PAGE looks up beside the term it walks: one per other filter."""


def term_page(*, terms: str, flag: str, descending: bool) -> str:
    """TERM_PAGE's text: ``terms`` is how the dialect tests a term against a list parameter (``{list}``
    stands for it), ``flag`` how it reads a boolean parameter (``{flag}``); written with ``$n``."""
    probes = []
    n = 4
    for _ in range(TERM_PROBES):
        probes.append(
            f"AND ({flag.format(flag=f'${n}')} OR EXISTS (SELECT 1 FROM log_terms p "
            f"WHERE {terms.format(list=f'${n + 1}')} AND p.position = d.position))"
        )
        n += 2
    dated = (
        f"AND ({flag.format(flag=f'${n}')} OR EXISTS (SELECT 1 FROM log_dated x "
        f"WHERE x.position = d.position AND x.last_day >= ${n + 1} AND x.first_day <= ${n + 2}))"
    )
    order = " DESC" if descending else ""
    return (
        "SELECT d.position FROM log_terms d WHERE d.term = $1 AND d.position > $2 AND d.position < $3 "
        f"{' '.join(probes)} {dated} ORDER BY d.position{order} LIMIT ${n + 3}"
    )


_VALID_AT = "position <= $2 AND (retracted_at IS NULL OR retracted_at > $2)"
_ROW_COLUMNS = "SELECT company_id, view, position, key, sort, item, retracted_at FROM read_rows"
_COMPANY_ROWS = f"SELECT view, position, key, sort, item FROM read_rows WHERE company_id = $1 AND {_VALID_AT}"

_SUBSCRIPTION = "settings, start_after, scanned, created_at"
"""A subscription's columns, as SUB_GET answers them."""

_PEOPLE = "view IN ('person_role', 'person_meeting')"
"""Word for word the predicate of the ``people`` partial index, so that both databases use it."""

STANDARD: dict[Q, str] = {
    Q.INSERT_EVENT: "INSERT INTO events (position, id, type, recorded_at, body) VALUES ($1, $2, $3, $4, $5)",
    Q.INSERT_HASH: "INSERT INTO event_hashes (position, hash) VALUES ($1, $2)",
    Q.UPSERT_COMPANY: (
        "INSERT INTO companies (company_id, version, last_position) VALUES ($1, $2, $3) "
        "ON CONFLICT (company_id) DO UPDATE SET version = excluded.version, last_position = excluded.last_position"
    ),
    Q.INSERT_ROW: "INSERT INTO read_rows (view, company_id, position, key, sort, item) VALUES ($1, $2, $3, $4, $5, $6)",
    Q.INSERT_RETRACTION: "INSERT INTO retractions (target, position) VALUES ($1, $2)",
    Q.MARK_RETRACTED: "UPDATE read_rows SET retracted_at = $1 WHERE position = $2 AND retracted_at IS NULL",
    Q.SET_CHECKPOINT: (
        "INSERT INTO checkpoints (name, position) VALUES ($1, $2) "
        "ON CONFLICT (name) DO UPDATE SET position = excluded.position"
    ),
    Q.LAST_POSITION: "SELECT coalesce(max(position), 0) FROM events",  # one index seek on both
    Q.LOG_SPAN: f"{_LOG_SPAN} LIMIT $3",
    Q.LOG_SPAN_DESC: f"{_LOG_SPAN} DESC LIMIT $3",
    Q.INSERT_TERM: "INSERT INTO log_terms (term, position) VALUES ($1, $2)",
    Q.INSERT_DATED: "INSERT INTO log_dated (position, first_day, last_day) VALUES ($1, $2, $3)",
    Q.TERM_COUNT: f"SELECT count(*), max(position) FROM ({_TERM_RANGE} ORDER BY position LIMIT $4) AS found",
    Q.TERM_COUNT_DESC: f"SELECT count(*), min(position) FROM ({_TERM_RANGE} ORDER BY position DESC LIMIT $4) AS found",
    Q.DATED_EXTENT: f"SELECT (SELECT term {_YEARS} LIMIT 1), (SELECT term {_YEARS} DESC LIMIT 1)",
    Q.DELETE_TERMS: "DELETE FROM log_terms",
    Q.DELETE_DATED: "DELETE FROM log_dated",
    Q.EVENT: f"{_EVENT_COLUMNS} WHERE e.id = $1",
    Q.RETRACTIONS_BETWEEN: (
        "SELECT r.target, e.position, e.recorded_at, e.body FROM retractions r "
        "JOIN events e ON e.position = r.position WHERE r.target BETWEEN $1 AND $2"
    ),
    Q.COMPANY_VERSION: "SELECT version FROM companies WHERE company_id = $1",
    Q.POSITION_AT: "SELECT coalesce(max(position), 0) FROM events WHERE recorded_at <= $1",
    Q.RECORDED_AT: "SELECT recorded_at FROM events WHERE position = $1",
    # Company by company in id order, each a seek of its rows of the view: grouping the rows of every
    # company after the cursor before the LIMIT read the whole table (2 s a view at 1,000,000 events).
    Q.CONTESTED_COMPANIES: (
        "SELECT c.company_id FROM companies c WHERE c.company_id > $1 AND c.company_id <= $5 "
        "AND EXISTS (SELECT 1 FROM read_rows r "
        "WHERE r.company_id = c.company_id AND r.view = $3 AND r.position <= $2 "
        "AND (r.retracted_at IS NULL OR r.retracted_at > $2) GROUP BY r.key, r.sort HAVING count(*) > 1) "
        "ORDER BY c.company_id LIMIT $4"
    ),
    Q.COMPANY_AT: "SELECT count(*), coalesce(max(position), 0) FROM touches WHERE company_id = $1 AND position <= $2",
    Q.COMPANY_ROWS: f"{_COMPANY_ROWS} ORDER BY position, view, key",
    Q.PERSON_ROWS: (
        f"SELECT view, company_id, position, item FROM read_rows WHERE key = $1 AND {_PEOPLE} AND {_VALID_AT} "
        "ORDER BY position, company_id, view"
    ),
    Q.PERSON_EVIDENCE: (
        "SELECT DISTINCT e.key, e.position, e.item FROM read_rows p JOIN read_rows e "
        "ON e.company_id = p.company_id AND e.view = 'evidence' AND e.key = CAST(p.position AS TEXT) "
        f"WHERE p.key = $1 AND p.{_PEOPLE} AND p.position <= $2 AND (p.retracted_at IS NULL OR p.retracted_at > $2) "
        "AND e.position <= $2 AND (e.retracted_at IS NULL OR e.retracted_at > $2) ORDER BY e.position"
    ),
    Q.PERSON_PAGE: (
        f"SELECT key FROM read_rows WHERE {_PEOPLE} AND key > $1 AND {_VALID_AT} "
        "AND (CAST($3 AS TEXT) IS NULL OR company_id = $3) "
        "AND (CAST($4 AS TEXT) IS NULL OR key LIKE $4 ESCAPE '!' OR sort LIKE $4 ESCAPE '!') "
        "GROUP BY key ORDER BY key LIMIT $5"
    ),
    Q.PERSON_PAGE_AT_COMPANY: (
        f"SELECT key FROM read_rows WHERE company_id = $3 AND {_PEOPLE} AND key > $1 AND {_VALID_AT} "
        "AND (CAST($4 AS TEXT) IS NULL OR key LIKE $4 ESCAPE '!' OR sort LIKE $4 ESCAPE '!') "
        "GROUP BY key ORDER BY key LIMIT $5"
    ),
    # Validity from the retractions, not from each row's retracted_at: the rows' index holds every column
    # asked, so no row of the table is read (233 -> 50 µs for a hundred facts; MARK_RETRACTED keeps both alike).
    Q.TIMELINE_COUNTS: (
        "SELECT key, count(*) FROM read_rows r WHERE company_id = $1 AND view = 'timeline' AND position <= $2 "
        "AND NOT EXISTS (SELECT 1 FROM retractions x WHERE x.target = r.position AND x.position <= $2) "
        "GROUP BY key ORDER BY key"
    ),
    Q.EVENTS_BETWEEN: "SELECT position, recorded_at, body FROM events WHERE position BETWEEN $1 AND $2 ORDER BY position",
    Q.DELETE_ROWS: "DELETE FROM read_rows",
    Q.CHECKPOINTS: "SELECT name, position FROM checkpoints ORDER BY name",
    Q.DELETE_CHECKPOINT: "DELETE FROM checkpoints WHERE name = $1",
    Q.LOG_EXTENT: "SELECT count(*), coalesce(max(position), 0) FROM events",
    Q.VERSION_FAULTS: (
        "SELECT c.company_id, c.version, (SELECT count(*) FROM touches t WHERE t.company_id = c.company_id) "
        "FROM companies c WHERE c.version != (SELECT count(*) FROM touches t WHERE t.company_id = c.company_id) "
        "ORDER BY c.company_id"
    ),
    Q.ROWS_BETWEEN: f"{_ROW_COLUMNS} WHERE position > $1 AND position <= $2",
    Q.HASHES_BETWEEN: f"{_EVENT_COLUMNS} WHERE e.position BETWEEN $1 AND $2 ORDER BY e.position",
    Q.UNHASHED: (
        "SELECT e.position, e.recorded_at, e.body FROM events e WHERE e.position > $1 "
        "AND NOT EXISTS (SELECT 1 FROM event_hashes h WHERE h.position = e.position) ORDER BY e.position LIMIT $2"
    ),
    Q.INSERT_NODE: "INSERT INTO merkle_nodes (id, hash) VALUES ($1, $2)",
    Q.TREE_SIZE: "SELECT max(id) FROM merkle_nodes",
    Q.EVENT_HASHES: "SELECT position, hash FROM event_hashes WHERE position BETWEEN $1 AND $2 ORDER BY position",
    Q.KEEP_HEAD: (
        "INSERT INTO kept_heads (tree_size, key_id, root_hash, recorded_at, signature, issued_at) "
        "VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (tree_size, key_id) DO NOTHING"
    ),
    Q.KEPT_HEADS: (
        "SELECT tree_size, key_id, root_hash, recorded_at, signature, issued_at FROM kept_heads "
        "ORDER BY tree_size, issued_at, key_id"
    ),
    Q.ROWS_OUTSIDE: f"{_ROW_COLUMNS} WHERE position > $1 OR position <= 0",
    # -- subscriptions (api.store.subscribing) -------------------------------------------------
    Q.SUB_GET: f"SELECT {_SUBSCRIPTION} FROM subscriptions WHERE name = $1",
    Q.SUB_LIST: f"SELECT name, {_SUBSCRIPTION} FROM subscriptions ORDER BY name",
    Q.SUB_COUNT: "SELECT count(*) FROM subscriptions",
    Q.SUB_CREATE: (
        "INSERT INTO subscriptions (name, settings, start_after, scanned, created_at) VALUES ($1, $2, $3, $3, $4) "
        "ON CONFLICT (name) DO NOTHING RETURNING name"
    ),
    Q.SUB_SET_SETTINGS: "UPDATE subscriptions SET settings = $2 WHERE name = $1",
    Q.SUB_SET_SCANNED: "UPDATE subscriptions SET scanned = $2 WHERE name = $1",
    Q.SUB_DELETE: "DELETE FROM subscriptions WHERE name = $1",
    Q.SUB_DELETE_EVENTS: "DELETE FROM subscription_events WHERE subscription = $1",
    Q.SUB_DELETE_CONSUMERS: "DELETE FROM subscription_consumers WHERE subscription = $1",
    Q.SUB_ADD_EVENT: (
        "INSERT INTO subscription_events (subscription, position, state, deliveries, due) VALUES ($1, $2, 'pending', 0, 0)"
    ),
    Q.SUB_EXPIRE_PARK: (
        "UPDATE subscription_events SET state = 'parked', lease = NULL, due = $2, reason = $4 "
        "WHERE subscription = $1 AND state = 'leased' AND due <= $2 AND deliveries >= $3"
    ),
    Q.SUB_EXPIRE_RETRY: (
        "UPDATE subscription_events SET state = 'pending', lease = NULL, due = 0 "
        "WHERE subscription = $1 AND state = 'leased' AND due <= $2"
    ),
    Q.SUB_LEASES: (
        "SELECT count(DISTINCT lease) FROM subscription_events WHERE subscription = $1 AND state = 'leased' AND due > $2"
    ),
    Q.SUB_PENDING: "SELECT count(*) FROM subscription_events WHERE subscription = $1 AND state = 'pending'",
    Q.SUB_AVAILABLE: (
        "SELECT position FROM subscription_events WHERE subscription = $1 AND state = 'pending' AND due <= $2 "
        "ORDER BY position LIMIT $3"
    ),
    Q.SUB_OUTSTANDING: (
        "SELECT position, state, due FROM subscription_events WHERE subscription = $1 "
        "AND state IN ('pending', 'leased') ORDER BY position LIMIT $2"
    ),
    Q.SUB_DUE: (
        "SELECT 1 FROM subscription_events WHERE subscription = $1 AND state IN ('pending', 'leased') AND due <= $2 LIMIT 1"
    ),
    Q.SUB_NEXT_DUE: (
        "SELECT min(due) FROM subscription_events WHERE subscription = $1 AND state IN ('pending', 'leased') AND due > $2"
    ),
    Q.SUB_LEASE: (
        "UPDATE subscription_events SET state = 'leased', lease = $1, due = $2, consumer = $3, "
        "deliveries = deliveries + 1 WHERE subscription = $4 AND position = $5"
    ),
    Q.SUB_HELD: (
        "SELECT position, deliveries FROM subscription_events WHERE subscription = $1 AND state = 'leased' AND lease = $2"
    ),
    Q.SUB_ACK: "DELETE FROM subscription_events WHERE subscription = $1 AND position = $2",
    Q.SUB_RETRY: (
        "UPDATE subscription_events SET state = 'pending', lease = NULL, due = $1 WHERE subscription = $2 AND position = $3"
    ),
    Q.SUB_PARK: (
        "UPDATE subscription_events SET state = 'parked', lease = NULL, due = $1, reason = $2 "
        "WHERE subscription = $3 AND position = $4"
    ),
    Q.SUB_SEEN: (
        "INSERT INTO subscription_consumers (subscription, consumer, last_seen, claims) VALUES ($1, $2, $3, $4) "
        "ON CONFLICT (subscription, consumer) DO UPDATE SET last_seen = excluded.last_seen, "
        "claims = subscription_consumers.claims + excluded.claims"
    ),
    Q.SUB_CONSUMERS: (
        "SELECT consumer, last_seen, claims FROM subscription_consumers WHERE subscription = $1 ORDER BY consumer"
    ),
    Q.SUB_COUNTS: (
        "SELECT coalesce(sum(CASE WHEN state = 'pending' THEN 1 ELSE 0 END), 0), "
        "coalesce(sum(CASE WHEN state = 'leased' AND due > $2 THEN 1 ELSE 0 END), 0), "
        "coalesce(sum(CASE WHEN state = 'leased' AND due <= $2 THEN 1 ELSE 0 END), 0), "
        "coalesce(sum(CASE WHEN state = 'parked' THEN 1 ELSE 0 END), 0), "
        "count(DISTINCT CASE WHEN state = 'leased' AND due > $2 THEN lease END), "
        "min(CASE WHEN state != 'parked' THEN position END) "
        "FROM subscription_events WHERE subscription = $1"
    ),
    Q.SUB_PARKED_PAGE: (
        "SELECT position, deliveries, reason, due FROM subscription_events WHERE subscription = $1 "
        "AND state = 'parked' AND position > $2 ORDER BY position LIMIT $3"
    ),
    Q.SUB_PARKED: "SELECT position FROM subscription_events WHERE subscription = $1 AND state = 'parked' ORDER BY position",
    Q.SUB_REPLAY: (
        "UPDATE subscription_events SET state = 'pending', deliveries = 0, due = 0, reason = NULL, consumer = NULL "
        "WHERE subscription = $1 AND position = $2 AND state = 'parked'"
    ),
}

EVENT_COLUMNS = _EVENT_COLUMNS
"""The columns of an event as the log serves it (position, recorded_at, body, hash), from ``events e``."""

SUBSCRIPTION = _SUBSCRIPTION

COMPANY_ROWS_OF = _COMPANY_ROWS
"""COMPANY_ROWS before its order: dialects add their own test of the views."""


def numbered(sql: str) -> str:
    """``$n`` placeholders as SQLite's ``?n``."""
    return re.sub(r"\$(\d+)", r"?\1", sql)
