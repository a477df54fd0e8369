"""Moving a store from SQLite to PostgreSQL is ``tidings export | tidings import - --db postgresql://…``.

A SQLite store gets the seed data and a few hundred random events (profile updates,
evidence, retractions, plans and the sales that meet them, ...). Its export is piped into
an import into a fresh PostgreSQL schema, by the real commands. Then every read model of
every company, read through the app over each store, must be the same JSON, and so must
the log — except ``recorded_at``: it is transaction time, and the import is a new
transaction in a new store (the export does not carry it).

Two things in the read models follow from ``recorded_at`` and "now" rather than from the
events: a timeline dates an undated fact (a registration, an executive) by the day it
was recorded, and a plan is ``missed`` once its period has passed at the time of the
read. Both are the same on both stores exactly when the whole run — first append to
last read — happens within one UTC day. Those dates are compared too, not masked; a run
that straddles midnight really does produce different dossiers, so it is run again once
(it takes seconds and cannot straddle two midnights).
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from api.app import create_app
from api.seeds import load_ndjson, seed_events
from api.settings import Settings
from api.store.sqlite import SQLiteStore
from tests.contract.history import random_history
from tests.postgres import pg_dsn, skip_reason
from tests.server import ROOT
from tests.stress.support import read_log, read_models

PG_DSN = pg_dsn() or ""
pytestmark = pytest.mark.skipif(not PG_DSN, reason=skip_reason())

RANDOM_EVENTS = 400
AT_POSITIONS = 3
"""Earlier positions at which each company's dossier and plans are compared too."""


@pytest.fixture
async def schemas() -> AsyncIterator[list[str]]:
    """Names for fresh schemas (the import creates them); every one is dropped afterwards."""
    import asyncpg  # type: ignore[import-untyped]

    names: list[str] = []
    yield names
    conn = await asyncpg.connect(PG_DSN)
    try:
        for name in names:
            await conn.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')
    finally:
        await conn.close()


async def fill_sqlite(path: Path, seed: int) -> int:
    """The seed data, then about RANDOM_EVENTS random events; returns the last position."""
    store = SQLiteStore(path)
    await store.open()
    try:
        await load_ndjson(store, seed_events())
        await random_history(seed, RANDOM_EVENTS).append_to(store, random.Random(seed))
        return await store.last_position()
    finally:
        await store.close()


def export_import(sqlite: Path, schema: str) -> str:
    """``tidings export --db SQLITE | tidings import - --db DSN`` as two processes and a pipe; import's report."""
    env = {**os.environ, "TIDINGS_PG_SCHEMA": schema}
    command = [sys.executable, "-m", "api.cli"]
    exporter = subprocess.Popen([*command, "export", "--db", str(sqlite)], cwd=ROOT, stdout=subprocess.PIPE, env=env)
    assert exporter.stdout is not None
    importer = subprocess.run(
        [*command, "import", "-", "--db", PG_DSN],
        cwd=ROOT,
        stdin=exporter.stdout,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    exporter.stdout.close()
    assert exporter.wait(timeout=60) == 0, "tidings export failed"
    assert importer.returncode == 0, importer.stderr
    return importer.stderr


async def everything(settings: Settings, last: int) -> dict[str, Any]:
    """The log and every read model, read through the app; also dossiers and plans at earlier positions."""
    async with AsyncTestClient(create_app(settings)) as client:
        models = await read_models(client)
        models["log"] = await read_log(client)
        for company in models["companies"]:
            for at in range(last // (AT_POSITIONS + 1), last, last // (AT_POSITIONS + 1)):
                for path in (f"/companies/{company}", f"/companies/{company}/plans"):
                    response = await client.get(path, params={"at_position": at})
                    assert response.status_code in (200, 404), response.text
                    models[f"{path}@{at}"] = response.json() if response.status_code == 200 else 404
        return models


def without_recorded_at(value: Any) -> Any:
    """The value without the times the import records anew, nor the event hashes that cover them."""
    if isinstance(value, dict):
        return {k: without_recorded_at(v) for k, v in value.items() if k not in ("recorded_at", "hash")}
    if isinstance(value, list):
        return [without_recorded_at(v) for v in value]
    return value


def utc_day() -> str:
    return datetime.now(UTC).date().isoformat()


async def test_export_import_moves_a_sqlite_store_to_postgresql_with_identical_read_models(
    tmp_path: Path, schemas: list[str]
) -> None:
    for attempt in range(2):
        day = utc_day()
        sqlite = tmp_path / f"source-{attempt}.db"
        schemas.append(f"tidings_migrate_{uuid.uuid4().hex[:16]}")
        last = await fill_sqlite(sqlite, seed=20 + attempt)
        report = export_import(sqlite, schemas[-1])
        assert f"imported {last} new events" in report, report
        before = await everything(Settings(db=str(sqlite)), last)
        after = await everything(Settings(db=PG_DSN, pg_schema=schemas[-1]), last)
        if utc_day() == day:
            break
        print(f"\nthe run straddled midnight UTC ({day} to {utc_day()}); dates that fall back to it differ, run again")
    else:
        pytest.fail("two runs in a row straddled midnight")

    assert [e["position"] for e in after["log"]] == list(range(1, last + 1))
    retracted = sum(e["event"]["type"] == "event_retracted" for e in before["log"])
    evidence = sum(e["event"]["type"] == "evidence_added" for e in before["log"])
    assert retracted and evidence, "the history has retractions and evidence"
    assert after.keys() == before.keys()
    for key in before:
        assert without_recorded_at(after[key]) == without_recorded_at(before[key]), key
    print(
        f"\n[sqlite -> postgresql] {last} events ({retracted} retractions, {evidence} evidence), "
        f"{len(before['companies'])} companies, {len(before)} read-model documents identical"
    )
