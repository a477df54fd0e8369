"""Races between concurrent appends, against a real server: one winner per version, one event per id.

Each burst opens its connections first and releases all requests at once, so they reach the
single writer together and are decided inside one group commit or a few.
"""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.server import Server
from tests.stress.support import (
    CLIENTS_LIMITS,
    JSON,
    SOURCE,
    assert_opaque_problem,
    encode,
    figures,
    read_log,
    running,
    scaled,
)

pytestmark = pytest.mark.stress

BURST = 50
IF_MATCH_ROUNDS = scaled(5, 20)
SAME_ID_ROUNDS = scaled(3, 10)
BOUND_S = scaled(120, 600)
"""Per-test bound, far above the observed seconds; only a hang trips it."""


def registration(company: str) -> dict[str, Any]:
    return {
        "type": "company_registered",
        "company_id": company,
        "name": company.title(),
        "country": "CN",
        "sources": [SOURCE],
    }


def launch(company: str, *, event_id: str | None = None, product: str = "YU7") -> dict[str, Any]:
    event = {
        "type": "product_launched",
        "company_id": company,
        "product": product,
        "category": "electric vehicle",
        "launched_on": "2025-06",
        "sources": [SOURCE],
    }
    return {"id": event_id, **event} if event_id else event


@pytest.fixture
async def server(tmp_path: Path) -> AsyncIterator[Server]:
    async with running(tmp_path / "race.db") as server:
        yield server


@pytest.fixture
async def client(server: Server) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=server.url, timeout=30, limits=CLIENTS_LIMITS) as client:
        # Open every connection now, so that a burst is not spread out by connection set-up.
        await asyncio.gather(*(client.get("/health") for _ in range(BURST)))
        yield client


async def burst(
    client: httpx.AsyncClient, path: str, bodies: list[bytes], headers: dict[str, str] = JSON
) -> list[httpx.Response]:
    """POST every body at once: each request waits for one signal, on a connection of its own."""
    start = asyncio.Event()

    async def one(body: bytes) -> httpx.Response:
        await start.wait()
        return await client.post(path, content=body, headers=headers)

    tasks = [asyncio.create_task(one(body)) for body in bodies]
    await asyncio.sleep(0)
    start.set()
    return await asyncio.gather(*tasks)


async def version_of(client: httpx.AsyncClient, company: str) -> int:
    response = await client.get(f"/companies/{company}")
    assert response.status_code == 200, response.text
    return int(response.json()["version"])


async def test_same_if_match_from_50_clients_stores_exactly_one(client: httpx.AsyncClient) -> None:
    async with asyncio.timeout(BOUND_S):
        assert (await client.post("/events", json=registration("contested"))).status_code == 201
        winners: list[dict[str, Any]] = []
        statuses: Counter[int] = Counter()
        for _ in range(IF_MATCH_ROUNDS):
            version = await version_of(client, "contested")
            bodies = [encode(launch("contested", event_id=str(uuid.uuid4()), product=f"P{i}")) for i in range(BURST)]
            answers = await burst(client, "/companies/contested/events", bodies, {**JSON, "If-Match": f'"{version}"'})
            counts = Counter(a.status_code for a in answers)
            statuses.update(counts)
            assert counts == {201: 1, 412: BURST - 1}, {
                s: [a.text for a in answers if a.status_code == s][:1] for s in counts
            }
            for answer in answers:
                if answer.status_code == 412:
                    assert_opaque_problem(answer, 412)
                    assert f"current version: {version + 1}" in answer.json()["detail"], answer.text
            winner = next(a.json() for a in answers if a.status_code == 201)
            winners.append(winner)
            assert await version_of(client, "contested") == version + 1
        # Versions without holes: the registration plus exactly one event per round, in position order.
        log = await read_log(client, company="contested")
        assert [e["event"]["id"] for e in log[1:]] == [w["event"]["id"] for w in winners]
        assert await version_of(client, "contested") == 1 + IF_MATCH_ROUNDS == len(log)
    figures("if-match", rounds=IF_MATCH_ROUNDS, clients=BURST, answers=dict(sorted(statuses.items())))


