"""What operators see: readiness, Prometheus metrics that move with traffic, request ids everywhere."""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import msgspec
import pytest
from litestar.testing import TestClient
from prometheus_client.parser import text_string_to_metric_families

from api.app import create_app
from api.settings import Settings
from tests.api.wire import SEED
from tests.factories import sales_reported
from tests.server import serve

SOURCE = {"title": "t", "publisher": "p", "language": "en"}


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:  # type: ignore[type-arg]
    with TestClient(create_app(Settings(db=str(tmp_path / "ops.db"), seed=True))) as client:
        yield client


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def test_ready_reports_the_store_and_its_durability(client: TestClient) -> None:  # type: ignore[type-arg]
    ready = client.get("/ready").json()
    assert ready["status"] == "ready"
    assert ready["last_position"] == SEED["events"]
    assert "synchronous=FULL" in ready["durability"] and "journal_mode=wal" in ready["durability"]
    assert client.get("/health").json() == {"status": "ok"}


def test_metrics_scrape_as_prometheus_text_and_counters_move(client: TestClient) -> None:  # type: ignore[type-arg]
    before = samples(client.get("/metrics").text)
    body = msgspec.to_builtins(sales_reported("xiaomi", "2026", units=5))
    created = client.post("/events", content=json.dumps(_wire(body)), headers={"content-type": "application/json"})
    assert created.status_code == 201
    client.post("/events", content=json.dumps(_wire(body)), headers={"content-type": "application/json"})
    client.get("/companies/xiaomi")
    after = samples(client.get("/metrics").text)

    def moved(name: str, **labels: str) -> float:
        key = (name, tuple(sorted(labels.items())))
        return after.get(key, 0) - before.get(key, 0)

    assert moved("tidings_appends_total", type="sales_reported") == 1
    assert moved("tidings_replays_total", type="sales_reported") == 1
    assert moved("tidings_last_position") == 1
    assert moved("tidings_commit_group_requests_count") == 2, "the append and its retry each went through the writer"
    assert after[("tidings_writer_queue_depth", ())] == 0
    requests = {k: v for k, v in after.items() if k[0] == "tidings_http_requests_total"}
    routes = {dict(labels)["path"] for _, labels in requests}
    assert "/companies/{company_id}" in routes, "requests are labelled by route template"
    assert not any("xiaomi" in route for route in routes), "never a raw path or an id as a label"


def _wire(body: dict[str, object]) -> dict[str, object]:
    """The factory's event as a client sends it: without an id, so the server assigns one once."""
    return {**body, "id": "0195bb26-3c00-7fff-8a1d-5e3d00000fff"}


def test_a_sent_request_id_is_echoed_in_header_and_problem(client: TestClient) -> None:  # type: ignore[type-arg]
    response = client.get("/companies/nope", headers={"X-Request-ID": "abc-123"})
    assert response.status_code == 404
    assert response.headers["x-request-id"] == "abc-123"
    assert response.json()["request_id"] == "abc-123"


def test_an_invalid_request_id_is_replaced_by_a_generated_one(client: TestClient) -> None:  # type: ignore[type-arg]
    response = client.get("/companies/nope", headers={"X-Request-ID": "bad id with spaces" + "x" * 200})
    generated = response.headers["x-request-id"]
    assert " " not in generated and 0 < len(generated) <= 128
    assert response.json()["request_id"] == generated


def test_concurrent_requests_get_one_whole_access_line_each(tmp_path: Path) -> None:
    """Lines of one turn of the event loop are written together: none lost, doubled or cut."""

    async def burst(url: str) -> list[int]:
        async with httpx.AsyncClient(base_url=url, limits=httpx.Limits(max_connections=32)) as http:
            answers = await asyncio.gather(
                *(http.get("/companies/xiaomi", headers={"X-Request-ID": f"burst-{n}"}) for n in range(300))
            )
        return [answer.status_code for answer in answers]

    with serve(tmp_path / "burst.db", "--seed", "--log-format", "json") as server:
        assert set(asyncio.run(burst(server.url))) == {200}
    lines = [json.loads(line) for line in server.output().splitlines() if line.startswith("{")]
    ids = Counter(line.get("request_id") for line in lines if line["logger"] == "tidings.access")
    assert {n: ids[f"burst-{n}"] for n in range(300) if ids[f"burst-{n}"] != 1} == {}


def test_the_access_log_line_is_json_with_the_request_id(tmp_path: Path) -> None:
    with serve(tmp_path / "log.db", "--seed", "--log-format", "json") as server:
        httpx.get(f"{server.url}/companies/nope", headers={"X-Request-ID": "abc-123"})
        httpx.get(f"{server.url}/events", headers={"Authorization": "Bearer canary-token-123"})
    lines = [json.loads(line) for line in server.output().splitlines() if line.startswith("{")]
    access = [line for line in lines if line["logger"] == "tidings.access"]
    hit = [line for line in access if line["request_id"] == "abc-123"]
    assert hit and hit[0]["route"] == "/companies/{company_id}" and hit[0]["status"] == 404
    assert {"method", "route", "status", "duration_ms", "request_id", "key_id"} <= set(hit[0])
    started = [line["message"] for line in lines if line["logger"] == "tidings"]
    assert any("sqlite" in m and "synchronous=FULL" in m for m in started), "start-up line names backend and mode"
    assert "canary-token-123" not in server.output()
