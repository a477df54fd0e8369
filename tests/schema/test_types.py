"""The types are the spec: what decodes, what is refused, and that stored tags never drift."""

from __future__ import annotations

from typing import get_args

import msgspec
import pytest

from api.seeds import seed_events
from schema.events import EVENT_TYPES, Event, EventType

decode = msgspec.json.Decoder(Event).decode
SOURCE = {"title": "A report", "publisher": "A paper", "language": "de"}


def sales(**fields: object) -> bytes:
    body = {"type": "sales_reported", "company_id": "xiaomi", "period": "2024", "units": {"value": 1}}
    return msgspec.json.encode({**body, "sources": [SOURCE], **fields})


def test_event_type_literal_lists_exactly_the_union_tags() -> None:
    assert set(get_args(EventType)) == set(EVENT_TYPES)
    assert len(EVENT_TYPES) == 27


def test_stored_tags_are_the_documented_ones() -> None:
    assert sorted(EVENT_TYPES) == sorted(
        [
            "company_registered",
            "executive_reported",
            "meeting_held",
            "site_visited",
            "product_launched",
            "sales_reported",
            "plan_announced",
            "relationship_reported",
            "market_position_reported",
            "results_reported",
            "orders_reported",
            "deliveries_reported",
            "production_reported",
            "target_revised",
            "price_announced",
            "listing_completed",
            "capital_raised",
            "acquisition_announced",
            "acquisition_completed",
            "acquisition_terminated",
            "executive_appointed",
            "executive_departed",
            "identifier_added",
            "company_renamed",
            "profile_updated",
            "evidence_added",
            "event_retracted",
        ]
    )


def test_every_seed_event_round_trips_through_its_json() -> None:
    events = seed_events()
    # No production figure of the seeded companies is reported with the certainty a seed needs (yet).
    unseeded = {EVENT_TYPES["event_retracted"], EVENT_TYPES["production_reported"]}
    assert {type(e) for e in events} >= set(EVENT_TYPES.values()) - unseeded
    for event in events:
        assert decode(msgspec.json.encode(event)) == event


@pytest.mark.parametrize("day", ["2024-02-29", "2000-02-29", "2025-03-22", "2025", "2025-12", "2025-04-30"])
def test_real_partial_dates_decode(day: str) -> None:
    decode(
        msgspec.json.encode(
            {
                "type": "product_launched",
                "company_id": "x",
                "product": "p",
                "category": "c",
                "launched_on": day,
                "sources": [SOURCE],
            }
        )
    )


@pytest.mark.parametrize(
    "day", ["2025-02-29", "1900-02-29", "2025-04-31", "2025-13", "2025-00", "25", "2025-1-1", "２０２５"]
)
def test_impossible_dates_are_refused(day: str) -> None:
    with pytest.raises(msgspec.ValidationError, match="launched_on"):
        decode(
            msgspec.json.encode(
                {
                    "type": "product_launched",
                    "company_id": "x",
                    "product": "p",
                    "category": "c",
                    "launched_on": day,
                    "sources": [SOURCE],
                }
            )
        )


@pytest.mark.parametrize(
    ("fields", "where"),
    [
        ({"period": "2024-Q5"}, "period"),
        ({"company_id": "Xiaomi"}, "company_id"),
        ({"company_id": "a--b"}, "company_id"),
        ({"company_id": "x" * 65}, "company_id"),
        ({"units": {"value": -1}}, "units.value"),
        ({"units": {"value": 2**53}}, "units.value"),
        ({"revenue": {"amount": "1.1234567", "currency": "USD"}}, "revenue.amount"),
        ({"revenue": {"amount": "01", "currency": "USD"}}, "revenue.amount"),
        ({"revenue": {"amount": "1", "currency": "usd"}}, "revenue.currency"),
        ({"sources": []}, "sources"),
        ({"sources": [SOURCE] * 21}, "sources"),
        ({"note": "x" * 2001}, "note"),
        ({"note": "nul\u0000"}, "note"),
        ({"position": 3}, "position"),
        ({"certainty": "sure"}, "certainty"),
    ],
)
def test_invalid_fields_are_refused_naming_the_field(fields: dict[str, object], where: str) -> None:
    with pytest.raises(msgspec.ValidationError) as error:
        decode(sales(**fields))
    assert where.split(".")[-1] in str(error.value) or where in str(error.value)


def test_sales_needs_units_or_revenue() -> None:
    body = msgspec.json.encode({"type": "sales_reported", "company_id": "x", "period": "2024", "sources": [SOURCE]})
    with pytest.raises(msgspec.ValidationError, match="units or revenue"):
        decode(body)


def test_a_meeting_needs_two_distinct_parties() -> None:
    body = {
        "type": "meeting_held",
        "occurred_on": "2025",
        "location": {"country": "CN"},
        "participants": [{"company_id": "x"}, {"company_id": "x"}],
        "sources": [SOURCE],
    }
    with pytest.raises(msgspec.ValidationError, match="two distinct"):
        decode(msgspec.json.encode(body))
    body["participants"] = [{"company_id": "x", "person_id": "a"}, {"company_id": "x", "person_id": "b"}]
    decode(msgspec.json.encode(body))


