"""Appending: one event, a batch, and an event with a precondition on its company's version."""

from __future__ import annotations

import copy
import uuid
from datetime import datetime
from typing import Any

import pytest
from litestar.testing import TestClient

from tests.api.wire import EVERY_TYPE, PREREQUISITES, SEED, SOURCE, assert_contains, log_of, problem

Client = TestClient  # type: ignore[type-arg]


def _post_all(client: Client, bodies: list[dict[str, Any]]) -> None:
    for body in bodies:
        response = client.post("/events", json=body)
        assert response.status_code == 201, response.text


def _sales(period: str = "2025", units: int = 400000, **fields: Any) -> dict[str, Any]:
    return {
        "type": "sales_reported",
        "sources": [SOURCE],
        "company_id": "xiaomi",
        "period": period,
        "units": {"value": units, "approximate": False},
        **fields,
    }


def _version(client: Client, company_id: str) -> int:
    return int(client.get(f"/companies/{company_id}").json()["version"])


# -- one event ---------------------------------------------------------------------------


def test_the_bodies_cover_every_type_of_the_catalogue(empty_client: Client) -> None:
    catalogue = empty_client.get("/event-types").json()["items"]
    assert sorted(item["type"] for item in catalogue) == sorted(EVERY_TYPE)
    assert len(EVERY_TYPE) == 27


@pytest.mark.parametrize("event_type", list(EVERY_TYPE))
def test_an_event_of_each_type_is_stored_with_201_and_its_location(empty_client: Client, event_type: str) -> None:
    _post_all(empty_client, PREREQUISITES)
    body = EVERY_TYPE[event_type]

    response = empty_client.post("/events", json=body)

    assert response.status_code == 201, response.text
    stored = response.json()
    assert set(stored) == {"position", "recorded_at", "event", "hash"}
    assert stored["position"] == len(PREREQUISITES) + 1
    assert datetime.fromisoformat(stored["recorded_at"]).utcoffset() is not None
    assert_contains(stored["event"], body)
    assert uuid.UUID(stored["event"]["id"]).version == 7, "the server assigns UUIDv7 ids"
    assert response.headers["location"] == f"/events/{stored['event']['id']}"


@pytest.mark.parametrize("event_type", list(EVERY_TYPE))
def test_the_location_of_a_stored_event_returns_the_same_stored_event(empty_client: Client, event_type: str) -> None:
    _post_all(empty_client, PREREQUISITES)
    created = empty_client.post("/events", json=EVERY_TYPE[event_type])

    fetched = empty_client.get(created.headers["location"])

    assert fetched.status_code == 200
    assert fetched.json() == created.json()


def test_defaults_are_filled_in_the_stored_event(empty_client: Client) -> None:
    _post_all(empty_client, PREREQUISITES[:1])

    stored = empty_client.post("/events", json=_sales())

    assert stored.json()["event"]["certainty"] == "reported"
    assert stored.json()["event"]["note"] is None


def test_positions_are_consecutive_in_append_order(empty_client: Client) -> None:
    positions = [empty_client.post("/events", json=body).json()["position"] for body in PREREQUISITES]

    assert positions == list(range(1, len(PREREQUISITES) + 1))


def test_the_same_id_and_body_again_is_200_with_the_original(client: Client) -> None:
    body = _sales(id=str(uuid.uuid4()))
    first = client.post("/events", json=body)
    log = log_of(client)

    again = client.post("/events", json=body)

    assert first.status_code == 201
    assert again.status_code == 200
    assert again.json() == first.json()
    assert again.headers["location"] == first.headers["location"]
    assert log_of(client) == log


def test_the_same_id_and_body_with_defaults_spelled_out_is_the_same_event(client: Client) -> None:
    body = _sales(id=str(uuid.uuid4()))
    first = client.post("/events", json=body)

    again = client.post("/events", json={**body, "certainty": "reported", "note": None})

    assert again.status_code == 200
    assert again.json()["position"] == first.json()["position"]


