"""Reading the log: pages in position order, ``next_after`` and ``Link: rel="next"``, filters."""

from __future__ import annotations

import re
from typing import Any

import pytest
from litestar.testing import TestClient

from tests.api.wire import SEED

Client = TestClient  # type: ignore[type-arg]

_NEXT = re.compile(r'^<(?P<url>[^>]+)>; rel="next"$')


def _positions(page: Any) -> list[int]:
    return [item["position"] for item in page.json()["items"]]


def _next_link(response: Any) -> str | None:
    link = response.headers.get("link")
    if link is None:
        return None
    match = _NEXT.match(link)
    assert match, f"not a next link: {link}"
    return match["url"]


def test_the_first_page_starts_at_position_1_with_100_events_by_default(client: Client) -> None:
    page = client.get("/events")

    assert page.status_code == 200
    assert _positions(page) == list(range(1, SEED["events"] + 1))
    assert page.json()["next_after"] == SEED["events"]


def test_a_page_holds_limit_events_after_the_given_position(client: Client) -> None:
    page = client.get("/events", params={"after": 5, "limit": 4})

    assert _positions(page) == [6, 7, 8, 9]
    assert page.json()["next_after"] == 9


def test_a_full_page_links_to_the_next_page(client: Client) -> None:
    page = client.get("/events", params={"limit": 10})

    url = _next_link(page)

    assert url is not None
    following = client.get(url)
    assert _positions(following) == list(range(11, 21))
    assert following.json() == client.get("/events", params={"after": 10, "limit": 10}).json()


def test_the_last_partial_page_has_no_link(client: Client) -> None:
    last = SEED["events"]
    page = client.get("/events", params={"after": last - 3, "limit": 10})

    assert _positions(page) == [last - 2, last - 1, last]
    assert page.json()["next_after"] == last
    assert "link" not in page.headers


def test_after_the_end_the_page_is_empty_and_next_after_stays(client: Client) -> None:
    page = client.get("/events", params={"after": 500})

    assert page.json() == {"items": [], "next_after": 500, "next_before": None}
    assert "link" not in page.headers


@pytest.mark.parametrize("limit", [1, 4, 7, 23, 1000])
def test_following_the_links_visits_every_event_once_in_order(client: Client, limit: int) -> None:
    seen: list[int] = []
    url: str | None = f"/events?limit={limit}"
    while url is not None:
        page = client.get(url)
        assert page.status_code == 200
        assert len(_positions(page)) <= limit
        seen += _positions(page)
        url = _next_link(page)

    assert seen == list(range(1, SEED["events"] + 1))


def test_following_next_after_visits_every_event_once(client: Client) -> None:
    seen: list[int] = []
    after = 0
    while items := (page := client.get("/events", params={"after": after, "limit": 5})).json()["items"]:
        seen += [item["position"] for item in items]
        after = page.json()["next_after"]

    assert seen == list(range(1, SEED["events"] + 1))


def test_the_type_filter_is_repeatable(client: Client) -> None:
    page = client.get("/events", params=[("type", "meeting_held"), ("type", "site_visited")])

    assert [(i["position"], i["event"]["type"]) for i in page.json()["items"]] == [
        (9, "meeting_held"),
        (21, "site_visited"),
    ]


def test_the_company_filter_keeps_the_events_touching_it(client: Client) -> None:
    page = client.get("/events", params={"company": "byd"})

    assert [(i["position"], i["event"]["type"]) for i in page.json()["items"]] == [
        (5, "company_registered"),
        (20, "market_position_reported"),
        (21, "site_visited"),
    ]


def test_evidence_touches_the_companies_of_the_fact_it_supports(client: Client) -> None:
    page = client.get("/events", params={"company": "xiaomi", "type": "evidence_added"})

    assert _positions(page) == [22, 23]


def test_filters_combine_and_the_link_keeps_them(client: Client) -> None:
    first = client.get("/events", params={"company": "xiaomi", "type": "relationship_reported", "limit": 2})

    url = _next_link(first)
    assert url is not None
    second = client.get(url)

    assert _positions(first) == [15, 16]
    assert _positions(second) == [17, 18]
    assert {i["event"]["type"] for i in second.json()["items"]} == {"relationship_reported"}


def test_a_company_without_events_gives_an_empty_page(client: Client) -> None:
    page = client.get("/events", params={"company": "tesla"})

    assert page.status_code == 200
    assert page.json()["items"] == []


def test_the_log_of_an_empty_store_is_empty(empty_client: Client) -> None:
    assert empty_client.get("/events").json() == {"items": [], "next_after": 0, "next_before": None}


def test_the_company_filter_is_repeatable_and_reads_events_touching_any(client: Client) -> None:
    def positions(url: str) -> list[int]:
        return [stored["position"] for stored in client.get(url).json()["items"]]

    xiaomi = positions("/events?company=xiaomi&limit=1000")
    samsung = positions("/events?company=samsung-electronics&limit=1000")
    both = positions("/events?company=xiaomi&company=samsung-electronics&limit=1000")

    assert set(xiaomi) != set(samsung)
    assert both == sorted(set(xiaomi) | set(samsung))
    # Paged by the Link header, the union reads the same, each event once.
    paged, url = [], "/events?company=xiaomi&company=samsung-electronics&limit=3"
    while url:
        response = client.get(url)
        paged += [stored["position"] for stored in response.json()["items"]]
        url = re.match(r"^<([^>]+)>", response.headers["link"])[1] if "link" in response.headers else ""  # type: ignore[index]
    assert paged == both


def test_the_log_and_the_stream_take_their_filters_alike() -> None:
    import yaml

    from tests.api.wire import ROOT

    doc = yaml.safe_load((ROOT / "openapi.yaml").read_text())

    def filters(path: str) -> dict[str, Any]:
        return {
            p["name"]: p["schema"] for p in doc["paths"][path]["get"]["parameters"] if p["name"] in ("type", "company")
        }

    assert filters("/events") == filters("/events/stream")
    assert {name: schema["type"] for name, schema in filters("/events").items()} == {
        "type": "array",
        "company": "array",
    }
