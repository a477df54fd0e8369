"""What changed in a company's dossier between two read points, as JSON."""

from __future__ import annotations

from typing import Literal
from uuid import UUID

from schema.base import Base, CompanyId, Position
from schema.facts import Tally

__all__ = ["Change", "ChangeCause", "ChangeKind", "Changes"]

ChangeKind = Literal[
    "profile",
    "sales",
    "results",
    "orders",
    "deliveries",
    "production",
    "plan",
    "relationship",
    "executive",
    "market_position",
    "product",
    "meeting",
    "price",
    "listing",
    "capital_raise",
    "deal",
]


class ChangeCause(Base, frozen=True):
    """An event between the two points that made the change: a claim, a retraction, a figure a plan is judged by."""

    position: Position
    event_id: UUID
    type: str


class Change(Base, frozen=True, kw_only=True):
    """One fact of the dossier gained, lost or changed between the two points.

    ``key`` names the fact the way its claims are grouped (``2025 units``, a plan id, ``supplies
    outgoing byd``); ``before`` and ``after`` hold its shown fields as text (null where the fact
    did not exist), and ``fields`` those that differ. ``caused_by`` lists the events in between
    that made the change; it is empty when the clock alone made it (a plan whose due period ended).
    """

    kind: ChangeKind
    key: str
    change: Literal["gained", "lost", "changed"]
    fields: list[str]
    before: dict[str, str | None] | None
    after: dict[str, str | None] | None
    caused_by: list[ChangeCause]


class Changes(Base, frozen=True):
    """The company's dossier at ``from_position`` against ``to_position``: gained, lost and changed facts, by kind and key."""

    company_id: CompanyId
    from_position: Tally
    to_position: Tally
    items: list[Change]
