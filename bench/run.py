"""The benchmark of issue 6: Tidings against the ceilings of its own stack, measured in one run.

``python -m bench`` (or ``python bench/run.py``) starts a minimal Litestar app (no
Tidings code) and ``tidings serve`` side by side, on 127.0.0.1, served the same way,
and prints one table of figures and ratios:

(a) single-event appends/s with 32 concurrent clients vs the minimal POST;
(b) batch ingest events/s (HTTP batches of 1,000; ``tidings import``) vs plain sqlite3
    inserting ~400-byte rows in transactions of 1,000 (WAL, synchronous=FULL);
(c) ``GET /companies/{id}`` req/s, p50 and p99 vs the minimal GET, on a store of N
    events over N/100 companies (built with ``tidings import`` of generated NDJSON); and vs
    the minimal app sending a body of the dossiers' mean size, made once (what sending costs);
(d) ``tidings rebuild`` events/s vs an sqlite3 read of the events table plus a msgspec
    decode of each body with the Event decoder;
(e) peak RSS of the server at N events (and after the write runs);
(f) in-process appends/s, one event per call, vs the ``eventsourcing`` library on SQLite,
    one event per save (``pip install -e '.[bench]'``; reported as missing otherwise).

HTTP load comes from wrk (a Lua script, ``bench/report.lua``); without wrk on the PATH
a small asyncio client in this file stands in, and the table says which was used.
Every HTTP figure is the best of ``--rounds`` runs that alternate between the ceiling
and Tidings, so a noisy neighbour on the machine hurts both sides alike.

``--smoke`` runs the same steps with tiny sizes in seconds (CI keeps the script alive
with it); its figures mean nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib.metadata
import json
import os
import platform
import random
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
LUA = Path(__file__).resolve().with_name("report.lua")
TAKES_ZSTD = {"Accept-Encoding": "zstd"}
"""A client that takes a dossier packed (httpx with zstandard installed, browsers): sent as kept, not inflated."""
TARGETS = {  # issue 20's targets
    "appends": 0.50,
    "appends_vs_es": 2.5,
    "http_batch": 0.50,
    "import": 0.60,
    "reads": 0.70,
    "read_p99_ms": 15.0,
    "rebuild": 0.50,
    "rebuild_seconds_1m": 15.0,
    "rss_mb": 250.0,
}

__all__ = ["main"]


# -- options -----------------------------------------------------------------------------


@dataclass
class Options:
    events: int
    smoke: bool
    seconds: float
    warmup: float
    rounds: int
    connections: int
    batch_connections: int
    wrk_threads: int
    raw_rows: int
    inprocess_seconds: float
    keep: bool
    results: Path | None
    command: str
    server: str


def _options(argv: list[str] | None) -> Options:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0] if __doc__ else "")
    parser.add_argument("--events", type=int, default=None, help="store size N (default 1,000,000; 2,000 with --smoke)")
    parser.add_argument("--smoke", action="store_true", help="tiny sizes and 1-second runs: proves the script works")
    parser.add_argument("--seconds", type=float, default=None, help="length of each HTTP run (default 10; 1 smoke)")
    parser.add_argument("--rounds", type=int, default=None, help="alternating runs per comparison (default 2; 1 smoke)")
    parser.add_argument("--connections", type=int, default=32, help="concurrent clients for appends and reads")
    parser.add_argument("--batch-connections", type=int, default=4, help="concurrent clients for HTTP batches")
    parser.add_argument(
        "--wrk-threads", type=int, default=1, help="wrk threads (default 1: leaves a core to the server)"
    )
    parser.add_argument(
        "--server",
        choices=["uvicorn", "granian"],
        default="uvicorn",
        help="HTTP server of both `tidings serve` and the minimal app (default uvicorn, as `tidings serve`)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the work directory (stores, logs, NDJSON)")
    parser.add_argument("--results", type=Path, default=None, help="also write the table into this Markdown file")
    args = parser.parse_args(argv)
    smoke = bool(args.smoke)
    events = args.events or (2_000 if smoke else 1_000_000)
    return Options(
        events=max(events, 200),
        smoke=smoke,
        seconds=args.seconds or (1.0 if smoke else 10.0),
        warmup=0.5 if smoke else 2.0,
        rounds=args.rounds or (1 if smoke else 2),
        connections=args.connections,
        batch_connections=args.batch_connections,
        wrk_threads=args.wrk_threads,
        raw_rows=min(events, 5_000 if smoke else 200_000),
        inprocess_seconds=1.0 if smoke else 5.0,
        keep=bool(args.keep),
        results=args.results,
        command=" ".join(["python -m bench", *(argv if argv is not None else sys.argv[1:])]),
        server=args.server,
    )


# -- generated events -----------------------------------------------------------------------

_SOURCE = {
    "title": "Quarterly round-up of company news from the regional business press",
    "publisher": "Example Business News Daily",
    "language": "en",
    "published_on": "2025-03",
}
_NOTE = "Reported by two outlets; figures as given in the article, not independently confirmed."


def company_id(n: int) -> str:
    return f"co-{n:07d}"


def registration(n: int, *, with_id: bool = True) -> dict[str, Any]:
    event: dict[str, Any] = {
        "type": "company_registered",
        "sources": [_SOURCE],
        "certainty": "confirmed",
        "note": _NOTE,
        "company_id": company_id(n),
        "name": f"Example Company {n} Holdings",
        "aliases": [f"ECH {n}"],
        "country": "DE",
        "sectors": ["batteries", "semiconductors"],
    }
    if n % 10 == 9:
        event["parent_id"] = company_id(n - 1)
    if with_id:
        event["id"] = str(uuid.uuid4())
    return event


def fact(rng: random.Random, n: int, companies: int, serial: int) -> dict[str, Any]:
    """One ~400-byte fact about company ``n`` (a quarter name one of its 8 partner companies)."""
    cid = company_id(n)
    other = company_id((n + 1 + rng.randrange(min(8, max(companies - 1, 1)))) % companies)  # a circle of 8 partners
    year = 2020 + serial % 6
    month = 1 + serial % 12
    base: dict[str, Any] = {"sources": [_SOURCE], "certainty": "reported", "note": _NOTE}
    kind = rng.random()
    body: dict[str, Any]
    if kind < 0.22:
        body = {
            "type": "product_launched",
            "company_id": cid,
            "product": f"Widget {serial % 997} Pro",
            "category": "consumer electronics",
            "launched_on": f"{year}-{month:02d}-{1 + serial % 28:02d}",
        }
    elif kind < 0.44:
        body = {
            "type": "sales_reported",
            "company_id": cid,
            "period": f"{year}-Q{1 + serial % 4}",
            "units": {"value": 1000 + serial % 50_000},
            "revenue": {"amount": f"{10_000 + serial % 900_000}.50", "currency": "EUR", "approximate": True},
        }
    elif kind < 0.56:
        body = {
            "type": "executive_reported",
            "person_id": f"person-{serial % 100_000}",
            "name": f"Person {serial % 100_000}",
            "company_id": cid,
            "role": "Chief Executive Officer",
        }
    elif kind < 0.68:
        body = {
            "type": "plan_announced",
            "plan_id": f"plan-{serial}",
            "company_id": cid,
            "kind": "production",
            "description": "Produce more units at the new plant",
            "metric": "units_produced",
            "target": {"value": str(10_000 + serial % 90_000)},
            "due": f"{year + 1}",
        }
    elif kind < 0.80 and companies > 1:
        body = {
            "type": "relationship_reported",
            "from_company_id": cid,
            "to_company_id": other,
            "kind": "supplies",
            "status": "active",
            "components": ["battery cells"],
        }
    elif kind < 0.92 and companies > 1:
        body = {
            "type": "meeting_held",
            "occurred_on": f"{year}-{month:02d}",
            "location": {"country": "CN", "city": "Beijing"},
            "participants": [{"company_id": cid}, {"company_id": other}],
            "topics": ["supply"],
        }
    else:
        body = {
            "type": "market_position_reported",
            "company_ids": [cid],
            "market": "Electric vehicle batteries",
            "region": "Europe",
            "position": "challenger",
        }
    return {"type": body.pop("type"), **base, **body}


def write_store_ndjson(path: Path, events: int, companies: int, seed: int = 6) -> None:
    """N events over ``companies`` companies: every registration first, then facts in random
    company order, with evidence for earlier facts of the same company (about 1 in 12)."""
    import msgspec

    rng = random.Random(seed)
    encode = msgspec.json.Encoder().encode
    recent: dict[int, str] = {}
    with path.open("wb") as out:
        lines: list[bytes] = []
        for n in range(companies):
            lines.append(encode(registration(n)))
        for serial in range(events - companies):
            n = rng.randrange(companies)
            if serial % 12 == 11 and n in recent:
                event: dict[str, Any] = {
                    "type": "evidence_added",
                    "id": str(uuid.uuid4()),
                    "sources": [{**_SOURCE, "publisher": "Another Business Paper"}],
                    "event_id": recent[n],
                }
            else:
                event = fact(rng, n, companies, serial)
                event["id"] = str(uuid.uuid4())
                recent[n] = event["id"]
            lines.append(encode(event))
            if len(lines) >= 10_000:
                out.write(b"\n".join(lines) + b"\n")
                lines = []
        if lines:
            out.write(b"\n".join(lines) + b"\n")


def append_bodies(count: int, companies: int, seed: int = 7) -> list[bytes]:
    """Single-event bodies without ids (every one is new, never a replay)."""
    import msgspec

    rng = random.Random(seed)
    return [msgspec.json.encode(fact(rng, rng.randrange(companies), companies, k)) for k in range(count)]


def batch_bodies(count: int, size: int, companies: int, seed: int = 8) -> list[bytes]:
    import msgspec

    rng = random.Random(seed)
    return [
        msgspec.json.encode({"events": [fact(rng, rng.randrange(companies), companies, k) for k in range(size)]})
        for _ in range(count)
    ]


def minimal_body() -> bytes:
    import msgspec

    return msgspec.json.encode(
        {
            "type": "product_launched",
            "company_id": "co-0000001",
            "product": "Widget 17 Pro",
            "category": "consumer electronics",
            "launched_on": "2025-03-14",
            "sources": [_SOURCE],
            "certainty": "reported",
            "note": _NOTE,
        }
    )


# -- processes --------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Served:
    name: str
    process: subprocess.Popen[bytes]
    url: str
    log: Path

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def peak_rss_mb(self) -> float:
        """VmHWM of the server process and its children (a server may run its app in a worker)."""
        return sum(_hwm_kb(pid) for pid in _tree(self.process.pid)) / 1024


def _tree(pid: int) -> list[int]:
    pids = [pid]
    with contextlib.suppress(OSError):
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                with contextlib.suppress(OSError):
                    stat = Path(f"/proc/{entry}/stat").read_text()
                    if int(stat.rpartition(")")[2].split()[1]) == pid:
                        pids.extend(_tree(int(entry)))
    return pids


def _hwm_kb(pid: int) -> int:
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


def _python() -> str:
    return sys.executable


def _env() -> dict[str, str]:
    path = os.environ.get("PYTHONPATH", "")
    return {**os.environ, "PYTHONPATH": f"{ROOT}{os.pathsep}{path}" if path else str(ROOT)}


def start(name: str, command: list[str], port: int, log: Path, timeout: float = 60) -> Served:
    with log.open("wb") as out:
        process = subprocess.Popen(command, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, env=_env())
    served = Served(name, process, f"http://127.0.0.1:{port}", log)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited with {process.returncode}:\n{log.read_text(errors='replace')}")
        with contextlib.suppress(OSError), urllib.request.urlopen(f"{served.url}/health", timeout=1) as answer:
            if answer.status == 200:
                return served
        time.sleep(0.05)
    served.stop()
    raise TimeoutError(f"{name} did not answer within {timeout} s:\n{log.read_text(errors='replace')}")


def tidings(*args: str) -> list[str]:
    return [_python(), "-m", "api.cli", *args]


def timed(command: list[str], log: Path) -> float:
    started = time.perf_counter()
    with log.open("ab") as out:
        subprocess.run(command, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, env=_env(), check=True)
    return time.perf_counter() - started


# -- HTTP load -----------------------------------------------------------------------------------


@dataclass
class Load:
    requests: int
    seconds: float
    errors: int
    p50_ms: float
    p99_ms: float

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


@dataclass
class Loader:
    """Runs one HTTP load: wrk when it is installed, else the asyncio client below."""

    work: Path
    threads: int
    wrk: str | None = field(default_factory=lambda: shutil.which("wrk"))

    @property
    def name(self) -> str:
        if self.wrk:
            version = subprocess.run([self.wrk, "-v"], capture_output=True, text=True).stdout.split("\n")[0]
            match = re.search(r"wrk\s+(\S+)", version)
            return f"wrk {match.group(1) if match else ''} ({self.threads} thread(s), Lua script bench/report.lua)"
        return "asyncio HTTP/1.1 client of bench/run.py (wrk not found)"

    def run(
        self,
        url: str,
        paths: list[str],
        *,
        connections: int,
        seconds: float,
        bodies: list[bytes] | None = None,
        once: bool = False,
        headers: dict[str, str] | None = None,
    ) -> Load:
        """``headers`` go with each GET (a POST sends its Content-Type only)."""
        tag = uuid.uuid4().hex[:8]
        paths_file = self.work / f"paths-{tag}.txt"
        paths_file.write_text("\n".join(paths) + "\n")
        env = {**os.environ, "BENCH_PATHS": str(paths_file), "BENCH_METHOD": "POST" if bodies else "GET"}
        env["BENCH_HEADERS"] = "".join(f"{name}: {value}\n" for name, value in (headers or {}).items())
        bodies_file = None
        if bodies:
            bodies_file = self.work / f"bodies-{tag}.txt"
            bodies_file.write_bytes(b"\n".join(bodies) + b"\n")
            env["BENCH_BODIES"] = str(bodies_file)
        try:
            if self.wrk and not once:  # wrk runs for a duration; a pass over a list needs the asyncio client
                return self._wrk(url, env, connections, seconds)
            return asyncio.run(_python_load(url, paths, bodies, connections, seconds, once, headers or {}))
        finally:
            paths_file.unlink(missing_ok=True)
            if bodies_file is not None:
                bodies_file.unlink(missing_ok=True)

    def _wrk(self, url: str, env: dict[str, str], connections: int, seconds: float) -> Load:
        assert self.wrk is not None
        command = [
            self.wrk,
            f"-t{min(self.threads, connections)}",
            f"-c{connections}",
            f"-d{max(seconds, 1):.0f}s",
            "--timeout",
            "30s",
            "-s",
            str(LUA),
            url,
        ]
        out = subprocess.run(command, capture_output=True, text=True, env=env, timeout=seconds + 660)
        line = next((x for x in out.stdout.splitlines() if x.startswith("BENCH ")), None)
        if line is None:
            raise RuntimeError(f"wrk printed no result:\n{out.stdout}\n{out.stderr}")
        data = json.loads(line[6:])
        return Load(
            requests=data["requests"],
            seconds=data["duration_us"] / 1e6,
            errors=data["status_errors"] + data["socket_errors"],
            p50_ms=data["p50_us"] / 1000,
            p99_ms=data["p99_us"] / 1000,
        )


async def _python_load(
    url: str,
    paths: list[str],
    bodies: list[bytes] | None,
    connections: int,
    seconds: float,
    once: bool,
    headers: dict[str, str],
) -> Load:
    host, port = url.removeprefix("http://").split(":")
    sent = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
    requests: list[bytes] = []
    for k in range(max(len(paths), len(bodies or []))):
        path = paths[k % len(paths)]
        if bodies:
            body = bodies[k % len(bodies)]
            head = f"POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
            requests.append(head.encode() + body)
        else:
            requests.append(f"GET {path} HTTP/1.1\r\nHost: {host}\r\n{sent}\r\n".encode())
    latencies: list[float] = []
    errors = 0
    counter = iter(range(len(requests) if once else 1 << 62))
    deadline = time.perf_counter() + (600 if once else seconds)

    async def client() -> None:
        nonlocal errors
        reader, writer = await asyncio.open_connection(host, int(port))
        try:
            for k in counter:
                if time.perf_counter() >= deadline:
                    return
                started = time.perf_counter()
                writer.write(requests[k % len(requests)])
                head = await reader.readuntil(b"\r\n\r\n")
                status = int(head.split(b" ", 2)[1])
                length = re.search(rb"(?i)content-length:\s*(\d+)", head)
                if length:
                    await reader.readexactly(int(length.group(1)))
                latencies.append(time.perf_counter() - started)
                if status >= 400:
                    errors += 1
        finally:
            writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(connections)))
    elapsed = time.perf_counter() - started
    latencies.sort()

    def pct(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000 if latencies else 0.0

    return Load(requests=len(latencies), seconds=elapsed, errors=errors, p50_ms=pct(0.5), p99_ms=pct(0.99))


def mean_body_bytes(url: str, paths: list[str]) -> int:
    """The mean size of the answers to ``paths`` (a GET each, one at a time)."""
    sizes = []
    for path in paths:
        with urllib.request.urlopen(f"{url}{path}", timeout=30) as answer:
            sizes.append(len(answer.read()))
    return round(sum(sizes) / len(sizes)) if sizes else 0


def alternate(rounds: int, *runs: Callable[[], Load]) -> list[Load]:
    """Each run ``rounds`` times, alternating; the best (highest rate) of each."""
    best: list[Load | None] = [None] * len(runs)
    for _ in range(rounds):
        for index, run in enumerate(runs):
            result = run()
            current = best[index]
            if current is None or result.rate > current.rate:
                best[index] = result
    return [b for b in best if b is not None]


def scrape(url: str, names: tuple[str, ...]) -> dict[str, float]:
    """Sums of the named Prometheus series at ``url``/metrics."""
    with urllib.request.urlopen(f"{url}/metrics", timeout=10) as answer:
        text = answer.read().decode()
    values = dict.fromkeys(names, 0.0)
    for line in text.splitlines():
        for name in names:
            if line.startswith(name + " ") or line.startswith(name + "{"):
                values[name] += float(line.rsplit(" ", 1)[1])
    return values


# -- ceilings and in-process runs -------------------------------------------------------------


def raw_sqlite_rate(path: Path, rows: int, batch: int = 1000) -> float:
    """Plain sqlite3, WAL, synchronous=FULL: ~400-byte rows in transactions of ``batch``."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("CREATE TABLE events (position INTEGER PRIMARY KEY, id BLOB NOT NULL UNIQUE, body BLOB NOT NULL)")
    body = minimal_body()[:400].ljust(400)
    started = time.perf_counter()
    done = 0
    while done < rows:
        conn.execute("BEGIN")
        conn.executemany(
            "INSERT INTO events (position, id, body) VALUES (?, ?, ?)",
            [(done + k + 1, uuid.uuid4().bytes, body) for k in range(min(batch, rows - done))],
        )
        conn.execute("COMMIT")
        done += min(batch, rows - done)
    elapsed = time.perf_counter() - started
    conn.close()
    return rows / elapsed


