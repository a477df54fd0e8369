"""After an upgrade, a store catches each new or changed projection up from its checkpoint at start-up,
and a store made by the release before per-projection checkpoints opens as it was."""

from __future__ import annotations

import dataclasses
import random
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

from api.projections.registry import Projection, ReadModel, Registry, default_registry
from api.projections.row import Row
from api.store import log_index
from api.store.base import EventStore, LogFilter
from api.store.readpoint import ReadPoint
from api.store.sqlite import SQLiteStore
from schema.codec import event_tag
from schema.events import StoredEvent
from tests.contract.history import random_history
from tests.contract.read_models import dossier, encoded_read_models

ROOT = Path(__file__).resolve().parents[2]
SEEDED_BY_0_1 = ROOT / "tests" / "data" / "seeded-by-0.1.db"
"""The seed data as ``tidings seed`` of release 0.1 stored it: one ``read_rows`` checkpoint for every projection."""

CHANGED_SINCE_0_1 = [
    "deals",
    "deliveries",
    "identity",
    "listings",
    "meetings",
    "orders",
    "people",
    "plans",
    "prices",
    "production",
    "profile",
    "relationships",
    "results",
    "sales",
    "search",
    "target_revision",
    "timeline",
]
"""The projections whose rows changed or that are new since release 0.1 (all but evidence), in registry order."""

SEEDED_BEFORE_FIGURES = ROOT / "tests" / "data" / "seeded-by-39079cb.db"
"""The first seed article as ``tidings seed`` of main at 39079cb stored it: the last store made before
results, orders, deliveries, production and revised targets (issue 19) joined the catalogue."""

CHANGED_SINCE_39079CB = [
    "deals",
    "deliveries",
    "identity",
    "listings",
    "meetings",
    "orders",
    "people",
    "plans",
    "prices",
    "production",
    "profile",
    "relationships",
    "results",
    "sales",
    "search",
    "target_revision",
    "timeline",
]
"""New since 39079cb, or changed: plan items carry judged_by, judgement and history; plan targets carry approximate;
facts carry their note; prices, listings, capital raised and deals are new; roles are dated role reports;
identifiers, renames and profile updates are new (and searched)."""

REGISTERED_TWICE = ROOT / "tests" / "data" / "registered-twice-by-cd23b15.db"
"""tests/data/registered-twice.ndjson as ``tidings import`` of main at cd23b15 stored it: acme registered twice
(the second registration, with fewer sectors and no alias, won), the last store made before a second
registration became a 409."""


def _mentions(stored: StoredEvent, touched: tuple[str, ...], _target: int | None) -> list[Row]:
    return [Row("mention", company, stored.position, event_tag(stored.event), "", b"{}") for company in touched]


MENTIONS = Projection("mentions", writes=("mention",), fold=_mentions)
"""A projection added by the upgrade: every event that names a company."""
WITH_MENTIONS = default_registry().with_(projection=MENTIONS, read_model=ReadModel("mentions", reads=("mention",)))


def _reopen(store: EventStore, registry: Registry) -> Any:
    """A store on the same database as ``store`` (closed by the caller), with ``registry``."""
    if isinstance(store, SQLiteStore):
        return SQLiteStore(store.path, registry=registry)
    from api.store.postgres import PostgresStore

    return PostgresStore(store.postgres._dsn, schema=store.schema, registry=registry)  # type: ignore[attr-defined]


async def _mentioned(store: EventStore, company: str) -> list[str]:
    found = await store.read_model("mentions", company, ReadPoint())
    assert found is not None
    return [row.key for row in found[0].rows if row.view == "mention"]


async def _events_naming(store: EventStore, company: str) -> list[str]:
    return [event_tag(s.event) for s in await store.read(company=company, limit=1000)]


async def test_a_store_of_release_0_1_opens_catches_a_new_projection_up_and_checks_sound(tmp_path: Path) -> None:
    path = tmp_path / "tidings.db"
    shutil.copy(SEEDED_BY_0_1, path)
    store = SQLiteStore(path, registry=WITH_MENTIONS)
    await store.open()
    try:
        # The projections of 0.1 take over its read_rows checkpoint; those whose rows changed since
        # (their version raised: facts carry attributed_to) and the new one are built from the log.
        assert store.caught_up == [*CHANGED_SINCE_0_1, "mentions"]
        assert await _mentioned(store, "xiaomi") == await _events_naming(store, "xiaomi")
        assert await store.check() == []
    finally:
        await store.close()
    with sqlite3.connect(path) as conn:
        marks = dict(conn.execute("SELECT name, position FROM checkpoints"))
    assert marks == {**{p.checkpoint: 23 for p in WITH_MENTIONS.projections}, log_index.CHECKPOINT: 23}


