"""Read models of a company's products and markets: products with their launches and prices,
stock-market listings and capital raised."""

from __future__ import annotations

from datetime import date

from schema.base import (
    Base,
    CompanyId,
    Count,
    Money,
    PartialDate,
)
from schema.facts import Claim, Decision, Fact, Tally, Version

__all__ = [
    "CapitalRaise",
    "CapitalRaiseClaim",
    "Listing",
    "ListingClaim",
    "Price",
    "PriceClaim",
    "Product",
    "ProductLine",
    "Products",
]


class Product(Fact, frozen=True, kw_only=True):
    product: str
    category: str
    launched_on: PartialDate


class PriceClaim(Claim, frozen=True, kw_only=True):
    """One report of a price."""

    price: Money
    from_price: bool = False


class Price(Fact, frozen=True, kw_only=True):
    """A product's price in a market from a date, as the claim rule resolves the reports of it.

    Reports of one product, variant and market on the same date in the same currency are claims
    about one price (product, variant and market compared without case or spacing); they disagree
    when their amounts do (within 2 % when either is approximate). A price on another date is a
    price change, listed beside the earlier one."""

    product: str
    variant: str | None = None
    market: str
    price: Money
    from_price: bool = False
    """The lowest price of a range ("from CNY 215,900")."""
    announced_on: PartialDate
    disputed: bool = False
    """Some report gives another amount."""
    decided_by: Decision = "single"
    claims: list[PriceClaim] = []
    """Every report of this price, best first by the rule."""


class ListingClaim(Claim, frozen=True, kw_only=True):
    """One report of a listing."""

    ticker: str
    listed_on: PartialDate
    offer_price: Money | None = None
    shares_offered: Count | None = None
    amount_raised: Money | None = None


class Listing(Fact, frozen=True, kw_only=True):
    """The company's shares on an exchange, as the claim rule resolves the reports of that listing.

    Reports of a listing on one exchange (compared without case or spacing) are claims about one
    listing; they disagree on the ticker, the date, or an amount both give."""

    exchange: str
    ticker: str
    listed_on: PartialDate
    offer_price: Money | None = None
    shares_offered: Count | None = None
    amount_raised: Money | None = None
    disputed: bool = False
    decided_by: Decision = "single"
    claims: list[ListingClaim] = []
    """Every report of this listing, best first by the rule."""


class CapitalRaiseClaim(Claim, frozen=True, kw_only=True):
    """One report of money raised."""

    amount: Money
    shares: Count | None = None
    price_per_share: Money | None = None


class CapitalRaise(Fact, frozen=True, kw_only=True):
    """Money the company raised, as the claim rule resolves the reports of it.

    Reports of the same kind of raise on the same date in the same currency are claims about one
    raise; they disagree when their amounts do (within 2 % when either is approximate)."""

    kind: str
    raised_on: PartialDate
    amount: Money
    shares: Count | None = None
    price_per_share: Money | None = None
    disputed: bool = False
    decided_by: Decision = "single"
    claims: list[CapitalRaiseClaim] = []
    """Every report of this raise, best first by the rule."""


class ProductLine(Base, frozen=True, kw_only=True):
    """A product: its launch and its prices by market and variant over time.

    Launches and prices are matched by product name without case or spacing. ``launched_on`` and
    ``category`` are the earliest launch's, taken from the report that dates it most precisely ("2024-03-28"
    rather than "2024"); a product with prices but no launch recorded has them null."""

    product: str
    category: str | None
    launched_on: PartialDate | None
    launches: list[Product]
    """Every launch report of the product, earliest first."""
    prices: list[Price]
    """Its prices by date, then market, then variant."""


class Products(Base, frozen=True):
    """The company's products by launch date (products without a launch last), each with its prices."""

    company_id: CompanyId
    version: Version
    items: list[ProductLine]
    known_on: date | None = None
    """The day of publication the answer is as known on (the ``known_on`` parameter); null without it."""
    undated_claims: Tally | None = None
    """With ``known_on``: how many facts counted a source without a publication date from the day Tidings recorded it."""
