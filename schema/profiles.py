"""A company's profile as read models show it: executives with their tenures, identifiers, former
names, deals, and the company list."""

from __future__ import annotations

from typing import Literal

from schema.base import (
    Base,
    CompanyId,
    CountryCode,
    Money,
    PartialDate,
    PersonId,
    Position,
)
from schema.events import (
    Stake,
)
from schema.facts import Claim, CompanyRef, Decision, Fact, Tally, Version
from schema.market_models import Listing, Product

__all__ = [
    "CompanyPage",
    "CompanySummary",
    "Deal",
    "DealClaim",
    "DealRole",
    "Executive",
    "ExecutiveClaim",
    "FormerName",
    "Identifier",
    "Profile",
    "ProfileChange",
    "Renaming",
    "Tenure",
]


class ExecutiveClaim(Claim, frozen=True, kw_only=True):
    """One report of a person's role at the company."""

    name: str
    role: str


class Tenure(Base, frozen=True, kw_only=True):
    """One role a person held at a company, from ``executive_appointed`` and ``executive_departed`` (or a
    successor's appointment that ``replaces`` them), as the effective dates order them."""

    role: str
    started_on: PartialDate | None
    """When the person took up the role; null when only its end is known (a ``previous_role``, a departure)."""
    ended_on: PartialDate | None
    """When the role ended: a departure, the person's next appointment, or a successor's; null while it lasts."""
    current: bool
    """Held on the read's day: the day of ``as_of``; else, in a dossier read at ``at_position``, the day that
    position was recorded; else today."""
    replaces: PersonId | None = None
    """Whom the person succeeded in the role."""
    replaced_by: PersonId | None = None
    """Who succeeded the person, where a successor's appointment says so."""
    reason: str | None = None
    """Why the role ended, as the departure gives it."""
    position: Position
    """The position of the report that opened the role (or, without one, that ended it)."""


class Executive(Fact, frozen=True, kw_only=True):
    """A person's role at the company: the claim the rule chose among the reports about this person.

    With dated reports (``executive_appointed``, ``executive_departed``) the role is the one in effect at
    the read's point in time by effective date, whatever the order the reports were recorded in;
    ``tenures`` lists every dated role with its start and end. An undated ``executive_reported`` is a role
    without dates (``current`` true, ``started_on`` and ``ended_on`` null)."""

    person_id: PersonId
    name: str
    role: str
    current: bool = True
    """Whether the person holds ``role`` at the read's point in time."""
    started_on: PartialDate | None = None
    ended_on: PartialDate | None = None
    tenures: list[Tenure] = []
    """Every dated role of the person at the company, oldest first."""
    disputed: bool = False
    """Some report names another role (compared without case or spacing)."""
    decided_by: Decision = "single"
    claims: list[ExecutiveClaim] = []
    """Every report about this person at this company, best first by the rule."""


DealRole = Literal["acquirer", "target", "seller"]


class DealClaim(Claim, frozen=True, kw_only=True):
    """One report of an announced acquisition."""

    seller_ids: list[CompanyId]
    stake_percent: Stake | None = None
    price: Money | None = None
    announced_on: PartialDate
    expected_completion: PartialDate | None = None


class Deal(Fact, frozen=True, kw_only=True):
    """An announced acquisition, as the claim rule resolves the announcements of it.

    Announcements of one acquirer acquiring one target are claims about one deal; they disagree on
    the stake, or on a price both give in one currency (within 2 % when either is approximate).
    ``event_id`` is the chosen announcement's: an ``acquisition_completed`` or ``acquisition_terminated``
    naming any of the claims' ids by ``announcement_id`` ends the deal."""

    role: DealRole
    """This company's part in the deal."""
    acquirer_company_id: CompanyId
    target_company_id: CompanyId
    seller_ids: list[CompanyId] = []
    stake_percent: Stake | None = None
    """The share of the target; null: the whole company."""
    price: Money | None = None
    announced_on: PartialDate
    expected_completion: PartialDate | None = None
    disputed: bool = False
    decided_by: Decision = "single"
    claims: list[DealClaim] = []
    """Every announcement of this deal, best first by the rule."""


class Identifier(Fact, frozen=True, kw_only=True):
    """An identifier of the company (``identifier_added``): a ticker on its exchange, an ISIN, an LEI, a
    Wikidata id, or its name in another language."""

    scheme: Literal["ticker", "isin", "lei", "wikidata", "name"]
    value: str
    exchange: str | None = None
    language: str | None = None


class FormerName(Fact, frozen=True, kw_only=True):
    """A name the company had before a rename (``company_renamed``)."""

    name: str
    until: PartialDate
    """The day (month, year) the next name took effect."""


class Renaming(Fact, frozen=True, kw_only=True):
    """A ``company_renamed`` as the identity projection stores it (a row of ``rename``)."""

    name: str
    effective_on: PartialDate
    previous_name: str | None = None


class ProfileChange(Fact, frozen=True, kw_only=True):
    """A ``profile_updated`` as the identity projection stores it (a row of ``profile_update``)."""

    sectors_added: list[str] = []
    sectors_removed: list[str] = []
    aliases_added: list[str] = []
    aliases_removed: list[str] = []
    country: CountryCode | None = None


class Profile(Base, frozen=True):
    company_id: CompanyId
    name: str
    """The name in effect at the read's point in time (``company_renamed`` by effective date)."""
    aliases: list[str]
    country: CountryCode
    sectors: list[str]
    parent: CompanyRef | None
    subsidiaries: list[CompanyRef]
    executives: list[Executive]
    products: list[Product]
    listings: list[Listing]
    """Where its shares trade: exchange, ticker and listing date, by date."""
    identifiers: list[Identifier] = []
    """Tickers with their exchanges, ISIN, LEI, Wikidata id and names in other languages, in the order recorded."""
    former_names: list[FormerName] = []
    """Names it had before, oldest first, each with the date the next one took effect."""


class CompanySummary(Base, frozen=True):
    company_id: CompanyId
    name: str
    aliases: list[str]
    country: CountryCode
    parent_id: CompanyId | None
    version: Version
    last_position: Tally


class CompanyPage(Base, frozen=True):
    """Companies in id order. Pass ``next_cursor`` as ``cursor`` for the next page; null at the end."""

    items: list[CompanySummary]
    next_cursor: str | None
