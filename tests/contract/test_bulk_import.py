"""An import stores exactly what appending its events one by one stores: every table, row by row.

The bulk path (``read_ndjson`` of an NDJSON file, ``load_ndjson`` in large batches, each batch's
read-model rows folded span by span while the database writes, in this process or on worker
processes; SQLite indexing the batch's search text with one statement) is compared with the same events appended one at a time. Equal except for what
is legitimately different (tests.contract.tables says what): the times the log recorded, and what is
computed from them, checked instead by ``check()`` on both stores.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from api.errors import InvalidInput
from api.projections import words
from api.seeds import load_ndjson, read_ndjson
from api.store import bulk_fold
from api.store.base import EventStore
from api.store.program import Store
from api.store.readpoint import ReadPoint
from api.store.sqlite import SQLiteStore
from schema.codec import encode_event
from tests.contract.history import random_history
from tests.contract.tables import tables
from tests.factories import company_registered, sales_reported
from tests.postgres import pg_dsn, postgres_store

SEED = 20261206
SIZE = 900


@pytest.fixture
def bulk_spans(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """The bulk path for batches of a test's size, in many small spans; records for each span whether
    worker processes folded it."""
    monkeypatch.setattr(bulk_fold, "BULK_FOLD_FROM", 50)
    monkeypatch.setattr(bulk_fold, "SPAN", 37)
    spans: list[bool] = []
    real = bulk_fold.BulkFolder.span_rows

    async def recorded(self: bulk_fold.BulkFolder, futures: Any, *args: Any) -> Any:
        spans.append(futures is not None)
        return await real(self, futures, *args)

    monkeypatch.setattr(bulk_fold.BulkFolder, "span_rows", recorded)
    return spans


@pytest.fixture
async def one_by_one(store: EventStore, tmp_path: Path) -> AsyncIterator[EventStore]:
    """A second, empty store on the same backend as ``store``."""
    if isinstance(store, SQLiteStore):
        other: EventStore = SQLiteStore(tmp_path / "one-by-one.db")
        await other.open()
        try:
            yield other
        finally:
            await other.close()
        return
    dsn = pg_dsn()
    assert dsn is not None
    async with postgres_store(dsn) as other:
        yield other


def _ndjson(events: list[Any]) -> list[bytes]:
    return [encode_event(event) + b"\n" for event in events]


@pytest.mark.parametrize("workers", [0, 2], ids=["folded-here", "on-workers"])
async def test_an_import_stores_every_row_that_appending_one_by_one_stores(
    store: EventStore, one_by_one: EventStore, bulk_spans: list[bool], workers: int
) -> None:
    assert isinstance(store, Store)
    store.bulk = bulk_fold.BulkFolder(workers)  # as `tidings import --fold-processes` makes it
    events = random_history(SEED, SIZE).events

    new, present = await load_ndjson(store, read_ndjson(_ndjson(events), "history.ndjson"), size=400)
    for event in events:
        await one_by_one.append([event])

    assert (new, present) == (len(events), 0)
    # Folded span by span, on workers when asked for and the machine has more than one core.
    assert len(bulk_spans) >= SIZE // 37
    assert all(bulk_spans) == (store.bulk.processes > 0)
    assert any(bulk_spans) == (store.bulk.processes > 0)
    bulk, single = await tables(store), await tables(one_by_one)
    assert sorted(bulk) == sorted(single)
    for name in bulk:
        assert bulk[name] == single[name], f"table {name} differs"
    assert sum(len(rows) for rows in bulk.values()) > 10 * len(events)
    assert await store.check() == []
    assert await one_by_one.check() == []
    for q in ("company", "model", "person", "tidings tests", "artic"):  # words, names, a prefix
        found = [await s.search(ReadPoint(), words.query_terms(q), offset=0, limit=500) for s in (store, one_by_one)]
        assert found[0] == found[1], q
        assert found[0][1], q


@pytest.mark.usefixtures("bulk_spans")
async def test_importing_the_same_file_again_adds_nothing(store: EventStore) -> None:
    lines = _ndjson(random_history(SEED, 300).events)
    await load_ndjson(store, read_ndjson(lines, "history.ndjson"), size=120)
    before = await tables(store)

    again = await load_ndjson(store, read_ndjson(lines, "history.ndjson"), size=120)

    assert again == (0, len(lines))
    assert await tables(store) == before


@pytest.mark.usefixtures("bulk_spans")
async def test_a_refused_bulk_batch_stores_nothing_of_it(store: EventStore) -> None:
    registrations = [company_registered(f"company-{n}") for n in range(60)]
    facts = [sales_reported(f"company-{n % 60}", "2024", units=n + 1) for n in range(100)]
    facts[77] = sales_reported("nobody", "2024", units=5)
    await load_ndjson(store, registrations)
    before = await tables(store)

    with pytest.raises(InvalidInput) as refused:
        await load_ndjson(store, facts, size=100)

    assert [e.path for e in refused.value.errors] == ["$.events[77].company_id"]
    assert await tables(store) == before
