"""Content negotiation: an Accept an operation cannot answer is a 406 problem on every operation of the
document; ``*/*``, its own media type, ``application/problem+json`` and no Accept at all are answered."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from litestar.testing import TestClient

from tests.api.wire import problem

Client = TestClient  # type: ignore[type-arg]

DOC = yaml.safe_load((Path(__file__).resolve().parents[2] / "openapi.yaml").read_text())
_GETS = {
    "/events": "/events",
    "/events/{event_id}": "/events/0195bb26-3c00-7001-8a1d-5e3d00000001",
    "/events/stream": "/events/stream?until=now",
    "/companies": "/companies",
    "/companies/{company_id}": "/companies/xiaomi",
    "/companies/{company_id}/timeline": "/companies/xiaomi/timeline",
    "/companies/{company_id}/meetings": "/companies/xiaomi/meetings",
    "/companies/{company_id}/sales": "/companies/xiaomi/sales",
    "/companies/{company_id}/products": "/companies/xiaomi/products",
    "/companies/{company_id}/plans": "/companies/xiaomi/plans",
    "/companies/{company_id}/relationships": "/companies/xiaomi/relationships",
    "/companies/{company_id}/conflicts": "/companies/xiaomi/conflicts",
    "/companies/{company_id}/changes": "/companies/xiaomi/changes?from=1",
    "/companies/{company_id}/results": "/companies/samsung-electronics/results",
    "/companies/{company_id}/orders": "/companies/xiaomi/orders",
    "/companies/{company_id}/deliveries": "/companies/xiaomi/deliveries",
    "/companies/{company_id}/production": "/companies/xiaomi/production",
    "/conflicts": "/conflicts",
    "/people": "/people",
    "/people/{person_id}": "/people/jay-y-lee",
    "/graph": "/graph",
    "/search": "/search?q=OLED",
    "/event-types": "/event-types",
    "/event-types/{event_type}": "/event-types/sales_reported",
    "/log/head": "/log/head",
    "/log/proof/inclusion": "/log/proof/inclusion?event=0195bb26-3c00-7001-8a1d-5e3d00000001",
    "/log/proof/consistency": "/log/proof/consistency?from=1",
    "/log/public-key": "/log/public-key",
    "/health": "/health",
    "/ready": "/ready",
    "/metrics": "/metrics",
    "/subscriptions": "/subscriptions",
    "/subscriptions/{name}": "/subscriptions/mailer",
    "/subscriptions/{name}/parked": "/subscriptions/mailer/parked",
}
_POSTS = ["/events", "/events/batch", "/companies/xiaomi/events"]
_SUBSCRIPTION_WRITES = {
    ("/subscriptions/{name}", "put"): "/subscriptions/mailer",
    ("/subscriptions/{name}", "delete"): "/subscriptions/mailer",
    ("/subscriptions/{name}/claim", "post"): "/subscriptions/mailer/claim",
    ("/subscriptions/{name}/ack", "post"): "/subscriptions/mailer/ack",
    ("/subscriptions/{name}/nack", "post"): "/subscriptions/mailer/nack",
    ("/subscriptions/{name}/parked/replay", "post"): "/subscriptions/mailer/parked/replay",
}


def test_the_table_has_every_operation_of_the_document() -> None:
    documented = {(path, method) for path, item in DOC["paths"].items() for method in item}
    tried = (
        {(path, "get") for path in _GETS}
        | {
            ("/events", "post"),
            ("/events/batch", "post"),
            ("/companies/{company_id}/events", "post"),
        }
        | set(_SUBSCRIPTION_WRITES)
    )
    assert tried == documented


@pytest.mark.parametrize("path", list(_GETS))
def test_an_accept_the_operation_cannot_answer_is_a_406_problem(client: Client, path: str) -> None:
    response = client.get(_GETS[path], headers={"Accept": "application/xml"})

    body = problem(response, 406)
    assert [(e["path"], e["code"]) for e in body["errors"]] == [("header.Accept", "not_acceptable")]
    assert "application/xml" in body["errors"][0]["message"]
    assert body["request_id"] == response.headers["x-request-id"]


@pytest.mark.parametrize("url", _POSTS)
def test_an_append_with_an_accept_it_cannot_answer_is_a_406_and_stores_nothing(client: Client, url: str) -> None:
    before = client.get("/events?limit=1000").json()["items"]

    response = client.post(
        url, content=b"{}", headers={"Accept": "text/html", "content-type": "application/json", "If-Match": '"1"'}
    )

    body = problem(response, 406)
    assert body["errors"][0]["code"] == "not_acceptable"
    assert client.get("/events?limit=1000").json()["items"] == before


@pytest.mark.parametrize(("operation", "url"), list(_SUBSCRIPTION_WRITES.items()))
def test_a_subscription_call_with_an_accept_it_cannot_answer_is_a_406_and_changes_nothing(
    client: Client, operation: tuple[str, str], url: str
) -> None:
    method = operation[1].upper()
    response = client.request(
        method, url, content=b"{}", headers={"Accept": "text/html", "content-type": "application/json"}
    )

    assert problem(response, 406)["errors"][0]["code"] == "not_acceptable"
    assert client.get("/subscriptions").json()["items"] == []
    assert "406" in DOC["paths"][operation[0]][operation[1]]["responses"]


@pytest.mark.parametrize("path", list(_GETS))
def test_every_operation_documents_its_406(path: str) -> None:
    responses = DOC["paths"][path]["get"]["responses"]
    assert "application/problem+json" in responses["406"]["content"]


@pytest.mark.parametrize(
    "accept", [None, "*/*", "application/json", "application/problem+json", "application/*", "text/html, */*;q=0.1"]
)
def test_json_and_wildcards_are_answered_with_json(client: Client, accept: str | None) -> None:
    response = client.get("/companies/xiaomi", headers={"Accept": accept} if accept else {})

    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/json")


def test_json_refused_with_q_0_is_not_answered(client: Client) -> None:
    problem(client.get("/companies", headers={"Accept": "application/json;q=0, text/html"}), 406)


def test_the_stream_answers_text_event_stream_and_refuses_json(client: Client) -> None:
    assert client.get("/events/stream?until=now", headers={"Accept": "text/event-stream"}).status_code == 200
    problem(client.get("/events/stream?until=now", headers={"Accept": "application/json"}), 406)


def test_the_metrics_answer_prometheus_text(client: Client) -> None:
    assert client.get("/metrics", headers={"Accept": "text/plain"}).status_code == 200
    problem(client.get("/metrics", headers={"Accept": "application/json"}), 406)
