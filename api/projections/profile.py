"""Profile read model: the latest registration, parent and subsidiaries, executives, products, listings."""

from __future__ import annotations

from api.projections import deals, listings
from api.projections.claims import claim_fields, resolve, same_words
from api.projections.company_rows import CompanyRows
from api.projections.facts import fact_fields
from api.projections.registry import Projection
from api.projections.row import Row
from schema.codec import encode
from schema.dossiers import CompanyRef, Executive, ExecutiveClaim, Product, Profile
from schema.events import CompanyRegistered, ExecutiveReported, ProductLaunched, StoredEvent

__all__ = ["PROJECTION", "build", "executives", "referenced", "rows", "search_text"]


def search_text(event: CompanyRegistered) -> str:
    """What ``q`` matches: name and aliases, lower-cased, one per line."""
    return "\n".join([event.name, *event.aliases]).lower()


def rows(stored: StoredEvent) -> list[Row]:
    event = stored.event
    position = stored.position
    match event:
        case CompanyRegistered():
            result = [Row("registration", event.company_id, position, event.country, search_text(event), encode(event))]
            if event.parent_id is not None:
                result.append(Row("subsidiary", event.parent_id, position, event.company_id, "", b""))
            return result
        case ExecutiveReported():
            item = Executive(**fact_fields(stored), person_id=event.person_id, name=event.name, role=event.role)
            return [Row("executive", event.company_id, position, event.person_id, "", encode(item))]
        case ProductLaunched():
            product = Product(
                **fact_fields(stored),
                product=event.product,
                category=event.category,
                launched_on=event.launched_on,
            )
            return [Row("product", event.company_id, position, event.product, event.launched_on, encode(product))]
        case _:
            return []


def referenced(data: CompanyRows) -> set[str]:
    """Companies whose registration the profile needs: the candidates for subsidiaries, and the parent and
    subsidiaries by completed acquisitions."""
    return {row.key for row in data.rows if row.view == "subsidiary"} | deals.referenced(data)


def executives(data: CompanyRows) -> list[Executive]:
    """One item per person, resolved by the claim rule; claims disagree on the role (case and spacing aside)."""
    return resolve(
        sorted(data.facts("executive", Executive), key=lambda e: e.position),
        lambda e: e.person_id,
        lambda a, b: same_words(a.role, b.role),
        lambda e: ExecutiveClaim(**claim_fields(e), name=e.name, role=e.role),
    )


def build(data: CompanyRows, registrations: dict[str, CompanyRegistered]) -> Profile:
    """The profile; a completed majority acquisition in effect at the read's point makes its acquirer the
    parent (the latest such, over the registration's parent) and moves the target between subsidiaries."""
    own = registrations[data.company_id]
    acquired_by = deals.ownership(data, "owned_by")
    parent_id = acquired_by[-1].acquirer_company_id if acquired_by else own.parent_id
    parent = None
    if parent_id is not None:
        parent = CompanyRef(parent_id, registrations[parent_id].name if parent_id in registrations else parent_id)
    subsidiaries = sorted(
        (
            CompanyRef(child, registrations[child].name if child in registrations else child)
            for child in deals.subsidiaries(
                data,
                {
                    child: 0
                    for child in referenced(data)
                    if child in registrations and registrations[child].parent_id == data.company_id
                },
            )
        ),
        key=lambda ref: ref.company_id,
    )
    return Profile(
        company_id=own.company_id,
        name=own.name,
        aliases=list(own.aliases),
        country=own.country,
        sectors=list(own.sectors),
        parent=parent,
        subsidiaries=subsidiaries,
        executives=executives(data),
        products=sorted(data.facts("product", Product), key=lambda p: (p.launched_on, p.position)),
        listings=listings.listings(data),
    )


PROJECTION = Projection(
    "profile",
    writes=("registration", "subsidiary", "executive", "product"),
    fold=lambda stored, _, __: rows(stored),
    handles=(CompanyRegistered, ExecutiveReported, ProductLaunched),
    version=3,  # 2: facts carry attributed_to; 3: and their note
)
