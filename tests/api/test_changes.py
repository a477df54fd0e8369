"""GET /companies/{id}/changes over HTTP: positions or times, and problems for bad points."""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import TestClient

from tests.api.wire import SEED

Client = TestClient  # type: ignore[type-arg]


def _figure(client: Client) -> dict[str, Any]:
    body = {
        "type": "production_reported",
        "company_id": "xiaomi",
        "period": "2025",
        "count": {"value": 410000},
        "sources": [{"title": "Xiaomi 2025", "publisher": "Reuters", "language": "en", "published_on": "2026-03-24"}],
    }
    response = client.post("/events", json=body)
    assert response.status_code == 201, response.text
    return dict(response.json())


def test_changes_since_the_seed_name_the_figure_and_the_plan(client: Client) -> None:
    stored = _figure(client)

    answer = client.get("/companies/xiaomi/changes", params={"from": SEED["events"]}).json()

    assert (answer["from_position"], answer["to_position"]) == (SEED["events"], stored["position"])
    assert [(c["kind"], c["key"], c["change"]) for c in answer["items"]] == [
        ("production", "2025", "gained"),
        ("plan", "ev-production-2025", "changed"),
    ]
    assert answer["items"][1]["after"]["status"] == "met"
    assert answer["items"][1]["caused_by"][0]["event_id"] == stored["event"]["id"]


def test_points_may_be_times(client: Client) -> None:
    stored = _figure(client)

    answer = client.get("/companies/xiaomi/changes", params={"from": "2000-01-01T00:00:00Z"}).json()

    assert answer["from_position"] == 0
    assert ("profile", "xiaomi", "gained") in [(c["kind"], c["key"], c["change"]) for c in answer["items"]]
    assert answer["to_position"] == stored["position"]


@pytest.mark.parametrize(
    ("params", "status", "code"),
    [
        ({}, 422, "required"),
        ({"from": "999"}, 422, "beyond_head"),
        ({"from": "yesterday"}, 422, "pattern"),
        ({"from": "2025-13-01T00:00:00Z"}, 422, "format"),
        ({"from": "20", "to": "3"}, 422, "contradictory"),
    ],
)
def test_bad_points_are_problems(client: Client, params: dict[str, str], status: int, code: str) -> None:
    response = client.get("/companies/xiaomi/changes", params=params)

    assert response.status_code == status, response.text
    assert code in [e["code"] for e in response.json()["errors"]]


def test_an_unknown_company_is_404(client: Client) -> None:
    assert client.get("/companies/nobody/changes", params={"from": "1"}).status_code == 404
