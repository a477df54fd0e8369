"""SIGKILL at a random moment loses no acknowledged append, and retries with the same ids duplicate none.

Each round sends appends (single events and small batches, each event with a client-chosen
id) from 32 concurrent clients, kills the server with SIGKILL after a random number of
answers, restarts it on the same file, and retries every request that got no answer (or a
503) with the same body until it is answered 201 or 200. A retried request answered 200 was
committed before the crash; 201, it was not. Then: every acknowledged event is stored at the
position it was acknowledged with, no id is stored twice, positions are 1..n without a gap,
``PRAGMA integrity_check`` is ok (also on the file as the crash left it), and the read
models equal those of ``tidings rebuild``.
"""

from __future__ import annotations

import asyncio
import os
import random
from collections import Counter, deque
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.server import Server, free_port
from tests.stress.support import (
    CLIENTS_LIMITS,
    Append,
    Workload,
    cli,
    figures,
    integrity,
    read_log,
    read_models,
    running,
    scaled,
)

pytestmark = pytest.mark.stress

ROUNDS = scaled(3, 10)
APPENDS_PER_ROUND = scaled(300, 2000)
CLIENTS = 32
BOUND_S = scaled(240, 1800)
"""Whole-test bound: far above the observed time (about 10 s in CI mode, under 5 min full), so only a hang trips it."""

MAX_REFUSALS = 20
RETRACTABLE = {"product_launched", "sales_reported", "plan_announced", "meeting_held", "relationship_reported"}


class Round:
    """One phase of clients against one server process, optionally ended by SIGKILL."""

    def __init__(self, client: httpx.AsyncClient, queue: deque[Append], stats: Counter[str]) -> None:
        self.client = client
        self.queue = queue
        self.stats = stats
        self.answered = 0
        self.killed = False
        self.no_answer: list[Append] = []
        self.acknowledged: list[Append] = []

    async def run(self, server: Server, kill_after: int | None, rng: random.Random) -> bool:
        workers = [asyncio.create_task(self._worker()) for _ in range(CLIENTS)]
        done = asyncio.Event()
        killer = asyncio.create_task(self._killer(server, kill_after, rng, done))
        try:
            await asyncio.gather(*workers)
        finally:
            done.set()
            await killer
        # Requests in flight when the process died: no answer, so they are in doubt.
        for append in self.no_answer:
            if not append.in_doubt:
                append.in_doubt = True
                self.stats["in_doubt"] += 1
        self.queue.extendleft(reversed(self.no_answer))
        return self.killed

    async def _killer(self, server: Server, kill_after: int | None, rng: random.Random, done: asyncio.Event) -> None:
        if kill_after is None:
            return
        while self.answered < kill_after and not done.is_set():
            await asyncio.sleep(0.0005)
        if done.is_set():
            return
        await asyncio.sleep(rng.uniform(0, 0.004))
        self.killed = True  # set before the signal: every failure from here on is the crash's
        server.kill()
        self.stats["kills"] += 1

    async def _worker(self) -> None:
        while self.queue and not self.killed:
            append = self.queue.popleft()
            try:
                response = await self.client.post(append.path, content=append.body, headers=append.headers)
            except httpx.TransportError as error:
                assert self.killed, f"no answer while the server was up: {error!r}"
                self.no_answer.append(append)
                continue
            if response.status_code == 503:
                # Nothing here makes the store unavailable; a few 503s may pass, an endless stream is a fault.
                self.stats["503"] += 1
                append.refusals += 1
                assert append.refusals <= MAX_REFUSALS, f"{append.ids} refused {append.refusals} times: {response.text}"
                self.queue.append(append)
                await asyncio.sleep(0.01)
                continue
            assert response.status_code in (200, 201), f"{append.path} answered {response.status_code}: {response.text}"
            if append.in_doubt:
                self.stats[
                    "resolved_committed_before_crash" if response.status_code == 200 else "resolved_not_committed"
                ] += 1
            else:
                assert response.status_code == 201, f"a fresh id was answered as a replay: {response.text}"
            append.answered(response)
            self.acknowledged.append(append)
            self.answered += 1


