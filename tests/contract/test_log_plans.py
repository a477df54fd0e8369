"""Every filter of the log is served by an index: the plan of each statement a filtered read runs
never scans a whole table (SQLite ``EXPLAIN QUERY PLAN``; PostgreSQL ``EXPLAIN`` with sequential
scans and sorts disabled, so that only a query without a usable index falls back to them), and a
page of one filter is read in index order, never sorted whole."""

from __future__ import annotations

import json
import random
import sqlite3
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

import pytest

from api.store.base import EventStore, LogFilter
from api.store.driver import Transaction
from api.store.program import Store
from api.store.sqlite import SQLiteStore
from api.store.statements import Q
from tests.contract.history import random_history

FILTERS: list[tuple[str, dict[str, Any]]] = [
    ("no filter", {}),
    ("no filter, newest first", {"descending": True}),
    ("before", {"before": 40}),
    ("type", {"where": LogFilter(types=["sales_reported"])}),
    ("types", {"where": LogFilter(types=["sales_reported", "meeting_held"])}),
    ("company", {"where": LogFilter(companies=["company-01"])}),
    ("person", {"where": LogFilter(persons=["person-1"])}),
    ("certainty", {"where": LogFilter(certainties=["reported"])}),
    ("publisher", {"where": LogFilter(publishers=["Wire"])}),
    ("occurred in a month", {"where": LogFilter(occurred_from="2025-03", occurred_to="2025-03")}),
    ("occurred from a year", {"where": LogFilter(occurred_from="2024")}),
    ("occurred up to a day", {"where": LogFilter(occurred_to="2020-06-15")}),
    ("person, newest first, before", {"where": LogFilter(persons=["person-2"]), "descending": True, "before": 200}),
    (
        "every filter",
        {
            "where": LogFilter(
                types=["executive_reported", "sales_reported"],
                companies=["company-01", "company-02"],
                persons=["person-1"],
                certainties=["reported"],
                publishers=["daily", "wire"],
                occurred_from="2019",
                occurred_to="2030",
            )
        },
    ),
    ("company and certainty", {"where": LogFilter(companies=["company-02"], certainties=["reported"])}),
]


@pytest.fixture
async def filled(store: EventStore) -> EventStore:
    await random_history(20251218, 300).append_to(store, random.Random(20251218))
    return store


class _Recording:
    """A transaction that notes every statement run on it (and runs it)."""

    def __init__(self, tx: Transaction, seen: list[tuple[Q, Sequence[Any]]]) -> None:
        self.tx, self.seen = tx, seen

    async def rows(self, statement: Q, *params: Any) -> list[Sequence[Any]]:
        self.seen.append((statement, params))
        return await self.tx.rows(statement, *params)

    async def row(self, statement: Q, *params: Any) -> Sequence[Any] | None:
        self.seen.append((statement, params))
        return await self.tx.row(statement, *params)

    async def rows_all(self, batch: Sequence[tuple[Q, Sequence[Any] | None]]) -> list[list[Sequence[Any]]]:
        self.seen.extend((statement, params) for statement, params in batch if params is not None)
        return await self.tx.rows_all(batch)


async def _statements(store: Store, **options: Any) -> list[tuple[Q, Sequence[Any]]]:
    seen: list[tuple[Q, Sequence[Any]]] = []
    reading = store.driver.reading

    @asynccontextmanager
    async def recording(*, snapshot: bool = False) -> AsyncIterator[Any]:
        async with reading(snapshot=snapshot) as tx:
            yield _Recording(tx, seen)

    store.driver.reading = recording  # type: ignore[method-assign]
    try:
        await store.read(limit=20, **options)
    finally:
        del store.driver.reading
    return seen


_WALKS = (Q.TERM_PAGE, Q.TERM_PAGE_DESC, Q.LOG_SPAN, Q.LOG_SPAN_DESC)
"""Statements that read a page in index order: sorting their matches would read them all."""


def _sqlite_faults(path: str, text: str, params: Sequence[Any], *, walks: bool) -> list[str]:
    faults = []
    with sqlite3.connect(path) as conn:
        for *_, detail in conn.execute(f"EXPLAIN QUERY PLAN {text}", params):
            words = detail.split()
            # "SCAN <table or alias>" reads a whole table; a subquery in FROM ("found") or no table is fine.
            if words[0] == "SCAN" and words[1] not in ("found", "CONSTANT") and not words[1].startswith("("):
                faults.append(detail)
            if walks and "TEMP B-TREE" in detail:
                faults.append(detail)
    return faults


