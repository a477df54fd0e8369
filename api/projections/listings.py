"""Listings and capital raised: where a company's shares trade, and the money it raised over time.

Both are parts of the dossier (listings in its profile, raises beside its latest sales); they have
no read model of their own.
"""

from __future__ import annotations

from decimal import Decimal

from api.projections.claims import claim_fields, resolve, same_words, values_agree
from api.projections.company_rows import CompanyRows
from api.projections.facts import fact_fields
from api.projections.registry import Projection
from api.projections.row import Row
from schema.base import Money
from schema.codec import encode
from schema.dossiers import CapitalRaise, CapitalRaiseClaim, Listing, ListingClaim
from schema.events import CapitalRaised, ListingCompleted, StoredEvent

__all__ = ["PROJECTION", "capital_raised", "listings", "rows"]


def rows(stored: StoredEvent) -> list[Row]:
    event = stored.event
    position = stored.position
    match event:
        case ListingCompleted():
            listing = Listing(
                **fact_fields(stored),
                exchange=event.exchange,
                ticker=event.ticker,
                listed_on=event.listed_on,
                offer_price=event.offer_price,
                shares_offered=event.shares_offered,
                amount_raised=event.amount_raised,
            )
            return [Row("listing", event.company_id, position, event.exchange, event.listed_on, encode(listing))]
        case CapitalRaised():
            raise_ = CapitalRaise(
                **fact_fields(stored),
                kind=event.kind,
                raised_on=event.raised_on,
                amount=event.amount,
                shares=event.shares,
                price_per_share=event.price_per_share,
            )
            return [Row("capital", event.company_id, position, event.kind, event.raised_on, encode(raise_))]
        case _:
            return []


def money_agrees(a: Money | None, b: Money | None) -> bool:
    """Two amounts a pair of reports give agree; one left out disagrees with nothing, another currency neither."""
    if a is None or b is None or a.currency != b.currency:
        return True
    return values_agree(Decimal(a.amount), Decimal(b.amount), approximate=a.approximate or b.approximate)


def _listings_agree(a: Listing, b: Listing) -> bool:
    shares_agree = (
        a.shares_offered is None
        or b.shares_offered is None
        or values_agree(
            Decimal(a.shares_offered.value),
            Decimal(b.shares_offered.value),
            approximate=a.shares_offered.approximate or b.shares_offered.approximate,
        )
    )
    return (
        a.ticker.casefold() == b.ticker.casefold()
        and a.listed_on == b.listed_on
        and money_agrees(a.offer_price, b.offer_price)
        and money_agrees(a.amount_raised, b.amount_raised)
        and shares_agree
    )


def listings(data: CompanyRows) -> list[Listing]:
    """One item per exchange (named alike but for case and spacing), resolved by the claim rule; by listing date."""
    reports = sorted(data.facts("listing", Listing), key=lambda item: item.position)
    names: list[str] = []
    for report in reports:
        if not any(same_words(report.exchange, name) for name in names):
            names.append(report.exchange)
    resolved = resolve(
        reports,
        lambda item: next(index for index, name in enumerate(names) if same_words(item.exchange, name)),
        _listings_agree,
        lambda item: ListingClaim(
            **claim_fields(item),
            ticker=item.ticker,
            listed_on=item.listed_on,
            offer_price=item.offer_price,
            shares_offered=item.shares_offered,
            amount_raised=item.amount_raised,
        ),
    )
    return sorted(resolved, key=lambda item: (item.listed_on, item.position))


def _raises_agree(a: CapitalRaise, b: CapitalRaise) -> bool:
    return money_agrees(a.amount, b.amount)


def capital_raised(data: CompanyRows) -> list[CapitalRaise]:
    """One item per kind, date and currency, resolved by the claim rule; by date."""
    resolved = resolve(
        sorted(data.facts("capital", CapitalRaise), key=lambda item: item.position),
        lambda item: (item.kind, item.raised_on, item.amount.currency),
        _raises_agree,
        lambda item: CapitalRaiseClaim(
            **claim_fields(item), amount=item.amount, shares=item.shares, price_per_share=item.price_per_share
        ),
    )
    return sorted(resolved, key=lambda item: (item.raised_on, item.position))


PROJECTION = Projection(
    "listings",
    writes=("listing", "capital"),
    fold=lambda stored, _, __: rows(stored),
    handles=(ListingCompleted, CapitalRaised),
)
