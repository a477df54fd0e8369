"""Deals over HTTP: the seeds' FläktGroup acquisition (announced by Samsung Electronics on 2025-05-14,
bought from Triton, completed in November 2025) and Amazon's terminated bid for iRobot, read back from the
dossiers of every party; and bad deals refused with a problem, changing nothing."""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import TestClient

from tests.api.wire import SOURCE, log_of

Client = TestClient  # type: ignore[type-arg]

ANNOUNCED = "019a0000-0000-7006-8a1d-000000000603"
COMPLETED = "019a0000-0000-7006-8a1d-000000000604"
AMAZON_IROBOT = "019a0000-0000-7006-8a1d-000000000607"
TERMINATED = "019a0000-0000-7006-8a1d-000000000608"
PARTIES = ("samsung-electronics", "flaktgroup", "triton")


def _get(client: Client, path: str, **params: Any) -> Any:
    response = client.get(path, params=params)
    assert response.status_code == 200, response.text
    return response.json()


def _position(client: Client, event_id: str) -> int:
    return int(_get(client, f"/events/{event_id}")["position"])


def test_flaktgroup_belongs_to_triton_until_samsung_completes_the_acquisition(seeded_client: Client) -> None:
    client = seeded_client
    before = _position(client, COMPLETED) - 1

    then = _get(client, "/companies/flaktgroup", at_position=before)["profile"]
    now = _get(client, "/companies/flaktgroup")["profile"]

    assert then["parent"] == {"company_id": "triton", "name": "Triton"}
    assert now["parent"] == {"company_id": "samsung-electronics", "name": "Samsung Electronics"}
    triton_then = _get(client, "/companies/triton", at_position=before)["profile"]["subsidiaries"]
    triton_now = _get(client, "/companies/triton")["profile"]["subsidiaries"]
    samsung_then = _get(client, "/companies/samsung-electronics", at_position=before)["profile"]["subsidiaries"]
    samsung_now = _get(client, "/companies/samsung-electronics")["profile"]["subsidiaries"]
    flakt = {"company_id": "flaktgroup", "name": "FläktGroup"}
    assert (flakt in triton_then, flakt in triton_now) == (True, False)
    assert (flakt in samsung_then, flakt in samsung_now) == (False, True)


def test_the_deal_is_pending_on_every_party_until_it_completes(seeded_client: Client) -> None:
    client = seeded_client
    before = _position(client, COMPLETED) - 1

    for company, role in zip(PARTIES, ("acquirer", "target", "seller"), strict=True):
        (deal,) = _get(client, f"/companies/{company}", at_position=before)["pending_deals"]
        assert (deal["event_id"], deal["role"]) == (ANNOUNCED, role)
        assert (deal["acquirer_company_id"], deal["target_company_id"], deal["seller_ids"]) == (
            "samsung-electronics",
            "flaktgroup",
            ["triton"],
        )
        assert (deal["price"]["amount"], deal["price"]["currency"], deal["price"]["approximate"]) == (
            "1500000000",
            "EUR",
            True,
        )
        assert deal["announced_on"] == "2025-05-14"
        assert deal["sources"][0]["publisher"] == "Samsung Newsroom"
        assert _get(client, f"/companies/{company}")["pending_deals"] == []


def test_the_deal_is_not_pending_before_it_is_announced(seeded_client: Client) -> None:
    client = seeded_client
    before = _position(client, ANNOUNCED) - 1

    assert _get(client, "/companies/samsung-electronics", at_position=before)["pending_deals"] == []


def test_a_terminated_deal_leaves_pending_and_changes_no_parent(seeded_client: Client) -> None:
    client = seeded_client
    before = _position(client, TERMINATED) - 1

    (pending,) = _get(client, "/companies/irobot", at_position=before)["pending_deals"]
    irobot = _get(client, "/companies/irobot")
    amazon = _get(client, "/companies/amazon")

    assert (pending["event_id"], pending["acquirer_company_id"], pending["role"]) == (AMAZON_IROBOT, "amazon", "target")
    assert irobot["pending_deals"] == [] and amazon["pending_deals"] == []
    assert irobot["profile"]["parent"] is None
    assert amazon["profile"]["subsidiaries"] == []
    assert irobot["version"] == 3  # registration, announcement and termination touch iRobot


def _completion(**fields: Any) -> dict[str, Any]:
    body = {
        "type": "acquisition_completed",
        "sources": [SOURCE],
        "acquirer_company_id": "amazon",
        "target_company_id": "irobot",
        "completed_on": "2025-01",
    }
    return body | fields


