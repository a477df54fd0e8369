"""The rules across fields that JSON Schema can state are in the published schema, and say exactly what
the server enforces: for every combination of the fields a rule reads (left out, null, or given), the
committed openapi.yaml calls a body valid exactly when the decoder takes it. The others are listed, with
their codes, in the description of every operation that takes events."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import msgspec
import pytest
import yaml
from jsonschema import Draft202012Validator

from schema.events import Event
from schema.rules import stated, unstated

ROOT = Path(__file__).resolve().parents[2]
DOC = yaml.safe_load((ROOT / "openapi.yaml").read_text())
SOURCES = [{"title": "t", "publisher": "p", "language": "en"}]
_LEFT_OUT = object()


def _valid_by_the_schema(component: str, body: dict[str, Any]) -> bool:
    validator = Draft202012Validator({"$ref": f"#/components/schemas/{component}", "components": DOC["components"]})
    return validator.is_valid(body)


def _taken_by_the_server(body: dict[str, Any]) -> bool:
    try:
        msgspec.json.decode(msgspec.json.encode(body), type=Event)
    except msgspec.ValidationError:
        return False
    return True


def _combinations(base: dict[str, Any], choices: dict[str, list[Any]]) -> list[dict[str, Any]]:
    bodies = []
    for values in itertools.product(*choices.values()):
        body = dict(base)
        body.update({name: value for name, value in zip(choices, values, strict=True) if value is not _LEFT_OUT})
        bodies.append(body)
    return bodies


_SALES = {"type": "sales_reported", "sources": SOURCES, "company_id": "xiaomi", "period": "2025"}
_PLAN = {
    "type": "plan_announced",
    "sources": SOURCES,
    "plan_id": "ev",
    "company_id": "xiaomi",
    "kind": "production",
    "description": "More cars.",
    "due": "2026",
}
_MEETING = {
    "type": "meeting_held",
    "sources": SOURCES,
    "occurred_on": "2025-03",
    "location": {"country": "CN"},
    "participants": [{"company_id": "xiaomi"}, {"company_id": "samsung"}],
}

_PRICE = {
    "type": "price_announced",
    "sources": SOURCES,
    "company_id": "xiaomi",
    "product": "SU7",
    "market": "China",
    "announced_on": "2024-03-28",
}
_LISTING = {
    "type": "listing_completed",
    "sources": SOURCES,
    "company_id": "xiaomi",
    "exchange": "HKEX",
    "ticker": "1810",
    "listed_on": "2018-07-09",
}
_RAISE = {
    "type": "capital_raised",
    "sources": SOURCES,
    "company_id": "xiaomi",
    "kind": "share_placement",
    "raised_on": "2025-03-25",
}
_DEAL = {
    "type": "acquisition_announced",
    "sources": SOURCES,
    "acquirer_company_id": "samsung-electronics",
    "target_company_id": "flaktgroup",
    "announced_on": "2025-05-14",
}
_ZEROS = ["0", "0.0", "0.000000"]
_POSITIVE = ["0.000001", "17", "215900", "10.5"]


def _money(amounts: list[str]) -> list[dict[str, Any]]:
    return [{"amount": amount, "currency": "HKD"} for amount in amounts]


_IDENTIFIER = {"type": "identifier_added", "sources": SOURCES, "company_id": "samsung-electronics"}
_VALUES = ["005930", "KR7005930003", "529900T8BM49AURSDO55", "Q20718", "삼성전자", "BRK.B", "kr7005930003", "Q0"]
_UPDATE = {"type": "profile_updated", "sources": SOURCES, "company_id": "xiaomi"}

BODIES: dict[str, list[dict[str, Any]]] = {
    # Well-formed values only where the check digits hold: the check digit rule is said in words, not in the schema.
    "identifier": _combinations(
        _IDENTIFIER,
        {
            "scheme": ["ticker", "isin", "lei", "wikidata", "name"],
            "value": _VALUES,
            "exchange": [_LEFT_OUT, None, "KRX"],
            "language": [_LEFT_OUT, None, "ko"],
        },
    ),
    "empty_update": _combinations(
        _UPDATE,
        {
            "sectors_added": [_LEFT_OUT, [], ["cars"]],
            "aliases_removed": [_LEFT_OUT, [], ["Mi"]],
            "country": [_LEFT_OUT, None, "CN"],
        },
    ),
    "not_positive": [
        *_combinations(_PRICE, {"price": _money(_ZEROS + _POSITIVE)}),
        *_combinations(
            _LISTING,
            {
                "offer_price": [_LEFT_OUT, None, *_money(["0", "17"])],
                "amount_raised": [_LEFT_OUT, None, *_money(["0.00", "4720000000"])],
            },
        ),
        *_combinations(
            {**_RAISE, "amount": _money(["42500000000"])[0]},
            {"price_per_share": [_LEFT_OUT, None, *_money(["0", "53.25"])]},
        ),
        *_combinations(_RAISE, {"amount": _money(["0", "0.000000", "42500000000"])}),
    ],
    "stake_range": _combinations(
        {**_DEAL, "price": _money(["1500000000"])[0]},
        {"stake_percent": [_LEFT_OUT, None, "0", "0.0", "0.0000", "0.0001", "50", "100", "100.0", "100.01", "150"]},
    )
    + _combinations(_DEAL, {"price": _money(["0", "1"])}),
    "units_or_revenue": _combinations(
        _SALES,
        {
            "units": [_LEFT_OUT, None, {"value": 1}],
            "revenue": [_LEFT_OUT, None, {"amount": "5", "currency": "CNY"}],
        },
    ),
    "target": _combinations(
        _PLAN,
        {
            "metric": [_LEFT_OUT, None, "revenue", "units_sold", "units_produced", "units_delivered"],
            "target": [
                _LEFT_OUT,
                None,
                {"value": "5"},
                {"value": "5", "currency": None},
                {"value": "5", "currency": "CNY"},
            ],
        },
    ),
    "period_or_window": _combinations(
        {"type": "orders_reported", "sources": SOURCES, "company_id": "xiaomi", "count": {"value": 1}},
        {
            "period": [_LEFT_OUT, None, "2025"],
            "window": [_LEFT_OUT, None, {"length": 18, "unit": "hours", "starting_on": "2025-06-26"}],
        },
    ),
    "empty_attribution": [
        {**_SALES, "units": {"value": 1}, "attributed_to": attribution}
        for attribution in _combinations(
            {},
            {
                "person_id": [_LEFT_OUT, None, "lei-jun"],
                "company_id": [_LEFT_OUT, None, "xiaomi"],
                "group": [_LEFT_OUT, None, "analysts"],
            },
        )
    ],
    "empty_previous_meeting": [
        {**_MEETING, "previous_meeting": previous}
        for previous in _combinations(
            {},
            {
                "occurred_on": [_LEFT_OUT, None, "2018"],
                "years_before": [_LEFT_OUT, None, 7],
                "description": [_LEFT_OUT, None, "the first in seven years"],
            },
        )
    ],
}


@pytest.mark.parametrize("rules", list(BODIES))
def test_the_schema_takes_a_body_exactly_when_the_server_does(rules: str) -> None:
    verdicts = [(_valid_by_the_schema("Event", body), _taken_by_the_server(body), body) for body in BODIES[rules]]

    assert [body for schema, server, body in verdicts if schema != server] == []
    assert {server for _, server, _ in verdicts} == {True, False}  # the table has both kinds


def test_every_rule_json_schema_can_state_is_in_the_schema() -> None:
    codes = {rule.code for rule in stated()}
    assert codes == {
        "units_or_revenue",
        "target_needs_metric",
        "target_currency",
        "empty_attribution",
        "empty_previous_meeting",
        "period_or_window",
        "not_positive",
        "stake_range",
        "identifier_format",
        "identifier_needs",
        "empty_update",
    }
    assert "allOf" in DOC["components"]["schemas"]["SalesReported"]
    assert "allOf" in DOC["components"]["schemas"]["PlanAnnounced"]


def test_the_sales_rule_keeps_the_form_sdk_generators_read() -> None:
    """An ``anyOf`` of ``required`` at the top of a component made generators build union types: it is in the allOf."""
    sales = DOC["components"]["schemas"]["SalesReported"]
    assert "anyOf" not in sales
    assert [list(branch["required"]) for branch in sales["allOf"][0]["anyOf"]] == [["units"], ["revenue"]]


def test_the_rules_the_schema_cannot_state_are_listed_with_their_codes_on_every_append() -> None:
    unsaid = {rule.code for _, rule in unstated()}
    assert unsaid == {
        "own_parent",
        "same_company",
        "distinct_participants",
        "repeated_measure",
        "target_currency",
        "own_acquisition",
        "seller_is_party",
        "check_digit",
    }
    appends = [  # the operations that take events (the subscriptions' bodies take settings and event ids)
        op
        for path in DOC["paths"].values()
        for op in path.values()
        if isinstance(op, dict) and "requestBody" in op and op.get("tags") == ["events"]
    ]
    assert len(appends) == 3
    for operation in appends:
        for code in unsaid:
            assert f"`{code}`" in operation["description"], operation["operationId"]


def test_the_catalogue_shows_the_rules_of_a_type() -> None:
    from api.http.routes.catalogue import Catalogue

    schema = Catalogue().by_type["sales_reported"].json_schema
    assert [branch["required"] for branch in schema["$defs"]["SalesReported"]["allOf"][0]["anyOf"]] == [
        ["units"],
        ["revenue"],
    ]
