"""Two ``tidings serve`` processes on one PostgreSQL database and schema, as behind a load balancer.

Both instances append at once — fresh events, the same event ids through both (with the
same content, and with different contents), and the same ``If-Match`` versions through
both — and the log must come out as if one server had
taken every request: positions gap-free, each acknowledged event stored once, one winner
per version, and a reader on either instance sees every event once, in position order,
however the appends were spread. Then the live feed across instances: an event appended
through one instance reaches a stream on the other promptly (LISTEN/NOTIFY), also after
the listening connection was killed.

Needs PostgreSQL (``TIDINGS_TEST_PG_DSN``, or the default of tests/postgres.py); skips
with the reason otherwise. Figures are printed (run with ``-s``).
"""

from __future__ import annotations

import asyncio
import random
import statistics
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import AsyncExitStack, ExitStack, suppress
from typing import Any

import httpx
import pytest

from tests.postgres import pg_dsn, skip_reason
from tests.server import Server, serve
from tests.sse import Frame, SseReader, parse
from tests.stress.support import CLIENTS_LIMITS, JSON, encode, read_log

PG_DSN = pg_dsn() or ""
pytestmark = pytest.mark.skipif(not PG_DSN, reason=skip_reason())

SOURCE = {"title": "Two instances", "publisher": "Tidings tests", "language": "en"}
COMPANIES = [f"multi-{i}" for i in range(6)]
RACES = [f"race-{i}" for i in range(4)]
PLAIN = 120
"""Fresh events per instance."""
SHARED = 40
"""Events sent through both instances with the same id and content."""
DISPUTED = 10
"""Event ids sent through both instances at once with different contents."""
BATCHES = 10
"""Batches of 5 sent through both instances with the same ids."""
ROUNDS = 8
"""If-Match rounds per race company."""
CONTENDERS = 3
"""Conditional appends per instance in each round, all with the same If-Match version."""
BOUND_S = 120
"""Per-test bound, far above the observed seconds; only a hang trips it."""
SERVER_ENV = {"TIDINGS_RATE_LIMIT": "0", "TIDINGS_LOG_LEVEL": "warning"}


def registration(company: str) -> dict[str, Any]:
    return {"type": "company_registered", "company_id": company, "name": company.title(), "country": "DE"}


def sale(company: str, value: int) -> dict[str, Any]:
    return {
        "type": "sales_reported",
        "company_id": company,
        "period": "2025",
        "units": {"value": value, "approximate": False},
    }


def wire(event: dict[str, Any], event_id: str | None = None) -> dict[str, Any]:
    return {"id": event_id or str(uuid.uuid4()), **event, "sources": [SOURCE]}


# -- two servers on one schema ------------------------------------------------------------------


@pytest.fixture
async def schema() -> AsyncIterator[str]:
    """A schema of its own (the servers create it), dropped afterwards."""
    import asyncpg  # type: ignore[import-untyped]

    name = f"tidings_multi_{uuid.uuid4().hex[:16]}"
    yield name
    conn = await asyncpg.connect(PG_DSN)
    try:
        await conn.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')
    finally:
        await conn.close()


@pytest.fixture
def pair(schema: str) -> Iterator[tuple[Server, Server]]:
    """Instances A and B, started at the same moment (so they also race to migrate the new schema)."""
    with ExitStack() as stack, ThreadPoolExecutor(2) as pool:
        started = list(
            pool.map(
                lambda _: stack.enter_context(serve(PG_DSN, "--pg-schema", schema, env=SERVER_ENV)),
                range(2),
            )
        )
        yield started[0], started[1]


def client(server: Server) -> httpx.AsyncClient:
    return httpx.AsyncClient(base_url=server.url, timeout=httpx.Timeout(30), limits=CLIENTS_LIMITS)