def test_the_same_id_with_other_content_is_409_and_stores_nothing(client: Client) -> None:
    body = _sales(id=str(uuid.uuid4()))
    client.post("/events", json=body)
    log = log_of(client)

    response = client.post("/events", json={**body, "units": {"value": 1}})

    detail = problem(response, 409)["detail"]
    assert body["id"] in detail
    assert log_of(client) == log


def test_reusing_a_seed_id_for_another_event_is_409(client: Client) -> None:
    response = client.post("/events", json=_sales(id=SEED["xiaomi_sales_2024"]))

    problem(response, 409)


def test_registering_a_registered_company_is_409_naming_the_events_to_use_and_stores_nothing(client: Client) -> None:
    before = log_of(client)
    again = {**PREREQUISITES[0], "name": "Xiaomi Corporation", "sectors": []}

    body = problem(client.post("/events", json=again), 409)

    assert body["type"] == "urn:tidings:problem:already-registered"
    assert all(name in body["detail"] for name in ("profile_updated", "company_renamed", "identifier_added"))
    assert [(e["path"], e["code"]) for e in body["errors"]] == [("$.company_id", "already_registered")]
    assert log_of(client) == before
    assert client.get("/companies/xiaomi").json()["profile"]["sectors"] == ["smartphones", "electric vehicles"]


def test_a_batch_that_registers_a_registered_company_is_409_and_stores_none_of_its_events(client: Client) -> None:
    before = log_of(client)
    update = {"type": "profile_updated", "sources": [SOURCE], "company_id": "xiaomi", "sectors_added": ["cars"]}

    response = client.post("/events/batch", json={"events": [update, PREREQUISITES[1]]})

    assert problem(response, 409)["errors"][0]["path"] == "$.events[1].company_id"
    assert log_of(client) == before


# -- batches -----------------------------------------------------------------------------


def test_a_batch_is_stored_in_order_and_may_name_companies_it_registers(empty_client: Client) -> None:
    events = [*PREREQUISITES, *EVERY_TYPE.values()]

    response = empty_client.post("/events/batch", json={"events": events})

    assert response.status_code == 201, response.text
    items = response.json()["items"]
    assert [item["position"] for item in items] == list(range(1, len(events) + 1))
    for item, body in zip(items, events, strict=True):
        assert_contains(item["event"], body)
    assert [item["event"]["id"] for item in empty_client.get("/events").json()["items"]] == [
        item["event"]["id"] for item in items
    ]


def test_a_batch_sent_again_is_200_with_the_same_positions(empty_client: Client) -> None:
    events = [{**body, "id": str(uuid.uuid4())} for body in PREREQUISITES]
    first = empty_client.post("/events/batch", json={"events": events})

    again = empty_client.post("/events/batch", json={"events": events})

    assert first.status_code == 201
    assert again.status_code == 200
    assert again.json() == first.json()


_BAD_THIRD_EVENTS = {
    "a malformed field": ({"period": "2025-13"}, "$.events[2].period"),
    "an unregistered company": ({"company_id": "tesla"}, "$.events[2].company_id"),
}


@pytest.mark.parametrize("change", list(_BAD_THIRD_EVENTS))
def test_a_batch_with_a_bad_event_is_422_naming_it_and_stores_none(client: Client, change: str) -> None:
    fields, path = _BAD_THIRD_EVENTS[change]
    good = [
        {
            "type": "company_registered",
            "id": str(uuid.uuid4()),
            "sources": [SOURCE],
            "company_id": "nio",
            "name": "NIO",
            "country": "CN",
        },
        _sales(company_id="nio", id=str(uuid.uuid4())),
    ]
    log = log_of(client)

    response = client.post("/events/batch", json={"events": [*good, {**_sales(), **fields}]})

    body = problem(response, 422)
    assert body["errors"][0]["path"] == path
    assert log_of(client) == log
    for event in good:
        assert client.get(f"/events/{event['id']}").status_code == 404
    assert client.get("/companies/nio").status_code == 404


