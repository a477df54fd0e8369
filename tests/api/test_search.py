"""Search over HTTP: GET /search, its pages and Link header, read points and problems."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from litestar.testing import TestClient

from tests.api.wire import SEED

Client = TestClient  # type: ignore[type-arg]

MEETING = "0195bb26-3c00-7009-8a1d-5e3d00000009"


def _search(client: Client, **params: Any) -> Any:
    response = client.get("/search", params=params)
    assert response.status_code == 200, response.text
    return response.json()


def test_the_seed_answers_the_three_questions(client: Client) -> None:
    forum = _search(client, q="China Development Forum")
    spanish = _search(client, q="vehiculos")
    oled = _search(client, q="OLED")

    assert forum["items"][0]["link"] == f"/events/{MEETING}"
    assert forum["at_position"] == SEED["events"] and forum["next_offset"] is None
    assert [(h["kind"], h["title"]) for h in spanish["items"]] == [
        (
            "event",
            "Evidence for event 0195bb26-3c00-7013-8a1d-5e3d00000013: "
            "Xiaomi y Samsung: ¿Una Alianza en el Futuro de los Vehículos Eléctricos?",
        )
    ]
    assert "<mark>Vehículos</mark>" in spanish["items"][0]["snippet"]
    assert oled["items"][0]["title"].startswith("samsung-electronics supplies xiaomi")


def test_pages_carry_a_link_to_the_next_at_the_same_position(client: Client) -> None:
    first = client.get("/search", params={"q": "xiaomi", "limit": 3})
    body = first.json()
    assert (len(body["items"]), body["next_offset"]) == (3, 3)
    target, rel = first.headers["link"].split(">; ")
    url = urlsplit(target[1:])
    assert (url.path, rel) == ("/search", 'rel="next"')
    assert dict(parse_qsl(url.query)) == {
        "q": "xiaomi",
        "limit": "3",
        "at_position": str(SEED["events"]),
        "offset": "3",
    }

    second = client.get(target[1:])

    assert second.status_code == 200
    assert {h["id"] for h in second.json()["items"]}.isdisjoint({h["id"] for h in body["items"]})
    last = client.get("/search", params={"q": "China Development Forum"})
    assert "link" not in last.headers


def test_a_read_point_before_the_registration_finds_no_company(client: Client) -> None:
    assert [h["id"] for h in _search(client, q="CATL", at_position=5)["items"]] == []
    assert ("company", "catl") in [(h["kind"], h["id"]) for h in _search(client, q="CATL")["items"]]


@pytest.mark.parametrize(
    ("params", "status", "field"),
    [
        ({}, 400, "query.q"),
        ({"q": ""}, 422, "query.q"),
        ({"q": "x" * 201}, 422, "query.q"),
        ({"q": '" * ( ) :'}, 422, "query.q"),
        ({"q": "OLED", "limit": "101"}, 422, "query.limit"),
        ({"q": "OLED", "limit": "0"}, 422, "query.limit"),
        ({"q": "OLED", "offset": "-1"}, 422, "query.offset"),
        ({"q": "OLED", "at_position": "999999"}, 422, "query.at_position"),
    ],
)
def test_bad_requests_are_problems_naming_the_field(
    client: Client, params: dict[str, str], status: int, field: str
) -> None:
    response = client.get("/search", params=params)

    assert response.status_code in (400, 422) and response.headers["content-type"].startswith(
        "application/problem+json"
    ), response.text
    problem = response.json()
    assert field in [e["path"] for e in problem["errors"]], problem


@pytest.mark.parametrize("q", ['OLED"', "NEAR(OLED", "OLED*", "OLED OR", "-OLED", "OLED:", "'OLED'", "OLED\\"])
def test_query_syntax_characters_are_not_syntax(client: Client, q: str) -> None:
    response = client.get("/search", params={"q": q})

    assert response.status_code == 200, response.text


def test_a_control_character_in_the_query_is_a_422_as_on_every_q(client: Client) -> None:
    response = client.get("/search", params={"q": "OLED\x7f"})

    assert response.status_code == 422
    assert [(e["path"], e["code"]) for e in response.json()["errors"]] == [("query.q", "pattern")]