class Follower:
    """A live SSE reader, as a consuming service keeps one open; notes when each frame arrived."""

    def __init__(self, http: httpx.AsyncClient, after: int = 0) -> None:
        self.frames: list[Frame] = []
        self.arrivals: dict[int, float] = {}
        self.connected = asyncio.Event()
        self._changed = asyncio.Event()
        self._task = asyncio.create_task(self._run(http, after))

    async def _run(self, http: httpx.AsyncClient, after: int) -> None:
        reader = SseReader()
        try:
            async with http.stream("GET", "/events/stream", params={"after": after}) as response:
                assert response.status_code == 200, await response.aread()
                self.connected.set()
                async for chunk in response.aiter_bytes():
                    now = time.perf_counter()
                    for frame in reader.feed(chunk):
                        if frame.id is not None:
                            self.frames.append(frame)
                            self.arrivals[frame.position] = now
                    self._changed.set()
        finally:
            self._changed.set()

    @property
    def last(self) -> int:
        return self.frames[-1].position if self.frames else 0

    async def reach(self, position: int, timeout: float = 10) -> float:
        """Wait until the frame at ``position`` (or later) arrived; returns its arrival time."""
        async with asyncio.timeout(timeout):
            while True:
                self._changed.clear()
                if self.last >= position:
                    return self.arrivals[position]
                if self._task.done():
                    self._task.result()
                    raise AssertionError(f"the stream ended at position {self.last}")
                await self._changed.wait()

    async def close(self) -> None:
        self._task.cancel()
        with suppress(asyncio.CancelledError, Exception):  # reach() has reported what went wrong
            await self._task

    async def __aenter__(self) -> Follower:
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.close()


# -- the concurrent workload ----------------------------------------------------------------------


class Ledger:
    """What the clients were told: each acknowledged id with its position, and every refused id."""

    def __init__(self) -> None:
        self.acked: dict[str, int] = {}
        self.refused: set[str] = set()
        self.statuses: Counter[int] = Counter()

    def answer(self, response: httpx.Response, ids: list[str]) -> None:
        self.statuses[response.status_code] += 1
        assert response.status_code < 500, response.text
        if response.status_code in (200, 201):
            body = response.json()
            stored = body.get("items", [body])
            assert [s["event"]["id"] for s in stored] == ids, body
            for event_id, item in zip(ids, stored, strict=True):
                assert self.acked.setdefault(event_id, item["position"]) == item["position"], (
                    f"{event_id} acknowledged at two positions"
                )
        else:
            assert response.status_code == 412, response.text
            self.refused.update(ids)


async def post_both(
    clients: tuple[httpx.AsyncClient, httpx.AsyncClient], path: str, body: bytes, headers: dict[str, str] = JSON
) -> list[httpx.Response]:
    return list(await asyncio.gather(*(c.post(path, content=body, headers=headers) for c in clients)))


