"""``company_refs`` names every company id an event carries: the planner checks each is registered."""

from __future__ import annotations

import re
import typing
from typing import Any

import msgspec
from msgspec import inspect

from schema.base import CompanyId
from schema.events import Event
from tests.factories import (
    acquisition_announced,
    acquisition_completed,
    acquisition_terminated,
    capital_raised,
    company_registered,
    company_renamed,
    deliveries_reported,
    event_retracted,
    evidence_added,
    executive_appointed,
    executive_departed,
    executive_reported,
    identifier_added,
    listing_completed,
    market_position_reported,
    meeting_held,
    new_id,
    orders_reported,
    plan_announced,
    price_announced,
    product_launched,
    production_reported,
    profile_updated,
    relationship_reported,
    results_reported,
    sales_reported,
    site_visited,
    target_revised,
)

_COMPANY_ID = inspect.type_info(CompanyId)


def _company_id_paths(info: Any, path: str = "") -> set[str]:
    """Where the type holds a CompanyId, as ``a.b[].c`` (list positions as ``[]``)."""
    if isinstance(info, inspect.Metadata):
        return {path} if info == _COMPANY_ID else _company_id_paths(info.type, path)
    if isinstance(info, inspect.StructType):
        return {p for f in info.fields for p in _company_id_paths(f.type, f"{path}.{f.encode_name}".lstrip("."))}
    if isinstance(info, inspect.ListType):
        return _company_id_paths(info.item_type, f"{path}[]")
    if isinstance(info, inspect.UnionType):
        return {p for t in info.types for p in _company_id_paths(t, path)}
    return set()


def _one_of_each() -> list[Any]:
    return [
        company_registered("xiaomi", parent_id="xiaomi-group"),
        executive_reported("xiaomi", "lei-jun"),
        meeting_held("xiaomi", "byd"),
        site_visited("xiaomi", "byd"),
        product_launched("xiaomi", "SU7"),
        price_announced("xiaomi", "SU7", "215900"),
        listing_completed("xiaomi", "HKEX", "1810"),
        capital_raised("xiaomi", "42500000000"),
        sales_reported("xiaomi", "2024", units=1),
        plan_announced("xiaomi", "deliveries-2025", due="2025"),
        relationship_reported("samsung", "xiaomi"),
        market_position_reported("xiaomi", "byd"),
        results_reported("xiaomi", "2025-Q3", revenue="1"),
        orders_reported("xiaomi", 1, hours=18),
        deliveries_reported("xiaomi", "2025", 1),
        production_reported("xiaomi", "2025", 1),
        target_revised("xiaomi", "deliveries-2025", "1"),
        acquisition_announced("samsung", "flaktgroup", "triton", price="1500000000"),
        acquisition_completed("samsung", "flaktgroup", "triton", announcement_id=new_id()),
        acquisition_terminated(new_id()),
        executive_appointed("xiaomi", "lu-weibing", "President", "2023-01", replaces="lei-jun"),
        executive_departed("xiaomi", "lu-weibing", "President", "2025-01"),
        identifier_added("xiaomi", "ticker", "1810", exchange="HKEX"),
        company_renamed("xiaomi", "Xiaomi Corporation", "2018"),
        profile_updated("xiaomi", sectors_added=["cars"]),
        evidence_added(new_id()),
        event_retracted(new_id()),
    ]


def test_every_company_id_field_of_every_event_type_is_named() -> None:
    events = _one_of_each()
    assert {type(e) for e in events} == set(typing.get_args(Event)), "one event of every type"
    for event in events:
        # An attribution may name a company Tidings does not follow (an analyst firm): it is
        # neither checked nor touched, so it is the one CompanyId field company_refs leaves out.
        declared = _company_id_paths(inspect.type_info(type(event))) - {"attributed_to.company_id"}
        named = {re.sub(r"\[\d+\]", "[]", path) for path, _ in event.company_refs()}
        assert named == declared, type(event).__name__
        values = msgspec.to_builtins(event)
        for path, company in event.company_refs():
            value: Any = values
            for part in re.findall(r"[^.\[\]]+|\[\d+\]", path):
                value = value[int(part[1:-1])] if part.startswith("[") else value[part]
            assert value == company, f"{type(event).__name__}: {path}"