@pytest.mark.parametrize(
    ("body", "path", "code"),
    [
        (_completion(announcement_id="019a0000-0000-7006-8a1d-000000000699"), "$.announcement_id", "unknown_event"),
        (_completion(announcement_id="019a0000-0000-7006-8a1d-000000000601"), "$.announcement_id", "invalid_target"),
        (_completion(target_company_id="amazon"), "$.target_company_id", "own_acquisition"),
        (_completion(stake_percent="150"), "$.stake_percent", "pattern"),
        (_completion(stake_percent="0"), "$.stake_percent", "stake_range"),
        (_completion(seller_ids=["irobot"]), "$.seller_ids", "seller_is_party"),
        (
            {
                "type": "acquisition_terminated",
                "sources": [SOURCE],
                "announcement_id": COMPLETED,
                "terminated_on": "2025",
                "reason": "Called off.",
            },
            "$.announcement_id",
            "invalid_target",
        ),
    ],
)
def test_a_bad_deal_is_a_problem_and_changes_nothing(
    seeded_client: Client, body: dict[str, Any], path: str, code: str
) -> None:
    client = seeded_client
    log = log_of(client)

    response = client.post("/events", json=body)

    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert [(e["path"], e["code"]) for e in response.json()["errors"]] == [(path, code)]
    assert log_of(client) == log
    assert _get(client, "/companies/irobot")["profile"]["parent"] is None


def test_a_completion_without_an_announcement_makes_the_parent_and_a_minority_stake_does_not(
    seeded_client: Client,
) -> None:
    client = seeded_client

    minority = client.post("/events", json=_completion(stake_percent="49.9"))
    parent_after_minority = _get(client, "/companies/irobot")["profile"]["parent"]
    whole = client.post("/events", json=_completion())

    assert (minority.status_code, whole.status_code) == (201, 201)
    assert parent_after_minority is None
    assert _get(client, "/companies/irobot")["profile"]["parent"] == {"company_id": "amazon", "name": "Amazon"}
    assert _get(client, "/companies/amazon")["profile"]["subsidiaries"] == [{"company_id": "irobot", "name": "iRobot"}]


def test_a_completion_dated_after_the_read_makes_no_parent_yet(seeded_client: Client) -> None:
    client = seeded_client

    response = client.post("/events", json=_completion(completed_on="2999-01-01"))

    assert response.status_code == 201, response.text
    assert _get(client, "/companies/irobot")["profile"]["parent"] is None


def test_announcements_that_disagree_on_the_price_are_a_deal_conflict(seeded_client: Client) -> None:
    client = seeded_client
    body = {
        "type": "acquisition_announced",
        "sources": [SOURCE],
        "acquirer_company_id": "samsung-electronics",
        "target_company_id": "flaktgroup",
        "seller_ids": ["triton"],
        "price": {"amount": "2000000000", "currency": "EUR"},
        "announced_on": "2025-05-14",
    }
    assert client.post("/events", json=body).status_code == 201

    conflicts = _get(client, "/companies/flaktgroup/conflicts")["items"]

    (deal,) = [c["deal"] for c in conflicts if c["kind"] == "deal"]
    assert deal["disputed"] is True
    assert sorted(c["price"]["amount"] for c in deal["claims"]) == ["1500000000", "2000000000"]


def test_the_graph_draws_flaktgroups_parent_by_the_completion(seeded_client: Client) -> None:
    client = seeded_client
    before = _position(client, COMPLETED) - 1

    def parents(**params: Any) -> set[str]:
        graph = _get(client, "/graph", company="flaktgroup", **params)
        return {e["source"] for e in graph["edges"] if e["kind"] == "parent_of" and e["target"] == "company:flaktgroup"}

    assert parents(at_position=before) == {"company:triton"}
    assert parents() == {"company:samsung-electronics"}


def test_search_finds_the_deal_by_its_seller_and_says_it_in_brief(seeded_client: Client) -> None:
    found = _get(seeded_client, "/search", q="triton acquire")["items"]

    titles = {hit["id"]: hit["title"] for hit in found if hit["kind"] == "event"}
    assert titles[ANNOUNCED] == "samsung-electronics to acquire 100 % of flaktgroup from triton (2025-05-14)"


def test_the_completion_changes_flaktgroups_parent_and_ends_the_pending_deal_in_changes(
    seeded_client: Client,
) -> None:
    client = seeded_client
    completed = _position(client, COMPLETED)

    answer = _get(client, "/companies/flaktgroup/changes", **{"from": completed - 1, "to": completed})

    found = {(c["kind"], c["change"]): c for c in answer["items"]}
    assert found[("profile", "changed")]["before"]["parent"] == "triton"
    assert found[("profile", "changed")]["after"]["parent"] == "samsung-electronics"
    assert found[("deal", "lost")]["key"] == "samsung-electronics flaktgroup"