def read_decode_rate(db: Path) -> tuple[float, int]:
    """sqlite3 reads every row of the events table; msgspec decodes each body to an Event as a fold
    does, its constraints not checked again (schema.stored: the fastest decode of the log there is)."""
    from schema import stored
    from schema.events import Event

    decoder = stored.decoder(Event)
    conn = sqlite3.connect(db)
    started = time.perf_counter()
    count = 0
    for _position, _recorded_at, body in conn.execute(
        "SELECT position, recorded_at, body FROM events ORDER BY position"
    ):
        decoder.decode(body)
        count += 1
    elapsed = time.perf_counter() - started
    conn.close()
    return count / elapsed, count


async def _tidings_inprocess(path: Path, seconds: float, concurrency: int) -> float:
    from api.store.sqlite import SQLiteStore
    from schema.codec import decode_event

    store = SQLiteStore(path)
    await store.open()
    try:
        await store.append([decode_event(json.dumps(registration(1, with_id=False)))])
        rng = random.Random(3)
        events = [decode_event(json.dumps(fact(rng, 1, 1, k))) for k in range(100)]
        count = 0
        deadline = time.perf_counter() + seconds

        async def worker(offset: int) -> None:
            nonlocal count
            k = offset
            while time.perf_counter() < deadline:
                await store.append([events[k % len(events)]])
                count += 1
                k += 1

        started = time.perf_counter()
        await asyncio.gather(*(worker(k) for k in range(concurrency)))
        return count / (time.perf_counter() - started)
    finally:
        await store.close()


