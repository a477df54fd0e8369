"""Conflicts read model: the facts of a company whose claims disagree, with the claim the rule chose."""

from __future__ import annotations

from collections.abc import Iterable

from api.projections import listings, plans, prices, profile, relationships, sales
from api.projections.company_rows import CompanyRows
from api.projections.registry import ReadModel
from schema.dossiers import Claim, Conflict, ConflictKind, Conflicts

__all__ = ["KINDS", "READ_MODEL", "VIEWS", "build", "disputes"]

KINDS: dict[ConflictKind, str] = {
    "sales": "sales",
    "plan": "plan",
    "relationship": "relationship",
    "executive": "executive",
    "market_position": "market",
    "price": "price",
    "listing": "listing",
    "capital_raise": "capital",
}
"""Each kind of fact that can be disputed, and the view its reports are stored in."""

VIEWS = tuple(KINDS.values())


def _latest(claims: Iterable[Claim]) -> int:
    return max(claim.position for claim in claims)


def disputes(data: CompanyRows, kinds: Iterable[ConflictKind] = KINDS) -> list[Conflict]:
    """The company's disputed facts of the given kinds, kind by kind in the order of ``KINDS``."""
    wanted = set(kinds)
    company = data.company_id
    found: list[Conflict] = []
    if "sales" in wanted:
        found += [
            Conflict(company_id=company, kind="sales", latest_position=_latest(f.claims), sales=f)
            for f in sales.figures(data)
            if f.disputed
        ]
    if "plan" in wanted:
        found += [
            Conflict(company_id=company, kind="plan", latest_position=_latest(p.claims), plan=p)
            for p in plans.resolved(data)
            if p.decided_by not in ("single", "agreement")
        ]
    if "relationship" in wanted:
        found += [
            Conflict(company_id=company, kind="relationship", latest_position=_latest(r.claims), relationship=r)
            for r in relationships.relationships(data)
            if r.disputed
        ]
    if "executive" in wanted:
        found += [
            Conflict(company_id=company, kind="executive", latest_position=_latest(e.claims), executive=e)
            for e in profile.executives(data)
            if e.disputed
        ]
    if "market_position" in wanted:
        found += [
            Conflict(company_id=company, kind="market_position", latest_position=_latest(m.claims), market_position=m)
            for m in relationships.market_positions(data)
            if m.disputed
        ]
    if "price" in wanted:
        found += [
            Conflict(company_id=company, kind="price", latest_position=_latest(p.claims), price=p)
            for p in prices.prices(data)
            if p.disputed
        ]
    if "listing" in wanted:
        found += [
            Conflict(company_id=company, kind="listing", latest_position=_latest(item.claims), listing=item)
            for item in listings.listings(data)
            if item.disputed
        ]
    if "capital_raise" in wanted:
        found += [
            Conflict(company_id=company, kind="capital_raise", latest_position=_latest(c.claims), capital_raise=c)
            for c in listings.capital_raised(data)
            if c.disputed
        ]
    return found


def build(data: CompanyRows) -> Conflicts:
    return Conflicts(company_id=data.company_id, version=data.version, items=disputes(data), **data.known())


READ_MODEL = ReadModel("conflicts", reads=VIEWS)