async def test_sigkill_loses_no_acknowledged_append_and_stores_none_twice(tmp_path: Path) -> None:
    seed = int(os.environ.get("TIDINGS_STRESS_SEED", random.randrange(2**32)))
    rng = random.Random(seed)
    db = tmp_path / "crash.db"
    port = free_port()
    work = Workload(rng)
    stats: Counter[str] = Counter()
    acknowledged: dict[str, tuple[int, dict[str, Any]]] = {}
    retracted: set[str] = set()
    requests = 0

    async with (
        asyncio.timeout(BOUND_S),
        httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30, limits=CLIENTS_LIMITS) as client,
    ):
        for number in range(1, ROUNDS + 1):
            queue = deque(work.append() for _ in range(APPENDS_PER_ROUND))
            # Retract events acknowledged in earlier rounds; each target once, so every retry is a replay.
            eligible = [i for i, (_, e) in acknowledged.items() if e["type"] in RETRACTABLE and i not in retracted]
            for target in rng.sample(eligible, min(len(eligible), APPENDS_PER_ROUND // 50)):
                retracted.add(target)
                queue.insert(rng.randrange(len(queue)), Append("/events", [work.retraction(target)]))
            requests += len(queue)
            this_round: list[Append] = []
            kills_left = 2 if rng.random() < 1 / 3 else 1
            while True:
                async with running(db, port=port) as server:
                    if number == 1 and not acknowledged:
                        # Every other event names these companies: register them before the clients start.
                        setup = Round(client, deque([Append("/events/batch", work.registrations)]), stats)
                        await setup.run(server, None, rng)
                        _record(acknowledged, setup.acknowledged)
                        requests += 1
                    kill_after = rng.randint(1, max(1, len(queue) - 1)) if kills_left else None
                    phase = Round(client, queue, stats)
                    killed = await phase.run(server, kill_after, rng)
                    _record(acknowledged, phase.acknowledged)
                    this_round += phase.acknowledged
                    if not killed:
                        assert not queue
                        models = await _verify_log(client, acknowledged, this_round)
                        break
                kills_left -= 1
                # The file exactly as the crash left it (read-only: no checkpoint on close).
                assert integrity(db, read_only=True) == "ok"
                stats["crash_images_checked"] += 1

            # The server stopped cleanly; check the file, rebuild the read models, compare.
            assert integrity(db) == "ok"
            rebuilt = cli("rebuild", "--db", str(db))
            assert rebuilt.returncode == 0, rebuilt.stderr
            # The operator's own check as well: versions against touches, read models against a fresh fold.
            checked = cli("check", "--db", str(db))
            assert checked.returncode == 0, checked.stdout + checked.stderr
            async with running(db, port=port):
                after = await read_models(client)
            differing = sorted(k for k in models.keys() | after.keys() if models.get(k) != after.get(k))
            assert not differing, f"read models differ from a rebuild in {differing[:10]}"

    figures(
        "crash",
        seed=seed,
        rounds=ROUNDS,
        requests=requests,
        events=len(acknowledged),
        kills=stats["kills"],
        in_doubt=stats["in_doubt"],
        in_doubt_committed_before_crash=stats["resolved_committed_before_crash"],
        in_doubt_stored_by_retry=stats["resolved_not_committed"],
        answered_503=stats["503"],
        crash_images_checked=stats["crash_images_checked"],
        retractions=len(retracted),
    )
    assert stats["kills"] >= ROUNDS
    assert stats["in_doubt"] == stats["resolved_committed_before_crash"] + stats["resolved_not_committed"]


def _record(acknowledged: dict[str, tuple[int, dict[str, Any]]], appends: list[Append]) -> None:
    for append in appends:
        for event, position in zip(append.events, append.positions, strict=True):
            acknowledged[event["id"]] = (position, event)


async def _verify_log(
    client: httpx.AsyncClient, acknowledged: dict[str, tuple[int, dict[str, Any]]], this_round: list[Append]
) -> dict[str, Any]:
    """Acknowledged == stored, at the acknowledged positions, once each, positions 1..n; returns the read models."""
    log = await read_log(client)
    assert [e["position"] for e in log] == list(range(1, len(log) + 1)), "positions are not 1..n"
    by_id = {e["event"]["id"]: e for e in log}
    assert len(by_id) == len(log), "an id is stored twice"
    assert by_id.keys() == acknowledged.keys(), (
        f"stored but never acknowledged: {len(by_id.keys() - acknowledged.keys())}, "
        f"acknowledged but not stored: {len(acknowledged.keys() - by_id.keys())}"
    )
    for event_id, (position, _) in acknowledged.items():
        assert by_id[event_id]["position"] == position, f"{event_id} acknowledged at {position}"
    # Single reads too, for the events acknowledged in this round.
    semaphore = asyncio.Semaphore(CLIENTS)

    async def one(event_id: str) -> None:
        async with semaphore:
            response = await client.get(f"/events/{event_id}")
        assert response.status_code == 200, response.text
        assert response.json()["position"] == acknowledged[event_id][0]

    await asyncio.gather(*(one(i) for append in this_round for i in append.ids))
    return await read_models(client)
