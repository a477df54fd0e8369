"""A whole number written as a float is a whole number, as JSON Schema's ``integer`` says.

``"units": {"value": 137000.0}`` is stored as 137000 in a single append and in a batch; a
fraction (137000.5) is still a 422 naming the field.
"""

from __future__ import annotations

from typing import Any

from litestar.testing import TestClient

from tests.api.wire import SOURCE, problem

Client = TestClient  # type: ignore[type-arg]


def _sales(value: Any, period: str = "2025-Q3") -> dict[str, Any]:
    return {
        "type": "sales_reported",
        "sources": [SOURCE],
        "company_id": "xiaomi",
        "period": period,
        "units": {"value": value, "approximate": True},
    }


def test_a_whole_float_is_stored_as_an_integer(client: Client) -> None:
    response = client.post("/events", json=_sales(137000.0))

    assert response.status_code == 201, response.text
    assert response.json()["event"]["units"] == {"value": 137000, "approximate": True}
    stored = client.get(response.headers["location"]).json()
    assert stored["event"]["units"]["value"] == 137000
    assert isinstance(stored["event"]["units"]["value"], int)


def test_a_whole_float_in_exponent_form_is_an_integer_too(client: Client) -> None:
    response = client.post(
        "/events",
        content=b'{"type": "sales_reported", "sources": [{"title": "t", "publisher": "p", "language": "en"}],'
        b' "company_id": "xiaomi", "period": "2025-Q2", "units": {"value": 1.37e5}}',
        headers={"content-type": "application/json"},
    )

    assert response.status_code == 201, response.text
    assert response.json()["event"]["units"]["value"] == 137000


def test_whole_floats_in_a_batch_are_integers(client: Client) -> None:
    events = [_sales(410000.0, "2025-Q4"), {**_sales(3.0, "2025-10"), "product": "SU7"}]

    response = client.post("/events/batch", json={"events": events})

    assert response.status_code == 201, response.text
    assert [item["event"]["units"]["value"] for item in response.json()["items"]] == [410000, 3]


def test_a_fraction_where_a_whole_number_belongs_is_a_422_naming_the_field(client: Client) -> None:
    response = client.post("/events", json=_sales(137000.5))

    body = problem(response, 422)
    assert [(e["path"], e["code"]) for e in body["errors"]] == [("$.units.value", "type")]
    assert "137000.5" in body["errors"][0]["message"]
    assert "whole number" in body["errors"][0]["message"]


def test_a_fraction_in_a_batch_names_its_event(client: Client) -> None:
    response = client.post("/events/batch", json={"events": [_sales(1.0), _sales(2.25, "2025-11")]})

    body = problem(response, 422)
    assert [(e["path"], e["code"]) for e in body["errors"]] == [("$.events[1].units.value", "type")]


def test_a_whole_float_beyond_the_bound_is_a_range_error(client: Client) -> None:
    response = client.post("/events", json=_sales(9007199254740992.0))

    body = problem(response, 422)
    assert [(e["path"], e["code"]) for e in body["errors"]] == [("$.units.value", "range")]
