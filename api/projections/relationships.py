"""Relationships read model: suppliers, customers, partners, competitors and market positions."""

from __future__ import annotations

from api.projections.claims import claim_fields, resolve
from api.projections.company_rows import CompanyRows
from api.projections.facts import fact_fields
from api.projections.registry import Projection, ReadModel
from api.projections.row import Row
from schema.codec import encode
from schema.dossiers import MarketPosition, MarketPositionClaim, Relationship, RelationshipClaim, Relationships
from schema.events import MarketPositionReported, RelationshipReported, StoredEvent

__all__ = ["PROJECTION", "READ_MODEL", "build", "market_positions", "relationships", "rows"]


def rows(stored: StoredEvent) -> list[Row]:
    event = stored.event
    match event:
        case RelationshipReported():
            result = []
            for company, other, direction in (
                (event.from_company_id, event.to_company_id, "outgoing"),
                (event.to_company_id, event.from_company_id, "incoming"),
            ):
                item = Relationship(
                    **fact_fields(stored),
                    counterparty=other,
                    kind=event.kind,
                    direction=direction,  # type: ignore[arg-type]
                    status=event.status,
                    components=list(event.components),
                )
                result.append(Row("relationship", company, stored.position, event.kind, other, encode(item)))
            return result
        case MarketPositionReported():
            return [
                Row(
                    "market",
                    company,
                    stored.position,
                    event.market,
                    event.region,
                    encode(
                        MarketPosition(
                            **fact_fields(stored),
                            market=event.market,
                            region=event.region,
                            standing=event.position,
                            peers=[c for c in event.company_ids if c != company],
                        )
                    ),
                )
                for company in dict.fromkeys(event.company_ids)
            ]
        case _:
            return []


def _relationship_key(rel: Relationship) -> tuple[str, str, str | None]:
    # Partners and competitors are so both ways: who was named first is not part of the fact.
    return (rel.counterparty, rel.kind, rel.direction if rel.kind == "supplies" else None)


def relationships(data: CompanyRows) -> list[Relationship]:
    """One item per counterparty, kind (and direction, for supplies), resolved by the claim rule; claims disagree on status."""
    return resolve(
        sorted(data.facts("relationship", Relationship), key=lambda r: r.position),
        _relationship_key,
        lambda a, b: a.status == b.status,
        lambda r: RelationshipClaim(**claim_fields(r), status=r.status, components=r.components),
    )


def market_positions(data: CompanyRows) -> list[MarketPosition]:
    """One item per market and region, resolved by the claim rule; claims disagree on standing."""
    return resolve(
        sorted(data.facts("market", MarketPosition), key=lambda m: m.position),
        lambda m: (m.market, m.region),
        lambda a, b: a.standing == b.standing,
        lambda m: MarketPositionClaim(**claim_fields(m), standing=m.standing, peers=m.peers),
    )


def build(data: CompanyRows) -> Relationships:
    groups: dict[str, list[Relationship]] = {"suppliers": [], "customers": [], "partners": [], "competitors": []}
    for rel in relationships(data):
        if rel.kind == "supplies":
            groups["customers" if rel.direction == "outgoing" else "suppliers"].append(rel)
        else:
            groups["partners" if rel.kind == "partners_with" else "competitors"].append(rel)
    return Relationships(
        company_id=data.company_id,
        version=data.version,
        suppliers=groups["suppliers"],
        customers=groups["customers"],
        partners=groups["partners"],
        competitors=groups["competitors"],
        market_positions=market_positions(data),
        **data.known(),
    )


PROJECTION = Projection(
    "relationships",
    writes=("relationship", "market"),
    fold=lambda stored, _, __: rows(stored),
    handles=(RelationshipReported, MarketPositionReported),
    version=3,  # 2: facts carry attributed_to; 3: and their note
)


READ_MODEL = ReadModel("relationships", reads=("relationship", "market"))
