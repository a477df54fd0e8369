"""The statements the store runs, by name: the vocabulary every dialect gives SQL text for.

The store's algorithms (api.store.program, api.store.folding) run only these, and each
dialect (api.store.sqlite.dialect, api.store.postgres.dialect) maps every name to its SQL.
Each name says its parameters and the columns it answers, in order; a parameter written
``[...]`` is a list (SQLite expands it into placeholders, PostgreSQL binds an array).
Times and event ids go through the dialect's ``time``/``event_id`` converters first.

The read-model row layout lives here too, because every statement on ``read_rows`` agrees
on it: ``view`` (the read model's table), ``company_id``, ``position`` (of the event the row
comes from), ``key`` and ``sort`` (the view's own lookup and order columns: for
``registration`` the country and the lower-case search text; for ``timeline`` the event
type and the date; for ``evidence`` the position it supports; for ``person_role`` and
``person_meeting`` the person id and, for a role, the lower-case name; for ``search`` the document's
``<kind>:<id>`` and the folded words and compound parts it is indexed under, a newline between the
two, see api.projections.search), ``item`` (the view's
msgspec-encoded Struct) and ``retracted_at`` (the position of the retraction, or NULL).
"""

from __future__ import annotations

from enum import StrEnum

__all__ = ["Q"]


