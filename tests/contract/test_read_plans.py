"""A page of one company's people is read from that company's rows (``GET /people?company=``): the plan
of its statement seeks the company, on both backends. Walking the people index in id order and
dropping the other companies' people read the whole index for a company's dozen: 0.9 s a page at
1,000,000 events (bench/RESULTS.md), 0.2 ms by the company."""

from __future__ import annotations

import json
import random
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from typing import Any

import pytest

from api.store.base import EventStore
from api.store.program import Store
from api.store.readpoint import ReadPoint
from api.store.sqlite import SQLiteStore
from api.store.statements import Q
from tests.contract.history import random_history
from tests.contract.test_log_plans import _pg_nodes, _Recording


@pytest.fixture
async def filled(store: EventStore) -> EventStore:
    await random_history(20251218, 300).append_to(store, random.Random(20251218))
    return store


async def _recorded(store: Store, call: Callable[[], Awaitable[Any]]) -> list[tuple[Q, Sequence[Any]]]:
    seen: list[tuple[Q, Sequence[Any]]] = []
    reading = store.driver.reading

    @asynccontextmanager
    async def recording(*, snapshot: bool = False) -> AsyncIterator[Any]:
        async with reading(snapshot=snapshot) as tx:
            yield _Recording(tx, seen)

    store.driver.reading = recording  # type: ignore[method-assign]
    try:
        await call()
    finally:
        del store.driver.reading
    return seen


async def _plan(store: EventStore, statement: Q, params: Sequence[Any]) -> list[str]:
    """The plan's steps: SQLite's details; PostgreSQL's nodes with their index and its condition."""
    if isinstance(store, SQLiteStore):
        from api.store.sqlite.dialect import expanded

        with sqlite3.connect(store.path) as conn:
            return [
                str(detail)
                for text, bound in expanded(statement, params)
                for *_, detail in conn.execute(f"EXPLAIN QUERY PLAN {text}", bound)
            ]
    import asyncpg  # type: ignore[import-untyped]

    from api.store.postgres.dialect import SQL

    conn = await asyncpg.connect(store.postgres._dsn)  # type: ignore[attr-defined]
    try:
        await conn.execute(f'SET search_path TO "{store.schema}"')  # type: ignore[attr-defined]
        await conn.execute("SET enable_seqscan = off")  # a few hundred rows are cheapest read whole
        found = await conn.fetchval(f"EXPLAIN (FORMAT JSON) {SQL[statement]}", *params)
    finally:
        await conn.close()
    return [
        f"{node['Node Type']} {node.get('Index Name', '')} {node.get('Index Cond', '')}"
        for node in _pg_nodes(json.loads(found)[0]["Plan"])
    ]


@pytest.mark.parametrize("q", [None, "person"])
async def test_a_page_of_one_company_s_people_seeks_the_company(filled: EventStore, q: str | None) -> None:
    assert isinstance(filled, Store)
    everyone, _ = await filled.people(ReadPoint(), q=q, company=None, cursor=None, limit=100)
    at_company = {key for key, rows in everyone if any(company == "company-03" for _, company, _, _ in rows)}

    async def page() -> None:
        found, _ = await filled.people(ReadPoint(), q=q, company="company-03", cursor=None, limit=100)
        assert {key for key, _ in found} == at_company != set()

    statements = await _recorded(filled, page)
    (params,) = [params for statement, params in statements if statement == Q.PERSON_PAGE_AT_COMPANY]
    plan = await _plan(filled, Q.PERSON_PAGE_AT_COMPANY, params)
    assert any("company_id=?" in step or "(company_id = " in step for step in plan), plan


def _seeks_company_and_view(plan: list[str]) -> bool:
    return any(("company_id=? AND view=?" in step) or ("company_id = " in step and "view = " in step) for step in plan)


@pytest.mark.parametrize("view", ["relationship", "executive", "market"])
async def test_the_candidates_for_disputes_are_sought_company_by_company(filled: EventStore, view: str) -> None:
    assert isinstance(filled, Store)
    async with filled.driver.reading() as tx:
        at = await filled.last_position()
        every = sorted({str(row[0]) for row in await tx.rows(Q.CONTESTED_COMPANIES, "", at, view, 1000, "~")})
        expected = []
        for company in sorted({f"company-{n:02d}" for n in range(1, 15)}):
            claims: dict[tuple[str, str], int] = {}
            for row_view, _, key, sort, _ in await tx.rows(Q.COMPANY_ROWS, company, at):
                if row_view == view:
                    claims[(key, sort)] = claims.get((key, sort), 0) + 1
            if any(count > 1 for count in claims.values()):
                expected.append(company)
    assert every == expected != []

    async def page() -> None:
        assert (
            await filled.contested(ReadPoint(), view, after="company-02", limit=3)
            == [c for c in expected if c > "company-02"][:3]
        )
        assert await filled.contested(ReadPoint(), view, after="", limit=100, until=expected[0]) == expected[:1]

    for params in [params for statement, params in await _recorded(filled, page) if statement == Q.CONTESTED_COMPANIES]:
        plan = await _plan(filled, Q.CONTESTED_COMPANIES, params)
        assert _seeks_company_and_view(plan), plan