def tidings_inprocess_rate(path: Path, seconds: float, concurrency: int = 1) -> float:
    return asyncio.run(_tidings_inprocess(path, seconds, concurrency))


def eventsourcing_rate(path: Path, seconds: float) -> tuple[float | None, str]:
    """The eventsourcing library on SQLite: one aggregate event per ``save``, one save at a time."""
    try:
        from eventsourcing.application import Application
        from eventsourcing.domain import Aggregate, event
    except ImportError:
        return None, "not installed: pip install -e '.[bench]'"

    class Company(Aggregate):  # type: ignore[misc]
        @event("Registered")  # type: ignore[untyped-decorator]
        def __init__(self, name: str) -> None:
            self.name = name
            self.facts = 0

        @event("FactReported")  # type: ignore[untyped-decorator]
        def report(self, fact: dict[str, Any]) -> None:
            self.facts += 1

    class News(Application):  # type: ignore[misc]
        pass

    app = News(
        env={"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": str(path), "SQLITE_LOCK_TIMEOUT": "10"}
    )
    rng = random.Random(4)
    facts = [fact(rng, 1, 1, k) for k in range(100)]
    company = Company(name="Example")
    app.save(company)
    sync = _synchronous(path)
    count = 0
    started = time.perf_counter()
    deadline = started + seconds
    while time.perf_counter() < deadline:
        company.report(fact=facts[count % len(facts)])
        app.save(company)
        count += 1
    rate = count / (time.perf_counter() - started)
    app.close()
    return rate, f"eventsourcing {importlib.metadata.version('eventsourcing')}, {sync}"


