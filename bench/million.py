"""Every read of issue 17 at 1,000,000 events, through the real server: p50/p99 of each, and what the log's
filter index costs an append.

``python -m bench.million`` builds (once) a store of N generated events: the log of
``bench.log_filters`` (bench/run.py's facts over N/100 companies, certainties 70/20/10 %, 50 publishers
by a Pareto law, persons on meetings and executives, dates over 2020-2025, product names, notes and
source titles to search, relationships and meetings for the graph, evidence), loaded with
``tidings import``. The store is kept under ``--store`` (default ``/tmp/tidings-bench-<N>``) with a
note of how it was made and how long the import took, and reused by the next run that asks for the
same store (``--rebuild-store`` makes it again).

It then serves the store with ``tidings serve`` on 127.0.0.1 and times each read one request at a time
(no other load), with values drawn at random, after a few warm-up requests: every ``GET /events``
filter alone and combined, newest first and ``before``; ``/people`` and ``/people/{id}``;
``/search``; ``/graph`` at depths 1 to 3; ``/companies/{id}/changes``; ``/conflicts``. Every answer
must be 200 (or 404 where an id drawn may name nothing). It prints p50/p99 in ms and the mean
number of items an answer held.

Last, on a copy of the store, in process (no HTTP), it times appends with the log's filter index
(``log_terms``/``log_dated``, written in every append transaction) and without it (its rows left
out), alternating: one event at a time, and batches of 1,000.

``--smoke`` runs it with tiny sizes in seconds; its figures mean nothing. ``--results FILE`` puts the
tables between the ``million`` markers of FILE. ``--only TEXT...`` times only the reads whose names hold
one of the texts (``--only '/people?q=' '/search'``), and no appends unless ``--append-rounds`` asks.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx

from bench.log_filters import PERSONS, PUBLISHERS, write_ndjson
from bench.run import ROOT, _cpu, company_id, fact, free_port, start, tidings, timed

__all__ = ["main"]

GENERATOR = "bench.log_filters.write_ndjson/1"
"""Names the generator of a stored store: a store made by another one is made again."""
_BEGIN, _END = "<!-- million:begin -->", "<!-- million:end -->"


# -- the store -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Made:
    db: Path
    events: int
    companies: int
    seconds: float
    reused: bool


def build(directory: Path, events: int, companies: int, *, again: bool = False) -> Made:
    """The store of ``events`` events under ``directory``: the one made before when its note matches,
    else generated and imported with ``tidings import`` (timed)."""
    db, note = directory / "store.db", directory / "store.json"
    wanted = {"generator": GENERATOR, "events": events, "companies": companies}
    if not again and db.exists() and note.exists():
        made = json.loads(note.read_text())
        if {k: made.get(k) for k in wanted} == wanted:
            return Made(db, events, companies, float(made["import_seconds"]), reused=True)
    directory.mkdir(parents=True, exist_ok=True)
    for stale in (note, db, db.with_name("store.db-wal"), db.with_name("store.db-shm")):
        stale.unlink(missing_ok=True)
    ndjson = directory / "events.ndjson"
    write_ndjson(ndjson, events, companies)
    try:
        seconds = timed(tidings("import", str(ndjson), "--db", str(db)), directory / "import.log")
    finally:
        ndjson.unlink(missing_ok=True)
    note.write_text(
        json.dumps({**wanted, "import_seconds": round(seconds, 1), "made": f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC"})
    )
    return Made(db, events, companies, seconds, reused=False)


# -- the reads --------------------------------------------------------------------------------------


Path_ = Callable[[random.Random], str]


def reads(events: int, companies: int) -> list[tuple[str, Path_]]:
    """Each read's name and a path drawn at random per request."""

    def company(rng: random.Random) -> str:
        return company_id(rng.randrange(companies))

    def person(rng: random.Random) -> str:
        # meetings name person-0 .. person-19,999, executives person-{serial % 100,000}
        return f"person-{rng.randrange(PERSONS)}"

    def month(rng: random.Random) -> str:
        return f"{rng.randrange(2020, 2026)}-{rng.randrange(1, 13):02d}"

    def position(rng: random.Random) -> int:
        return rng.randrange(1, events + 1)

    def publisher(rng: random.Random, rare: bool) -> str:
        return quote(PUBLISHERS[rng.randrange(40, 50)] if rare else PUBLISHERS[rng.randrange(3)])

    def search(q: str) -> Path_:
        return lambda r: f"/search?q={quote(q)}"

    return [
        ("`/events` no filter, from a random `after`", lambda r: f"/events?after={position(r)}"),
        ("`/events?order=desc` (the newest page)", lambda r: "/events?order=desc"),
        ("`/events?before=` a random position, newest first", lambda r: f"/events?order=desc&before={position(r)}"),
        ("`/events?type=` (one of 9)", lambda r: f"/events?type={r.choice(_TYPES)}"),
        ("`/events?type=` twice (OR)", lambda r: "/events?" + "&".join(f"type={t}" for t in r.sample(_TYPES, 2))),
        ("`/events?company=`", lambda r: f"/events?company={company(r)}"),
        (
            "`/events?company=` three times (OR)",
            lambda r: "/events?" + "&".join(f"company={company(r)}" for _ in range(3)),
        ),
        ("`/events?person=`", lambda r: f"/events?person={person(r)}"),
        ("`/events?certainty=speculative` (10 %)", lambda r: "/events?certainty=speculative"),
        ("`/events?certainty=reported&order=desc`", lambda r: "/events?certainty=reported&order=desc"),
        ("`/events?publisher=` a common one", lambda r: f"/events?publisher={publisher(r, False)}"),
        ("`/events?publisher=` a rare one", lambda r: f"/events?publisher={publisher(r, True)}"),
        (
            "`/events?occurred_from=&occurred_to=` one month",
            lambda r: f"/events?occurred_from={(m := month(r))}&occurred_to={m}",
        ),
        ("`/events?occurred_from=` a year (open end)", lambda r: f"/events?occurred_from={r.randrange(2020, 2026)}"),
        (
            "`/events?occurred_to=` a day (open start), newest first",
            lambda r: f"/events?occurred_to={month(r)}-15&order=desc",
        ),
        ("`/events?person=&type=meeting_held`", lambda r: f"/events?person={person(r)}&type=meeting_held"),
        ("`/events?company=&certainty=confirmed`", lambda r: f"/events?company={company(r)}&certainty=confirmed"),
        (
            "`/events?type=sales_reported&certainty=speculative` + one month",
            lambda r: (
                f"/events?type=sales_reported&certainty=speculative&occurred_from={(m := month(r))}&occurred_to={m}"
            ),
        ),
        (
            "`/events?type=&certainty=&publisher=` rare (sparse AND), newest first",
            lambda r: (
                f"/events?type=market_position_reported&certainty=speculative&publisher={publisher(r, True)}&order=desc"
            ),
        ),
        ("`/people` (first page)", lambda r: "/people"),
        ("`/people?q=` (part of a name)", lambda r: f"/people?q=person%20{r.randrange(1000)}"),
        ("`/people?company=`", lambda r: f"/people?company={company(r)}"),
        ("`/people/{id}`", lambda r: f"/people/{person(r)}"),
        ("`/search?q=` a rare word (`zeppelin`, no hit)", search("zeppelin")),
        (
            "`/search?q=` a company's name",
            lambda r: f"/search?q=Example%20Company%20{r.randrange(companies)}%20Holdings",
        ),
        ("`/search?q=` one product (`Widget 17 Pro`)", search("Widget 17 Pro")),
        ("`/search?q=` a compound part (`cells`)", search("cells")),
        ("`/search?q=` a common word (`battery`)", search("battery")),
        ("`/graph?company=&depth=1`", lambda r: f"/graph?company={company(r)}&depth=1"),
        ("`/graph?company=&depth=2`", lambda r: f"/graph?company={company(r)}&depth=2"),
        ("`/graph?company=&depth=3`", lambda r: f"/graph?company={company(r)}&depth=3"),
        (
            "`/companies/{id}/changes?from=` the middle of the log",
            lambda r: f"/companies/{company(r)}/changes?from={events // 2}",
        ),
        (
            "`/companies/{id}/changes?from=&to=` a span of 10 % of the log",
            lambda r: f"/companies/{company(r)}/changes?from={(p := position(r) * 9 // 10)}&to={p + events // 10}",
        ),
        ("`/conflicts` (first page)", lambda r: "/conflicts"),
        ("`/conflicts?cursor=` a random company", lambda r: f"/conflicts?cursor={company(r)}"),
        ("`/companies/{id}/conflicts`", lambda r: f"/companies/{company(r)}/conflicts"),
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


def _size(answer: httpx.Response) -> int:
    """Items on a page, nodes and edges of a graph, one for a single resource, zero for a 404."""
    if answer.status_code != 200:
        return 0
    body = answer.json()
    if "nodes" in body:
        return len(body["nodes"]) + len(body["edges"])
    return len(body["items"]) if isinstance(body.get("items"), list) else 1


@dataclass(frozen=True)
class Timing:
    name: str
    p50: float
    p99: float
    requests: int
    items: float


def _quantiles(took: list[float]) -> tuple[float, float]:
    took = sorted(took)
    return statistics.median(took), took[min(len(took) - 1, round(0.99 * (len(took) - 1)))]


def chosen(events: int, companies: int, only: list[str] | None) -> list[tuple[str, Path_]]:
    """The reads whose names hold one of the texts ``only`` gives (every read without it)."""
    every = reads(events, companies)
    if not only:
        return every
    picked = [(name, draw) for name, draw in every if any(text in name for text in only)]
    if not picked:
        raise SystemExit(f"no read's name holds any of {only}; the reads: " + "; ".join(n for n, _ in every))
    return picked


def measure_reads(
    url: str, events: int, companies: int, requests: int, budget: float, only: list[str] | None = None
) -> list[Timing]:
    """Each read ``requests`` times, or fewer (at least 20) when they take more than ``budget`` seconds."""
    rows = []
    with httpx.Client(base_url=url, timeout=120) as client:
        for name, draw in chosen(events, companies, only):
            rng = random.Random(name)
            for _ in range(min(5, requests)):
                client.get(draw(rng))
            took: list[float] = []
            sizes: list[int] = []
            deadline = time.perf_counter() + budget
            while len(took) < requests and (len(took) < 20 or time.perf_counter() < deadline):
                path = draw(rng)
                started = time.perf_counter()
                answer = client.get(path)
                took.append((time.perf_counter() - started) * 1000)
                if answer.status_code not in (200, 404):
                    raise RuntimeError(f"{path}: {answer.status_code} {answer.text[:300]}")
                sizes.append(_size(answer))
            rows.append(Timing(name, *_quantiles(took), len(took), statistics.mean(sizes)))
            print(f"{name}: p50 {rows[-1].p50:.1f} ms, p99 {rows[-1].p99:.1f} ms", file=sys.stderr, flush=True)
    return rows


# -- the append cost of the filter index ----------------------------------------------------------------


@contextmanager
def _index_off(off: bool) -> Any:
    """Appends without the filter index's rows (a bench's switch, not the store's: its checkpoint
    still moves): ``api.store.program`` writes what ``index_rows`` gives it."""
    from api.store import program

    written = getattr(program, "index_rows")  # noqa: B009 (not exported; the bench swaps it)
    if off:
        setattr(program, "index_rows", lambda events: ([], []))  # noqa: B010
    try:
        yield
    finally:
        setattr(program, "index_rows", written)  # noqa: B010


async def _appends(db: Path, companies: int, singles: int, batches: int, rounds: int) -> dict[str, list[float]]:
    from api.store.sqlite import SQLiteStore
    from schema.events import CATALOGUE

    rng = random.Random(23)

    def events(count: int) -> list[Any]:
        made = []
        for _ in range(count):
            event = fact(rng, rng.randrange(companies), companies, rng.randrange(1_000_000))
            event["id"] = str(uuid.uuid4())
            made.append(CATALOGUE.decode(json.dumps(event).encode()))
        return made

    took: dict[str, list[float]] = {}
    store = SQLiteStore(db)
    await store.open()
    try:
        await store.append(events(1))  # warm the connection and the caches
        for _ in range(rounds):
            for off in (False, True):
                with _index_off(off):
                    single = events(singles)
                    started = time.perf_counter()
                    for event in single:
                        await store.append([event])
                    took.setdefault(f"single{'-off' if off else ''}", []).append(
                        (time.perf_counter() - started) * 1000 / singles
                    )
                    for _ in range(batches):
                        batch = events(1000)
                        started = time.perf_counter()
                        await store.append_batch(batch)
                        took.setdefault(f"batch{'-off' if off else ''}", []).append(
                            (time.perf_counter() - started) * 1000
                        )
    finally:
        await store.close()
    return took


def measure_appends(made: Made, work: Path, singles: int, batches: int, rounds: int) -> dict[str, list[float]]:
    """Appends to a copy of the store (the store stays as built), alternating with and without the index."""
    copy = work / "appends.db"
    shutil.copyfile(made.db, copy)
    for suffix in ("-wal",):
        if (wal := made.db.with_name(made.db.name + suffix)).exists():
            shutil.copyfile(wal, copy.with_name(copy.name + suffix))
    return asyncio.run(_appends(copy, made.companies, singles, batches, rounds))


# -- the report -----------------------------------------------------------------------------------


def _loadavg() -> str:
    return " / ".join(f"{v:.1f}" for v in os.getloadavg())


def report(
    made: Made,
    rows: list[Timing],
    appends: dict[str, list[float]] | None,
    command: str,
    load: str,
    requests: int,
    budget: float,
) -> str:
    how = "reused, made by an earlier run whose" if made.reused else "made by this run:"
    facts = [
        f"command: `{command}`",
        f"date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; machine: {os.cpu_count()} cores, {_cpu()}, Python {sys.version.split()[0]}",
        f"load average (1 / 5 / 15 min) before the reads / after them: {load}",
        f"store: SQLite, {made.events:,} events over {made.companies:,} companies ({how} `tidings import` took {made.seconds:.0f} s)",
        f"each read: up to {requests} requests one at a time to `tidings serve` on 127.0.0.1 (httpx, keep-alive), "
        f"fewer (at least 20) for a read whose requests took more than {budget:g} s, values drawn at random, "
        "after 5 warm-up requests",
    ]
    lines = [
        f"| read (SQLite, {made.events:,} events) | p50 ms | p99 ms | requests | items an answer |",
        "| --- | ---: | ---: | ---: | ---: |",
        *(f"| {t.name} | {t.p50:.1f} | {t.p99:.1f} | {t.requests} | {t.items:.0f} |" for t in rows),
    ]
    if appends:
        lines += [
            "",
            f"| append on a copy of the store, in process (mean of {len(appends['single'])} rounds, alternating) "
            "| with the filter index | without it | the index's share |",
            "| --- | ---: | ---: | ---: |",
        ]
        for key, label in (("single", "one event a call, ms an append"), ("batch", "a batch of 1,000 events, ms")):
            on, off = statistics.mean(appends[key]), statistics.mean(appends[f"{key}-off"])
            lines.append(f"| {label} | {on:.2f} | {off:.2f} | {(on - off) / on:.0%} |")
    return "\n".join([*(f"- {f}" for f in facts), "", *lines])


def _write_results(path: Path, block: str) -> None:
    text = path.read_text() if path.exists() else ""
    block = f"{_BEGIN}\n\n{block}\n\n{_END}"
    if _BEGIN in text and _END in text:
        head, _, rest = text.partition(_BEGIN)
        _, _, tail = rest.partition(_END)
        text = head + block + tail
    else:
        text = text.rstrip("\n") + f"\n\n{block}\n"
    path.write_text(text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.million", description=__doc__.split("\n\n")[0] if __doc__ else ""
    )
    parser.add_argument("--events", type=int, default=None, help="store size N (default 1,000,000; 3,000 with --smoke)")
    parser.add_argument(
        "--store", type=Path, default=None, help="where the store is kept (default /tmp/tidings-bench-N)"
    )
    parser.add_argument("--rebuild-store", action="store_true", help="make the store again even when one is kept")
    parser.add_argument(
        "--requests", type=int, default=None, help="timed requests per read (default 200; 10 with --smoke)"
    )
    parser.add_argument(
        "--seconds", type=float, default=30, help="time budget of one read: fewer requests (at least 20) past it"
    )
    parser.add_argument(
        "--append-rounds", type=int, default=None, help="rounds of the append cost, 0 for none (default 3)"
    )
    parser.add_argument(
        "--only",
        nargs="+",
        metavar="TEXT",
        default=None,
        help="time only the reads whose names hold one of these texts (e.g. '/people?q=' '/search'); "
        "no appends unless --append-rounds asks",
    )
    parser.add_argument("--smoke", action="store_true", help="tiny sizes: proves the script works")
    parser.add_argument("--results", type=Path, default=None, help="also write the tables into this Markdown file")
    args = parser.parse_args(argv)
    if args.only and args.results:
        parser.error("--results writes every read's table: not with --only")
    events = args.events or (3_000 if args.smoke else 1_000_000)
    requests = args.requests or (10 if args.smoke else 200)
    rounds = args.append_rounds if args.append_rounds is not None else (0 if args.only else 1 if args.smoke else 3)
    companies = max(events // 100, 10)
    directory = args.store or Path(tempfile.gettempdir()) / f"tidings-bench-{events}"
    made = build(directory, events, companies, again=args.rebuild_store)
    print(f"store: {made.db} ({'reused' if made.reused else 'made'}; import {made.seconds:.0f} s)", flush=True)
    with tempfile.TemporaryDirectory(prefix="tidings-million-") as tmp:
        work = Path(tmp)
        port = free_port()
        before = _loadavg()
        served = start(
            "tidings",
            tidings("serve", "--db", str(made.db), "--host", "127.0.0.1", "--port", str(port)),
            port,
            work / "serve.log",
            timeout=300,
        )
        try:
            rows = measure_reads(served.url, events, companies, requests, args.seconds, args.only)
        finally:
            served.stop()
        load = f"{before}; {_loadavg()}"
        appends = (
            measure_appends(made, work, 20 if args.smoke else 500, 2 if args.smoke else 5, rounds) if rounds else None
        )
    command = " ".join(["python -m bench.million", *(argv if argv is not None else sys.argv[1:])])
    block = report(made, rows, appends, command, load, requests, args.seconds)
    print(block)
    if args.results is not None:
        _write_results(args.results, block)
    return 0


if __name__ == "__main__":
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    sys.exit(main())
