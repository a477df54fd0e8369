"""Every error a client can cause: its status, an RFC 9457 problem body, and an unchanged log.

One table row per error case of the contract (DESIGN.md, "HTTP surface"). Each row is
sent to a store holding the seed data; the log is read before and after.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import pytest
from litestar.testing import TestClient

from tests.api.conftest import MakeClient
from tests.api.wire import SEED, SOURCE, log_of, problem

_SALES = {
    "type": "sales_reported",
    "sources": [SOURCE],
    "company_id": "xiaomi",
    "period": "2025",
    "units": {"value": 400000},
}
_MEETING = {
    "type": "meeting_held",
    "sources": [SOURCE],
    "occurred_on": "2025-03-22",
    "location": {"country": "CN", "city": "Beijing"},
    "participants": [{"company_id": "samsung-electronics"}, {"company_id": "xiaomi"}],
}
_REGISTRATION = {"type": "company_registered", "sources": [SOURCE], "company_id": "nio", "name": "NIO", "country": "CN"}
_RETRACTION = {
    "type": "event_retracted",
    "sources": [SOURCE],
    "event_id": SEED["xiaomi_sales_2024"],
    "reason": "The figure was a forecast.",
}
_JSON = {"content-type": "application/json"}


def _json(body: Any) -> bytes:
    return json.dumps(body).encode()


@dataclass(frozen=True)
class Case:
    status: int
    method: str
    url: str
    body: bytes | None = None
    headers: dict[str, str] = field(default_factory=lambda: dict(_JSON))
    paths: list[str] | None = None
    """For 422: the JSON paths errors[] must name, in order."""
    settings: dict[str, Any] = field(default_factory=dict)


CASES: dict[str, Case] = {
    # 400: the body is not JSON
    "malformed JSON": Case(400, "POST", "/events", b'{"type": sales_reported}'),
    "truncated JSON": Case(400, "POST", "/events", _json(_SALES)[:40]),
    "invalid UTF-8": Case(400, "POST", "/events", _json({**_SALES, "product": "SU7"}).replace(b"SU7", b"SU\xff7")),
    # 413, 415: the body is too large or not sent as JSON
    "body over the limit": Case(
        413, "POST", "/events", _json({**_SALES, "note": "x" * 2000}), settings={"max_body_bytes": 1024}
    ),
    "content type text/plain": Case(415, "POST", "/events", _json(_SALES), {"content-type": "text/plain"}),
    "no content type": Case(415, "POST", "/events", _json(_SALES), {}),
    "content type application/xml": Case(415, "POST", "/events", _json(_SALES), {"content-type": "application/xml"}),
    "JSON in another charset": Case(
        415, "POST", "/events", _json(_SALES), {"content-type": "application/json; charset=latin-1"}
    ),
    # 422: JSON that breaks a rule of the event types or of the store
    "unknown field": Case(422, "POST", "/events", _json({**_SALES, "currency": "USD"})),
    "server-owned position": Case(422, "POST", "/events", _json({**_SALES, "position": 1})),
    "server-owned recorded_at": Case(422, "POST", "/events", _json({**_SALES, "recorded_at": "2025-01-01T00:00:00Z"})),
    "unknown type": Case(422, "POST", "/events", _json({**_SALES, "type": "rumour_heard"}), paths=["$.type"]),
    "unregistered company": Case(
        422, "POST", "/events", _json({**_SALES, "company_id": "tesla"}), paths=["$.company_id"]
    ),
    "unregistered company in a meeting": Case(
        422,
        "POST",
        "/events",
        _json({**_MEETING, "participants": [{"company_id": "xiaomi"}, {"company_id": "tesla"}]}),
        paths=["$.participants[1].company_id"],
    ),
    "integer beyond 2**53-1": Case(
        422, "POST", "/events", _json({**_SALES, "units": {"value": 2**53}}), paths=["$.units.value"]
    ),
    "integer beyond int64": Case(
        422, "POST", "/events", _json({**_SALES, "units": {"value": 2**64}}), paths=["$.units.value"]
    ),
    "date 2025-02-30": Case(
        422, "POST", "/events", _json({**_MEETING, "occurred_on": "2025-02-30"}), paths=["$.occurred_on"]
    ),
    "JSON that is not an object": Case(422, "POST", "/events", b"[]", paths=["$"]),
    "company id that is not a slug": Case(
        422, "POST", "/events", _json({**_REGISTRATION, "company_id": "NIO Inc"}), paths=["$.company_id"]
    ),
    "control character in a name": Case(
        422, "POST", "/events", _json({**_REGISTRATION, "name": "NIO\u0000"}), paths=["$.name"]
    ),
    "more than 20 sources": Case(
        422, "POST", "/events", _json({**_SALES, "sources": [SOURCE] * 21}), paths=["$.sources"]
    ),
    "a meeting of one company": Case(
        422, "POST", "/events", _json({**_MEETING, "participants": [{"company_id": "xiaomi"}] * 2})
    ),
    "sales without units or revenue": Case(
        422, "POST", "/events", _json({k: v for k, v in _SALES.items() if k != "units"})
    ),
    "a plan target without a metric": Case(
        422,
        "POST",
        "/events",
        _json(
            {
                "type": "plan_announced",
                "sources": [SOURCE],
                "plan_id": "ev-sales-2026",
                "company_id": "xiaomi",
                "kind": "other",
                "description": "Sell more cars.",
                "target": {"value": "500000"},
                "due": "2026",
            }
        ),
    ),
    "retraction of an unknown event": Case(
        422,
        "POST",
        "/events",
        _json({**_RETRACTION, "event_id": "0195bb26-3c00-7fff-8a1d-5e3d00000000"}),
        paths=["$.event_id"],
    ),
    "retraction of a registration": Case(
        422, "POST", "/events", _json({**_RETRACTION, "event_id": SEED["xiaomi_registered"]}), paths=["$.event_id"]
    ),
    "evidence for evidence": Case(
        422,
        "POST",
        "/events",
        _json({"type": "evidence_added", "sources": [SOURCE], "event_id": SEED["pingback_es"]}),
        paths=["$.event_id"],
    ),
    "limit=0": Case(422, "GET", "/events?limit=0", paths=["query.limit"]),
    "limit=1001": Case(422, "GET", "/events?limit=1001", paths=["query.limit"]),
    "limit=-1": Case(422, "GET", "/events?limit=-1", paths=["query.limit"]),
    "after=-1": Case(422, "GET", "/events?after=-1", paths=["query.after"]),
    "after=1e99": Case(422, "GET", "/events?after=1e99", paths=["query.after"]),
    "unknown type filter": Case(422, "GET", "/events?type=rumour_heard", paths=["query.type"]),
    "as_of with at_position": Case(
        422, "GET", "/companies/xiaomi?as_of=2025-03-22T10:00:00Z&at_position=3", paths=["query.as_of"]
    ),
    "as_of without offset": Case(
        422, "GET", "/companies/xiaomi/plans?as_of=2025-03-22T10:00:00", paths=["query.as_of"]
    ),
    "as_of that is no time": Case(422, "GET", "/companies/xiaomi/sales?as_of=yesterday", paths=["query.as_of"]),
    "malformed If-Match": Case(
        422, "POST", "/companies/xiaomi/events", _json(_SALES), {**_JSON, "If-Match": "1"}, paths=["header.If-Match"]
    ),
    # 404, 405: nothing there
    "unknown event id": Case(404, "GET", "/events/0195bb26-3c00-7fff-8a1d-5e3d00000000"),
    "unknown company": Case(404, "GET", "/companies/tesla"),
    "unknown company timeline": Case(404, "GET", "/companies/tesla/timeline"),
    "unknown company meetings": Case(404, "GET", "/companies/tesla/meetings"),
    "unknown company sales": Case(404, "GET", "/companies/tesla/sales"),
    "unknown company plans": Case(404, "GET", "/companies/tesla/plans"),
    "unknown company relationships": Case(404, "GET", "/companies/tesla/relationships"),
    "company not yet registered at_position": Case(404, "GET", "/companies/xiaomi?at_position=1"),
    "unknown event type": Case(404, "GET", "/event-types/rumour_heard"),
    "unknown route": Case(404, "GET", "/news"),
    "wrong method": Case(405, "DELETE", "/events"),
    "wrong method on a stored event": Case(405, "PUT", f"/events/{SEED['xiaomi_sales_2024']}", _json(_SALES)),
    # 409, 412, 428: conflicts with what is stored
    "id reused with other content": Case(409, "POST", "/events", _json({**_SALES, "id": SEED["xiaomi_sales_2024"]})),
    "stale If-Match": Case(412, "POST", "/companies/xiaomi/events", _json(_SALES), {**_JSON, "If-Match": '"1"'}),
    "missing If-Match": Case(428, "POST", "/companies/xiaomi/events", _json(_SALES)),
}


def _send(client: TestClient, case: Case):  # type: ignore[no-untyped-def, type-arg]
    return client.request(case.method, case.url, content=case.body, headers=case.headers)


@pytest.mark.parametrize("name", list(CASES))
def test_an_error_is_a_problem_with_its_status_and_changes_nothing(make_client: MakeClient, name: str) -> None:
    case = CASES[name]
    client = make_client(seed=True, **case.settings)
    log = log_of(client)

    response = _send(client, case)

    problem(response, case.status, paths=case.paths)
    assert log_of(client) == log


def test_the_unregistered_company_is_named_in_the_problem(client: TestClient) -> None:  # type: ignore[type-arg]
    body = problem(_send(client, CASES["unregistered company"]), 422)

    assert "tesla" in body["errors"][0]["message"]
    assert "tesla" in body["detail"]


def test_a_body_over_the_limit_without_a_length_is_413(make_client: MakeClient) -> None:
    client = make_client(seed=True, max_body_bytes=1024)
    log = log_of(client)

    response = client.post("/events", content=(b" " * 100 for _ in range(50)), headers=_JSON)

    problem(response, 413)
    assert log_of(client) == log


def test_wrong_method_lists_the_allowed_ones(client: TestClient) -> None:  # type: ignore[type-arg]
    response = _send(client, CASES["wrong method"])

    assert {m.strip() for m in response.headers["allow"].split(",")} >= {"GET", "POST"}


def test_an_empty_body_is_400_malformed(client: TestClient) -> None:  # type: ignore[type-arg]
    log = log_of(client)

    response = client.post("/events", content=b"", headers=_JSON)

    problem(response, 400)
    assert log_of(client) == log


def test_an_unknown_field_is_named_by_its_own_path(client: TestClient) -> None:  # type: ignore[type-arg]
    top = problem(_send(client, CASES["unknown field"]), 422)
    nested = problem(client.post("/events", json={**_SALES, "units": {"value": 1, "unit": "cars"}}), 422)

    assert [e["path"] for e in top["errors"]] == ["$.currency"]
    assert [e["path"] for e in nested["errors"]] == ["$.units.unit"]


def test_retracting_an_event_twice_is_409_and_changes_nothing(client: TestClient) -> None:  # type: ignore[type-arg]
    assert client.post("/events", json=_RETRACTION).status_code == 201
    log = log_of(client)

    response = client.post("/events", json=_RETRACTION)

    assert SEED["xiaomi_sales_2024"] in problem(response, 409)["detail"]
    assert log_of(client) == log


def test_evidence_for_a_retracted_event_is_422(client: TestClient) -> None:  # type: ignore[type-arg]
    assert client.post("/events", json=_RETRACTION).status_code == 201
    log = log_of(client)

    response = client.post(
        "/events", json={"type": "evidence_added", "sources": [SOURCE], "event_id": SEED["xiaomi_sales_2024"]}
    )

    problem(response, 422, paths=["$.event_id"])
    assert log_of(client) == log


@pytest.mark.parametrize(
    ("case", "path"),
    [("a meeting of one company", "$.participants"), ("a plan target without a metric", "$.metric")],
)
def test_a_rule_across_fields_is_reported_at_the_field_it_names(
    client: TestClient,  # type: ignore[type-arg]
    case: str,
    path: str,
) -> None:
    body = problem(_send(client, CASES[case]), 422)

    assert body["errors"][0]["path"] == path
