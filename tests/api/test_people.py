"""People over HTTP: GET /people and GET /people/{id}, with read points, ETags and problems."""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import TestClient

from tests.api.wire import SEED, SOURCE

Client = TestClient  # type: ignore[type-arg]


def _get(client: Client, path: str, **params: Any) -> Any:
    response = client.get(path, params=params)
    assert response.status_code == 200, response.text
    return response.json()


def _chairman(client: Client) -> dict[str, Any]:
    body = {
        "type": "executive_reported",
        "person_id": "jay-y-lee",
        "name": "Jay Y. Lee",
        "company_id": "samsung-electronics",
        "role": "Chairman",
        "sources": [{**SOURCE, "published_on": "2025-10-27"}],
    }
    response = client.post("/events", json=body)
    assert response.status_code == 201, response.text
    return dict(response.json())


def test_who_has_jay_y_lee_met(client: Client) -> None:
    lee = _get(client, "/people/jay-y-lee")

    assert [(m["kind"], m["occurred_on"], m["counterparties"]) for m in lee["meetings"]] == [
        ("site_visit", "2025-03", ["byd"]),
        ("meeting", "2025-03-22", ["xiaomi"]),
    ]
    assert [(r["company_id"], r["role"]) for r in lee["roles"]] == [("samsung-electronics", "President")]


def test_the_list_filters_and_pages(client: Client) -> None:
    assert [p["person_id"] for p in _get(client, "/people")["items"]] == ["jay-y-lee", "lei-jun"]
    assert [p["name"] for p in _get(client, "/people", q="jun")["items"]] == ["Lei Jun"]
    assert [p["person_id"] for p in _get(client, "/people", company="samsung-electronics")["items"]] == ["jay-y-lee"]
    assert _get(client, "/people", company="catl")["items"] == []
    response = client.get("/people", params={"limit": 1})
    first = response.json()
    assert (len(first["items"]), first["next_cursor"]) == (1, "jay-y-lee")
    assert response.headers["link"] == '</people?limit=1&cursor=jay-y-lee>; rel="next"'
    assert [p["person_id"] for p in _get(client, "/people", cursor="jay-y-lee")["items"]] == ["lei-jun"]


def test_a_person_answers_304_until_a_new_fact_names_them(client: Client) -> None:
    first = client.get("/people/jay-y-lee")
    etag = first.headers["etag"]

    assert client.get("/people/jay-y-lee", headers={"If-None-Match": etag}).status_code == 304
    appended = _chairman(client)
    after = client.get("/people/jay-y-lee", headers={"If-None-Match": etag})

    assert after.status_code == 200 and after.headers["etag"] != etag
    assert after.json()["roles"][0]["role"] == "Chairman"
    before = _get(client, "/people/jay-y-lee", at_position=appended["position"] - 1)
    assert before["roles"][0]["role"] == "President"
    assert (
        client.get(
            "/people/jay-y-lee", headers={"If-None-Match": etag}, params={"at_position": SEED["events"]}
        ).status_code
        == 304
    )


@pytest.mark.parametrize(
    ("path", "status", "field"),
    [
        ("/people/nobody", 404, None),
        ("/people/Not%20A%20Slug", 422, "path.person_id"),
        ("/people?cursor=UPPER", 422, "query.cursor"),
        ("/people?company=x_y", 422, "query.company"),
        ("/people?limit=0", 422, "query.limit"),
        ("/people?q=", 422, "query.q"),
        ("/people/jay-y-lee?at_position=999999", 422, "query.at_position"),
        ("/people/jay-y-lee?known_on=2025-01-01", 400, "query.known_on"),
    ],
)
def test_bad_requests_are_problems_naming_the_field(client: Client, path: str, status: int, field: str | None) -> None:
    response = client.get(path)

    assert response.status_code == status, response.text
    problem = response.json()
    assert problem["status"] == status and problem["request_id"]
    if field is not None:
        assert field in [e["path"] for e in problem["errors"]]


def test_a_person_before_any_fact_names_them_is_404(client: Client) -> None:
    assert client.get("/people/jay-y-lee", params={"at_position": 1}).status_code == 404
