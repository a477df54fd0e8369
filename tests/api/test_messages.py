"""A 422 says what a person needs to fix it: the field, the value received, what is expected — in words.

One row per bad input: every pattern-constrained field, each kind of limit, impossible dates,
unknown types, fields and companies; and the 400s of unknown and repeated query parameters. Each answer must name the field's path, carry the stable
``code`` the spec lists, and never quote a regular expression.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, get_args, get_origin

import msgspec
import pytest
from litestar.testing import TestClient

from api.app import create_app
from api.settings import Settings
from schema import base
from schema.events import EVENT_TYPES
from schema.problems import ERROR_CODES
from tests.api.wire import SEED, SOURCE

_SALES = {
    "type": "sales_reported",
    "sources": [SOURCE],
    "company_id": "xiaomi",
    "period": "2025",
    "units": {"value": 1},
}
_LAUNCH = {
    "type": "product_launched",
    "sources": [SOURCE],
    "company_id": "xiaomi",
    "product": "YU7",
    "category": "electric vehicle",
    "launched_on": "2025-06",
}
_REGISTRATION = {"type": "company_registered", "sources": [SOURCE], "company_id": "nio", "name": "NIO", "country": "CN"}
_PLAN = {
    "type": "plan_announced",
    "sources": [SOURCE],
    "plan_id": "ev-2026",
    "company_id": "xiaomi",
    "kind": "production",
    "description": "Build more cars.",
    "due": "2026",
}
_MEETING = {
    "type": "meeting_held",
    "sources": [SOURCE],
    "occurred_on": "2025-03-22",
    "location": {"country": "CN"},
    "participants": [{"company_id": "samsung-electronics"}, {"company_id": "xiaomi"}],
}
_EXECUTIVE = {
    "type": "executive_reported",
    "sources": [SOURCE],
    "person_id": "lei-jun",
    "name": "Lei Jun",
    "company_id": "xiaomi",
    "role": "CEO",
}
_UNKNOWN_EVENT = "0195bb26-3c00-7fff-8a1d-5e3d00000000"


def _with(body: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return {**body, **fields}


def _source(**fields: Any) -> list[dict[str, Any]]:
    return [{**SOURCE, **fields}]


@dataclass(frozen=True)
class Bad:
    code: str
    path: str
    body: dict[str, Any] | None = None
    url: str = "/events"
    headers: dict[str, str] = field(default_factory=dict)
    says: tuple[str, ...] = ()
    """Words the message must contain (the value received, what is expected)."""
    status: int = 422


CASES: dict[str, Bad] = {
    # -- every pattern-constrained field of the body -------------------------------------------------
    "company id not a slug": Bad(
        "pattern", "$.company_id", _with(_REGISTRATION, company_id="NIO Inc"), says=('"NIO Inc"', "slug")
    ),
    "person id not a slug": Bad("pattern", "$.person_id", _with(_EXECUTIVE, person_id="Lei_Jun"), says=("slug",)),
    "plan id not a slug": Bad("pattern", "$.plan_id", _with(_PLAN, plan_id="-ev"), says=("slug",)),
    "participant company not a slug": Bad(
        "pattern",
        "$.participants[1].company_id",
        _with(_MEETING, participants=[{"company_id": "xiaomi"}, {"company_id": "Samsung"}]),
        says=('"Samsung"',),
    ),
    "control character in a name": Bad(
        "pattern", "$.name", _with(_REGISTRATION, name="NIO\u0007"), says=("control characters",)
    ),
    "control character in a sector": Bad(
        "pattern", "$.sectors[0]", _with(_REGISTRATION, sectors=["ev\u0000"]), says=("control characters",)
    ),
    "control character in a note": Bad("pattern", "$.note", _with(_SALES, note="a\u0001b"), says=("control",)),
    "lower-case country": Bad("pattern", "$.country", _with(_REGISTRATION, country="cn"), says=('"cn"', "ISO 3166")),
    "lower-case currency": Bad(
        "pattern",
        "$.revenue.currency",
        _with(_SALES, revenue={"amount": "1", "currency": "usd"}),
        says=('"usd"', "ISO 4217"),
    ),
    "language not BCP 47": Bad(
        "pattern", "$.sources[0].language", _with(_SALES, sources=_source(language="german!")), says=("BCP 47",)
    ),
    "url not http": Bad(
        "pattern", "$.sources[0].url", _with(_SALES, sources=_source(url="ftp://x.example")), says=("http(s) URL",)
    ),
    "partial date with a 13th month": Bad(
        "pattern", "$.launched_on", _with(_LAUNCH, launched_on="2025-13"), says=('"2025-13"', "YYYY-MM-DD")
    ),
    "published_on in words": Bad(
        "pattern",
        "$.sources[0].published_on",
        _with(_SALES, sources=_source(published_on="March 2025")),
        says=("YYYY",),
    ),
    "period Q5": Bad("pattern", "$.period", _with(_SALES, period="2025-Q5"), says=('"2025-Q5"', "quarter YYYY-Qn")),
    "amount with a comma": Bad(
        "pattern",
        "$.revenue.amount",
        _with(_SALES, revenue={"amount": "4,5", "currency": "USD"}),
        says=('"4,5"', "decimal"),
    ),
    "plan target amount negative": Bad(
        "pattern",
        "$.target.value",
        _with(_PLAN, metric="units_produced", target={"value": "-5"}),
        says=('"-5"', "non-negative decimal"),
    ),
    # -- impossible dates ----------------------------------------------------------------------------
    "February 30th": Bad(
        "invalid_date", "$.launched_on", _with(_LAUNCH, launched_on="2025-02-30"), says=("2025-02-30", "28 days")
    ),
    "February 29th of a common year": Bad(
        "invalid_date", "$.occurred_on", _with(_MEETING, occurred_on="2023-02-29"), says=("February 2023 has 28",)
    ),
    "April 31st": Bad(
        "invalid_date",
        "$.sources[0].published_on",
        _with(_SALES, sources=_source(published_on="2025-04-31")),
        says=("April 2025 has 30 days",),
    ),
    "timeline from February 30th": Bad(
        "invalid_date", "query.from", url="/companies/xiaomi/timeline?from=2025-02-30", says=("2025-02-30",)
    ),
    # -- limits: lengths and ranges ------------------------------------------------------------------
    "empty name": Bad("length", "$.name", _with(_REGISTRATION, name=""), says=("at least 1",)),
    "name of 201 characters": Bad(
        "length", "$.name", _with(_REGISTRATION, name="n" * 201), says=("201 characters", "at most 200")
    ),
    "company id of 65 characters": Bad(
        "length", "$.company_id", _with(_REGISTRATION, company_id="a" * 65), says=("at most 64",)
    ),
    "note of 2,001 characters": Bad(
        "length", "$.note", _with(_SALES, note="x" * 2001), says=("2001 characters", "at most 2000")
    ),
    "no sources": Bad("length", "$.sources", _with(_SALES, sources=[]), says=("at least 1 item",)),
    "21 sources": Bad("length", "$.sources", _with(_SALES, sources=[SOURCE] * 21), says=("21 items", "at most 20")),
    "51 sectors": Bad("length", "$.sectors", _with(_REGISTRATION, sectors=["s"] * 51), says=("at most 50",)),
    "units below zero": Bad("range", "$.units.value", _with(_SALES, units={"value": -1}), says=("-1", "at least 0")),
    "units beyond 2**53-1": Bad("range", "$.units.value", _with(_SALES, units={"value": 2**53}), says=("at most",)),
    "limit 0": Bad("range", "query.limit", url="/events?limit=0", says=('"0"', "at least 1")),
    "limit 1001": Bad("range", "query.limit", url="/events?limit=1001", says=("at most 1000",)),
    "wait 31 s": Bad("range", "query.wait", url="/events?wait=31", says=("at most 30",)),
    "q of 201 characters": Bad("length", "query.q", url="/companies?q=" + "q" * 201, says=("at most 200",)),
    # -- pattern-constrained parameters --------------------------------------------------------------
    "company filter not a slug": Bad("pattern", "query.company", url="/events?company=Xiaomi", says=("slug",)),
    "country filter lower-case": Bad("pattern", "query.country", url="/companies?country=cn", says=("ISO 3166",)),
    "company path not a slug": Bad("pattern", "path.company_id", url="/companies/Xiaomi", says=("slug",)),
    "timeline cursor garbage": Bad(
        "pattern", "query.cursor", url="/companies/xiaomi/timeline?cursor=zz", says=("next_cursor",)
    ),
    "If-Match without quotes": Bad(
        "pattern",
        "header.If-Match",
        _SALES,
        url="/companies/xiaomi/events",
        headers={"If-Match": "1"},
        says=('"1"', "ETag"),
    ),
    # -- types, enums, formats, required and unknown fields ------------------------------------------
    "units as a string": Bad(
        "type", "$.units.value", _with(_SALES, units={"value": "400000"}), says=('"400000"', "whole number")
    ),
    "limit not a number": Bad("type", "query.limit", url="/events?limit=ten", says=('"ten"', "whole number")),
    "certainty unknown": Bad(
        "enum", "$.certainty", _with(_SALES, certainty="rumoured"), says=('"rumoured"', "confirmed", "speculative")
    ),
    "plan kind unknown": Bad("enum", "$.kind", _with(_PLAN, kind="merger"), says=("production", "partnership")),
    "unknown event type": Bad(
        "unknown_event_type",
        "$.type",
        _with(_SALES, type="ipo_filed"),
        says=('"ipo_filed"', "company_registered", "event_retracted"),
    ),
    "type filter unknown": Bad("enum", "query.type", url="/events?type=ipo_filed", says=("sales_reported",)),
    "event id not a UUID": Bad("format", "$.id", _with(_SALES, id="sales-1"), says=('"sales-1"', "UUID")),
    "as_of without offset": Bad(
        "format", "query.as_of", url="/companies/xiaomi?as_of=2025-03-22T10:00:00", says=("offset",)
    ),
    "missing company id": Bad(
        "required", "$.company_id", {k: v for k, v in _SALES.items() if k != "company_id"}, says=("required", "slug")
    ),
    "missing source language": Bad(
        "required", "$.sources[0].language", _with(_SALES, sources=[{"title": "t", "publisher": "p"}])
    ),
    "unknown field": Bad("unknown_field", "$.currency", _with(_SALES, currency="USD"), says=("units", "revenue")),
    "unknown field in a source": Bad(
        "unknown_field", "$.sources[0].author", _with(_SALES, sources=_source(author="me")), says=("publisher",)
    ),
    # -- rules across fields and the store's own checks ----------------------------------------------
    "sales without units or revenue": Bad(
        "units_or_revenue", "$.units", {k: v for k, v in _SALES.items() if k != "units"}, says=("units", "revenue")
    ),
    "sales with units and revenue null": Bad(
        "units_or_revenue", "$.units", _with(_SALES, units=None, revenue=None), says=("units", "revenue")
    ),
    "plan target without a metric": Bad(
        "target_needs_metric", "$.metric", _with(_PLAN, target={"value": "5"}), says=("metric", "units_sold")
    ),
    "plan target in a batch without a metric": Bad(
        "target_needs_metric",
        "$.events[1].metric",
        {"events": [_SALES, _with(_PLAN, target={"value": "5"}, metric=None)]},
        url="/events/batch",
    ),
    "revenue target without a currency": Bad(
        "target_currency",
        "$.target.currency",
        _with(_PLAN, metric="revenue", target={"value": "5"}),
        says=("revenue target needs a currency",),
    ),
    "units target with a currency": Bad(
        "target_currency",
        "$.target.currency",
        _with(_PLAN, metric="units_sold", target={"value": "5", "currency": "CNY"}),
        says=("no currency",),
    ),
    "company as its own parent": Bad("own_parent", "$.parent_id", _with(_REGISTRATION, parent_id="nio")),
    "relationship with one company twice": Bad(
        "same_company",
        "$.to_company_id",
        {
            "type": "relationship_reported",
            "sources": [SOURCE],
            "from_company_id": "xiaomi",
            "to_company_id": "xiaomi",
            "kind": "supplies",
            "status": "active",
        },
    ),
    "site visit to one's own company": Bad(
        "same_company",
        "$.host_company_id",
        {
            "type": "site_visited",
            "sources": [SOURCE],
            "occurred_on": "2025-03",
            "visitor": {"company_id": "xiaomi"},
            "host_company_id": "xiaomi",
            "site": "Beijing plant",
            "location": {"country": "CN"},
        },
    ),
    "meeting of one company": Bad(
        "distinct_participants",
        "$.participants",
        _with(_MEETING, participants=[{"company_id": "xiaomi", "person_id": "lei-jun"}, {"company_id": "xiaomi"}]),
        says=("two distinct",),
    ),
    "attribution naming nobody": Bad(
        "empty_attribution", "$.attributed_to", _with(_SALES, attributed_to={"group": None}), says=("group",)
    ),
    "previous meeting saying nothing": Bad(
        "empty_previous_meeting", "$.previous_meeting", _with(_MEETING, previous_meeting={}), says=("years_before",)
    ),
    "unregistered company": Bad("unknown_company", "$.company_id", _with(_SALES, company_id="tesla"), says=("tesla",)),
    "evidence for an unknown event": Bad(
        "unknown_event", "$.event_id", {"type": "evidence_added", "sources": [SOURCE], "event_id": _UNKNOWN_EVENT}
    ),
    "retraction of a registration": Bad(
        "invalid_target",
        "$.event_id",
        {"type": "event_retracted", "sources": [SOURCE], "event_id": SEED["xiaomi_registered"], "reason": "wrong"},
    ),
    "one id twice in a batch": Bad(
        "duplicate_id",
        "$.events[1].id",
        {"events": [_with(_SALES, id=_UNKNOWN_EVENT), _with(_SALES, id=_UNKNOWN_EVENT, period="2024")]},
        url="/events/batch",
    ),
    "at_position past the head": Bad(
        "beyond_head",
        "query.at_position",
        url=f"/companies/xiaomi/sales?at_position={SEED['all_events'] + 1}",
        says=(f"position {SEED['all_events']}",),
    ),
    # -- limits the spec states on every request string and array (OWASP API4) ------------------------
    "country code too long": Bad(
        "length", "$.country", _with(_REGISTRATION, country="CHN"), says=('"CHN"', "at most 2", "country")
    ),
    "as_of too long": Bad(
        "length", "query.as_of", url="/companies/xiaomi?as_of=2025-03-22T10:00:00." + "1" * 60 + "Z", says=("64",)
    ),
    "If-None-Match not entity tags": Bad(
        "pattern", "header.If-None-Match", url="/companies/xiaomi", headers={"If-None-Match": "3"}, says=('"3"', "W/")
    ),
    "search text with a control character": Bad("pattern", "query.q", url="/companies?q=a%01b"),
    "more types than a filter takes": Bad(
        "length", "query.type", url="/events?" + "&".join(["type=sales_reported"] * 51), says=("at most 50",)
    ),
    # -- parameters the operation does not take, or takes once: 400 ----------------------------------
    "unknown parameter": Bad(
        "unknown_parameter",
        "query.period",
        url="/events?period=2025",
        says=("after, before, certainty, company",),
        status=400,
    ),
    "misspelt filter": Bad("unknown_parameter", "query.compnay", url="/events?compnay=xiaomi", status=400),
    "repeated parameter": Bad(
        "repeated_parameter", "query.limit", url="/events?limit=5&limit=6", says=("2 times",), status=400
    ),
    "as_of before the first UTC day": Bad(
        "range",
        "query.as_of",
        url="/companies/xiaomi?as_of=0001-01-01T01:00:03%2B02:00",
        says=("0001-01-01T00:00:00Z",),
    ),
    "at_position and as_of": Bad(
        "exclusive", "query.as_of", url="/companies/xiaomi?at_position=3&as_of=2025-03-22T10:00:00Z"
    ),
}


def _patterns() -> list[str]:
    """The source of every pattern of schema/base.py, as a client could recognise it in a message."""
    found = []
    for alias in vars(base).values():
        if get_origin(alias) is Annotated:
            found += [m.pattern for m in get_args(alias)[1:] if isinstance(m, msgspec.Meta) and m.pattern]
    return found


_REGEX_BITS = re.compile(r"regex|\(\?[:!=]|\[0-9\]|\[a-z|\\x[0-9a-f]{2}|\{\d+,\d*\}")


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:  # type: ignore[type-arg]
    """One seeded store for the whole table: no row changes it (tests/api/test_errors.py checks that)."""
    db: Path = tmp_path_factory.mktemp("messages") / "m.db"
    with TestClient(create_app(Settings(db=str(db), seed=True))) as client:
        yield client


def test_the_table_covers_every_kind_it_promises() -> None:
    assert len(CASES) >= 30
    assert {case.code for case in CASES.values()} <= set(ERROR_CODES)
    assert {"pattern", "invalid_date", "length", "range", "type", "enum", "required", "unknown_field"} <= {
        case.code for case in CASES.values()
    }


@pytest.mark.parametrize("name", list(CASES))
def test_a_bad_input_is_named_with_its_code_and_what_is_expected_in_words(
    client: TestClient,  # type: ignore[type-arg]
    name: str,
) -> None:
    case = CASES[name]
    if case.body is None:
        response = client.get(case.url, headers=case.headers)
    else:
        headers = {"content-type": "application/json", **case.headers}
        response = client.post(case.url, content=json.dumps(case.body), headers=headers)

    assert response.status_code == case.status, response.text
    problem = response.json()
    errors = problem["errors"]
    assert [(e["path"], e["code"]) for e in errors] == [(case.path, case.code)], errors
    message = errors[0]["message"]
    for words in case.says:
        assert words in message, message
    for text in (message, problem["detail"]):
        assert not _REGEX_BITS.search(text), text
        assert not any(pattern in text for pattern in _patterns()), text
    # Short, but a message that lists the catalogue's types grows with the catalogue.
    assert len(message) <= max(400, 100 + len(", ".join(EVENT_TYPES))), message


def test_a_message_that_cannot_be_rewritten_is_still_a_422_not_a_500(
    client: TestClient,  # type: ignore[type-arg]
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import api.http.problems

    def broken(*_: Any, **__: Any) -> Any:
        raise RuntimeError("a message form nobody foresaw")

    monkeypatch.setattr(api.http.problems, "explain", broken)
    response = client.post("/events", json=_with(_SALES, period="2025-13"))
    assert response.status_code == 422
    assert [(e["path"], e["code"]) for e in response.json()["errors"]] == [("$.period", "invalid")]
