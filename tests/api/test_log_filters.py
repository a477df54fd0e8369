"""``GET /events`` filters on the seed store: person, certainty, publisher, occurred_from/occurred_to,
before and order=desc; bad values are 422 problems naming the parameter, unknown ones match nothing."""

from __future__ import annotations

import re
from typing import Any

import pytest
from litestar.testing import TestClient

from tests.api.wire import SEED

Client = TestClient  # type: ignore[type-arg]

_NEXT = re.compile(r'^<(?P<url>[^>]+)>; rel="next"$')


def _listed(client: Client, **params: Any) -> list[tuple[int, str]]:
    answer = client.get("/events", params=params)
    assert answer.status_code == 200, answer.text
    return [(item["position"], item["event"]["type"]) for item in answer.json()["items"]]


def _problem(client: Client, params: Any) -> list[tuple[str, str]]:
    answer = client.get("/events", params=params)
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    return [(e["path"], e["code"]) for e in answer.json()["errors"]]


def test_the_last_ten_events_newest_first(client: Client) -> None:
    page = client.get("/events", params={"order": "desc", "limit": 10})

    assert [item["position"] for item in page.json()["items"]] == list(range(SEED["events"], SEED["events"] - 10, -1))
    assert (page.json()["next_after"], page.json()["next_before"]) == (0, SEED["events"] - 9)


def test_march_2025_gives_the_meeting_the_visit_and_the_placement(seeded_client: Client) -> None:
    client = seeded_client
    assert [kind for _, kind in _listed(client, occurred_from="2025-03", occurred_to="2025-03")] == [
        "meeting_held",
        "site_visited",
        "capital_raised",  # Xiaomi's share placement of 2025-03-25
    ]
    assert [kind for _, kind in _listed(client, occurred_from="2025-03-22", occurred_to="2025-03-22")] == [
        "meeting_held",
        "site_visited",  # dated 2025-03: the month includes the day
    ]


def test_person_lists_the_events_naming_them(client: Client) -> None:
    assert [kind for _, kind in _listed(client, person="jay-y-lee")] == [
        "executive_reported",
        "meeting_held",
        "site_visited",
    ]
    assert [kind for _, kind in _listed(client, person=["lei-jun", "jay-y-lee"], type="meeting_held")] == [
        "meeting_held"
    ]


def test_publisher_is_compared_without_case_and_white_space(client: Client) -> None:
    assert _listed(client, publisher="planeta xiaomi") == _listed(client, publisher="PlanetaXiaomi")
    assert [kind for _, kind in _listed(client, publisher="Planeta Xiaomi")] == ["evidence_added"]


def test_certainty_filters_and_repeats_are_or(client: Client) -> None:
    everything = _listed(client, limit=1000)
    assert _listed(client, certainty=["confirmed", "reported", "speculative"], limit=1000) == everything


def test_paging_newest_first_follows_the_link_to_the_oldest(client: Client) -> None:
    seen: list[int] = []
    url: str | None = "/events?order=desc&limit=4"
    while url is not None:
        page = client.get(url)
        seen.extend(item["position"] for item in page.json()["items"])
        link = page.headers.get("link")
        url = None if link is None else _NEXT.match(link)["url"]  # type: ignore[index]
        if url is not None:
            assert f"before={page.json()['next_before']}" in url
    assert seen == list(range(SEED["events"], 0, -1))


def test_before_bounds_the_page_from_above(client: Client) -> None:
    assert [p for p, _ in _listed(client, after=2, before=6)] == [3, 4, 5]
    assert _listed(client, after=5, before=6) == []


def test_unknown_values_of_open_filters_match_nothing(client: Client) -> None:
    assert _listed(client, person="nobody-we-know") == []
    assert _listed(client, publisher="Nobody") == []
    assert _listed(client, company="tesla") == []
    assert _listed(client, occurred_from="1990", occurred_to="1990") == []


@pytest.mark.parametrize(
    ("params", "error"),
    [
        ({"person": "Jay Y. Lee"}, ("query.person", "pattern")),
        ({"certainty": "sure"}, ("query.certainty", "enum")),
        ({"order": "newest"}, ("query.order", "enum")),
        ({"before": "0"}, ("query.before", "range")),
        ({"before": "x"}, ("query.before", "type")),
        ({"occurred_from": "2025-13"}, ("query.occurred_from", "pattern")),
        ({"occurred_to": "2025-02-29"}, ("query.occurred_to", "invalid_date")),
        ({"occurred_from": "2025-Q1"}, ("query.occurred_from", "pattern")),
        ({"occurred_from": "2025-04", "occurred_to": "2025-03-31"}, ("query.occurred_to", "contradictory")),
        ({"publisher": ""}, ("query.publisher", "length")),
        ({"person": "null"}, ("query.person", "type")),
        ({"type": "sales"}, ("query.type", "enum")),
    ],
)
def test_a_bad_filter_is_422_naming_it(client: Client, params: dict[str, str], error: tuple[str, str]) -> None:
    assert _problem(client, params) == [error]


def test_more_than_twenty_values_of_one_filter_is_422(client: Client) -> None:
    assert _problem(client, {"person": [f"p-{n}" for n in range(21)]}) == [("query.person", "length")]