async def test_a_store_made_before_the_figures_opens_rebuilds_unchanged_and_checks_sound(tmp_path: Path) -> None:
    path = tmp_path / "tidings.db"
    shutil.copy(SEEDED_BEFORE_FIGURES, path)
    store = SQLiteStore(path)
    await store.open()
    try:
        assert store.caught_up == CHANGED_SINCE_39079CB
        assert await store.check() == []
        opened = await encoded_read_models(store)
        (plan,) = [s.event for s in await store.read(limit=1000) if event_tag(s.event) == "plan_announced"][:1]
        assert plan.target is not None and (plan.target.value, plan.target.approximate) == ("350000", False)
        await store.rebuild()
        assert await encoded_read_models(store) == opened, "a rebuild gives the read models the upgrade gave"
        assert await store.check() == []
    finally:
        await store.close()


async def test_a_store_that_registered_a_company_twice_opens_and_rebuilds_to_the_same_dossier(tmp_path: Path) -> None:
    path = tmp_path / "tidings.db"
    shutil.copy(REGISTERED_TWICE, path)
    store = SQLiteStore(path)
    await store.open()
    try:
        assert await store.check() == []
        profile = (await dossier(store, "acme")).profile
        # What cd23b15 showed: the latest registration wins, the executive keeps an undated role.
        assert (profile.name, profile.aliases, profile.sectors) == ("Acme Motors AG", [], ["automotive"])
        assert [(e.person_id, e.role, e.current, e.started_on) for e in profile.executives] == [
            ("jane-roe", "CEO", True, None)
        ]
        opened = await encoded_read_models(store)
        await store.rebuild()
        assert await encoded_read_models(store) == opened, "a rebuild gives the read models the upgrade gave"
        assert await store.check() == []
        assert await store.company_version("acme") == 3
    finally:
        await store.close()


async def test_a_store_of_release_0_1_gains_the_filter_index_of_the_log_when_opened(tmp_path: Path) -> None:
    path = tmp_path / "tidings.db"
    shutil.copy(SEEDED_BY_0_1, path)
    store = SQLiteStore(path)
    await store.open()
    try:
        met = await store.read(where=LogFilter(persons=["jay-y-lee"]))
        in_march = await store.read(where=LogFilter(occurred_from="2025-03", occurred_to="2025-03"))
        newest = await store.read(descending=True, limit=3)
    finally:
        await store.close()
    assert [event_tag(s.event) for s in met] == ["executive_reported", "meeting_held", "site_visited"]
    assert [event_tag(s.event) for s in in_march] == ["meeting_held", "site_visited"]
    assert [s.position for s in newest] == [23, 22, 21]


def test_tidings_check_passes_on_a_store_of_release_0_1(tmp_path: Path) -> None:
    path = tmp_path / "tidings.db"
    shutil.copy(SEEDED_BY_0_1, path)

    done = subprocess.run(
        [sys.executable, "-m", "api.cli", "check", "--db", str(path)], cwd=ROOT, capture_output=True, text=True
    )

    assert (done.returncode, done.stderr.strip()) == (0, "store is sound"), done.stderr


async def test_a_legacy_checkpoint_is_taken_over_and_a_new_projection_caught_up(store: EventStore) -> None:
    history = random_history(20251204, 300)
    await history.append_to(store, random.Random(20251204))
    before = await encoded_read_models(store)
    head = await store.last_position()
    await _make_legacy(store, head)
    await store.close()

    upgraded = _reopen(store, WITH_MENTIONS)
    await upgraded.open()
    try:
        assert upgraded.caught_up == [*CHANGED_SINCE_0_1, "mentions"], "0.1 had version 1 of each"
        assert await encoded_read_models(upgraded) == before, "the read models of before are kept as they were"
        caught = [await _mentioned(upgraded, company) for company in ("company-01", "company-02")]
        assert all(caught)
        assert await upgraded.check() == [], "every row equals a fresh fold's, retractions marked"
        await upgraded.rebuild()
        assert [await _mentioned(upgraded, company) for company in ("company-01", "company-02")] == caught
    finally:
        await upgraded.close()


