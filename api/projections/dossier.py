"""The dossier: one company's profile and the headline of every other read model."""

from __future__ import annotations

from api.projections import deals, identity, listings, periods, plans, prices, profile, results, sales
from api.projections.company_rows import CompanyRows
from api.projections.registry import ReadModel
from schema.dossiers import Counterparty, Dossier, MarketPosition, MeetingItem, Relationship
from schema.events import CompanyRegistered

__all__ = ["READ_MODEL", "VIEWS", "build", "referenced"]

VIEWS = (
    "subsidiary", "executive", "product", "meeting", *plans.VIEWS, results.VIEW, "relationship", "market", "price",
    "listing", "capital", *deals.VIEWS, *identity.VIEWS,
)  # fmt: skip
"""What the dossier reads; its counts come from the timeline without fetching it."""


def _counterparties(data: CompanyRows) -> dict[str, list[str]]:
    """The companies the dossier's meetings, relationships and markets name, with how each is linked."""
    links: dict[str, list[str]] = {}
    for meeting in data.items("meeting", MeetingItem):
        for company in meeting.counterparties:
            links.setdefault(company, []).append(meeting.kind)
    for rel in data.items("relationship", Relationship):
        links.setdefault(rel.counterparty, []).append(rel.kind)
    for market in data.items("market", MarketPosition):
        for company in market.peers:
            links.setdefault(company, []).append("market")
    return links


def referenced(data: CompanyRows) -> set[str]:
    """Companies whose names or registrations the dossier needs."""
    return profile.referenced(data) | set(data.once(_counterparties))


def build(data: CompanyRows, registrations: dict[str, CompanyRegistered]) -> Dossier:
    figures = sales.figures(data)
    open_plans = [p for p in plans.build(data).items if p.status in ("pending", "unknown")]
    counterparties = [
        Counterparty(
            company_id=company,
            name=registrations[company].name if company in registrations else company,
            via=sorted(set(via)),
        )
        for company, via in sorted(data.once(_counterparties).items())
    ]
    return Dossier(
        company_id=data.company_id,
        version=data.version,
        last_position=data.last_position,
        profile=profile.build(data, registrations),
        counts=dict(sorted(data.counts.items())),
        latest_sales=periods.latest(figures),
        latest_results=periods.latest(results.figures(data)),
        open_plans=open_plans,
        counterparties=counterparties,
        latest_prices=prices.latest(prices.prices(data)),
        capital_raised=listings.capital_raised(data),
        pending_deals=deals.pending(data),
        **data.known(),
    )


READ_MODEL = ReadModel("dossier", reads=VIEWS, referenced=referenced, counts=True)