def _pg_nodes(plan: dict[str, Any]) -> list[dict[str, Any]]:
    nodes = [plan]
    for child in plan.get("Plans", []):
        nodes.extend(_pg_nodes(child))
    return nodes


async def _pg_faults(store: Any, text: str, params: Sequence[Any], *, walks: bool) -> list[str]:
    import asyncpg  # type: ignore[import-untyped]

    conn = await asyncpg.connect(store.postgres._dsn)
    try:
        await conn.execute(f'SET search_path TO "{store.schema}"')
        # A table of a few hundred rows is cheapest read whole and sorted: with both disabled, the
        # planner still takes a sequential scan or a sort only where no index can serve the query.
        await conn.execute("SET enable_seqscan = off")
        await conn.execute("SET enable_sort = off")
        found = await conn.fetchval(f"EXPLAIN (FORMAT JSON) {text}", *params)
    finally:
        await conn.close()
    faults = []
    for node in _pg_nodes(json.loads(found)[0]["Plan"]):
        kind = node["Node Type"]
        if kind == "Seq Scan":
            faults.append(f"Seq Scan on {node.get('Relation Name')}")
        if kind in ("Index Scan", "Index Only Scan") and "Index Cond" not in node:
            faults.append(f"{kind} of all of {node.get('Index Name')}")
        if walks and kind in ("Sort", "Incremental Sort"):
            faults.append("sorts every match")
    return faults


async def _faults(store: EventStore, statement: Q, params: Sequence[Any]) -> list[str]:
    walks = statement in _WALKS
    if isinstance(store, SQLiteStore):
        from api.store.sqlite.dialect import expanded

        return [
            f"{statement}: {fault}"
            for text, bound in expanded(statement, params)
            for fault in _sqlite_faults(store.path, text, bound, walks=walks)
        ]
    from api.store.postgres.dialect import SQL

    text = SQL[statement]
    assert text is not None
    return [f"{statement}: {fault}" for fault in await _pg_faults(store, text, params, walks=walks)]


@pytest.mark.parametrize(("name", "options"), FILTERS, ids=[name for name, _ in FILTERS])
async def test_a_filtered_page_never_scans_a_whole_table(
    filled: EventStore, name: str, options: dict[str, Any]
) -> None:
    assert isinstance(filled, Store)
    statements = await _statements(filled, **options)
    assert statements, name
    faults = [fault for statement, params in statements for fault in await _faults(filled, statement, params)]
    assert faults == [], name


async def test_the_plan_check_finds_a_filter_without_an_index(filled: EventStore) -> None:
    """What the test above would say of a filter left without an index: a scan of the events."""
    if isinstance(filled, SQLiteStore):
        faults = _sqlite_faults(filled.path, "SELECT position FROM events WHERE body = ?", [b""], walks=True)
    else:
        faults = await _pg_faults(filled, "SELECT position FROM events WHERE body = $1", [b""], walks=True)
    assert faults, "a scan of the whole events table is reported"


async def test_a_page_newest_first_walks_its_sparsest_filter(filled: EventStore, monkeypatch: Any) -> None:
    """Newest first without ``before``, a dense term's share is counted from the head of the log, not
    from the largest integer, which made every dense term look emptier than a rare one: a rare publisher
    with the commonest type walked the type's 72,886 events for a page of 2 at 1,000,000 events
    (100 ms; 3 ms walking the publisher, bench/RESULTS.md)."""
    from collections import Counter

    from api.store import filtered_pages
    from schema.declarations import tag

    assert isinstance(filled, Store)
    every = await filled.read(limit=1000)
    types = Counter(tag(stored.event) for stored in every)
    persons = Counter(person for stored in every for person in stored.event.persons_named())
    common, rare = types.most_common(1)[0][0], min(persons, key=lambda p: (persons[p], p))
    counted = persons[rare] + 1  # the rare person's events are all counted, the common type's are not
    assert types[common] > counted
    monkeypatch.setattr(filtered_pages, "_COUNTED", counted)

    statements = await _statements(filled, where=LogFilter(types=[common], persons=[rare]), descending=True)

    assert [params[0] for statement, params in statements if statement == Q.TERM_PAGE_DESC] == [f"person:{rare}"]
