"""How fast the log answers each filter of ``GET /events`` (issue 17): p50/p99 of one page at N events.

``python -m bench.log_filters --events 1000000`` writes N generated events (bench/run.py's facts,
with certainties, publishers, persons on meetings and dates varied) as NDJSON, loads them with
batches of 1,000 (as ``tidings import`` appends) into a fresh store (SQLite by default; ``--db postgresql://...`` for PostgreSQL,
in a schema of its own that is dropped afterwards), then reads one page (``limit`` 100, retractions
annotated, as the route reads it) of each filter ``--reads`` times with values and cursors drawn
at random, in process: the figures are the store's (index and decode), without HTTP. It prints a
table of p50/p99 in milliseconds and the mean number of events a page held; ``--results FILE``
puts the table between the ``log-filters`` markers of FILE.

``--smoke`` runs it with tiny sizes in seconds; its figures mean nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import msgspec

from bench.run import ROOT, _cpu, company_id, fact, registration

__all__ = ["main"]

PUBLISHERS = [f"Publisher {n:02d}" for n in range(50)]
"""Publishers by popularity: the first one carries about a quarter of the sources, the last few rarely one."""
PERSONS = 20_000
_BEGIN, _END = "<!-- log-filters:begin -->", "<!-- log-filters:end -->"


def _publisher(rng: random.Random) -> str:
    return PUBLISHERS[min(int(rng.paretovariate(1.0)) - 1, len(PUBLISHERS) - 1)]


def write_ndjson(path: Path, events: int, companies: int, seed: int = 17) -> None:
    """N events over ``companies`` companies: registrations, then bench/run.py's facts with varied
    certainty (70 % reported, 20 % confirmed, 10 % speculative), one or two publishers each, persons on
    meetings; every 12th event evidence for an earlier fact."""
    rng = random.Random(seed)
    encode = msgspec.json.Encoder().encode
    recent: dict[int, str] = {}
    with path.open("wb") as out:
        lines = [encode(registration(n)) for n in range(companies)]
        for serial in range(events - companies):
            n = rng.randrange(companies)
            source = {"title": "News", "publisher": _publisher(rng), "language": "en"}
            if serial % 12 == 11 and n in recent:
                event: dict[str, Any] = {"type": "evidence_added", "sources": [source], "event_id": recent[n]}
            else:
                event = fact(rng, n, companies, serial)
                event["sources"] = (
                    [source] if rng.random() < 0.8 else [source, {**source, "publisher": _publisher(rng)}]
                )
                event["certainty"] = rng.choices(["reported", "confirmed", "speculative"], [70, 20, 10])[0]
                if event["type"] == "meeting_held":
                    for participant in event["participants"]:
                        participant["person_id"] = f"person-{rng.randrange(PERSONS)}"
                recent[n] = event["id"] = str(uuid.uuid4())
            event.setdefault("id", str(uuid.uuid4()))
            lines.append(encode(event))
            if len(lines) >= 10_000:
                out.write(b"\n".join(lines) + b"\n")
                lines = []
        if lines:
            out.write(b"\n".join(lines) + b"\n")


Case = tuple[str, Callable[[random.Random, int], dict[str, Any]]]


def cases(companies: int) -> list[Case]:
    from api.store.base import LogFilter

    def month(rng: random.Random) -> str:
        return f"{rng.randrange(2020, 2026)}-{rng.randrange(1, 13):02d}"

    def company(rng: random.Random) -> str:
        return company_id(rng.randrange(companies))

    def person(rng: random.Random) -> str:
        # executive_reported names person-{serial % 100,000}; meetings person-0 .. person-19,999
        return f"person-{rng.randrange(PERSONS)}"

    def anywhere(rng: random.Random, head: int) -> int:
        return rng.randrange(head)

    return [
        ("no filter, oldest first from a random position", lambda r, h: {"after": anywhere(r, h)}),
        ("no filter, newest first (`order=desc`)", lambda r, h: {"descending": True}),
        ("`before` a random position, newest first", lambda r, h: {"before": anywhere(r, h), "descending": True}),
        ("`type` (one of 9 types)", lambda r, h: {"where": LogFilter(types=[r.choice(_TYPES)])}),
        ("`type` twice (OR)", lambda r, h: {"where": LogFilter(types=r.sample(_TYPES, 2))}),
        ("`company` (one of N/100)", lambda r, h: {"where": LogFilter(companies=[company(r)])}),
        ("`company` three times (OR)", lambda r, h: {"where": LogFilter(companies=[company(r) for _ in range(3)])}),
        ("`person`", lambda r, h: {"where": LogFilter(persons=[person(r)])}),
        ("`certainty=speculative` (10 %)", lambda r, h: {"where": LogFilter(certainties=["speculative"])}),
        (
            "`certainty=reported`, newest first",
            lambda r, h: {"where": LogFilter(certainties=["reported"]), "descending": True},
        ),
        ("`publisher`, a common one", lambda r, h: {"where": LogFilter(publishers=[PUBLISHERS[r.randrange(3)]])}),
        ("`publisher`, a rare one", lambda r, h: {"where": LogFilter(publishers=[PUBLISHERS[r.randrange(40, 50)]])}),
        (
            "`occurred_from`/`occurred_to` one month",
            lambda r, h: {"where": LogFilter(occurred_from=(m := month(r)), occurred_to=m)},
        ),
        (
            "`occurred_from` a year on (open end)",
            lambda r, h: {"where": LogFilter(occurred_from=str(r.randrange(2020, 2026)))},
        ),
        (
            "`occurred_to` a day (open start), newest first",
            lambda r, h: {"where": LogFilter(occurred_to=f"{month(r)}-15"), "descending": True},
        ),
        ("`person` + `type`", lambda r, h: {"where": LogFilter(persons=[person(r)], types=["meeting_held"])}),
        (
            "`company` + `certainty=confirmed`",
            lambda r, h: {"where": LogFilter(companies=[company(r)], certainties=["confirmed"])},
        ),
        (
            "`type` + `certainty` + one month",
            lambda r, h: {
                "where": LogFilter(
                    types=["sales_reported"], certainties=["speculative"], occurred_from=(m := month(r)), occurred_to=m
                )
            },
        ),
        (
            "`type=market_position_reported` + `certainty=speculative` + a rare `publisher` (sparse AND of dense filters)",
            lambda r, h: {
                "where": LogFilter(
                    types=["market_position_reported"],
                    certainties=["speculative"],
                    publishers=[PUBLISHERS[r.randrange(40, 50)]],
                )
            },
        ),
    ]


_TYPES = [
    "company_registered",
    "product_launched",
    "sales_reported",
    "executive_reported",
    "plan_announced",
    "relationship_reported",
    "meeting_held",
    "market_position_reported",
    "evidence_added",
]


def _store(db: str, schema: str | None) -> Any:
    if schema is not None:
        from api.store.postgres import PostgresStore

        return PostgresStore(db, schema=schema)
    from api.store.sqlite import SQLiteStore

    return SQLiteStore(db)


async def load(db: str, schema: str | None, ndjson: Path) -> float:
    """Append the NDJSON file in batches of 1,000 events, as ``tidings import`` does; its seconds."""
    from schema.events import CATALOGUE

    store = _store(db, schema)
    await store.open()
    started = time.perf_counter()
    try:
        batch: list[Any] = []
        with ndjson.open("rb") as lines:
            for line in lines:
                batch.append(CATALOGUE.decode(line))
                if len(batch) == 1000:
                    await store.append_batch(batch)
                    batch = []
        if batch:
            await store.append_batch(batch)
    finally:
        await store.close()
    return time.perf_counter() - started


async def measure(
    db: str, schema: str | None, companies: int, reads: int, limit: int
) -> list[tuple[str, float, float, float]]:
    from api.store.statements import Q

    store = _store(db, schema)
    await store.open()
    try:
        if store.dialect.sql[Q.ANALYZE_INDEX] is not None:
            # What autovacuum does within a minute of a bulk load on a running server.
            async with store.driver.writing() as tx:
                await tx.run(Q.ANALYZE_INDEX)
        head = await store.last_position()
        rows = []
        for name, draw in cases(companies):
            rng = random.Random(name)
            for _ in range(min(5, reads)):  # warm the caches the way a running server has them
                await store.read(limit=limit, annotated=True, **draw(rng, head))
            times, sizes = [], []
            for _ in range(reads):
                options = draw(rng, head)
                started = time.perf_counter()
                page = await store.read(limit=limit, annotated=True, **options)
                times.append((time.perf_counter() - started) * 1000)
                sizes.append(len(page))
            times.sort()
            p99 = times[min(len(times) - 1, round(0.99 * (len(times) - 1)))]
            rows.append((name, statistics.median(times), p99, statistics.mean(sizes)))
        return rows
    finally:
        await store.close()


async def reindex(db: str, schema: str | None) -> float:
    """Seconds to write the filter index of the whole log at start-up, as a store made by the release
    before it does at its first start: the index is deleted with its checkpoint, and the store opened."""
    from api.store import log_index
    from api.store.statements import Q

    store = _store(db, schema)
    await store.open()
    try:
        async with store.driver.writing() as tx:
            await tx.run(Q.DELETE_TERMS)
            await tx.run(Q.DELETE_DATED)
            await tx.run(Q.DELETE_CHECKPOINT, log_index.CHECKPOINT)
    finally:
        await store.close()
    store = _store(db, schema)
    started = time.perf_counter()
    await store.open()
    seconds = time.perf_counter() - started
    await store.close()
    return seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.log_filters", description=__doc__.split("\n\n")[0] if __doc__ else ""
    )
    parser.add_argument("--events", type=int, default=None, help="store size N (default 1,000,000; 3,000 with --smoke)")
    parser.add_argument("--db", default=None, help="a postgresql:// DSN (default: a SQLite file in a work directory)")
    parser.add_argument("--reads", type=int, default=None, help="pages read per filter (default 300; 20 with --smoke)")
    parser.add_argument("--limit", type=int, default=100, help="events a page (default 100, the route's default)")
    parser.add_argument("--smoke", action="store_true", help="tiny sizes: proves the script works")
    parser.add_argument("--results", type=Path, default=None, help="also write the table into this Markdown file")
    args = parser.parse_args(argv)
    events = args.events or (3_000 if args.smoke else 1_000_000)
    reads = args.reads or (20 if args.smoke else 300)
    companies = max(events // 100, 10)
    with tempfile.TemporaryDirectory(prefix="tidings-filters-") as work:
        ndjson = Path(work) / "events.ndjson"
        write_ndjson(ndjson, events, companies)
        schema = f"bench_filters_{uuid.uuid4().hex[:12]}" if args.db else None
        db = args.db or str(Path(work) / "tidings.db")
        try:
            seconds = asyncio.run(load(db, schema, ndjson))
            rows = asyncio.run(measure(db, schema, companies, reads, args.limit))
            upgrade = asyncio.run(reindex(db, schema))
        finally:
            if schema:
                asyncio.run(_drop(db, schema))
    backend = "PostgreSQL" if args.db else "SQLite"
    command = " ".join(["python -m bench.log_filters", *(argv if argv is not None else sys.argv[1:])])
    facts = [
        f"command: `{command}`",
        f"date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; machine: {_cores()} cores, {_cpu()}, Python {sys.version.split()[0]}",
        f"store: {backend}, {events:,} events over {companies:,} companies (appended in batches of 1,000 in {seconds:.0f} s)",
        f"the upgrade of a store made before the index: opening it wrote the index of {events:,} events in {upgrade:.0f} s",
        *(
            ["PostgreSQL: the index's statistics analyzed after the load, as autovacuum does within a minute"]
            if args.db
            else []
        ),
        f"each filter: {reads} pages of at most {args.limit} events, values and cursors drawn at random, read in process",
    ]
    table = "\n".join(
        [
            f"| filter ({backend}, {events:,} events) | p50 ms | p99 ms | events a page |",
            "| --- | ---: | ---: | ---: |",
            *(f"| {name} | {p50:.2f} | {p99:.2f} | {size:.0f} |" for name, p50, p99, size in rows),
        ]
    )
    print("\n".join(f"- {fact}" for fact in facts) + "\n\n" + table)
    if args.results is not None:
        _write_results(args.results, facts, table, backend)
    return 0


def _cores() -> int:
    import os

    return os.cpu_count() or 1


async def _drop(dsn: str, schema: str) -> None:
    import asyncpg  # type: ignore[import-untyped]

    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    finally:
        await conn.close()


def _write_results(path: Path, facts: list[str], table: str, backend: str) -> None:
    """Put the run between this backend's markers in ``path`` (added at the end when missing)."""
    begin, end = (
        _BEGIN.replace("log-filters", f"log-filters-{backend.lower()}"),
        _END.replace("log-filters", f"log-filters-{backend.lower()}"),
    )
    block = "\n".join([begin, "", *(f"- {f}" for f in facts), "", table, "", end])
    text = path.read_text() if path.exists() else ""
    if begin in text and end in text:
        head, _, rest = text.partition(begin)
        _, _, tail = rest.partition(end)
        text = head + block + tail
    else:
        text = text.rstrip("\n") + f"\n\n{block}\n"
    path.write_text(text)


if __name__ == "__main__":
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    sys.exit(main())
