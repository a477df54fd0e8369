"""Three consumer processes share subscriptions while events arrive, one is SIGKILLed holding a lease and the
server restarts: every event is processed, none by two consumers at once, poison events are parked after
``max_deliveries``, and an ordered subscription keeps each company's events in order across consumers.

Over SQLite (one server, restarted) and over two API instances on one PostgreSQL database (one restarted,
consumers on both). 1,000 events in CI; ``TIDINGS_STRESS=full`` runs 10,000 (issue 21). The consumers are
tests/stress/consumer.py; each writes what it did to a file of its own, which is read back here.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import signal
import subprocess
import sys
import time
import uuid
from collections import defaultdict
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.postgres import pg_dsn, skip_reason
from tests.server import Server, free_port
from tests.stress.support import CLIENTS_LIMITS, JSON, ROOT, encode, figures, running, scaled

EVENTS = scaled(1000, 10_000)
COMPANIES = [f"sub-{i}" for i in range(12)]
POISON = "poison"
POISONED = 5
"""Events of the company ``poison``: the consumers of ``all`` always hand them back."""
LEASE_SECONDS = 5
MAX_DELIVERIES = 3
CONSUMERS = 3
BOUND_S = scaled(300, 1500)
"""Per-scenario bound, far above the observed time; only a hang trips it."""
SERVER_ENV = {"TIDINGS_RATE_LIMIT": "0", "TIDINGS_LOG_LEVEL": "warning"}
SOURCE = {"title": "Subscriptions under stress", "publisher": "Tidings tests", "language": "en"}


def _events() -> list[dict[str, Any]]:
    """Registrations, then EVENTS sales in turn among the companies, the poison company's here and there."""
    made = [
        _wire({"type": "company_registered", "company_id": c, "name": c, "country": "DE"}) for c in [*COMPANIES, POISON]
    ]
    poison_at = {EVENTS * (i + 1) // (POISONED + 1) for i in range(POISONED)}
    for i in range(EVENTS - len(made)):
        company = POISON if i in poison_at else COMPANIES[i % len(COMPANIES)]
        made.append(
            _wire(
                {
                    "type": "sales_reported",
                    "company_id": company,
                    "period": "2025",
                    "units": {"value": i, "approximate": False},
                }
            )
        )
    return made


def _wire(event: dict[str, Any]) -> dict[str, Any]:
    return {"id": str(uuid.uuid4()), **event, "sources": [SOURCE]}


class Consumers:
    """The consumer processes and their records."""

    def __init__(self, folder: Path, urls: Callable[[int], list[str]]) -> None:
        self.folder = folder
        self.urls = urls
        self.processes: dict[str, subprocess.Popen[bytes]] = {}

    def start(self, name: str, index: int, *extra: str) -> None:
        record = self.folder / f"{name}.jsonl"
        command = [
            sys.executable, "-m", "tests.stress.consumer", str(record), name, *self.urls(index),
            "--subscription", "all", "--subscription", "ordered", "--refuse", "all", "--poison", POISON,
            "--lease-seconds", str(LEASE_SECONDS), *extra,
        ]  # fmt: skip
        log = (self.folder / f"{name}.log").open("wb")
        self.processes[name] = subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)

    def records(self) -> list[dict[str, Any]]:
        lines: list[dict[str, Any]] = []
        for path in sorted(self.folder.glob("*.jsonl")):
            lines.extend(json.loads(line) for line in path.read_text().splitlines() if line.strip())
        return lines

    def holding(self, name: str) -> bool:
        record = self.folder / f"{name}.jsonl"
        return record.exists() and '"kind": "holding"' in record.read_text()

    def acked(self) -> bool:
        """Whether a consumer other than the victim acknowledged something yet."""
        return any('"kind": "ack"' in p.read_text() for p in self.folder.glob("consumer-*.jsonl"))

    def alive(self) -> None:
        """Fail at once, with its output, when a consumer exited by itself."""
        for name, process in self.processes.items():
            if process.poll() not in (None, -signal.SIGKILL):
                raise AssertionError(
                    f"{name} exited with {process.returncode}:\n{(self.folder / f'{name}.log').read_text()}"
                )

    def stop(self) -> None:
        for name in self.processes:
            (self.folder / f"{name}.jsonl.stop").touch()
        for name, process in self.processes.items():
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            assert process.returncode in (0, -signal.SIGKILL), f"{name}: {(self.folder / f'{name}.log').read_text()}"


