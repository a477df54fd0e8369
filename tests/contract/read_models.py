"""The read models of one company, assembled the way the HTTP routes assemble them.

Each helper asks the store for the same views the route asks for and builds the same
Struct, so the contract suite checks what a client would see without going through HTTP.
"""

from __future__ import annotations

from datetime import UTC

import msgspec

from api.projections import conflicts as conflicts_model
from api.projections import deliveries as deliveries_model
from api.projections import dossier as dossier_model
from api.projections import meetings as meetings_model
from api.projections import orders as orders_model
from api.projections import people as people_model
from api.projections import plans as plans_model
from api.projections import prices as prices_model
from api.projections import production as production_model
from api.projections import relationships as relationships_model
from api.projections import results as results_model
from api.projections import sales as sales_model
from api.projections import timeline as timeline_model
from api.projections.company_rows import CompanyRows
from api.store.base import EventStore
from api.store.readpoint import ReadPoint
from schema.dossiers import (
    Conflicts,
    Deliveries,
    Dossier,
    Meetings,
    Orders,
    Plans,
    Production,
    Products,
    Relationships,
    Results,
    SalesSeries,
    Timeline,
)
from schema.events import CompanyRegistered
from schema.people import Person

__all__ = [
    "LATEST",
    "company_ids",
    "conflicts",
    "deliveries",
    "dossier",
    "encoded_read_models",
    "meetings",
    "orders",
    "person",
    "plans",
    "production",
    "products",
    "relationships",
    "results",
    "sales",
    "timeline",
]

LATEST = ReadPoint()


async def _rows(
    store: EventStore, model: str, company_id: str, point: ReadPoint
) -> tuple[CompanyRows, dict[str, CompanyRegistered]]:
    found = await store.read_model(model, company_id, point)
    assert found is not None, f"company {company_id} is not registered at {point}"
    return found


async def dossier(store: EventStore, company_id: str, point: ReadPoint = LATEST) -> Dossier:
    data, registrations = await _rows(store, "dossier", company_id, point)
    return dossier_model.build(data, registrations)


async def timeline(store: EventStore, company_id: str, point: ReadPoint = LATEST) -> Timeline:
    data, _ = await _rows(store, "timeline", company_id, point)
    return timeline_model.build(data, limit=1000)


async def meetings(store: EventStore, company_id: str, point: ReadPoint = LATEST) -> Meetings:
    data, _ = await _rows(store, "meetings", company_id, point)
    return meetings_model.build(data)


async def sales(store: EventStore, company_id: str, point: ReadPoint = LATEST) -> SalesSeries:
    data, _ = await _rows(store, "sales", company_id, point)
    return sales_model.build(data)


async def results(store: EventStore, company_id: str, point: ReadPoint = LATEST) -> Results:
    data, _ = await _rows(store, "results", company_id, point)
    return results_model.build(data)


async def orders(store: EventStore, company_id: str, point: ReadPoint = LATEST) -> Orders:
    data, _ = await _rows(store, "orders", company_id, point)
    return orders_model.build(data)


async def deliveries(store: EventStore, company_id: str, point: ReadPoint = LATEST) -> Deliveries:
    data, _ = await _rows(store, "deliveries", company_id, point)
    return deliveries_model.build(data)


async def production(store: EventStore, company_id: str, point: ReadPoint = LATEST) -> Production:
    data, _ = await _rows(store, "production", company_id, point)
    return production_model.build(data)


async def plans(store: EventStore, company_id: str, point: ReadPoint = LATEST) -> Plans:
    data, _ = await _rows(store, "plans", company_id, point)
    return plans_model.build(data)


async def products(store: EventStore, company_id: str, point: ReadPoint = LATEST) -> Products:
    data, _ = await _rows(store, "products", company_id, point)
    return prices_model.build(data)


async def relationships(store: EventStore, company_id: str, point: ReadPoint = LATEST) -> Relationships:
    data, _ = await _rows(store, "relationships", company_id, point)
    return relationships_model.build(data)


async def conflicts(store: EventStore, company_id: str, point: ReadPoint = LATEST) -> Conflicts:
    data, _ = await _rows(store, "conflicts", company_id, point)
    return conflicts_model.build(data)


async def person(store: EventStore, person_id: str, point: ReadPoint = LATEST) -> Person:
    found = await store.person(person_id, point)
    assert found is not None, f"no fact names {person_id} at {point}"
    on = None if point.as_of is None else point.as_of.astimezone(UTC).date().isoformat()
    return people_model.build(person_id, *found, on)


async def company_ids(store: EventStore, point: ReadPoint = LATEST) -> list[str]:
    found, _ = await store.companies(point, q=None, country=None, cursor=None, limit=1000)
    return [registration.company_id for registration, _, _ in found]


async def encoded_read_models(store: EventStore, point: ReadPoint = LATEST) -> dict[str, bytes]:
    """Every read model of every company registered at ``point``, as JSON bytes, keyed by name."""
    found, more = await store.companies(point, q=None, country=None, cursor=None, limit=1000)
    assert not more, "more than 1000 companies: page through them"
    encoded = {"companies": msgspec.json.encode(found)}
    for registration, _, _ in found:
        company = registration.company_id
        for name, build in (
            ("dossier", dossier),
            ("timeline", timeline),
            ("meetings", meetings),
            ("sales", sales),
            ("results", results),
            ("orders", orders),
            ("deliveries", deliveries),
            ("production", production),
            ("plans", plans),
            ("products", products),
            ("relationships", relationships),
            ("conflicts", conflicts),
        ):
            encoded[f"{company}/{name}"] = msgspec.json.encode(await build(store, company, point))
    found_people, more = await store.people(point, q=None, company=None, cursor=None, limit=1000)
    assert not more, "more than 1000 people: page through them"
    encoded["people"] = msgspec.json.encode([people_model.summary(p, rows) for p, rows in found_people])
    for person_id, _ in found_people:
        encoded[f"people/{person_id}"] = msgspec.json.encode(await person(store, person_id, point))
    return encoded
