"""What every event type shares: the tagged base Struct (id, sources, certainty, attribution, note),
and the parts and rules several types use (places, participants, positive money)."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Annotated, ClassVar

from msgspec import Meta

from schema.base import (
    Base,
    Certainty,
    CompanyId,
    CountryCode,
    EventId,
    Label,
    Name,
    Note,
    PartialDate,
    PersonId,
    Source,
)
from schema.declarations import Declared
from schema.rules import Rule, Ruled, at_least_one

__all__ = [
    "Attribution",
    "EventBase",
    "Labels",
    "Location",
    "Participant",
    "PreviousMeeting",
    "ZERO",
    "distinct",
    "positive",
]


Labels = Annotated[list[Label], Meta(max_length=50)]


def distinct(values: Iterable[str]) -> int:
    return len(set(values))


class Attribution(Ruled, Base, frozen=True):
    """Whom a claim is attributed to: a person, a company, or a described group ("analysts").

    Ids are given as the news names them and need not be registered: an attribution may name an
    analyst firm or a person Tidings does not follow. At least one field is set."""

    person_id: PersonId | None = None
    company_id: CompanyId | None = None
    group: Name | None = None
    """A described group, such as "analysts" or "people familiar with the matter"."""

    rules = (
        Rule(
            "empty_attribution",
            "",
            "an attribution names a person_id, a company_id or a group",
            lambda a: a.person_id is None and a.company_id is None and a.group is None,
            at_least_one("person_id", "company_id", "group"),
        ),
    )


class PreviousMeeting(Ruled, Base, frozen=True):
    """What the news says of the participants' meeting before this one ("the first in seven years")."""

    occurred_on: PartialDate | None = None
    years_before: Annotated[int, Meta(ge=0, le=1000)] | None = None
    """How many years before this meeting it was, where the news says only that."""
    description: Note | None = None

    rules = (
        Rule(
            "empty_previous_meeting",
            "",
            "a previous meeting gives occurred_on, years_before or a description",
            lambda p: p.occurred_on is None and p.years_before is None and p.description is None,
            at_least_one("occurred_on", "years_before", "description"),
        ),
    )


class EventBase(Declared, Base, frozen=True, kw_only=True, tag_field="type"):
    """Fields common to every event type; the class variables of ``Declared`` say what the rest of
    Tidings must know of each type (see schema.declarations)."""

    summary: ClassVar[str] = ""

    id: EventId | None = None
    """Client-chosen idempotency key; the server assigns a UUIDv7 when absent."""
    sources: Annotated[list[Source], Meta(min_length=1, max_length=20)]
    certainty: Certainty = "reported"
    note: Note | None = None
    attributed_to: Attribution | None = None
    """Whom the sources attribute the claim to, when not to themselves."""


class Location(Base, frozen=True):
    """Where something happened."""

    country: CountryCode
    city: Name | None = None
    site: Name | None = None


class Participant(Base, frozen=True):
    """A company, and optionally the person who represented it."""

    company_id: CompanyId
    person_id: PersonId | None = None


ZERO = r"^0(?:\.0{1,6})?$"
"""The ways a ``DecimalAmount`` writes zero (it has no leading zeros and at most six decimals)."""


def positive(path: str, what: str, *, required: bool) -> Rule:
    """The rule that the money at ``path`` (``price``, ``offer_price``) is more than zero."""

    def broken(event: object) -> bool:
        money = getattr(event, path)
        return money is not None and Decimal(money.amount) == 0

    # Said as "not (an object whose amount is zero)", the form of the plan rules: a branch that names
    # only ``amount`` of the money would read to example validators as if currency were unknown there.
    zero = {"type": "object", "required": ["amount"], "properties": {"amount": {"pattern": ZERO}}}
    schema = {"not": {"required": [path], "properties": {path: zero}}}
    return Rule(
        "not_positive",
        f"{path}.amount",
        f"{what} is more than zero" + ("" if required else " (leave it out when the news gives none)"),
        broken,
        (schema,),
    )
