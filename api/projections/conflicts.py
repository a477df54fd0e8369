"""Conflicts read model: the facts of a company whose claims disagree, with the claim the rule chose."""

from __future__ import annotations

from collections.abc import Iterable

from api.projections import (
    deals,
    deliveries,
    listings,
    orders,
    plans,
    prices,
    production,
    profile,
    relationships,
    results,
    sales,
    target_revisions,
)
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
    "results": results.VIEW,
    "orders": orders.VIEW,
    "deliveries": deliveries.VIEW,
    "production": production.VIEW,
    "target_revision": target_revisions.VIEW,
    "price": "price",
    "listing": "listing",
    "capital_raise": "capital",
    "deal": "deal",
}
"""Each kind of fact that can be disputed, and the view its reports are stored in."""

VIEWS = tuple(dict.fromkeys([*KINDS.values(), *plans.VIEWS]))
"""The views of every kind, and those plans are judged with."""


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
    if "results" in wanted:
        found += [
            Conflict(company_id=company, kind="results", latest_position=_latest(f.claims), results=f)
            for f in results.figures(data)
            if f.disputed
        ]
    if "orders" in wanted:
        found += [
            Conflict(company_id=company, kind="orders", latest_position=_latest(f.claims), orders=f)
            for f in orders.figures(data)
            if f.disputed
        ]
    if "deliveries" in wanted:
        found += [
            Conflict(company_id=company, kind="deliveries", latest_position=_latest(f.claims), deliveries=f)
            for f in deliveries.figures(data)
            if f.disputed
        ]
    if "production" in wanted:
        found += [
            Conflict(company_id=company, kind="production", latest_position=_latest(f.claims), production=f)
            for f in production.figures(data)
            if f.disputed
        ]
    if "target_revision" in wanted:
        found += [
            Conflict(company_id=company, kind="target_revision", latest_position=_latest(r.claims), target_revision=r)
            for r in target_revisions.resolved(data)
            if r.disputed
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
    if "deal" in wanted:
        found += [
            Conflict(company_id=company, kind="deal", latest_position=_latest(d.claims), deal=d)
            for d in deals.deals(data)
            if d.disputed
        ]
    return found


def build(data: CompanyRows) -> Conflicts:
    return Conflicts(company_id=data.company_id, version=data.version, items=disputes(data), **data.known())


READ_MODEL = ReadModel("conflicts", reads=VIEWS)