def test_a_batch_of_1000_events_is_accepted(client: Client) -> None:
    events = [_sales(period="2025-01", units=n) for n in range(1000)]

    response = client.post("/events/batch", json={"events": events})

    assert response.status_code == 201
    assert len(response.json()["items"]) == 1000


def test_a_batch_of_1001_events_is_422_and_stores_none(client: Client) -> None:
    log = log_of(client)

    response = client.post("/events/batch", json={"events": [_sales(units=n) for n in range(1001)]})

    problem(response, 422, paths=["$.events"])
    assert log_of(client) == log


def test_an_empty_batch_is_422(client: Client) -> None:
    problem(client.post("/events/batch", json={"events": []}), 422, paths=["$.events"])


# -- a precondition on the company's version --------------------------------------------

_LAUNCH = {
    "type": "product_launched",
    "sources": [SOURCE],
    "company_id": "xiaomi",
    "product": "YU7",
    "category": "electric vehicle",
    "launched_on": "2025-06",
}


def test_append_with_the_current_version_is_201_and_moves_the_version(client: Client) -> None:
    version = _version(client, "xiaomi")

    response = client.post("/companies/xiaomi/events", json=_LAUNCH, headers={"If-Match": f'"{version}"'})

    assert response.status_code == 201, response.text
    assert response.headers["location"] == f"/events/{response.json()['event']['id']}"
    assert_contains(response.json()["event"], _LAUNCH)
    assert _version(client, "xiaomi") == version + 1


def test_append_with_a_stale_version_is_412_naming_the_current_version(client: Client) -> None:
    version = _version(client, "xiaomi")
    log = log_of(client)

    response = client.post("/companies/xiaomi/events", json=_LAUNCH, headers={"If-Match": f'"{version - 1}"'})

    detail = problem(response, 412)["detail"]
    assert f"current version: {version}" in detail
    assert log_of(client) == log


def test_the_version_used_once_is_stale_for_the_next_append(client: Client) -> None:
    headers = {"If-Match": f'"{_version(client, "xiaomi")}"'}
    client.post("/companies/xiaomi/events", json=_LAUNCH, headers=headers)

    response = client.post("/companies/xiaomi/events", json={**_LAUNCH, "product": "SU7 Ultra"}, headers=headers)

    problem(response, 412)


def test_append_without_if_match_is_428(client: Client) -> None:
    log = log_of(client)

    response = client.post("/companies/xiaomi/events", json=_LAUNCH)

    assert "If-Match" in problem(response, 428)["detail"]
    assert log_of(client) == log


@pytest.mark.parametrize("if_match", ["15", '"abc"', 'W/"15"', '"-1"', '""'])
def test_append_with_a_malformed_if_match_is_422(client: Client, if_match: str) -> None:
    log = log_of(client)

    response = client.post("/companies/xiaomi/events", json=_LAUNCH, headers={"If-Match": if_match})

    problem(response, 422, paths=["header.If-Match"])
    assert log_of(client) == log


def test_append_of_an_event_that_does_not_name_the_company_is_422(client: Client) -> None:
    version = _version(client, "byd")

    response = client.post("/companies/byd/events", json=_LAUNCH, headers={"If-Match": f'"{version}"'})

    assert "byd" in problem(response, 422)["detail"]


def test_the_dossier_etag_is_accepted_as_if_match(client: Client) -> None:
    etag = client.get("/companies/xiaomi").headers["etag"]

    response = client.post("/companies/xiaomi/events", json=_LAUNCH, headers={"If-Match": etag})

    assert response.status_code == 201, response.text


def test_retrying_a_conditional_append_with_the_same_id_is_200_with_the_original(client: Client) -> None:
    body = {**_LAUNCH, "id": str(uuid.uuid4())}
    headers = {"If-Match": f'"{_version(client, "xiaomi")}"'}
    first = client.post("/companies/xiaomi/events", json=body, headers=headers)

    retry = client.post("/companies/xiaomi/events", json=copy.deepcopy(body), headers=headers)

    assert first.status_code == 201
    assert retry.status_code == 200, retry.text
    assert retry.json() == first.json()
