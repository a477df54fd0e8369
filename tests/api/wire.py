"""Request bodies as a client writes them (plain JSON), and how an answer is checked.

The bodies are for an empty store: ``PREREQUISITES`` register the companies they name
and store the sales figure that ``evidence_added`` and ``event_retracted`` point at and the acquisition
that ``acquisition_completed`` and ``acquisition_terminated`` name.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx

from api.seeds import seed_events

__all__ = [
    "ACQUISITION_ID",
    "EVERY_TYPE",
    "PREREQUISITES",
    "SALES_2024_ID",
    "SEED",
    "SOURCE",
    "assert_contains",
    "log_of",
    "problem",
]

ROOT = Path(__file__).resolve().parents[2]

SOURCE = {"title": "Test article", "publisher": "Tidings tests", "language": "en"}

SALES_2024_ID = "0196a000-0000-7000-8000-000000000001"
ACQUISITION_ID = "0196a000-0000-7000-8000-000000000002"

PREREQUISITES: list[dict[str, Any]] = [
    {
        "type": "company_registered",
        "sources": [SOURCE],
        "company_id": "xiaomi",
        "name": "Xiaomi",
        "country": "CN",
        "sectors": ["smartphones", "electric vehicles"],
    },
    {
        "type": "company_registered",
        "sources": [SOURCE],
        "company_id": "samsung-electronics",
        "name": "Samsung Electronics",
        "aliases": ["Samsung"],
        "country": "KR",
    },
    {
        "type": "sales_reported",
        "id": SALES_2024_ID,
        "sources": [SOURCE],
        "company_id": "xiaomi",
        "period": "2024",
        "units": {"value": 137000, "approximate": True},
    },
    {
        "type": "acquisition_announced",
        "id": ACQUISITION_ID,
        "sources": [SOURCE],
        "acquirer_company_id": "samsung-electronics",
        "target_company_id": "xiaomi",
        "stake_percent": "10",
        "announced_on": "2025-05",
    },
]

EVERY_TYPE: dict[str, dict[str, Any]] = {
    "company_registered": {
        "type": "company_registered",
        "sources": [SOURCE],
        "company_id": "samsung-display",
        "name": "Samsung Display",
        "aliases": ["SDC"],
        "country": "KR",
        "sectors": ["displays"],
        "parent_id": "samsung-electronics",
    },
    "executive_reported": {
        "type": "executive_reported",
        "sources": [SOURCE],
        "certainty": "confirmed",
        "person_id": "lei-jun",
        "name": "Lei Jun",
        "company_id": "xiaomi",
        "role": "CEO",
    },
    "meeting_held": {
        "type": "meeting_held",
        "sources": [{**SOURCE, "language": "de", "url": "https://example.com/a", "published_on": "2025-03"}],
        "occurred_on": "2025-03-22",
        "location": {"city": "Beijing", "country": "CN", "site": "Xiaomi EV factory"},
        "participants": [
            {"company_id": "samsung-electronics", "person_id": "jay-y-lee"},
            {"company_id": "xiaomi", "person_id": "lei-jun"},
        ],
        "occasion": "China Development Forum",
        "topics": ["electric vehicles"],
    },
    "site_visited": {
        "type": "site_visited",
        "sources": [SOURCE],
        "occurred_on": "2025-03",
        "visitor": {"company_id": "samsung-electronics", "person_id": "jay-y-lee"},
        "host_company_id": "xiaomi",
        "site": "Xiaomi EV factory",
        "location": {"city": "Beijing", "country": "CN"},
    },
    "product_launched": {
        "type": "product_launched",
        "sources": [SOURCE],
        "company_id": "xiaomi",
        "product": "SU7",
        "category": "electric vehicle",
        "launched_on": "2024",
    },
    "sales_reported": {
        "type": "sales_reported",
        "sources": [SOURCE],
        "company_id": "xiaomi",
        "period": "2025-Q1",
        "product": "SU7",
        "units": {"value": 75000, "approximate": False},
        "revenue": {"amount": "1800000000.5", "currency": "USD", "approximate": True},
    },
    "plan_announced": {
        "type": "plan_announced",
        "sources": [SOURCE],
        "plan_id": "ev-production-2025",
        "company_id": "xiaomi",
        "kind": "production",
        "description": "Raise EV production to 350,000 vehicles in 2025.",
        "metric": "units_produced",
        "target": {"value": "350000"},
        "due": "2025",
    },
    "relationship_reported": {
        "type": "relationship_reported",
        "sources": [SOURCE],
        "certainty": "speculative",
        "from_company_id": "samsung-electronics",
        "to_company_id": "xiaomi",
        "kind": "supplies",
        "status": "active",
        "components": ["chips", "OLED displays"],
    },
    "market_position_reported": {
        "type": "market_position_reported",
        "sources": [SOURCE],
        "company_ids": ["xiaomi"],
        "market": "electric vehicles",
        "region": "China",
        "position": "challenger",
    },
    "results_reported": {
        "type": "results_reported",
        "sources": [SOURCE],
        "company_id": "xiaomi",
        "period": "2025-Q3",
        "status": "final",
        "measures": [
            {"measure": "revenue", "value": {"amount": "113100000000", "currency": "CNY"}, "change_yoy": "22.3"},
            {"measure": "net_income", "value": {"amount": "-1", "currency": "CNY"}},
        ],
        "reasons": ["A test"],
    },
    "orders_reported": {
        "type": "orders_reported",
        "sources": [SOURCE],
        "company_id": "xiaomi",
        "product": "YU7",
        "count": {"value": 240000, "approximate": True},
        "kind": "locked",
        "window": {"length": 18, "unit": "hours", "starting_on": "2025-06-26"},
    },
    "deliveries_reported": {
        "type": "deliveries_reported",
        "sources": [SOURCE],
        "company_id": "xiaomi",
        "count": {"value": 81302},
        "period": "2025-Q2",
    },
    "production_reported": {
        "type": "production_reported",
        "sources": [SOURCE],
        "company_id": "xiaomi",
        "count": {"value": 1000},
        "period": "2025-05",
    },
    "target_revised": {
        "type": "target_revised",
        "sources": [SOURCE],
        "company_id": "xiaomi",
        "plan_id": "ev-production-2025",
        "revised_on": "2025-09",
        "previous": {"value": "350000"},
        "target": {"value": "400000", "approximate": True},
    },
    "price_announced": {
        "type": "price_announced",
        "sources": [SOURCE],
        "certainty": "confirmed",
        "company_id": "xiaomi",
        "product": "SU7",
        "variant": "Standard",
        "market": "China",
        "price": {"amount": "215900", "currency": "CNY", "approximate": False},
        "from_price": True,
        "announced_on": "2024-03-28",
    },
    "listing_completed": {
        "type": "listing_completed",
        "sources": [SOURCE],
        "company_id": "xiaomi",
        "exchange": "HKEX",
        "ticker": "1810",
        "listed_on": "2018-07-09",
        "offer_price": {"amount": "17", "currency": "HKD"},
        "shares_offered": {"value": 2180000000, "approximate": True},
        "amount_raised": {"amount": "4720000000", "currency": "USD", "approximate": True},
    },
    "capital_raised": {
        "type": "capital_raised",
        "sources": [SOURCE],
        "company_id": "xiaomi",
        "kind": "share_placement",
        "raised_on": "2025-03-25",
        "amount": {"amount": "42500000000", "currency": "HKD", "approximate": True},
        "shares": {"value": 800000000},
        "price_per_share": {"amount": "53.25", "currency": "HKD"},
    },
    "acquisition_announced": {
        "type": "acquisition_announced",
        "sources": [SOURCE],
        "note": "About EUR 1.5 billion.",
        "acquirer_company_id": "samsung-electronics",
        "target_company_id": "xiaomi",
        "stake_percent": "100",
        "price": {"amount": "1500000000", "currency": "EUR", "approximate": True},
        "announced_on": "2025-05-14",
        "expected_completion": "2025",
    },
    "acquisition_completed": {
        "type": "acquisition_completed",
        "sources": [SOURCE],
        "announcement_id": ACQUISITION_ID,
        "acquirer_company_id": "samsung-electronics",
        "target_company_id": "xiaomi",
        "stake_percent": "10",
        "completed_on": "2025-11",
    },
    "acquisition_terminated": {
        "type": "acquisition_terminated",
        "sources": [SOURCE],
        "announcement_id": ACQUISITION_ID,
        "terminated_on": "2025-12",
        "reason": "Regulators opposed it.",
    },
    "executive_appointed": {
        "type": "executive_appointed",
        "sources": [SOURCE],
        "company_id": "samsung-electronics",
        "person_id": "jay-y-lee",
        "name": "Jay Y. Lee",
        "role": "Executive Chairman",
        "effective_on": "2022-10-27",
        "previous_role": "Vice Chairman",
    },
    "executive_departed": {
        "type": "executive_departed",
        "sources": [SOURCE],
        "company_id": "samsung-electronics",
        "person_id": "kyung-kye-hyun",
        "role": "Head of the DS Division",
        "effective_on": "2024-05-21",
        "reason": "Moved to lead the future business planning team.",
    },
    "identifier_added": {
        "type": "identifier_added",
        "sources": [SOURCE],
        "company_id": "samsung-electronics",
        "scheme": "ticker",
        "value": "005930",
        "exchange": "KRX",
    },
    "company_renamed": {
        "type": "company_renamed",
        "sources": [SOURCE],
        "company_id": "xiaomi",
        "name": "Xiaomi Corporation",
        "effective_on": "2018",
    },
    "profile_updated": {
        "type": "profile_updated",
        "sources": [SOURCE],
        "company_id": "xiaomi",
        "sectors_added": ["home appliances"],
    },
    "evidence_added": {
        "type": "evidence_added",
        "sources": [{"title": "Xiaomi y Samsung", "publisher": "Planeta Xiaomi", "language": "es"}],
        "event_id": SALES_2024_ID,
    },
    "event_retracted": {
        "type": "event_retracted",
        "sources": [SOURCE],
        "event_id": SALES_2024_ID,
        "reason": "The figure was for 2023.",
        "note": "Corrected by the publisher.",
    },
}
"""One body of each event type, each valid once PREREQUISITES are stored."""

# The seed article (seeds/samsung-xiaomi-ev-meeting.ndjson), as the read-model tests use it
# (the ``client`` fixture stores its events alone; ``seeded_client`` every seed file, as --seed does);
# ``all_events``: every seed file; ``first_article``: the article's last position in either.
SEED = {
    "events": 23,
    "first_article": 23,
    "all_events": len(seed_events()),
    "xiaomi_registered": "0195bb26-3c00-7002-8a1d-5e3d00000002",
    "xiaomi_sales_2024": "0195bb26-3c00-700c-8a1d-5e3d0000000c",
    "pingback_es": "0195bb26-3c00-7016-8a1d-5e3d00000016",
    "supplies_chips_to_xiaomi": "0195bb26-3c00-7012-8a1d-5e3d00000012",
    "companies": ["byd", "catl", "samsung-display", "samsung-electronics", "samsung-sdi", "xiaomi"],
}

_LEAKS = re.compile(
    r"Traceback|File \"|site-packages|\.py\b|sqlite|\b(SELECT|INSERT|UPDATE|DELETE|CREATE TABLE|WHERE)\b"
)


def log_of(client: Any) -> bytes:
    """The whole log as the client sees it (the stores in these tests hold far fewer than 1,000 events)."""
    response = client.get("/events", params={"limit": 1000})
    assert response.status_code == 200, response.text
    assert len(response.json()["items"]) < 1000
    return bytes(response.content)


def problem(response: httpx.Response, status: int, *, paths: list[str] | None = None) -> dict[str, Any]:
    """Check an RFC 9457 problem answer and return its body.

    Every problem has type, title, status and detail; a 422 lists the bad fields in
    ``errors`` by JSON path (``paths``, in order, when given). No body shows internals.
    """
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    for field in ("type", "title", "detail"):
        assert isinstance(body.get(field), str) and body[field], f"problem without {field}: {body}"
    assert body["status"] == status
    if status == 422:
        errors = body.get("errors")
        assert errors, f"a validation problem names its fields: {body}"
        for error in errors:
            assert error["path"].startswith(("$", "query.", "header.")), error
            assert error["message"], error
        if paths is not None:
            assert [error["path"] for error in errors] == paths
    assert_no_internals(response)
    return dict(body)


def assert_no_internals(response: httpx.Response) -> None:
    text = response.text
    assert str(ROOT) not in text, text
    assert not _LEAKS.search(text), text


def assert_contains(actual: Any, expected: Any, path: str = "$") -> None:
    """Every field of ``expected`` is in ``actual`` with the same value (``actual`` may add defaults)."""
    if isinstance(expected, dict):
        assert isinstance(actual, dict), f"{path}: {actual!r}"
        for key, value in expected.items():
            assert key in actual, f"{path}.{key} missing"
            assert_contains(actual[key], value, f"{path}.{key}")
    elif isinstance(expected, list):
        assert isinstance(actual, list) and len(actual) == len(expected), f"{path}: {actual!r}"
        for index, (a, e) in enumerate(zip(actual, expected, strict=True)):
            assert_contains(a, e, f"{path}[{index}]")
    else:
        assert actual == expected, f"{path}: {actual!r} != {expected!r}"
