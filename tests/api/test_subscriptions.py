"""Subscriptions over HTTP: made with PUT, read, claimed under leases, acked, nacked, parked, deleted."""

from __future__ import annotations

import time
from typing import Any

from litestar.testing import TestClient

from tests.api.conftest import MakeClient
from tests.api.wire import SEED

Client = TestClient  # type: ignore[type-arg]
JSON = {"content-type": "application/json"}


def _put(client: Client, name: str, **settings: Any) -> Any:
    return client.put(f"/subscriptions/{name}", json=settings, headers=JSON)


def _problem(answer: Any, status: int) -> dict[str, Any]:
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = answer.json()
    return body


def test_put_makes_a_subscription_then_changes_its_options(client: Client) -> None:
    made = _put(client, "mailer", types=["meeting_held"], lease_seconds=10)
    again = _put(client, "mailer", types=["meeting_held"], lease_seconds=20, ordered=True)

    assert made.status_code == 201, made.text
    assert made.headers["location"] == "/subscriptions/mailer"
    assert made.json()["settings"]["lease_seconds"] == 10
    assert again.status_code == 200
    state = client.get("/subscriptions/mailer").json()
    assert state["settings"] == {
        "types": ["meeting_held"],
        "companies": [],
        "start": "beginning",
        "max_deliveries": 5,
        "lease_seconds": 20,
        "ordered": True,
    }
    assert (state["acknowledged"], state["pending"], state["in_flight"], state["parked"]) == (0, 1, 0, 0)
    assert [s["name"] for s in client.get("/subscriptions").json()["items"]] == ["mailer"]


def test_a_put_that_changes_the_filters_is_a_409_naming_them(client: Client) -> None:
    _put(client, "mailer", types=["meeting_held"])
    problem = _problem(_put(client, "mailer", companies=["xiaomi"]), 409)
    assert [e["path"] for e in problem["errors"]] == ["$.types", "$.companies"]
    assert "DELETE it" in problem["detail"]


def test_bad_settings_and_names_are_problems_that_store_nothing(client: Client) -> None:
    assert _problem(_put(client, "mailer", types=["no_such_type"]), 422)["errors"][0]["path"] == "$.types[0]"
    assert _problem(_put(client, "mailer", start=-1), 422)["errors"]
    assert _problem(_put(client, "mailer", lease_seconds=0), 422)["errors"][0]["path"] == "$.lease_seconds"
    assert _problem(_put(client, "Not A Slug"), 422)
    assert _problem(client.put("/subscriptions/mailer", content=b"{", headers=JSON), 400)
    assert client.get("/subscriptions").json()["items"] == []
    assert _problem(client.get("/subscriptions/mailer"), 404)["detail"].startswith("No subscription mailer")


def test_a_claim_leases_events_that_ack_and_nack_settle(client: Client) -> None:
    _put(client, "mailer")
    lease = client.post("/subscriptions/mailer/claim", params={"max": 3, "consumer": "worker-1"}).json()
    ids = [e["event"]["id"] for e in lease["events"]]
    assert [e["position"] for e in lease["events"]] == [1, 2, 3]
    assert lease["lease_id"] and lease["expires_at"] and lease["consumer"] == "worker-1"

    acked = client.post("/subscriptions/mailer/ack", json={"lease_id": lease["lease_id"], "events": ids[:2]}).json()
    parked = client.post(
        "/subscriptions/mailer/nack",
        json={"lease_id": lease["lease_id"], "events": ids[2:], "action": "park", "reason": "cannot mail it"},
    ).json()

    assert acked == {"acknowledged": 2, "not_held": []}
    assert parked == {"retried": 0, "parked": 1, "not_held": []}
    state = client.get("/subscriptions/mailer").json()
    assert (state["acknowledged"], state["parked"], state["pending"]) == (3, 1, SEED["events"] - 3)
    assert state["consumers"][0]["name"] == "worker-1" and state["consumers"][0]["claims"] == 1
    page = client.get("/subscriptions/mailer/parked").json()
    assert [(i["event"]["event"]["id"], i["reason"]) for i in page["items"]] == [(ids[2], "cannot mail it")]
    assert client.post("/subscriptions/mailer/parked/replay", json={}).json() == {"replayed": 1}


def test_a_claim_with_nothing_pending_waits_then_answers_without_a_lease(client: Client) -> None:
    _put(client, "quiet", start="now")
    started = time.monotonic()
    lease = client.post("/subscriptions/quiet/claim", params={"wait": 0.3}).json()
    assert time.monotonic() - started >= 0.3
    assert (lease["events"], lease["lease_id"], lease["expires_at"]) == ([], None, None)


def test_acks_of_ids_a_lease_does_not_hold_are_named(client: Client) -> None:
    _put(client, "mailer")
    other = "0195bb26-3c00-7001-8a1d-5e3d00000099"
    answer = client.post("/subscriptions/mailer/ack", json={"lease_id": "0" * 36, "events": [other]})
    assert answer.json() == {"acknowledged": 0, "not_held": [other]}
    assert _problem(client.post("/subscriptions/mailer/ack", json={"lease_id": "x", "events": []}), 422)


def test_unknown_subscriptions_are_404s(client: Client) -> None:
    assert _problem(client.post("/subscriptions/nobody/claim"), 404)
    assert _problem(client.delete("/subscriptions/nobody"), 404)
    assert _problem(client.get("/subscriptions/nobody/parked"), 404)


def test_delete_forgets_the_subscription(client: Client) -> None:
    _put(client, "mailer")
    assert client.delete("/subscriptions/mailer").status_code == 204
    assert client.get("/subscriptions/mailer").status_code == 404


def test_the_number_of_subscriptions_and_leases_is_limited(make_client: MakeClient) -> None:
    client = make_client("limits.db", seed=True, subscriptions_max=1, leases_max=1)
    _put(client, "one")
    problem = _problem(_put(client, "two"), 409)
    assert problem["type"] == "urn:tidings:problem:limit-reached" and "--subscriptions-max" in problem["detail"]
    assert client.post("/subscriptions/one/claim").status_code == 200
    problem = _problem(client.post("/subscriptions/one/claim"), 409)
    assert "--leases-max" in problem["detail"]


def test_parked_events_page_with_a_link_to_the_next_page(client: Client) -> None:
    _put(client, "mailer")
    lease = client.post("/subscriptions/mailer/claim", params={"max": 3}).json()
    ids = [e["event"]["id"] for e in lease["events"]]
    client.post("/subscriptions/mailer/nack", json={"lease_id": lease["lease_id"], "events": ids, "action": "park"})

    first = client.get("/subscriptions/mailer/parked", params={"limit": 2})
    assert [i["event"]["position"] for i in first.json()["items"]] == [1, 2]
    assert first.headers["link"] == '</subscriptions/mailer/parked?limit=2&after=2>; rel="next"'
    last = client.get("/subscriptions/mailer/parked", params={"limit": 2, "after": first.json()["next_after"]})
    assert [i["event"]["position"] for i in last.json()["items"]] == [3]
    assert "link" not in last.headers