class Q(StrEnum):
    """Statement names. Parameters -> answered columns."""

    # -- the write transaction ---------------------------------------------------------------
    TAKE_HEAD = "take_head"
    """() -> (position, recorded_at, now) of the last event, taking the log's write lock where the
    transaction did not already; ``now`` is the database clock, or NULL for the server's."""
    KNOWN = "known"
    """([event ids]) -> (position, recorded_at, body, retracted by, hash) of those stored."""
    TOUCHED = "touched"
    """([positions]) -> (position, company_id), each event's companies in the order it named them."""
    VERSIONS = "versions"
    """([company ids]) -> (company_id, version) of those registered."""
    INSERT_EVENT = "insert_event"
    """(position, id, type, recorded_at, body)"""
    INSERT_TOUCH = "insert_touch"
    """(position, ordinal, company_id)"""
    UPSERT_COMPANY = "upsert_company"
    """(company_id, version, last_position)"""
    INSERT_ROW = "insert_row"
    """(view, company_id, position, key, sort, item)"""
    INDEX_TEXT = "index_text"
    """(first, last): index the text of the ``search`` rows of those positions, once they are all written,
    where the database keeps the full-text index apart from the rows (SQLite's FTS5; PostgreSQL's search
    column is generated with each row)."""
    INSERT_RETRACTION = "insert_retraction"
    """(target, position)"""
    MARK_RETRACTED = "mark_retracted"
    """(retracting position, target position): marks the target's rows."""
    SET_CHECKPOINT = "set_checkpoint"
    """(name, position)"""
    INSERT_TERM = "insert_term"
    """(term, position): the filter index (api.store.log_index)."""
    INSERT_DATED = "insert_dated"
    """(position, first day, last day) of an event whose type declares a date."""
    INSERT_HASH = "insert_hash"
    """(position, hash): the event's SHA-256 over its canonical form (api.store.hashing)."""
    INSERT_NODE = "insert_node"
    """(node id, hash): a complete subtree of the Merkle tree over the log (api.store.merkle, api.store.tree)."""
    MOVE_HEAD = "move_head"
    """(position, recorded_at): where the log has a head counter to move, and commits to announce."""

    # -- the log -------------------------------------------------------------------------------
    LAST_POSITION = "last_position"
    """() -> (position,) of the last event, 0 when the log is empty."""
    LOG_SPAN = "log_span"
    """(after, before, limit) -> (position, recorded_at, body, hash) between the two (both exclusive), oldest
    first; ``hash`` is NULL for an event not yet hashed (api.store.hashing)."""
    LOG_SPAN_DESC = "log_span_desc"
    """As LOG_SPAN, newest first."""
    EVENTS_AT = "events_at"
    """([positions]) -> (position, recorded_at, body, hash) of those events, in no particular order."""
    TERM_COUNT = "term_count"
    """(term, after, before, cap) -> (n, last position): the first events with the term between the two,
    counted up to ``cap``, and the position the count reached (NULL when none)."""
    TERM_COUNT_DESC = "term_count_desc"
    """As TERM_COUNT, counting down from ``before``: (n, the lowest position the count reached)."""
    TERM_PAGE = "term_page"
    """(term, after, before, then five times: (no filter?, [terms]), no date?, first day, last day, limit)
    -> (position,) of the events with ``term`` between ``after`` and ``before`` (exclusive), oldest
    first, that have one of the terms of each of the five lists (a list whose flag is true is no
    filter) and, unless ``no date?``, a date overlapping ``first day``..``last day``."""
    TERM_PAGE_DESC = "term_page_desc"
    """As TERM_PAGE, newest first."""
    DATED_EXTENT = "dated_extent"
    """() -> (first ``year:`` term, last ``year:`` term) of the index; NULLs when no event is dated."""
    EVENT = "event"
    """(id) -> (position, recorded_at, body, hash)"""
    RETRACTIONS_BETWEEN = "retractions_between"
    """(first, last) -> (target, position, recorded_at, body) of the retractions of events first..last."""
    COMPANY_VERSION = "company_version"
    """(company_id) -> (version,)"""

    # -- read models ---------------------------------------------------------------------------
    CONTESTED_COMPANIES = "contested_companies"
    """(after company_id, at, view, limit, up to company_id) -> (company_id,) in id order: companies with
    two or more rows of the view with one key and sort valid at ``at`` (candidates for disputes: the rule
    decides)."""
    POSITION_AT = "position_at"
    """(recorded_at) -> (position,): the last position recorded at or before it, 0 if none."""
    RECORDED_AT = "recorded_at"
    """(position) -> (recorded_at,)"""
    COMPANY_AT = "company_at"
    """(company_id, at) -> (version, last position) at position ``at``."""
    COMPANY_ROWS = "company_rows"
    """(company_id, at) -> (view, position, key, sort, item) valid at ``at``, by position, view, key."""
    PERSON_ROWS = "person_rows"
    """(person_id, at) -> (view, company_id, position, item) of the person's rows valid at ``at``, by position."""
    PERSON_EVIDENCE = "person_evidence"
    """(person_id, at) -> (supported position as text, evidence position, item) of the evidence for them."""
    PERSON_PAGE = "person_page"
    """(after person_id, at, company_id or NULL, LIKE pattern or NULL, limit) -> (person_id,) in id order:
    people with a row valid at ``at`` (at that company; whose id or lower-cased name matches)."""
    PERSON_PAGE_AT_COMPANY = "person_page_at_company"
    """PERSON_PAGE with a company: the same parameters and answer, read from that company's rows, not by
    walking every person's (which read the whole people index to find a company's dozen at 1,000,000 events)."""
    SEARCH = "search"
    """(query, at, limit, offset) -> (position, item, score) of the ``search`` rows valid at ``at`` that match
    the query (in the dialect's full-text syntax, see ``Dialect.search_query``), one per key (its best
    match), by score (higher first), then position (later first), then key."""
    SEARCH_TOP = "search_top"
    """(query, at, n, limit, offset) -> (position, item, score, every match?, cut split?) as SEARCH, over the
    ``n`` best documents valid at ``at`` only, best rank first and then the latest position; each row also
    says whether those were every match, and whether the ``n``-th and the next tie in rank and position
    (which SEARCH orders by key: then the cut does not decide). Any other document ranks below each of them,
    so a full page (``limit`` rows), or any page of every match, is SEARCH's. None: SEARCH serves."""
    PERSON_PAGE_NAMED = "person_page_named"
    """(after person_id, at, full-text query, LIKE pattern, limit) -> (person_id,): PERSON_PAGE without a
    company, whose candidates come from an index of people's ids and names (SQLite: trigrams, for a text
    of 3 or more characters); each candidate is tested as PERSON_PAGE tests it. None: PERSON_PAGE serves."""
    COMPANY_ROWS_OF_VIEWS = "company_rows_of_views"
    """(company_id, at, [views]) -> as COMPANY_ROWS, of those views only."""
    TIMELINE_COUNTS = "timeline_counts"
    """(company_id, at) -> (event type, count) of the company's timeline rows valid at ``at``."""
    REGISTRATIONS = "registrations"
    """([company ids], at) -> (company_id, item) of each one's latest registration at ``at``."""
    RENAMES = "renames"
    """([company ids], at) -> (company_id, item) of their ``rename`` rows valid at ``at``, in position order."""
    COMPANY_PAGE = "company_page"
    """(at, after company, country or NULL, lower-case text or NULL, limit) -> (company_id, item):
    latest registrations at ``at`` in id order."""
    COMPANY_COUNTS = "company_counts"
    """([company ids], at) -> (company_id, version, last position) at ``at``."""

    # -- folds: rebuild and check --------------------------------------------------------------
    EVENTS_BETWEEN = "events_between"
    """(first, last) -> (position, recorded_at, body) in position order."""
    TOUCHED_BETWEEN = "touched_between"
    """(first, last) -> (position, company_id), each event's companies in the order it named them."""
    TARGETS = "targets"
    """([event ids]) -> (id, position) of those stored."""
    EVENTS_OF_TYPES = "events_of_types"
    """([types], last) -> (position, body) at or before ``last``, in position order."""
    DELETE_ROWS = "delete_rows"
    """() deletes every read-model row."""
    DELETE_TERMS = "delete_terms"
    """() deletes the filter index's terms, before it is written again (api.store.log_index)."""
    DELETE_DATED = "delete_dated"
    """() deletes the filter index's dates."""
    ANALYZE_INDEX = "analyze_index"
    """() refreshes the planner's statistics of the filter index after it was written in bulk, where
    the planner needs them (PostgreSQL: without them it reads a dense term whole and sorts it)."""
    DELETE_ROWS_OF_VIEWS = "delete_rows_of_views"
    """([views]) deletes every row of those views."""
    CHECKPOINTS = "checkpoints"
    """() -> (name, position) of every checkpoint: each projection's last position folded."""
    DELETE_CHECKPOINT = "delete_checkpoint"
    """(name)"""
    DAMAGE = "damage"
    """() -> (fault,) the database finds in its own files and counters; none when sound."""
    LOG_EXTENT = "log_extent"
    """() -> (number of events, last position)"""
    VERSION_FAULTS = "version_faults"
    """() -> (company_id, version, events touching it) where the two differ."""
    ROWS_BETWEEN = "rows_between"
    """(after, last) -> (company_id, view, position, key, sort, item, retracted_at)"""
    HASHES_BETWEEN = "hashes_between"
    """(first, last) -> (position, recorded_at, body, hash) in position order; ``hash`` NULL where none is stored."""
    UNHASHED = "unhashed"
    """(after, limit) -> (position, recorded_at, body) of the first events after ``after`` without a stored hash."""
    NODES = "nodes"
    """([node ids]) -> (node id, hash) of those stored."""
    TREE_SIZE = "tree_size"
    """() -> (largest node id,): the tree's size is its index (id >> 6) plus one; NULL for the empty tree."""
    EVENT_HASHES = "event_hashes"
    """(first, last) -> (position, hash) in position order."""
    KEEP_HEAD = "keep_head"
    """(tree_size, key_id, root_hash, recorded_at, signature, issued_at) keeps a signed head, unless one of
    that size signed by that key is kept already (the first stays)."""
    KEPT_HEADS = "kept_heads"
    """() -> (tree_size, key_id, root_hash, recorded_at, signature, issued_at) of every kept head, by size."""
    ROWS_OUTSIDE = "rows_outside"
    """(after) -> as ROWS_BETWEEN, of rows after ``after`` or at positions below 1."""

    # -- subscriptions (api.store.subscribing): times are milliseconds since the epoch -------------
    SUB_LOCK = "sub_lock"
    """(name) -> (settings, start_after, scanned, created_at, now) of the subscription, taking its row lock
    where the transaction did not already hold the write lock; ``now`` is the database clock, or NULL."""
    SUB_GET = "sub_get"
    """(name) -> (settings, start_after, scanned, created_at)"""
    SUB_LIST = "sub_list"
    """() -> (name, settings, start_after, scanned, created_at) of every subscription, by name."""
    SUB_MAKING = "sub_making"
    """() -> (anything,): taken before SUB_COUNT when a subscription is to be made. PostgreSQL serialises the
    makers of one schema with a transaction-scoped advisory lock, so two instances never both count room for
    one more; SQLite's single writer serialises them already."""
    SUB_COUNT = "sub_count"
    """() -> (number of subscriptions,)"""
    SUB_CREATE = "sub_create"
    """(name, settings, start_after, created_at) -> (name,) when made; nothing when the name is taken."""
    SUB_SET_SETTINGS = "sub_set_settings"
    """(name, settings)"""
    SUB_SET_SCANNED = "sub_set_scanned"
    """(name, scanned): the last log position read into the subscription's events."""
    SUB_DELETE = "sub_delete"
    """(name) deletes the subscription."""
    SUB_DELETE_EVENTS = "sub_delete_events"
    """(name) deletes its events."""
    SUB_DELETE_CONSUMERS = "sub_delete_consumers"
    """(name) deletes the consumers it saw."""
    SUB_ADD_EVENT = "sub_add_event"
    """(name, position): a matching event read from the log, pending."""
    SUB_EXPIRE_PARK = "sub_expire_park"
    """(name, now, max deliveries, reason) parks the leased events whose lease ended and that were handed out
    ``max deliveries`` times."""
    SUB_EXPIRE_RETRY = "sub_expire_retry"
    """(name, now) makes the leased events whose lease ended pending again."""
    SUB_LEASES = "sub_leases"
    """(name, now) -> (number of leases holding events,)"""
    SUB_PENDING = "sub_pending"
    """(name) -> (number of pending events,)"""
    SUB_AVAILABLE = "sub_available"
    """(name, now, limit) -> (position,) of the pending events due by ``now``, oldest first."""
    SUB_OUTSTANDING = "sub_outstanding"
    """(name, limit) -> (position, state, due) of the pending and leased events, oldest first."""
    SUB_DUE = "sub_due"
    """(name, now) -> (1,) when a pending event is due or a lease has ended by ``now``; nothing otherwise."""
    SUB_NEXT_DUE = "sub_next_due"
    """(name, now) -> (due,): the earliest time after ``now`` a pending event comes due or a lease ends."""
    SUB_LEASE = "sub_lease"
    """(lease, due, consumer, name, position) leases the event until ``due``, one delivery more."""
    SUB_HELD = "sub_held"
    """(name, lease) -> (position, deliveries) of the events the lease holds."""
    SUB_ACK = "sub_ack"
    """(name, position) deletes the event: acknowledged."""
    SUB_RETRY = "sub_retry"
    """(due, name, position) makes the event pending from ``due``."""
    SUB_PARK = "sub_park"
    """(now, reason, name, position) parks the event."""
    SUB_SEEN = "sub_seen"
    """(name, consumer, now, claims) records a consumer's claim (``claims``: 1 when it got events, else 0)."""
    SUB_CONSUMERS = "sub_consumers"
    """(name) -> (consumer, last_seen, claims) by consumer."""
    SUB_COUNTS = "sub_counts"
    """(name, now) -> (pending, in flight, leased with the lease ended, parked, leases, first pending or
    leased position or NULL)."""
    SUB_PARKED_PAGE = "sub_parked_page"
    """(name, after, limit) -> (position, deliveries, reason, parked_at) of the parked events, oldest first."""
    SUB_PARKED = "sub_parked"
    """(name) -> (position,) of every parked event."""
    SUB_REPLAY = "sub_replay"
    """(name, position) makes the parked event pending again, from its first delivery."""
