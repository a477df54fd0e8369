"""What the event hashes and the Merkle tree cost the append path (issue 23): appends per second with and
without that work, on SQLite and PostgreSQL, in alternating rounds.

In process (no HTTP), on a fresh store per run: one event a call from 1 caller, one event a call from
32 callers (the group writer commits them together), and batches of 1,000. "without" is the append
path with the hash work taken out: the planner hashes nothing, the tree grows no node and neither
``event_hashes`` nor ``merkle_nodes`` is written (what the store did before issue 23); "with" is
the store as it is. The two alternate within every round, their order swapped each round, so a
noisy neighbour on a shared machine hits both alike; the median of the rounds is compared.

    python -m bench.hash_appends [--rounds 5] [--seconds 3] [--pg DSN] [--only sqlite|postgresql] [--mode M]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import statistics
import tempfile
import time
import uuid
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from api.store import planner, tree
from api.store.program import Store
from api.store.statements import Q
from bench.run import fact, registration
from schema.codec import decode_event
from schema.events import Event

__all__ = ["main", "without_hashes"]

MODES = {"1 caller": (1, 1), "32 callers": (32, 1), "batches of 1,000": (1, 1000)}
"""Name -> (concurrent callers, events a call)."""
COMPANIES = 50


class _Unhashed:
    """A write transaction that leaves out the hash and tree rows."""

    def __init__(self, tx: Any) -> None:
        self._tx = tx

    def __getattr__(self, name: str) -> Any:
        return getattr(self._tx, name)

    async def run_all(self, batch: Sequence[tuple[Q, Sequence[Sequence[Any]]]]) -> None:
        await self._tx.run_all([(q, rows) for q, rows in batch if q not in (Q.INSERT_HASH, Q.INSERT_NODE)])


@contextlib.contextmanager
def without_hashes() -> Iterator[None]:
    """The append path as before issue 23, for as long as the block runs."""
    digest = bytes(32)

    def no_hash(*_: object) -> bytes:
        return digest

    async def no_growth(
        self: tree.Frontier, tx: Any, size: int, event_hashes: Sequence[bytes]
    ) -> tuple[list[tuple[int, bytes]], int, dict[Any, bytes]]:
        return [], size + len(event_hashes), {}

    write = Store._write

    async def unhashed_write(self: Store, tx: Any, decided: Any) -> Any:
        return await write(self, _Unhashed(tx), decided)

    saved = planner.event_hash, tree.Frontier.grown
    planner.event_hash = no_hash  # type: ignore[assignment]
    tree.Frontier.grown = no_growth  # type: ignore[assignment,method-assign]
    Store._write = unhashed_write  # type: ignore[method-assign]
    try:
        yield
    finally:
        planner.event_hash, tree.Frontier.grown = saved  # type: ignore[method-assign]
        Store._write = write  # type: ignore[method-assign]


def _events(count: int) -> list[Event]:
    rng = random.Random(23)
    return [decode_event(json.dumps(fact(rng, k % COMPANIES, COMPANIES, k))) for k in range(count)]


REGISTRATIONS = [decode_event(json.dumps(registration(n, with_id=False))) for n in range(COMPANIES)]
EVENTS = _events(4000)


async def _rate(store: Store, callers: int, size: int, seconds: float) -> tuple[float, float]:
    await store.append_batch(REGISTRATIONS)
    count = 0
    deadline = time.perf_counter() + seconds

    async def caller(offset: int) -> None:
        nonlocal count
        k = offset * 997
        while time.perf_counter() < deadline:
            if size == 1:
                await store.append([EVENTS[k % len(EVENTS)]])
            else:
                start = k % (len(EVENTS) - size)
                await store.append_batch(EVENTS[start : start + size])
            count += size
            k += size

    started, cpu = time.perf_counter(), time.process_time()
    await asyncio.gather(*(caller(n) for n in range(callers)))
    return count / (time.perf_counter() - started), (time.process_time() - cpu) / count * 1e6


async def _run(backend: str, pg: str, callers: int, size: int, seconds: float, hashed: bool) -> tuple[float, float]:
    """Appends per second, and this process's CPU time per event in microseconds (SQLite's work included,
    PostgreSQL's server not): the CPU figure is the steadier of the two on a shared machine."""
    with contextlib.ExitStack() as stack:
        if not hashed:
            stack.enter_context(without_hashes())
        if backend == "sqlite":
            from api.store.sqlite import SQLiteStore

            folder = stack.enter_context(tempfile.TemporaryDirectory(prefix="tidings-hash-bench-"))
            store: Store = SQLiteStore(Path(folder) / "bench.db")
            schema = None
        else:
            from api.store.postgres import PostgresStore

            schema = f"bench_hashes_{uuid.uuid4().hex[:12]}"
            store = PostgresStore(pg, schema=schema)
        await store.open()
        try:
            return await _rate(store, callers, size, seconds)
        finally:
            await store.close()
            if schema is not None:
                await _drop(pg, schema)
    raise AssertionError("unreachable")


