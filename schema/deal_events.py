"""Deals: an acquisition announced, completed or terminated, and the stake it is for."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, ClassVar

from msgspec import Meta

from schema.base import (
    END,
    CompanyId,
    EventId,
    Money,
    Note,
    PartialDate,
)
from schema.event_base import EventBase, positive
from schema.rules import Rule, Ruled

__all__ = ["AcquisitionAnnounced", "AcquisitionCompleted", "AcquisitionTerminated", "Sellers", "Stake"]


_STAKE_ZERO = r"^0(?:\.0{1,4})?$"

Stake = Annotated[
    str,
    Meta(
        min_length=1,
        max_length=8,
        pattern=rf"^(?:100(?:\.0{{1,4}})?|[1-9]?[0-9](?:\.[0-9]{{1,4}})?){END}",
        description="A share of a company in percent, more than 0 and at most 100, as a decimal string (at most 4 decimals).",
        examples=["100"],
    ),
]

_STAKE_RULE = Rule(
    "stake_range",
    "stake_percent",
    "a stake is more than 0 and at most 100 percent (leave it out for the whole company)",
    lambda d: d.stake_percent is not None and Decimal(d.stake_percent) == 0,
    (
        {
            "not": {
                "required": ["stake_percent"],
                "properties": {"stake_percent": {"type": "string", "maxLength": 10, "pattern": _STAKE_ZERO}},
            }
        },
    ),
)
_OWN_TARGET = Rule(
    "own_acquisition",
    "target_company_id",
    "a company cannot acquire itself: the acquirer and the target differ",
    lambda d: d.acquirer_company_id == d.target_company_id,
)
_SELLER_PARTY = Rule(
    "seller_is_party",
    "seller_ids",
    "a seller is neither the acquirer nor the target",
    lambda d: d.acquirer_company_id in d.seller_ids or d.target_company_id in d.seller_ids,
)
Sellers = Annotated[list[CompanyId], Meta(max_length=20)]


class AcquisitionAnnounced(Ruled, EventBase, frozen=True, kw_only=True, tag="acquisition_announced"):
    """A company announced it will acquire another (or a stake in it), from its sellers, at a price.

    The deal is pending on the dossier of every party (acquirer, target, sellers) until an
    ``acquisition_completed`` or ``acquisition_terminated`` names it by ``announcement_id``."""

    summary: ClassVar[str] = "An agreed acquisition: acquirer, target, sellers, stake and price"
    names = ("acquirer_company_id", "target_company_id", "seller_ids[]")
    dated_by = "announced_on"

    acquirer_company_id: CompanyId
    target_company_id: CompanyId
    seller_ids: Sellers = []
    """The companies selling (a private-equity owner, a parent); empty when the news names none."""
    stake_percent: Stake | None = None
    """The share of the target acquired; null: the whole company."""
    price: Money | None = None
    """The price as the news gives it (``approximate`` for "about EUR 1.5 billion")."""
    announced_on: PartialDate
    expected_completion: PartialDate | None = None
    """When the parties expect to complete, as the news says ("by the end of 2025": 2025)."""

    rules = (
        _OWN_TARGET,
        _SELLER_PARTY,
        _STAKE_RULE,
        positive("price", "a price", required=False),
    )


class AcquisitionCompleted(Ruled, EventBase, frozen=True, kw_only=True, tag="acquisition_completed"):
    """An acquisition closed: from ``completed_on`` a stake of more than 50 % (or the whole company: no
    stake given) makes the acquirer the target's parent.

    ``announcement_id`` names the ``acquisition_announced`` it completes: the deal leaves the pending
    deals of its parties, and the announcement's sellers lose the target as a subsidiary."""

    summary: ClassVar[str] = "A completed acquisition: the acquirer becomes the parent of a majority stake"
    names = ("acquirer_company_id", "target_company_id", "seller_ids[]")
    dated_by = "completed_on"
    links = ("announcement_id", "acquisition_announced")

    announcement_id: EventId | None = None
    """The id of the ``acquisition_announced`` event it completes, where one is recorded."""
    acquirer_company_id: CompanyId
    target_company_id: CompanyId
    seller_ids: Sellers = []
    """The sellers, where the announcement does not name them (its sellers count too)."""
    stake_percent: Stake | None = None
    """The share of the target acquired; null: the whole company."""
    price: Money | None = None
    completed_on: PartialDate
    """The effective date: from it the acquirer owns the stake."""

    rules = (
        _OWN_TARGET,
        _SELLER_PARTY,
        _STAKE_RULE,
        positive("price", "a price", required=False),
    )


class AcquisitionTerminated(EventBase, frozen=True, kw_only=True, tag="acquisition_terminated"):
    """An announced acquisition was abandoned or blocked: it leaves the pending deals of its parties
    and changes no parent."""

    summary: ClassVar[str] = "An announced acquisition called off"
    dated_by = "terminated_on"
    links = ("announcement_id", "acquisition_announced")

    announcement_id: EventId
    """The id of the ``acquisition_announced`` event it ends."""
    terminated_on: PartialDate
    reason: Annotated[Note, Meta(min_length=1)]
    """Why, as the news says ("regulatory opposition in the EU")."""
