"""Profile read model: the latest registration as renames and updates changed it, parent and subsidiaries,
executives with their tenures, products, listings and identifiers."""

from __future__ import annotations

from api.projections import deals, identity, listings, tenures
from api.projections.company_rows import CompanyRows
from api.projections.facts import fact_fields
from api.projections.registry import Projection
from api.projections.row import Row
from schema.codec import encode
from schema.dossiers import CompanyRef, Executive, Product, Profile
from schema.events import (
    CompanyRegistered,
    ExecutiveAppointed,
    ExecutiveDeparted,
    ExecutiveReported,
    ProductLaunched,
    StoredEvent,
)
from schema.people import RoleReport

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
        case ExecutiveReported() | ExecutiveAppointed() | ExecutiveDeparted():
            # Dated reports sort apart from undated ones: only undated roles can dispute one another.
            return [
                Row(
                    "executive",
                    r.company_id,
                    position,
                    r.person_id,
                    "" if r.effective_on is None else "dated",
                    encode(r),
                )
                for r in tenures.reports(stored)
            ]
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
    return {row.key for row in data.of("subsidiary")} | deals.referenced(data)


def executives(data: CompanyRows) -> list[Executive]:
    """One item per person: undated roles resolved by the claim rule (claims disagree on the role, case and
    spacing aside), dated ones by effective date as of the read's day (api.projections.tenures)."""
    groups: dict[str, list[RoleReport]] = {}
    for report in sorted(data.facts("executive", RoleReport), key=lambda r: r.position):
        groups.setdefault(report.person_id, []).append(report)
    on = data.at_time.date().isoformat()
    found = (tenures.executive_fields(group, on) for group in groups.values())
    return [Executive(**fields) for fields in found if fields is not None]


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
    current = identity.current(data, own)
    return Profile(
        company_id=own.company_id,
        name=current.name,
        aliases=current.aliases,
        country=current.country,
        sectors=current.sectors,
        parent=parent,
        subsidiaries=subsidiaries,
        executives=executives(data),
        products=sorted(data.facts("product", Product), key=lambda p: (p.launched_on, p.position)),
        listings=listings.listings(data),
        identifiers=current.identifiers,
        former_names=current.former_names,
    )


PROJECTION = Projection(
    "profile",
    writes=("registration", "subsidiary", "executive", "product"),
    fold=lambda stored, _, __: rows(stored),
    handles=(CompanyRegistered, ExecutiveReported, ExecutiveAppointed, ExecutiveDeparted, ProductLaunched),
    version=4,  # 2: facts carry attributed_to; 3: and their note; 4: executives are role reports (dated or not)
)