async def _drop(pg: str, schema: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(pg)
    try:
        await conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    finally:
        await conn.close()


def _load() -> str:
    return ", ".join(f"{n:.2f}" for n in os.getloadavg())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.hash_appends", description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=3.0, help="each run's length")
    parser.add_argument(
        "--pg",
        default=os.environ.get("TIDINGS_TEST_PG_DSN") or "postgresql://postgres@127.0.0.1:5432/test",
        help="PostgreSQL DSN (a schema is made and dropped for each run)",
    )
    parser.add_argument("--only", choices=["sqlite", "postgresql"], help="one backend")
    parser.add_argument("--mode", choices=list(MODES), action="append", help="only this mode (repeatable)")
    options = parser.parse_args(argv)
    backends = [options.only] if options.only else ["sqlite", "postgresql"]
    modes = options.mode or list(MODES)
    print(f"load average before: {_load()}; {options.rounds} rounds of {options.seconds:g} s a run")
    rates: dict[tuple[str, str, bool], list[float]] = {}
    cpu: dict[tuple[str, str, bool], list[float]] = {}
    for round_ in range(options.rounds):
        order = (True, False) if round_ % 2 == 0 else (False, True)
        for backend in backends:
            for mode, (callers, size) in MODES.items():
                if mode not in modes:
                    continue
                for hashed in order:
                    rate, used = asyncio.run(_run(backend, options.pg, callers, size, options.seconds, hashed))
                    rates.setdefault((backend, mode, hashed), []).append(rate)
                    cpu.setdefault((backend, mode, hashed), []).append(used)
        print(f"round {round_ + 1} done, load average {_load()}", flush=True)
    print()
    print("| appends/s (median of rounds; min-max) | without hashes | with hashes | with / without |")
    print("|---|---:|---:|---:|")
    for backend in backends:
        for mode in modes:
            without, with_ = rates[(backend, mode, False)], rates[(backend, mode, True)]
            ratio = statistics.median(with_) / statistics.median(without)
            print(
                f"| {backend}, {mode} | {statistics.median(without):,.0f} ({min(without):,.0f}-{max(without):,.0f}) "
                f"| {statistics.median(with_):,.0f} ({min(with_):,.0f}-{max(with_):,.0f}) | {ratio:.2f} |"
            )
    print()
    print("| CPU of this process per event, us (median) | without hashes | with hashes | with / without |")
    print("|---|---:|---:|---:|")
    for backend in backends:
        for mode in modes:
            without, with_ = (
                statistics.median(cpu[(backend, mode, False)]),
                statistics.median(cpu[(backend, mode, True)]),
            )
            print(f"| {backend}, {mode} | {without:,.0f} | {with_:,.0f} | {with_ / without:.2f} |")
    print()
    print("per round, appends/s with / without (paired runs):")
    for backend in backends:
        for mode in modes:
            pairs = zip(rates[(backend, mode, True)], rates[(backend, mode, False)], strict=True)
            print(f"  {backend}, {mode}: " + " ".join(f"{w / wo:.2f}" for w, wo in pairs))
    print(f"load average after: {_load()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