async def test_two_instances_appending_at_once_keep_one_gap_free_log(pair: tuple[Server, Server]) -> None:
    rng = random.Random(9)
    a, b = pair
    async with asyncio.timeout(BOUND_S), client(a) as ca, client(b) as cb, AsyncExitStack() as streams:
        both = (ca, cb)
        ledger = Ledger()
        won: Counter[str] = Counter()
        """Which instance answered 201 where both were sent the same id or If-Match version."""
        for i, company in enumerate(COMPANIES + RACES):
            event = wire(registration(company))
            ledger.answer(await both[i % 2].post("/events", json=event), [event["id"]])
        followers = [await streams.enter_async_context(Follower(http)) for http in both]
        await asyncio.gather(*(f.connected.wait() for f in followers))

        async def plain(http: httpx.AsyncClient, count: int) -> None:
            for _ in range(count):
                event = wire(sale(rng.choice(COMPANIES), rng.randrange(1, 10**6)))
                ledger.answer(await http.post("/events", content=encode(event), headers=JSON), [event["id"]])

        async def shared() -> None:
            for _ in range(SHARED):
                event = wire(sale(rng.choice(COMPANIES), rng.randrange(1, 10**6)))
                answers = await post_both(both, "/events", encode(event))
                for answer in answers:
                    ledger.answer(answer, [event["id"]])
                assert sorted(r.status_code for r in answers) == [200, 201], [r.text for r in answers]
                won["AB"[[r.status_code for r in answers].index(201)]] += 1
                assert answers[0].content == answers[1].content, "the replay differs from the original"

        disputed: dict[str, dict[str, Any]] = {}

        async def dispute() -> None:
            for _ in range(DISPUTED):
                event_id = str(uuid.uuid4())
                contents = [wire(sale(rng.choice(COMPANIES), value), event_id) for value in (1, 2)]
                answers = await asyncio.gather(
                    *(
                        http.post("/events", content=encode(e), headers=JSON)
                        for http, e in zip(both, contents, strict=True)
                    )
                )
                assert sorted(r.status_code for r in answers) == [201, 409], [r.text for r in answers]
                index = [r.status_code for r in answers].index(201)
                ledger.answer(answers[index], [event_id])
                ledger.statuses[409] += 1
                disputed[event_id] = contents[index]
                won["AB"[index]] += 1

        async def batches() -> None:
            for _ in range(BATCHES):
                events = [wire(sale(rng.choice(COMPANIES), rng.randrange(1, 10**6))) for _ in range(5)]
                answers = await post_both(both, "/events/batch", encode({"events": events}))
                for answer in answers:
                    ledger.answer(answer, [e["id"] for e in events])
                assert sorted(r.status_code for r in answers) == [200, 201], [r.text for r in answers]

        winners: dict[str, list[str]] = {company: [] for company in RACES}

        async def race(company: str) -> None:
            for round_ in range(ROUNDS):
                version = 1 + round_  # the registration, then one winner per round
                contenders = [
                    (http, wire(sale(company, round_ * 100 + i)))
                    for i in range(CONTENDERS)
                    for http in both  # alternating: every instance has contenders in every round
                ]
                headers = {**JSON, "If-Match": f'"{version}"'}
                answers = await asyncio.gather(
                    *(
                        http.post(f"/companies/{company}/events", content=encode(e), headers=headers)
                        for http, e in contenders
                    )
                )
                for answer, (_, event) in zip(answers, contenders, strict=True):
                    ledger.answer(answer, [event["id"]])
                counts = Counter(r.status_code for r in answers)
                assert counts == {201: 1, 412: 2 * CONTENDERS - 1}, (company, version, counts)
                index = [r.status_code for r in answers].index(201)
                winners[company].append(contenders[index][1]["id"])
                won["AB"[index % 2]] += 1

        started = time.perf_counter()
        await asyncio.gather(
            *(plain(http, PLAIN // 4) for http in both for _ in range(4)),
            shared(),
            dispute(),
            batches(),
            *(race(company) for company in RACES),
        )
        elapsed = time.perf_counter() - started

        # One log, the same through either instance, gap-free from 1.
        log = await read_log(ca)
        assert await read_log(cb) == log
        n = len(log)
        assert [e["position"] for e in log] == list(range(1, n + 1)), "positions have gaps or repeats"
        expected = len(COMPANIES + RACES) + 2 * PLAIN + SHARED + DISPUTED + 5 * BATCHES + ROUNDS * len(RACES)
        assert n == expected, (n, expected)
        # Every acknowledged event stored once, at the position it was acknowledged with; nothing else stored.
        stored = {e["event"]["id"]: e["position"] for e in log}
        assert len(stored) == n, "an event id is stored twice"
        assert stored == ledger.acked
        assert not ledger.refused & stored.keys(), "a refused append was stored"
        by_id = {e["event"]["id"]: e["event"] for e in log}
        for event_id, content in disputed.items():
            assert by_id[event_id]["units"] == content["units"], "an id holds the content that lost"
        # One winner per If-Match version: each race company's history is its registration, then the winners.
        for company in RACES:
            history = await read_log(ca, company=company)
            assert [e["event"]["id"] for e in history[1:]] == winners[company]
            for http in both:
                dossier = (await http.get(f"/companies/{company}")).json()
                assert dossier["version"] == 1 + ROUNDS, dossier

        # A live reader on each instance saw every event exactly once, in position order.
        ids = [e["event"]["id"] for e in log]
        for follower in followers:
            await follower.reach(n)
            await asyncio.sleep(0.2)  # anything after n would be a duplicate or a ghost
            assert [f.position for f in follower.frames] == list(range(1, n + 1))
            assert [f.json()["event"]["id"] for f in follower.frames] == ids
            await follower.close()
        # And so does a bounded reader.
        for http in both:
            frames = [f for f in parse((await http.get("/events/stream", params={"until": "now"})).content) if f.id]
            assert [f.position for f in frames] == list(range(1, n + 1))
            assert [f.json()["event"]["id"] for f in frames] == ids

    print(
        f"\n[two instances] {n} events committed in {elapsed:.2f} s through both at once; "
        f"answers {dict(sorted(ledger.statuses.items()))}; same id or version won through A {won['A']}, B {won['B']}"
    )


# -- the live feed across instances ---------------------------------------------------------------


def _ms(values: list[float]) -> str:
    ms = sorted(v * 1000 for v in values)
    return f"median {statistics.median(ms):.1f} ms, p90 {ms[int(len(ms) * 0.9)]:.1f} ms, max {ms[-1]:.1f} ms"


async def cross(source: httpx.AsyncClient, follower: Follower, company: str, value: int) -> tuple[float, float]:
    """Append through ``source``; (seconds from sending to the frame on the other instance, from the 201)."""
    sent = time.perf_counter()
    response = await source.post("/events", json=wire(sale(company, value)))
    acked = time.perf_counter()
    assert response.status_code == 201, response.text
    arrived = await follower.reach(response.json()["position"])
    return arrived - sent, max(0.0, arrived - acked)


async def test_a_stream_on_one_instance_gets_appends_through_the_other_promptly(pair: tuple[Server, Server]) -> None:
    a, b = pair
    async with asyncio.timeout(BOUND_S), client(a) as ca, client(b) as cb, AsyncExitStack() as streams:
        assert (await ca.post("/events", json=wire(registration("acme")))).status_code == 201
        followers = {
            name: await streams.enter_async_context(Follower(http, after=1)) for name, http in (("A", ca), ("B", cb))
        }
        await asyncio.gather(*(f.connected.wait() for f in followers.values()))
        from_send: list[float] = []
        from_ack: list[float] = []
        for i in range(40):
            source, target = (cb, "A") if i % 2 == 0 else (ca, "B")
            total, after_ack = await cross(source, followers[target], "acme", i)
            from_send.append(total)
            from_ack.append(after_ack)
            await asyncio.sleep(0.02)
    print(
        f"\n[cross-instance feed] n={len(from_send)}; append sent to frame on the other instance: {_ms(from_send)}; "
        f"after the 201: {_ms(from_ack)}"
    )
    # The poll fallback alone would take ~500 ms on average (it polls every second).
    assert statistics.median(from_send) < 0.1, _ms(from_send)
    assert max(from_send) < 1.0, _ms(from_send)


async def test_the_feed_keeps_crossing_instances_when_the_listen_connection_is_killed(
    pair: tuple[Server, Server], schema: str
) -> None:
    import asyncpg  # type: ignore[import-untyped]

    a, b = pair
    listeners = f"tidings-listen tidings.{schema}"[:63]
    admin = await asyncpg.connect(PG_DSN)

    async def listening() -> int:
        return int(await admin.fetchval("SELECT count(*) FROM pg_stat_activity WHERE application_name = $1", listeners))

    try:
        async with asyncio.timeout(BOUND_S), client(a) as ca, client(b) as cb, AsyncExitStack() as streams:
            assert await listening() == 2, "each instance holds one LISTEN connection"
            assert (await ca.post("/events", json=wire(registration("acme")))).status_code == 201
            follower = await streams.enter_async_context(Follower(ca, after=1))
            await follower.connected.wait()
            killed = await admin.fetchval(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = $1", listeners
            )
            assert killed == 2
            # Appended while A cannot hear: the poll or the listener's return brings it across.
            total, _ = await cross(cb, follower, "acme", 1)
            async with asyncio.timeout(10):
                while await listening() < 2:
                    await asyncio.sleep(0.05)
            # Listening again: prompt once more.
            again = [(await cross(cb, follower, "acme", 2 + i))[0] for i in range(10)]
    finally:
        await admin.close()
    print(f"\n[listen connection killed] first append across: {total * 1000:.1f} ms; after reconnecting: {_ms(again)}")
    assert total < 2.0
    assert statistics.median(again) < 0.1, _ms(again)


async def test_stores_hear_commits_on_their_own_schema_only(schema: str) -> None:
    """The NOTIFY channel is the schema's: a store in another schema of the same database hears nothing."""
    import asyncpg  # type: ignore[import-untyped]

    from api.store.postgres import PostgresStore
    from tests.factories import company_registered

    other = f"{schema}_other"
    stores = [
        PostgresStore(PG_DSN, schema=schema),
        PostgresStore(PG_DSN, schema=schema),
        PostgresStore(PG_DSN, schema=other),
    ]
    heard: list[list[int]] = [[], [], []]
    try:
        for store, positions in zip(stores, heard, strict=True):
            await store.open()
            assert store.listening
            store.on_external_commit.append(positions.append)
        await stores[0].append([company_registered("acme")])
        await stores[0].append_batch([company_registered("beta"), company_registered("gamma")])
        async with asyncio.timeout(5):
            while heard[1][-1:] != [3]:
                await asyncio.sleep(0.01)
        await asyncio.sleep(0.1)
        assert heard[1] == [1, 3], "the other store on the schema hears each commit's last position"
        assert heard[0] == [1, 3], "a store hears its own commits too"
        assert heard[2] == [], "a store on another schema hears nothing"
    finally:
        for store in stores:
            await store.close()
        conn = await asyncpg.connect(PG_DSN)
        try:
            await conn.execute(f'DROP SCHEMA IF EXISTS "{other}" CASCADE')
        finally:
            await conn.close()