def test_a_revenue_target_needs_a_currency() -> None:
    plan = {
        "type": "plan_announced",
        "plan_id": "p",
        "company_id": "x",
        "kind": "other",
        "description": "d",
        "metric": "revenue",
        "target": {"value": "10"},
        "due": "2026",
        "sources": [SOURCE],
    }
    with pytest.raises(msgspec.ValidationError, match="currency"):
        decode(msgspec.json.encode(plan))


def _figures(type_: str, **fields: object) -> bytes:
    body = {"type": type_, "company_id": "xiaomi", "sources": [SOURCE]}
    return msgspec.json.encode({**body, **fields})


def test_a_count_needs_a_period_or_a_window() -> None:
    window = {"length": 18, "unit": "hours", "starting_on": "2025-06-26"}
    decode(_figures("orders_reported", count={"value": 240000}, window=window))
    decode(_figures("deliveries_reported", count={"value": 81302}, period="2025-Q2"))
    decode(_figures("production_reported", count={"value": 1}, period="2025-06", window=window))
    for fields in ({}, {"period": None, "window": None}):
        with pytest.raises(msgspec.ValidationError, match="period: a count needs a period, a window, or both"):
            decode(_figures("orders_reported", count={"value": 1}, **fields))


def test_results_take_losses_and_percentages_and_refuse_a_measure_twice() -> None:
    loss = {"measure": "net_income", "value": {"amount": "-1200.5", "currency": "KRW"}, "change_yoy": "-12.5"}
    event = decode(_figures("results_reported", period="2025-Q3", status="final", measures=[loss]))
    assert event.measures[0].value.amount == "-1200.5"
    with pytest.raises(msgspec.ValidationError, match="each measure appears once per currency"):
        decode(_figures("results_reported", period="2025-Q3", status="final", measures=[loss, loss]))
    for amount in ("--1", "1.", "01", "+1"):
        bad = {**loss, "value": {"amount": amount, "currency": "KRW"}}
        with pytest.raises(msgspec.ValidationError):
            decode(_figures("results_reported", period="2025-Q3", status="final", measures=[bad]))


def test_a_plan_stored_before_targets_could_be_approximate_still_decodes_as_exact() -> None:
    old = b'{"type":"plan_announced","sources":[{"title":"t","publisher":"p","language":"de"}],"plan_id":"p",'
    old += b'"company_id":"xiaomi","kind":"production","description":"d","metric":"units_produced",'
    old += b'"target":{"value":"350000","currency":null},"due":"2025"}'
    event = decode(old)
    assert event.target is not None and (event.target.value, event.target.approximate) == ("350000", False)


def _price(amount: str) -> bytes:
    body = {
        "type": "price_announced",
        "company_id": "xiaomi",
        "product": "SU7",
        "variant": "Standard",
        "market": "China",
        "price": {"amount": amount, "currency": "CNY"},
        "from_price": True,
        "announced_on": "2024-03-28",
        "sources": [SOURCE],
    }
    return msgspec.json.encode(body)


def test_a_price_is_more_than_zero() -> None:
    assert decode(_price("215900")).price.amount == "215900"
    with pytest.raises(msgspec.ValidationError, match=r"price\.amount: a price is more than zero"):
        decode(_price("0.00"))


@pytest.mark.parametrize(
    ("ticker", "taken"),
    [
        ("1810", True),
        ("BRK.B", True),
        ("005930", True),
        ("", False),
        ("18 10", False),
        ("-1810", False),
        ("X" * 21, False),
    ],
)
def test_a_ticker_is_a_symbol_of_letters_digits_and_dots(ticker: str, taken: bool) -> None:
    body = {
        "type": "listing_completed",
        "company_id": "xiaomi",
        "exchange": "HKEX",
        "ticker": ticker,
        "listed_on": "2018-07-09",
        "sources": [SOURCE],
    }
    if taken:
        assert decode(msgspec.json.encode(body)).ticker == ticker
    else:
        with pytest.raises(msgspec.ValidationError, match="ticker"):
            decode(msgspec.json.encode(body))


def test_capital_raised_needs_a_positive_amount_and_a_known_kind() -> None:
    body = {
        "type": "capital_raised",
        "company_id": "xiaomi",
        "kind": "share_placement",
        "raised_on": "2025-03-25",
        "amount": {"amount": "42500000000", "currency": "HKD", "approximate": True},
        "shares": {"value": 800000000},
        "price_per_share": {"amount": "53.25", "currency": "HKD"},
        "sources": [SOURCE],
    }
    assert decode(msgspec.json.encode(body)).amount.amount == "42500000000"
    with pytest.raises(msgspec.ValidationError, match=r"amount\.amount: an amount raised is more than zero"):
        decode(msgspec.json.encode({**body, "amount": {"amount": "0", "currency": "HKD"}}))
    with pytest.raises(msgspec.ValidationError, match="kind"):
        decode(msgspec.json.encode({**body, "kind": "ipo-ish"}))