async def test_same_event_id_from_50_clients_is_stored_once(client: httpx.AsyncClient) -> None:
    async with asyncio.timeout(BOUND_S):
        assert (await client.post("/events", json=registration("repeated"))).status_code == 201
        statuses: Counter[int] = Counter()
        for _ in range(SAME_ID_ROUNDS):
            before = len(await read_log(client))
            body = encode(launch("repeated", event_id=str(uuid.uuid4())))
            answers = await burst(client, "/events", [body] * BURST)
            counts = Counter(a.status_code for a in answers)
            statuses.update(counts)
            assert counts == {201: 1, 200: BURST - 1}, {
                s: [a.text for a in answers if a.status_code == s][:1] for s in counts
            }
            assert len({a.json()["position"] for a in answers}) == 1, "answers name different positions"
            assert len({a.content for a in answers}) == 1, "a replay differs from the original answer"
            assert len(await read_log(client)) == before + 1

            # The same batch from 50 clients: one 201, the rest replay the same positions.
            batch = encode({"events": [launch("repeated", event_id=str(uuid.uuid4())) for _ in range(3)]})
            answers = await burst(client, "/events/batch", [batch] * BURST)
            counts = Counter(a.status_code for a in answers)
            statuses.update(counts)
            assert counts == {201: 1, 200: BURST - 1}, counts
            assert len({tuple(i["position"] for i in a.json()["items"]) for a in answers}) == 1
            assert len(await read_log(client)) == before + 4
    figures("same-id", rounds=SAME_ID_ROUNDS, clients=BURST, answers=dict(sorted(statuses.items())))


async def test_same_id_with_two_contents_stores_one_and_refuses_the_other(client: httpx.AsyncClient) -> None:
    async with asyncio.timeout(BOUND_S):
        assert (await client.post("/events", json=registration("disputed"))).status_code == 201
        for _ in range(SAME_ID_ROUNDS):
            event_id = str(uuid.uuid4())
            contents = [encode(launch("disputed", event_id=event_id, product=p)) for p in ("A", "B")]
            answers = await burst(client, "/events", [contents[i % 2] for i in range(BURST)])
            stored = (await client.get(f"/events/{event_id}")).json()["event"]["product"]
            won = 0 if stored == "A" else 1
            for index, answer in enumerate(answers):
                if index % 2 == won:
                    assert answer.status_code in (200, 201), answer.text
                else:
                    assert_opaque_problem(answer, 409)
            assert Counter(a.status_code for a in answers)[201] == 1


async def test_retried_conditional_append_replays_the_original(client: httpx.AsyncClient) -> None:
    """A client whose answer was lost retries with the same id and If-Match: idempotency comes first (was a 412)."""
    assert (await client.post("/events", json=registration("retrier"))).status_code == 201
    body = encode(launch("retrier", event_id=str(uuid.uuid4())))
    headers = {**JSON, "If-Match": '"1"'}
    first = await client.post("/companies/retrier/events", content=body, headers=headers)
    assert first.status_code == 201, first.text
    again = await client.post("/companies/retrier/events", content=body, headers=headers)
    assert again.status_code == 200, again.text
    assert again.json() == first.json()


async def test_dossier_version_is_accepted_as_if_match_after_evidence(client: httpx.AsyncClient) -> None:
    """Evidence touches the target's companies; their stored version must count it too (was reset, then 412)."""
    assert (await client.post("/events", json=registration("evidenced"))).status_code == 201
    launched = await client.post("/events", json=launch("evidenced"))
    assert launched.status_code == 201
    evidence = {"type": "evidence_added", "event_id": launched.json()["event"]["id"], "sources": [SOURCE]}
    assert (await client.post("/events", json=evidence)).status_code == 201
    version = await version_of(client, "evidenced")
    assert version == 3
    answer = await client.post(
        "/companies/evidenced/events", content=encode(launch("evidenced")), headers={**JSON, "If-Match": f'"{version}"'}
    )
    assert answer.status_code == 201, answer.text