def _synchronous(path: Path) -> str:
    """What a fresh connection to the file reports: the library sets WAL and leaves synchronous at SQLite's default."""
    conn = sqlite3.connect(path)
    try:
        mode = conn.execute("PRAGMA journal_mode").fetchone()[0]
        sync = {0: "OFF", 1: "NORMAL", 2: "FULL", 3: "EXTRA"}[conn.execute("PRAGMA synchronous").fetchone()[0]]
        return f"journal_mode={mode} synchronous={sync}"
    finally:
        conn.close()


# -- the table -------------------------------------------------------------------------------------


@dataclass
class Row:
    what: str
    tidings: str
    ceiling: str
    ratio: str = ""
    target: str = ""
    met: str = ""


def _n(value: float) -> str:
    return f"{value:,.0f}"


def _check(ok: bool | None) -> str:
    return "" if ok is None else ("met" if ok else "NOT met")


def render(rows: list[Row]) -> str:
    header = Row("measure", "Tidings", "ceiling", "ratio", "target", "met")
    table = [header, Row("---", "---:", "---:", "---:", "---", "---"), *rows]
    return "\n".join(f"| {r.what} | {r.tidings} | {r.ceiling} | {r.ratio} | {r.target} | {r.met} |" for r in table)


def _ratio(a: float, b: float) -> float:
    return a / b if b else 0.0