async def _subscribe(http: httpx.AsyncClient) -> None:
    for name, ordered in (("all", False), ("ordered", True)):
        settings = {"max_deliveries": MAX_DELIVERIES, "lease_seconds": LEASE_SECONDS, "ordered": ordered}
        answer = await http.put(f"/subscriptions/{name}", content=encode(settings), headers=JSON)
        assert answer.status_code == 201, answer.text


async def _append(http: httpx.AsyncClient, events: list[dict[str, Any]]) -> None:
    for start in range(0, len(events), 100):
        answer = await http.post("/events/batch", content=encode({"events": events[start : start + 100]}), headers=JSON)
        assert answer.status_code == 201, answer.text


async def _settled(http: httpx.AsyncClient, name: str, last: int) -> dict[str, Any]:
    while True:
        state: dict[str, Any] = (await http.get(f"/subscriptions/{name}")).json()
        if state["acknowledged"] == last and state["pending"] == 0 and state["in_flight"] == 0:
            return state
        await asyncio.sleep(0.5)


async def _scenario(
    folder: Path, first: Server, urls: Callable[[int], list[str]], restart: Callable[[], Any], label: str
) -> None:
    events = _events()
    ids = {e["id"]: i + 1 for i, e in enumerate(events)}
    company_of = {i + 1: e["company_id"] for i, e in enumerate(events)}
    consumers = Consumers(folder, urls)
    started = time.monotonic()
    async with httpx.AsyncClient(base_url=first.url, limits=CLIENTS_LIMITS, timeout=30) as http:
        await _subscribe(http)
        await _append(http, events[: len(events) // 2])  # the rest arrives while they consume
        async with asyncio.timeout(BOUND_S):
            # The victim takes a lease first and holds it; the others consume beside it while the rest arrives.
            consumers.start("victim", 0, "--hold-after", "1")
            while not consumers.holding("victim"):
                consumers.alive()
                await asyncio.sleep(0.1)
            for i in range(CONSUMERS - 1):
                consumers.start(f"consumer-{i}", i + 1)
            appending = asyncio.create_task(_append(http, events[len(events) // 2 :]))
            while not consumers.acked():
                consumers.alive()
                await asyncio.sleep(0.05)
            consumers.processes["victim"].send_signal(signal.SIGKILL)  # mid-lease: it never acks
            killed = time.time()
            consumers.processes["victim"].wait()
            await appending
            consumers.start("consumer-2", 2)  # the third consumer from here on
            before = (await http.get("/subscriptions/all")).json()
            await restart()
            states = {name: await _settled(http, name, len(events)) for name in ("all", "ordered")}
            parked = (await http.get("/subscriptions/all/parked")).json()["items"]
        elapsed = time.monotonic() - started
    consumers.stop()
    records = consumers.records()

    # Every event processed (acked), but the poison ones, which are parked after max_deliveries.
    poison = {p for p, c in company_of.items() if c == POISON}
    for name in ("all", "ordered"):
        acked = _acked(records, name)
        expected = set(range(1, len(events) + 1)) - (poison if name == "all" else set())
        assert acked == expected, (
            f"{name}: missing {sorted(expected - acked)[:10]}, extra {sorted(acked - expected)[:10]}"
        )
        _never_two_at_once(records, name)
    assert sorted(ids[i["event"]["event"]["id"]] for i in parked) == sorted(poison)
    assert {i["deliveries"] for i in parked} == {MAX_DELIVERIES}
    assert states["all"]["parked"] == len(poison)
    # The victim's last lease came back to the others after it ended.
    held = [r for r in records if r["kind"] == "holding"]
    assert len(held) == 1
    lost = next(r for r in records if r["kind"] == "lease" and r["lease"] == held[0]["lease"])
    assert killed < lost["expires"], "the victim was killed after its lease had ended"
    assert set(lost["positions"]) <= _acked(records, lost["subscription"]) | poison
    _in_company_order(records, company_of)
    assert before["pending"] > 0, "the restart came after the work was done"
    leases = sum(r["kind"] == "lease" for r in records)
    deliveries = sum(len(r["positions"]) for r in records if r["kind"] == "lease")
    figures(
        f"subscriptions {label}",
        events=len(events),
        consumers=CONSUMERS,
        seconds=f"{elapsed:.1f}",
        events_per_second_both_subscriptions=f"{2 * len(events) / elapsed:.0f}",
        acknowledged_at_restart=before["acknowledged"],
        leases=leases,
        deliveries_beyond_one_an_event=deliveries - 2 * len(events),
    )


def _acked(records: list[dict[str, Any]], subscription: str) -> set[int]:
    return {
        p
        for r in records
        if r["kind"] == "ack" and r["subscription"] == subscription
        for p in r["positions"]
        if p not in r["not_held"]
    }


def _never_two_at_once(records: list[dict[str, Any]], subscription: str) -> None:
    """Each event's leases follow one another: the next starts (server clock) only after the one before it
    ended or handed the event back (nack sent), and never after the event was acknowledged."""
    ended: dict[str, float] = {}
    for r in records:
        if r["subscription"] != subscription:
            continue
        if r["kind"] == "lease":
            ended.setdefault(r["lease"], r["expires"])
        elif r["kind"] == "nack":
            ended[r["lease"]] = min(ended.get(r["lease"], r["sent"]), r["sent"])
    by_event: dict[int, list[tuple[float, str]]] = defaultdict(list)
    for r in records:
        if r["kind"] == "lease" and r["subscription"] == subscription:
            for p in r["positions"]:
                by_event[p].append((r["start"], r["lease"]))
    acked = {
        (r["lease"], p)
        for r in records
        if r["kind"] == "ack" and r["subscription"] == subscription
        for p in r["positions"]
        if p not in r["not_held"]
    }
    for position, leases in by_event.items():
        leases.sort()
        for (_, before), (start, after) in itertools.pairwise(leases):
            assert start >= ended[before] - 0.001, (
                f"{subscription} event {position}: lease {after} began while {before} held it"
            )
            assert (before, position) not in acked, f"{subscription} event {position}: handed out again after its ack"


def _in_company_order(records: list[dict[str, Any]], company_of: dict[int, str]) -> None:
    """In the ordered subscription, the processing that was acked happened in position order for each company."""
    acked_leases = {
        (r["lease"], p)
        for r in records
        if r["kind"] == "ack" and r["subscription"] == "ordered"
        for p in r["positions"]
        if p not in r["not_held"]
    }
    done: dict[str, list[tuple[float, int]]] = defaultdict(list)
    for r in records:
        if r["kind"] == "processed" and r["subscription"] == "ordered" and (r["lease"], r["position"]) in acked_leases:
            done[company_of[r["position"]]].append((r["at"], r["position"]))
    for company, processed in done.items():
        positions = [p for _, p in sorted(processed)]
        assert positions == sorted(positions), f"{company}: processed out of order"


async def test_three_consumers_on_sqlite_through_a_kill_and_a_restart(tmp_path: Path) -> None:
    db, port = tmp_path / "subscriptions.db", free_port()
    async with AsyncExitStack() as stack:
        server = await stack.enter_async_context(running(db, env=SERVER_ENV, port=port))

        async def restart() -> None:
            await stack.aclose()  # SIGTERM, then the same file on the same port
            await stack.enter_async_context(running(db, env=SERVER_ENV, port=port))

        await _scenario(tmp_path, server, lambda _: [server.url], restart, "sqlite")


PG_DSN = pg_dsn() or ""


@asynccontextmanager
async def _schema() -> AsyncIterator[str]:
    import asyncpg  # type: ignore[import-untyped]

    name = f"tidings_subscriptions_{uuid.uuid4().hex}"
    try:
        yield name
    finally:
        conn = await asyncpg.connect(PG_DSN)
        try:
            await conn.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')
        finally:
            await conn.close()


@pytest.mark.skipif(not PG_DSN, reason=skip_reason())
async def test_three_consumers_on_two_postgresql_instances_through_a_kill_and_a_restart(tmp_path: Path) -> None:
    async with _schema() as schema, AsyncExitStack() as outer:
        args = ("--pg-schema", schema)
        first = await outer.enter_async_context(running(PG_DSN, *args, env=SERVER_ENV))  # type: ignore[arg-type]
        port = free_port()
        inner = AsyncExitStack()
        second = await inner.enter_async_context(running(PG_DSN, *args, env=SERVER_ENV, port=port))  # type: ignore[arg-type]
        urls = [first.url, second.url]

        async def restart() -> None:
            await inner.aclose()  # the second instance stops, its consumers go to the first, then it is back
            await inner.enter_async_context(running(PG_DSN, *args, env=SERVER_ENV, port=port))  # type: ignore[arg-type]

        try:
            await _scenario(
                tmp_path, first, lambda i: urls[i % 2 :] + urls[: i % 2], restart, "postgresql, two instances"
            )
        finally:
            await inner.aclose()


async def _woken(claim_url: str, append_url: str) -> float:
    """Seconds from an append (through ``append_url``) to the answer of a claim waiting on ``claim_url``."""
    async with httpx.AsyncClient(timeout=30) as http:
        answer = await http.put(f"{claim_url}/subscriptions/waiter", content=encode({"start": "now"}), headers=JSON)
        assert answer.status_code == 201, answer.text
        waiting = asyncio.create_task(http.post(f"{claim_url}/subscriptions/waiter/claim", params={"wait": 20}))
        await asyncio.sleep(0.2)  # waiting; its own next look would come 0.8 s after the append
        event = _wire({"type": "company_registered", "company_id": "woken", "name": "Woken", "country": "DE"})
        appended = time.monotonic()
        assert (await http.post(f"{append_url}/events", content=encode(event), headers=JSON)).status_code == 201
        lease = (await waiting).json()
        assert [e["event"]["id"] for e in lease["events"]] == [event["id"]]
        seconds = time.monotonic() - appended
        figures(
            f"claim woken {'on its instance' if claim_url == append_url else 'across instances'}",
            seconds=f"{seconds:.3f}",
        )
        return seconds


async def test_a_waiting_claim_is_answered_when_an_event_is_committed(tmp_path: Path) -> None:
    async with running(tmp_path / "woken.db", env=SERVER_ENV) as server:
        assert await _woken(server.url, server.url) < 0.5


@pytest.mark.skipif(not PG_DSN, reason=skip_reason())
async def test_a_claim_waiting_on_one_instance_is_answered_by_a_commit_on_the_other() -> None:
    async with _schema() as schema, AsyncExitStack() as stack:
        first = await stack.enter_async_context(running(PG_DSN, "--pg-schema", schema, env=SERVER_ENV))  # type: ignore[arg-type]
        second = await stack.enter_async_context(running(PG_DSN, "--pg-schema", schema, env=SERVER_ENV))  # type: ignore[arg-type]
        assert await _woken(second.url, first.url) < 0.5  # LISTEN/NOTIFY wakes it, not the once-a-second look
