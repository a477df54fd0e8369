"""Full-text search at scale: p50/p99 of ``Store.search`` (and of the hits' snippets) at 100,000 events.

``python -m bench.search [--events 100000] [--runs 200] [--pg postgresql://...]`` writes the
benchmark log of ``python -m bench`` (bench.run.write_store_ndjson: 1,000 companies, facts of
every type, evidence), imports it with ``tidings import`` into a fresh SQLite file (and, with
``--pg``, into a fresh schema of that database), then times queries from rare to very common,
in process (no HTTP): the store's statement alone, and the answer's hits with their snippets.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from api.projections import search, words
from api.store.base import EventStore
from api.store.readpoint import ReadPoint
from bench.run import tidings, write_store_ndjson

QUERIES = {
    "rare (one product name)": "Widget 17 Pro",
    "a company's name": "Example Company 421 Holdings",
    "a compound part (cells)": "cells",
    "common (battery, ~20 %)": "battery",
    "in every event (regional)": "regional",
    "no hit": "zeppelin",
}


def _quantiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


async def _measure(store: EventStore, runs: int, limit: int) -> list[tuple[str, int, float, float, float, float]]:
    await store.open()
    try:
        results = []
        for label, q in QUERIES.items():
            terms = words.query_terms(q)
            statement: list[float] = []
            answer: list[float] = []
            hits = 0
            for _ in range(runs):
                started = time.perf_counter()
                _, found, _ = await store.search(ReadPoint(), terms, offset=0, limit=limit)
                middle = time.perf_counter()
                hits = len([search.hit(position, item, score, terms) for position, item, score in found])
                done = time.perf_counter()
                statement.append((middle - started) * 1000)
                answer.append((done - started) * 1000)
            results.append((label, hits, *_quantiles(statement), *_quantiles(answer)))
        return results
    finally:
        await store.close()


def _report(backend: str, events: int, rows: list[tuple[str, int, float, float, float, float]]) -> None:
    print(f"\n{backend}, {events:,} events, limit 20, ms")
    print("| query | hits on the page | search p50 | search p99 | with snippets p50 | with snippets p99 |")
    print("|---|---:|---:|---:|---:|---:|")
    for label, hits, s50, s99, a50, a99 in rows:
        print(f"| {label} | {hits} | {s50:.1f} | {s99:.1f} | {a50:.1f} | {a99:.1f} |")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.search")
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--companies", type=int, default=1_000)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--limit", type=int, default=20)
    parser.add_argument("--pg", default="", help="a PostgreSQL DSN: measure there too (in a schema of its own)")
    options = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        log = work / "log.ndjson"
        write_store_ndjson(log, options.events, options.companies)
        db = work / "search.db"
        started = time.perf_counter()
        subprocess.run(tidings("import", str(log), "--db", str(db)), check=True, capture_output=True)
        print(f"SQLite: imported {options.events:,} events in {time.perf_counter() - started:.0f} s")
        from api.store.sqlite import SQLiteStore

        _report("SQLite", options.events, asyncio.run(_measure(SQLiteStore(db), options.runs, options.limit)))
        if options.pg:
            _postgres(options, log)


def _postgres(options: Any, log: Path) -> None:
    import asyncpg

    from api.store.postgres import PostgresStore

    schema = f"bench_search_{uuid.uuid4().hex[:8]}"
    started = time.perf_counter()
    environ = {**os.environ, "TIDINGS_PG_SCHEMA": schema}
    subprocess.run(tidings("import", str(log), "--db", options.pg), check=True, capture_output=True, env=environ)
    print(f"PostgreSQL: imported {options.events:,} events in {time.perf_counter() - started:.0f} s")
    try:
        store = PostgresStore(options.pg, schema=schema)
        _report("PostgreSQL", options.events, asyncio.run(_measure(store, options.runs, options.limit)))
    finally:

        async def drop() -> None:
            conn = await asyncpg.connect(options.pg)
            try:
                await conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
            finally:
                await conn.close()

        asyncio.run(drop())


if __name__ == "__main__":
    main()