# -- the run ----------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    opts = _options(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # stop the servers and clean up on SIGTERM too
    work = Path(tempfile.mkdtemp(prefix="tidings-bench-"))
    try:
        return _run(opts, work)
    finally:
        if opts.keep:
            print(f"work directory kept: {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)


def _say(text: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)


def _run(opts: Options, work: Path) -> int:
    n = opts.events
    companies = max(n // 100, 2)
    loader = Loader(work, opts.wrk_threads)
    started_at = datetime.now(UTC)
    load_before = os.getloadavg()
    notes: list[str] = []
    rows: list[Row] = []
    log = work / "commands.log"

    _say(f"generating {n:,} events over {companies:,} companies")
    ndjson = work / "store.ndjson"
    write_store_ndjson(ndjson, n, companies)
    store = work / "store.db"

    _say("raw sqlite3 ceiling")
    raw = raw_sqlite_rate(work / "raw.db", opts.raw_rows)

    _say("tidings import")
    import_seconds = timed(tidings("import", str(ndjson), "--db", str(store)), log)
    import_rate = n / import_seconds

    _say("tidings rebuild")
    rebuild_seconds = timed(tidings("rebuild", "--db", str(store)), log)
    rebuild_rate = n / rebuild_seconds
    _say("read+decode ceiling")
    decode_rate, decoded = read_decode_rate(store)
    if decoded != n:
        notes.append(f"the store holds {decoded:,} events, not {n:,}")

    _say(f"starting the servers on {opts.server}")
    port_min, port_tid = free_port(), free_port()
    minimal = start(
        "minimal app",
        [_python(), "-m", "bench.minimal", "--port", str(port_min), "--server", opts.server],
        port_min,
        work / "minimal.log",
    )
    served = None
    try:
        served = start(
            "tidings serve",
            tidings(
                "serve", "--db", str(store), "--host", "127.0.0.1", "--port", str(port_tid), "--server", opts.server
            ),
            port_tid,
            work / "serve.log",
        )
        rows_http, rss_at_n, rss_end, group = _http(opts, loader, minimal, served, companies)
    finally:
        if served is not None:
            served.stop()
        minimal.stop()

    _say("in-process appends")
    es_rate, es_note = eventsourcing_rate(work / "eventsourcing.db", opts.inprocess_seconds)
    one = tidings_inprocess_rate(work / "inprocess-1.db", opts.inprocess_seconds, 1)
    many = tidings_inprocess_rate(work / "inprocess-32.db", opts.inprocess_seconds, opts.connections)

    appends, http_batch, reads, cold, body_bytes = rows_http
    # (a)
    rows.append(
        Row(
            f"(a) single-event appends/s, {opts.connections} clients (HTTP) vs minimal POST",
            _n(appends[1].rate),
            _n(appends[0].rate),
            f"{_ratio(appends[1].rate, appends[0].rate):.0%}",
            f">= {TARGETS['appends']:.0%}",
            _check(_ratio(appends[1].rate, appends[0].rate) >= TARGETS["appends"]),
        )
    )
    if es_rate:
        rows.append(
            Row(
                "(a) the same HTTP appends/s vs eventsourcing in-process, one event per save",
                _n(appends[1].rate),
                _n(es_rate),
                f"{_ratio(appends[1].rate, es_rate):.1f}x",
                f">= {TARGETS['appends_vs_es']}x",
                _check(_ratio(appends[1].rate, es_rate) >= TARGETS["appends_vs_es"]),
            )
        )
    rows.append(
        Row(
            f"(a) append latency p50 / p99 (ms); mean group commit {group[0]:.1f} requests, {group[1]:.1f} events",
            f"{appends[1].p50_ms:.1f} / {appends[1].p99_ms:.1f}",
            f"{appends[0].p50_ms:.1f} / {appends[0].p99_ms:.1f}",
        )
    )
    # (b)
    rows.append(
        Row(
            f"(b) HTTP batch ingest events/s (1,000 a batch, {opts.batch_connections} clients) vs raw sqlite3 1,000-batch",
            _n(http_batch.rate * 1000),
            _n(raw),
            f"{_ratio(http_batch.rate * 1000, raw):.0%}",
            f">= {TARGETS['http_batch']:.0%}",
            _check(_ratio(http_batch.rate * 1000, raw) >= TARGETS["http_batch"]),
        )
    )
    rows.append(
        Row(
            f"(b) `tidings import` events/s ({n:,} events, {import_seconds:.1f} s) vs raw sqlite3 1,000-batch",
            _n(import_rate),
            _n(raw),
            f"{_ratio(import_rate, raw):.0%}",
            f">= {TARGETS['import']:.0%}",
            _check(_ratio(import_rate, raw) >= TARGETS["import"]),
        )
    )
    # (c)
    rows.append(
        Row(
            f"(c) GET /companies/{{id}} req/s at {n:,} events, {opts.connections} clients vs minimal GET",
            _n(reads[1].rate),
            _n(reads[0].rate),
            f"{_ratio(reads[1].rate, reads[0].rate):.0%}",
            f">= {TARGETS['reads']:.0%}",
            _check(_ratio(reads[1].rate, reads[0].rate) >= TARGETS["reads"]),
        )
    )
    rows.append(
        Row(
            "(c) GET /companies/{id} p50 / p99 (ms)",
            f"{reads[1].p50_ms:.1f} / {reads[1].p99_ms:.1f}",
            f"{reads[0].p50_ms:.1f} / {reads[0].p99_ms:.1f}",
            "",
            f"p99 < {TARGETS['read_p99_ms']:.0f} ms",
            _check(reads[1].p99_ms < TARGETS["read_p99_ms"]),
        )
    )
    rows.append(
        Row(
            f"(c) the same reads vs the minimal GET of a body of their mean size ({body_bytes:,} bytes): sending, not making",
            _n(reads[1].rate),
            _n(reads[2].rate),
            f"{_ratio(reads[1].rate, reads[2].rate):.0%}",
        )
    )
    rows.append(
        Row(
            "(c) the same reads by a client whose Accept-Encoding takes zstd (the kept answer sent packed) vs minimal GET",
            _n(reads[3].rate),
            _n(reads[0].rate),
            f"{_ratio(reads[3].rate, reads[0].rate):.0%}",
        )
    )
    rows.append(
        Row(
            f"(c) first read of each of {companies:,} companies (nothing cached) req/s, p50 / p99 (ms)",
            f"{_n(cold.rate)}; {cold.p50_ms:.1f} / {cold.p99_ms:.1f}",
            _n(reads[0].rate),
            f"{_ratio(cold.rate, reads[0].rate):.0%}",
        )
    )
    # (d)
    full = n >= 1_000_000
    rows.append(
        Row(
            f"(d) `tidings rebuild` events/s ({n:,} events, {rebuild_seconds:.1f} s) vs sqlite3 read + msgspec decode",
            _n(rebuild_rate),
            _n(decode_rate),
            f"{_ratio(rebuild_rate, decode_rate):.0%}",
            f">= {TARGETS['rebuild']:.0%}" + (f", 1M in < {TARGETS['rebuild_seconds_1m']:.0f} s" if full else ""),
            _check(
                _ratio(rebuild_rate, decode_rate) >= TARGETS["rebuild"]
                and (not full or rebuild_seconds * 1_000_000 / n < TARGETS["rebuild_seconds_1m"])
            ),
        )
    )
    # (e)
    rows.append(
        Row(
            f"(e) peak RSS of `tidings serve` (MB) after the reads at {n:,} events; after the write runs too",
            f"{rss_at_n:.0f}; {rss_end:.0f}",
            "",
            "",
            f"<= {TARGETS['rss_mb']:.0f} MB",
            _check(rss_at_n <= TARGETS["rss_mb"]),
        )
    )
    # (f)
    rows.append(
        Row(
            "(f) in-process appends/s, one event per call, one at a time, vs eventsourcing one per save",
            _n(one),
            _n(es_rate) if es_rate else es_note,
            f"{_ratio(one, es_rate):.1f}x" if es_rate else "",
        )
    )
    rows.append(
        Row(
            f"(f) in-process appends/s, one event per call, {opts.connections} concurrent callers (group commit)",
            _n(many),
            _n(es_rate) if es_rate else es_note,
            f"{_ratio(many, es_rate):.1f}x" if es_rate else "",
        )
    )
    table = render(rows)
    load_after = os.getloadavg()
    errors = sum(x.errors for x in [*appends, http_batch, *reads, cold])
    facts = [
        f"command: `{opts.command}`" + (" (smoke: tiny sizes, figures mean nothing)" if opts.smoke else ""),
        f"date: {started_at:%Y-%m-%d %H:%M} UTC; machine: {os.cpu_count()} cores, {_cpu()}, Python {platform.python_version()}",
        f"load generator: {loader.name}; {opts.seconds:g} s a run, best of {opts.rounds} alternating rounds",
        f"servers: `tidings serve --server {opts.server}` ({_served(opts.server)}: api/http/serving.py) and the "
        f"minimal app (bench/minimal.py) served by the same {opts.server} set-up, one process each, on 127.0.0.1",
        f"ceilings: minimal Litestar app (bench/minimal.py) served the same way; raw sqlite3 on {opts.raw_rows:,} rows; "
        f"eventsourcing: {es_note}",
        f"load average before / after: {load_before[0]:.2f} / {load_after[0]:.2f}; HTTP errors: {errors}",
        *notes,
    ]
    print()
    for line in facts:
        print(f"- {line}")
    print()
    print(table)
    if opts.results is not None:
        _write_results(opts.results, facts, table)
    return 0


def _http(
    opts: Options, loader: Loader, minimal: Served, served: Served, companies: int
) -> tuple[tuple[list[Load], Load, list[Load], Load, int], float, float, tuple[float, float]]:
    rng = random.Random(9)
    c = opts.connections
    secs = opts.seconds
    company_paths = [f"/companies/{company_id(k)}" for k in range(companies)]
    rng.shuffle(company_paths)

    _say("(c) first read of each company")
    cold = loader.run(served.url, company_paths, connections=c, seconds=secs, once=True)
    _say("(c) reads")
    loader.run(minimal.url, company_paths, connections=c, seconds=opts.warmup)
    loader.run(served.url, company_paths, connections=c, seconds=opts.warmup)
    body_bytes = mean_body_bytes(served.url, company_paths[:50])
    sized = [f"/sized/{body_bytes}"]
    loader.run(minimal.url, sized, connections=c, seconds=opts.warmup)
    reads = alternate(
        opts.rounds,
        lambda: loader.run(minimal.url, company_paths, connections=c, seconds=secs),
        lambda: loader.run(served.url, company_paths, connections=c, seconds=secs),
        lambda: loader.run(minimal.url, sized, connections=c, seconds=secs),
        lambda: loader.run(served.url, company_paths, connections=c, seconds=secs, headers=TAKES_ZSTD),
    )
    rss_at_n = served.peak_rss_mb()

    _say("(a) appends")
    singles = append_bodies(1000 if not opts.smoke else 100, companies)
    plain = [minimal_body()]
    loader.run(minimal.url, ["/events"], connections=c, seconds=opts.warmup, bodies=plain)
    loader.run(served.url, ["/events"], connections=c, seconds=opts.warmup, bodies=singles)
    names = (
        "tidings_commit_group_requests_sum",
        "tidings_commit_group_requests_count",
        "tidings_commit_group_events_sum",
    )
    before = scrape(served.url, names)
    appends = alternate(
        opts.rounds,
        lambda: loader.run(minimal.url, ["/events"], connections=c, seconds=secs, bodies=plain),
        lambda: loader.run(served.url, ["/events"], connections=c, seconds=secs, bodies=singles),
    )
    after = scrape(served.url, names)
    groups = after[names[1]] - before[names[1]]
    group = (
        (after[names[0]] - before[names[0]]) / groups if groups else 0.0,
        (after[names[2]] - before[names[2]]) / groups if groups else 0.0,
    )

    _say("(b) HTTP batches")
    batches = batch_bodies(4 if not opts.smoke else 2, 1000, companies)
    http_batch = alternate(
        opts.rounds,
        lambda: loader.run(
            served.url, ["/events/batch"], connections=opts.batch_connections, seconds=secs, bodies=batches
        ),
    )[0]
    return (appends, http_batch, reads, cold, body_bytes), rss_at_n, served.peak_rss_mb(), group


def _served(server: str) -> str:
    if server == "granian":
        return f"Granian {importlib.metadata.version('granian')} embedded, HTTP/1.1, the app on uvloop"
    return f"uvicorn {importlib.metadata.version('uvicorn')}, uvloop, httptools with a bounded head"


def _cpu() -> str:
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown CPU"


_BEGIN, _END = "<!-- bench:begin -->", "<!-- bench:end -->"


def _write_results(path: Path, facts: list[str], table: str) -> None:
    """Put the run between the markers of ``path`` (keeping the text around them), or write a new file."""
    block = "\n".join([_BEGIN, "", *(f"- {f}" for f in facts), "", table, "", _END])
    text = path.read_text() if path.exists() else ""
    if _BEGIN in text and _END in text:
        head, _, rest = text.partition(_BEGIN)
        _, _, tail = rest.partition(_END)
        text = head + block + tail
    else:
        text = f"# Benchmark results\n\n{block}\n" + (f"\n{text}" if text else "")
    path.write_text(text)


if __name__ == "__main__":
    if str(ROOT) not in sys.path:  # `python bench/run.py` from anywhere
        sys.path.insert(0, str(ROOT))
    sys.exit(main())
