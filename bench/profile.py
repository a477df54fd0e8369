"""Where a request's time goes: CPU per request and a py-spy profile of ``tidings serve`` under load.

``python -m bench.profile appends|reads|reads-zstd|first|batches|import|rebuild|minimal [--seconds 10]`` builds a store of
generated events (the generator of bench/run.py), serves it, and drives it twice with wrk from
the OS (32 connections): first alone, for the rate and the server's CPU time per request (user +
system, from /proc); then while py-spy (``pip install -e '.[bench]'``) samples whichever thread
holds the GIL, the resource every request of the process queues for. The samples are grouped by
the innermost frame that belongs to a known part of the stack (our modules by name, then
Litestar, uvicorn, the event loop), so that a gap in bench/RESULTS.md reads as a bill: which part
costs how many microseconds of each request. ``minimal`` profiles the minimal app of
bench/minimal.py the same way, for comparison; ``reads-zstd`` reads as ``reads`` with ``Accept-Encoding:
zstd`` (the kept answers sent packed); ``first`` reads each company once (nothing cached), on a
server started afresh for each of the two passes; ``import`` and ``rebuild`` run those commands
under py-spy on the same store (their CPU figures include the profiler's).
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

from bench.run import (
    ROOT,
    TAKES_ZSTD,
    Loader,
    _env,
    append_bodies,
    batch_bodies,
    company_id,
    free_port,
    minimal_body,
    start,
    tidings,
    timed,
    write_store_ndjson,
)

__all__ = ["main"]

# (label, substring of a frame's "function (file:line)"); the first match from the leaf decides.
PARTS = [
    ("projections (fold into read-model rows)", "api/projections/"),
    ("planner (rules, ids, versions)", "api/store/planner.py"),
    ("fold spans on worker processes (reads, MessagePack)", "api/store/sqlite/workers.py"),
    ("bulk writes (spans, worker processes)", "api/store/bulk_fold.py"),
    ("SQLite store (SQL, commit, fsync)", "api/store/sqlite/"),
    ("SQLite store (SQL, commit, fsync)", "aiosqlite/"),
    ("store program (statements, folds, reads)", "api/store/program.py"),
    ("store program (statements, folds, reads)", "api/store/folding.py"),
    ("decoding NDJSON lines into events (msgspec)", "api/seeds.py"),
    ("event codec", "schema/codec.py"),
    ("answer cache", "api/http/answers.py"),
    ("group writer", "api/store/writer.py"),
    ("feed (wakes streams)", "api/feed/broadcast.py"),
    ("request checks (content type, strict JSON)", "require_json"),
    ("route handlers", "api/http/routes/"),
    ("access log", "api/http/logs.py"),
    ("access log", "logging/"),
    ("metrics", "api/http/metrics.py"),
    ("metrics", "prometheus_client/"),
    ("auth, rate limit, hardening", "api/http/auth.py"),
    ("auth, rate limit, hardening", "api/http/ratelimit.py"),
    ("auth, rate limit, hardening", "api/http/hardening.py"),
    ("problems", "api/http/problems.py"),
    ("app (other)", "/api/"),
    ("Litestar: handler parameters (signature model, kwargs, DI)", "litestar/_signature/"),
    ("Litestar: handler parameters (signature model, kwargs, DI)", "litestar/_kwargs/"),
    ("Litestar: handler parameters (signature model, kwargs, DI)", "litestar/di.py"),
    ("Litestar: request body and headers", "litestar/connection/"),
    ("Litestar: request body and headers", "litestar/datastructures/"),
    ("Litestar: response (headers, encoding, send)", "litestar/response/"),
    ("Litestar: response (headers, encoding, send)", "litestar/serialization/"),
    ("Litestar: routing, middleware stack, handler call", "litestar/"),
    ("msgspec", "msgspec/"),
    ("uvicorn (HTTP parsing, ASGI glue)", "uvicorn/"),
    ("worker processes (start, pipes, pickles)", "multiprocessing/"),
    ("module imports (worker processes starting)", "<frozen importlib"),
    ("event loop, threads", "asyncio/"),
    ("event loop, threads", "concurrent/"),
    ("event loop, threads", "threading.py"),
]


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _part(stack: str) -> str:
    for frame in reversed(stack.split(";")):
        for label, needle in PARTS:
            if needle in frame:
                return label
    return "other (interpreter, C code without a Python caller we know)"


def _leaf(stack: str) -> str:
    return stack.rsplit(";", 1)[-1]


def profile(kind: str, seconds: float, connections: int, events: int) -> None:
    work = Path(tempfile.mkdtemp(prefix="tidings-profile-"))
    try:
        _profile(kind, seconds, connections, events, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _profile(kind: str, seconds: float, connections: int, events: int, work: Path) -> None:
    companies = max(events // 100, 2)
    ndjson, store, raw = work / "store.ndjson", work / "store.db", work / "stacks.txt"
    if kind != "minimal":
        write_store_ndjson(ndjson, events, companies)
    if kind == "import":
        cpu, units = _profile_command(tidings("import", str(ndjson), "--db", str(store)), raw), events
        _report(f"import: {events:,} events", cpu, units, "event", raw)
        return
    if kind != "minimal":
        timed(tidings("import", str(ndjson), "--db", str(store)), work / "import.log")
    if kind == "rebuild":
        cpu, units = _profile_command(tidings("rebuild", "--db", str(store)), raw), events
        _report(f"rebuild: {events:,} events", cpu, units, "event", raw)
        return
    port = free_port()
    if kind == "minimal":
        command = [sys.executable, "-m", "bench.minimal", "--port", str(port)]
    else:
        command = tidings("serve", "--db", str(store), "--port", str(port), "--log-format", "json")
    served = start(kind, command, port, work / "serve.log")
    loader = Loader(work, 1)
    if kind == "appends":
        paths, bodies = ["/events"], append_bodies(20_000, companies)
    elif kind == "batches":
        paths, bodies = ["/events/batch"], batch_bodies(50, 1000, companies)
    elif kind in ("reads", "reads-zstd", "first"):
        paths, bodies = [f"/companies/{company_id(n)}" for n in range(companies)], None
        random.Random(5).shuffle(paths)
    else:
        paths, bodies = ["/events"], [minimal_body()]
    headers = TAKES_ZSTD if kind == "reads-zstd" else None
    try:
        pid = served.process.pid
        if kind in ("reads", "reads-zstd"):  # read every dossier once first: both runs then measure the cached answers
            loader.run(served.url, paths, connections=connections, seconds=seconds, once=True)
        # First without the profiler (sampling slows the server down), then with it for the shares.
        once = kind == "first"
        cpu_before = _cpu_seconds(pid)
        load = loader.run(
            served.url, paths, connections=connections, seconds=seconds, bodies=bodies, once=once, headers=headers
        )
        cpu = _cpu_seconds(pid) - cpu_before
        if once:  # the profiled pass reads nothing cached either
            served.stop()
            served = start(kind, command, port, work / "serve.log")
            pid = served.process.pid
        # A pass of first reads lasts as long as the companies take: record all of it (and the unprofiled
        # pass's length again, for the profiler's cost).
        duration = int(load.seconds * 2) + 5 if once else int(seconds)
        spy_run = subprocess.Popen(
            [_spy(), "record", "--pid", str(pid), "--duration", str(duration), *_SAMPLING, str(raw)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        loader.run(
            served.url, paths, connections=connections, seconds=seconds, bodies=bodies, once=once, headers=headers
        )
        spy_run.wait(timeout=duration + 60)
    finally:
        served.stop()
    title = (
        f"{kind}: {load.rate:,.0f} requests/s, p50 {load.p50_ms:.1f} ms, p99 {load.p99_ms:.1f} ms, errors {load.errors}"
    )
    _report(title, cpu, load.requests, "request", raw, seconds=load.seconds)


_SAMPLING = ["--rate", "100", "--gil", "--nonblocking", "--format", "raw", "--output"]
"""--gil: only the thread holding the GIL is sampled, the resource every request queues for."""


def _spy() -> str:
    return shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))


def _profile_command(command: list[str], raw: Path) -> float:
    """Run a CLI command with py-spy attached to it and its worker processes; returns the CPU seconds
    of all of them and the profiler (user + system).

    The command is this process's child, so its CPU time is counted once it is waited for
    (py-spy starting it did not always reap it, and then its time went missing)."""
    before = os.times()
    process = subprocess.Popen(command, cwd=ROOT, env=_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    spy = subprocess.Popen(
        [_spy(), "record", "--pid", str(process.pid), "--subprocesses", *_SAMPLING, str(raw)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    if process.wait() != 0:
        raise RuntimeError(f"{' '.join(command)} exited with {process.returncode}")
    spy.wait(timeout=120)
    after = os.times()
    return (after.children_user - before.children_user) + (after.children_system - before.children_system)


def _report(title: str, cpu: float, units: int, unit: str, raw: Path, *, seconds: float | None = None) -> None:
    parts: Counter[str] = Counter()
    leaves: Counter[str] = Counter()
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if stack:
            parts[_part(stack)] += int(count)
            leaves[_leaf(stack)] += int(count)
    total = sum(parts.values()) or 1
    per_unit_us = cpu / max(units, 1) * 1e6
    print(title)
    cores = f" in {seconds:.1f} s ({cpu / seconds:.2f} cores)" if seconds else " (under the profiler)"
    print(f"CPU: {cpu:.1f} s{cores}, {per_unit_us:,.0f} µs a {unit}")
    print(f"\n| part of the stack (innermost known frame) | share of samples | µs a {unit} |\n| --- | ---: | ---: |")
    for label, count in parts.most_common():
        print(f"| {label} | {count / total:.0%} | {per_unit_us * count / total:,.0f} |")
    print("\nhottest functions (self time):")
    for leaf, count in leaves.most_common(int(os.environ.get("BENCH_PROFILE_TOP", "15"))):
        print(f"  {count / total:5.1%}  {leaf}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.profile", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "kind", choices=["appends", "reads", "reads-zstd", "first", "batches", "import", "rebuild", "minimal"]
    )
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--connections", type=int, default=32)
    # BENCH_PROFILE_TOP=N lists the N hottest functions (default 15).
    parser.add_argument("--events", type=int, default=100_000, help="store size (default 100,000)")
    args = parser.parse_args(argv)
    profile(args.kind, args.seconds, args.connections, args.events)
    return 0


if __name__ == "__main__":
    sys.exit(main())
