"""``python -m bench.reads``: latency of the cross-company reads (people, graph, changes, conflicts) at N events.

Builds a store of N generated events over 1,000 companies (the generator of bench/run.py:
executives name 100,000 people, meetings and supply links join each company to 8 others),
serves it with ``tidings serve``, and times each read one request at a time (no other load),
over varied ids, after one warm-up pass: p50 and p99 in milliseconds. Every answer must be 200.

    .venv/bin/python -m bench.reads                  # 1,000,000 events (import takes minutes)
    .venv/bin/python -m bench.reads --events 100000
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import httpx

from bench.run import company_id, free_port, start, tidings, timed, write_store_ndjson

COMPANIES = 1000


def _reads(events: int, rng: random.Random) -> dict[str, Callable[[], str]]:
    """Each read's path, a new one per call."""

    def company() -> str:
        return company_id(rng.randrange(COMPANIES))

    def person() -> str:
        return f"person-{rng.randrange(min(events, 100_000))}"

    return {
        "GET /people/{id}": lambda: f"/people/{person()}",
        "GET /people?q= (substring of a name)": lambda: f"/people?q=person%20{rng.randrange(1000)}&limit=20",
        "GET /people?company=": lambda: f"/people?company={company()}&limit=100",
        "GET /graph?company=&depth=1": lambda: f"/graph?company={company()}&depth=1",
        "GET /graph?company=&depth=2": lambda: f"/graph?company={company()}&depth=2",
        "GET /companies/{id}/changes?from=(the middle of the log)": lambda: (
            f"/companies/{company()}/changes?from={events // 2}"
        ),
        "GET /companies/{id}/conflicts": lambda: f"/companies/{company()}/conflicts",
        "GET /conflicts?limit=100": lambda: "/conflicts?limit=100",
    }


def _time(client: httpx.Client, path: Callable[[], str], count: int) -> tuple[float, float]:
    for _ in range(5):
        client.get(path())
    took = []
    for _ in range(count):
        url = path()
        started = time.perf_counter()
        answer = client.get(url)
        took.append((time.perf_counter() - started) * 1000)
        if answer.status_code not in (200, 404):
            raise RuntimeError(f"{url}: {answer.status_code} {answer.text[:300]}")
    took.sort()
    return statistics.median(took), took[min(len(took) - 1, int(len(took) * 0.99))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=200, help="timed requests per read")
    options = parser.parse_args(argv)
    rng = random.Random(11)
    with tempfile.TemporaryDirectory(prefix="tidings-reads-") as tmp:
        work = Path(tmp)
        ndjson, store, log = work / "events.ndjson", work / "store.db", work / "log.txt"
        write_store_ndjson(ndjson, options.events, COMPANIES)
        seconds = timed(tidings("import", str(ndjson), "--db", str(store)), log)
        print(f"store: {options.events:,} events over {COMPANIES:,} companies, imported in {seconds:.1f} s")
        port = free_port()
        served = start(
            "tidings", tidings("serve", "--db", str(store), "--host", "127.0.0.1", "--port", str(port)), port, log
        )
        try:
            with httpx.Client(base_url=served.url, timeout=60) as client:
                print(f"| read at {options.events:,} events, one request at a time | p50 (ms) | p99 (ms) |")
                print("| --- | ---: | ---: |")
                for name, path in _reads(options.events, rng).items():
                    p50, p99 = _time(client, path, options.requests)
                    print(f"| {name} | {p50:.1f} | {p99:.1f} |")
        finally:
            served.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
