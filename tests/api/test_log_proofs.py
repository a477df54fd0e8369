"""GET /log/head and the proofs over HTTP: what a client reads verifies with RFC 9162 alone (tests/rfc9162.py),
and sizes the log does not have are 422 problems that name the parameter."""

from __future__ import annotations

import pytest
from litestar.testing import TestClient

from tests import rfc9162


def _log(client: TestClient) -> list[dict]:  # type: ignore[type-arg]
    return client.get("/events", params={"limit": 1000}).json()["items"]  # type: ignore[no-any-return]


def test_the_head_is_the_rfc_root_of_the_served_hashes(client: TestClient) -> None:  # type: ignore[type-arg]
    events = _log(client)

    head = client.get("/log/head").json()

    assert head == {
        "signature": None,
        "key_id": None,
        "tree_size": len(events),
        "root_hash": rfc9162.mth([bytes.fromhex(e["hash"]) for e in events]).hex(),
        "timestamp": events[-1]["recorded_at"],
    }


def test_the_empty_log_has_the_root_of_the_empty_tree(empty_client: TestClient) -> None:  # type: ignore[type-arg]
    assert empty_client.get("/log/head").json() == {
        "signature": None,
        "key_id": None,
        "tree_size": 0,
        "root_hash": rfc9162.sha256(b"").hex(),
        "timestamp": None,
    }


def test_every_served_event_has_an_inclusion_proof_that_verifies(client: TestClient) -> None:  # type: ignore[type-arg]
    events = _log(client)
    size = len(events) - 1  # a tree before the head, as a client that kept it asks
    root = rfc9162.mth([bytes.fromhex(e["hash"]) for e in events[:size]])
    for event in events[:size]:
        proof = client.get("/log/proof/inclusion", params={"event": event["event"]["id"], "tree_size": size}).json()
        path = [bytes.fromhex(h) for h in proof["audit_path"]]
        assert (proof["position"], proof["root_hash"]) == (event["position"], root.hex())
        assert rfc9162.verify_inclusion(event["position"] - 1, size, bytes.fromhex(event["hash"]), path, root)


def test_a_head_kept_earlier_is_extended_by_the_log(client: TestClient) -> None:  # type: ignore[type-arg]
    kept = client.get("/log/head").json()
    first = _log(client)[0]["event"]
    later = {
        "type": "profile_updated",
        "company_id": first["company_id"],
        "sources": first["sources"],
        "aliases_added": ["Again"],
    }
    appended = client.post("/events", json=later)
    assert appended.status_code == 201, appended.text
    head = client.get("/log/head").json()

    proof = client.get("/log/proof/consistency", params={"from": kept["tree_size"]}).json()

    assert (proof["from_root"], proof["to_size"], proof["to_root"]) == (
        kept["root_hash"],
        kept["tree_size"] + 1,
        head["root_hash"],
    )
    path = [bytes.fromhex(h) for h in proof["proof"]]
    old, new = bytes.fromhex(kept["root_hash"]), bytes.fromhex(head["root_hash"])
    assert rfc9162.verify_consistency(kept["tree_size"], head["tree_size"], old, new, path)


@pytest.mark.parametrize(
    ("path", "params", "field", "code"),
    [
        ("/log/proof/consistency", {"from": 99}, "query.from", "beyond_head"),
        ("/log/proof/consistency", {"from": 3, "to": 2}, "query.from", "contradictory"),
        ("/log/proof/consistency", {"from": 1, "to": 999}, "query.to", "beyond_head"),
        ("/log/proof/inclusion", {"tree_size": 999}, "query.tree_size", "beyond_head"),
        ("/log/proof/inclusion", {"tree_size": 1, "last": True}, "query.tree_size", "contradictory"),
    ],
)
def test_a_size_the_log_does_not_have_is_a_422_naming_it(
    client: TestClient,  # type: ignore[type-arg]
    path: str,
    params: dict,  # type: ignore[type-arg]
    field: str,
    code: str,
) -> None:
    if path.endswith("inclusion"):
        last = params.get("last", False)
        params = {"event": _log(client)[-1 if last else 0]["event"]["id"], "tree_size": params["tree_size"]}

    response = client.get(path, params=params)

    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert [(e["path"], e["code"]) for e in response.json()["errors"]] == [(field, code)]


def test_an_unknown_event_has_no_inclusion_proof(client: TestClient) -> None:  # type: ignore[type-arg]
    response = client.get("/log/proof/inclusion", params={"event": "01900000-0000-7000-8000-000000000000"})

    assert response.status_code == 404
    assert response.json()["type"] == "urn:tidings:problem:not-found"