async def test_a_changed_projection_is_built_again_from_the_log(store: EventStore) -> None:
    history = random_history(20251205, 300)
    await history.append_to(store, random.Random(20251205))
    before = await encoded_read_models(store)
    await store.close()
    sales = next(p for p in default_registry().projections if p.name == "sales")
    changed = Registry(
        tuple(
            dataclasses.replace(p, version=p.version + 1) if p is sales else p for p in default_registry().projections
        ),
        default_registry().read_models,
    )

    upgraded = _reopen(store, changed)
    await upgraded.open()
    try:
        assert upgraded.caught_up == ["sales"]
        assert await encoded_read_models(upgraded) == before
        assert await upgraded.check() == []
    finally:
        await upgraded.close()


async def test_check_names_a_projection_behind_the_log(store: EventStore) -> None:
    await random_history(20251206, 50).append_to(store, random.Random(20251206))
    head = await store.last_position()
    sales = next(p for p in default_registry().projections if p.name == "sales").checkpoint
    await _set_checkpoint(store, sales, head - 1)

    assert await store.check() == [
        f"checkpoints: projection {sales} is at position {head - 1} but the log is at {head}"
    ]


async def test_a_store_made_before_the_filter_index_gains_it_when_opened(store: EventStore) -> None:
    history = random_history(20251207, 200)
    await history.append_to(store, random.Random(20251207))
    wanted = LogFilter(publishers=["WIRE"], types=["sales_reported", "meeting_held"], occurred_from="2024-07")
    before = [s.position for s in await store.read(where=wanted, limit=1000)]
    await store.close()
    # The schema of the release before: no index tables nor people index, schema version 1, no index checkpoint.
    await _statements(
        store,
        [
            "DROP TABLE log_terms",
            "DROP TABLE log_dated",
            "DROP INDEX people",
            f"DELETE FROM checkpoints WHERE name = '{log_index.CHECKPOINT}'",
            "UPDATE schema_version SET version = 1",
        ],
    )

    upgraded = _reopen(store, default_registry())
    await upgraded.open()
    try:
        assert upgraded.caught_up == [], "the read models were up to date"
        assert [s.position for s in await upgraded.read(where=wanted, limit=1000)] == before
        assert before, "the history has such events"
        assert await upgraded.check() == []
    finally:
        await upgraded.close()


async def _make_legacy(store: EventStore, head: int) -> None:
    """Checkpoints as release 0.1 kept them: one, named read_rows."""
    await _statements(
        store, ["DELETE FROM checkpoints", f"INSERT INTO checkpoints (name, position) VALUES ('read_rows', {head})"]
    )


async def _set_checkpoint(store: EventStore, name: str, position: int) -> None:
    await _statements(store, [f"UPDATE checkpoints SET position = {position} WHERE name = '{name}'"])


async def _statements(store: EventStore, statements: list[str]) -> None:
    if isinstance(store, SQLiteStore):
        with sqlite3.connect(store.path) as conn:
            for statement in statements:
                conn.execute(statement)
        return
    import asyncpg

    conn = await asyncpg.connect(store.postgres._dsn)  # type: ignore[attr-defined]
    try:
        await conn.execute(f'SET search_path TO "{store.schema}"')  # type: ignore[attr-defined]
        for statement in statements:
            await conn.execute(statement)
    finally:
        await conn.close()


def test_every_statement_has_sql_in_both_dialects_or_says_it_has_nothing_to_do() -> None:
    from api.store.postgres.dialect import SQL as POSTGRES
    from api.store.sqlite.dialect import SQL as SQLITE
    from api.store.statements import Q

    assert set(SQLITE) == set(Q) == set(POSTGRES)
    assert [q for q in Q if SQLITE[q] is None] == [Q.MOVE_HEAD, Q.ANALYZE_INDEX], "SQLite's events table is the head"
    assert [q for q in Q if POSTGRES[q] is None] == [Q.INDEX_TEXT, Q.SEARCH_TOP, Q.PERSON_PAGE_NAMED], (
        "the search column is generated with each row; SQLite's indexed reads"
    )
