"""Events of a company on its markets: product prices, stock-market listings and capital raised."""

from __future__ import annotations

from typing import ClassVar, Literal

from schema.base import (
    CompanyId,
    Count,
    Money,
    Name,
    PartialDate,
    Ticker,
)
from schema.event_base import EventBase, positive
from schema.rules import Ruled

__all__ = ["CapitalRaised", "ListingCompleted", "PriceAnnounced"]


class PriceAnnounced(Ruled, EventBase, frozen=True, kw_only=True, tag="price_announced"):
    """A company announced the price of a product (or one variant of it) in a market.

    ``from_price`` marks a price the news gives as the lowest of a range ("from CNY 215,900"): the
    entry price of the cheapest configuration. A later price for the same product, variant and market
    is a price change, not a dispute: prices are kept per date."""

    summary: ClassVar[str] = "A product's price in a market"
    names = ("company_id",)
    dated_by = "announced_on"

    company_id: CompanyId
    product: Name
    """The product as its launch names it (``product_launched``), so the two are shown together."""
    variant: Name | None = None
    """The version, trim or configuration the price is for ("Standard", "Pro", "Max"); null: the product as such."""
    market: Name
    """Where the price applies, as the news names it: a country or region ("China", "Europe")."""
    price: Money
    from_price: bool = False
    """True when the price is the lowest of a range ("from CNY 215,900")."""
    announced_on: PartialDate
    """When the price was announced (or took effect, where the news says only that)."""

    rules = (positive("price", "a price", required=True),)


class ListingCompleted(Ruled, EventBase, frozen=True, kw_only=True, tag="listing_completed"):
    """A company's shares began trading on an exchange (an IPO, or a second listing)."""

    summary: ClassVar[str] = "A stock-market listing with its exchange and ticker"
    names = ("company_id",)
    dated_by = "listed_on"

    company_id: CompanyId
    exchange: Name
    """The exchange as the news names it, such as HKEX or Hong Kong Stock Exchange."""
    ticker: Ticker
    listed_on: PartialDate
    """The first day of trading."""
    offer_price: Money | None = None
    """The price per share of the offering, where there was one."""
    shares_offered: Count | None = None
    """How many shares the offering sold, where the news says."""
    amount_raised: Money | None = None
    """What the offering raised, as the news gives it (gross unless the note says otherwise)."""

    rules = (
        positive("offer_price", "an offer price", required=False),
        positive("amount_raised", "an amount raised", required=False),
    )


class CapitalRaised(Ruled, EventBase, frozen=True, kw_only=True, tag="capital_raised"):
    """A company raised money: a share placement, a rights issue, a bond, a funding round."""

    summary: ClassVar[str] = "Money a company raised, how and when"
    names = ("company_id",)
    dated_by = "raised_on"

    company_id: CompanyId
    kind: Literal[
        "share_placement",
        "rights_issue",
        "public_offering",
        "private_round",
        "bonds",
        "convertible_bonds",
        "loan",
        "other",
    ]
    raised_on: PartialDate
    """When the raise was completed (or priced, where the news says only that)."""
    amount: Money
    """What it raised, as the news gives it (gross unless the note says otherwise)."""
    shares: Count | None = None
    """How many shares it issued or placed, where the news says."""
    price_per_share: Money | None = None

    rules = (
        positive("amount", "an amount raised", required=True),
        positive("price_per_share", "a price per share", required=False),
    )
