"""Query parameters are strict: nothing a client sends is silently ignored.

An unknown parameter (a misspelt filter would answer unfiltered data) and a single-valued one
given twice (which one was meant is a guess) are a 400 naming it and the parameters the
operation takes; ``at_position`` past the log's head is a 422 naming the head. The spec says so
for every operation.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from litestar.testing import TestClient

from api.app import create_app
from api.settings import Settings
from tests.api.wire import ROOT, SEED

SPEC = yaml.safe_load((ROOT / "openapi.yaml").read_text())


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:  # type: ignore[type-arg]
    db: Path = tmp_path_factory.mktemp("parameters") / "p.db"
    with TestClient(create_app(Settings(db=str(db), seed=True))) as client:
        yield client


def _problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    assert body["request_id"]
    return body


@pytest.mark.parametrize(
    ("url", "name", "takes"),
    [
        (
            "/events?period=2025",
            "period",
            "after, before, certainty, company, format, limit, occurred_from, occurred_to, order, person, publisher, type, wait",
        ),
        (
            "/events?kind=nope",
            "kind",
            "after, before, certainty, company, format, limit, occurred_from, occurred_to, order, person, publisher, type, wait",
        ),
        (
            "/events?publishers=CnEVPost",
            "publishers",
            "after, before, certainty, company, format, limit, occurred_from, occurred_to, order, person, publisher, type, wait",
        ),
        ("/companies/xiaomi?at=3", "at", "as_of, at_position"),
        ("/companies?name=Xiaomi", "name", "country, cursor, limit, q"),
        ("/companies/xiaomi/timeline?types=sales_reported", "types", "type"),
        ("/events/stream?until=now&since=3", "since", "after, company, format, limit, type, until"),
        (f"/events/{SEED['xiaomi_sales_2024']}?fields=id", "fields", "it takes format"),
        ("/health?verbose=1", "verbose", "it takes none"),
    ],
)
def test_an_unknown_query_parameter_is_400_naming_it_and_what_the_operation_takes(
    client: TestClient,  # type: ignore[type-arg]
    url: str,
    name: str,
    takes: str,
) -> None:
    problem = _problem(client.get(url), 400)
    assert problem["type"] == "urn:tidings:problem:invalid-parameters"
    [error] = problem["errors"]
    assert (error["path"], error["code"]) == (f"query.{name}", "unknown_parameter")
    assert takes in error["message"]


def test_an_unknown_query_parameter_on_an_append_is_400_and_stores_nothing(
    client: TestClient,  # type: ignore[type-arg]
) -> None:
    before = client.get("/events?limit=1000").json()["items"]
    body = {
        "type": "product_launched",
        "sources": [{"title": "t", "publisher": "p", "language": "en"}],
        "company_id": "xiaomi",
        "product": "YU7",
        "category": "electric vehicle",
        "launched_on": "2025-06",
    }
    problem = _problem(client.post("/events?dry_run=1", json=body), 400)
    assert [(e["path"], e["code"]) for e in problem["errors"]] == [("query.dry_run", "unknown_parameter")]
    assert client.get("/events?limit=1000").json()["items"] == before


@pytest.mark.parametrize(
    ("url", "name"),
    [
        ("/events?limit=5&limit=6", "limit"),
        ("/events?after=1&after=2", "after"),
        ("/events?order=asc&order=desc", "order"),
        ("/events?occurred_from=2025&occurred_from=2024", "occurred_from"),
        ("/companies?country=CN&country=KR", "country"),
        ("/companies/xiaomi?at_position=3&at_position=4", "at_position"),
        ("/companies?q=x&q=y", "q"),
    ],
)
def test_a_single_valued_parameter_given_twice_is_400(
    client: TestClient,  # type: ignore[type-arg]
    url: str,
    name: str,
) -> None:
    problem = _problem(client.get(url), 400)
    assert [(e["path"], e["code"]) for e in problem["errors"]] == [(f"query.{name}", "repeated_parameter")]
    assert "2 times" in problem["errors"][0]["message"]


@pytest.mark.parametrize(
    ("url", "name"),
    [
        ("/conflicts?kind=null", "kind"),
        ("/events?company=null", "company"),
        ("/companies/xiaomi?at_position=null", "at_position"),
        ("/companies/xiaomi/timeline?known_on=null", "known_on"),
    ],
)
def test_null_for_an_optional_parameter_is_422_not_a_missing_filter(
    client: TestClient,  # type: ignore[type-arg]
    url: str,
    name: str,
) -> None:
    problem = _problem(client.get(url), 422)
    assert [(e["path"], e["code"]) for e in problem["errors"]] == [(f"query.{name}", "type")]


def test_a_repeatable_parameter_may_be_repeated(client: TestClient) -> None:  # type: ignore[type-arg]
    answer = client.get("/events?type=sales_reported&type=meeting_held&limit=1000")
    assert answer.status_code == 200
    assert {item["event"]["type"] for item in answer.json()["items"]} == {"sales_reported", "meeting_held"}


@pytest.mark.parametrize("read_model", ["", "/timeline", "/meetings", "/sales", "/plans", "/relationships"])
def test_at_position_past_the_head_is_422_naming_the_head(
    client: TestClient,  # type: ignore[type-arg]
    read_model: str,
) -> None:
    head = SEED["all_events"]
    assert client.get(f"/companies/xiaomi{read_model}?at_position={head}").status_code == 200
    problem = _problem(client.get(f"/companies/xiaomi{read_model}?at_position={head + 1}"), 422)
    [error] = problem["errors"]
    assert (error["path"], error["code"]) == ("query.at_position", "beyond_head")
    assert f"head is at position {head}" in error["message"]


def test_the_spec_documents_the_400_and_the_codes_on_every_operation() -> None:
    for path, item in SPEC["paths"].items():
        for method, operation in item.items():
            answer = operation["responses"].get("400")
            assert answer is not None, f"{method} {path}"
            assert "unknown_parameter" in answer["description"], f"{method} {path}"
    code = SPEC["components"]["schemas"]["FieldError"]["properties"]["code"]["description"]
    for documented in ("unknown_parameter", "repeated_parameter", "beyond_head", "pattern", "invalid_date"):
        assert f"`{documented}`" in code


@pytest.mark.parametrize(
    ("query", "path", "code"),
    [
        ("known_on=2025-02-30", "query.known_on", "format"),
        ("known_on=2025-04", "query.known_on", "format"),
        ("known_on=yesterday", "query.known_on", "format"),
        ("known_on=2999-04-02&as_of=2999-04-01T23:00:00-02:00", None, None),  # as_of's UTC day is 2999-04-02
        ("known_on=2999-04-03&as_of=2999-04-01T23:00:00-02:00", "query.known_on", "contradictory"),
        ("known_on=2025-04-01&at_position=3", None, None),
        ("known_on=2025-04-01&known_on=2025-04-02", "query.known_on", "repeated_parameter"),
    ],
)
def test_known_on_is_a_calendar_day_on_or_before_as_of(
    client: TestClient, query: str, path: str | None, code: str | None
) -> None:  # type: ignore[type-arg]
    for model in ("", "/timeline", "/sales", "/plans", "/meetings", "/relationships"):
        response = client.get(f"/companies/xiaomi{model}?{query}")
        if code is None:
            assert response.status_code == 200, response.text
            continue
        body = _problem(response, 400 if code == "repeated_parameter" else 422)
        assert [(e["path"], e["code"]) for e in body["errors"]] == [(path, code)]


def test_known_on_answers_what_was_published_by_that_day(client: TestClient) -> None:  # type: ignore[type-arg]
    first_article = SEED["first_article"]  # all its sources are dated 2025-03
    before = client.get(f"/companies/xiaomi?known_on=2025-03-01&at_position={first_article}").json()
    after = client.get(f"/companies/xiaomi?known_on=2025-03-31&at_position={first_article}").json()

    assert (before["known_on"], before["counts"], before["latest_sales"]) == ("2025-03-01", {}, [])
    assert after["known_on"] == "2025-03-31"
    assert after["counts"]["sales_reported"] == 1
    assert after["undated_claims"] == 0, "the two undated pingbacks were recorded later than that day"
    assert client.get("/companies/xiaomi?known_on=2999-01-01").json()["undated_claims"] == 2
