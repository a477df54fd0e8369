"""People as JSON shapes: a person's roles at companies and the meetings and visits they took part in."""

from __future__ import annotations

from typing import Literal

from schema.base import Base, CompanyId, PartialDate, PersonId, Position
from schema.dossiers import MeetingItem
from schema.facts import Fact, Tally
from schema.profiles import Executive

__all__ = ["Person", "PersonMeeting", "PersonPage", "PersonRole", "PersonSummary", "RoleReport"]


class RoleReport(Fact, frozen=True, kw_only=True):
    """One report of a person's role at a company as the profile and people projections store it (the
    rows of ``executive`` and ``person_role``): what the read models resolve roles and tenures from."""

    company_id: CompanyId
    person_id: PersonId
    name: str | None
    role: str
    change: Literal["reported", "appointed", "departed", "replaced"] = "reported"
    """reported: an undated role (``executive_reported``); appointed, departed: ``executive_appointed``,
    ``executive_departed``; replaced: a successor's appointment that ``replaces`` this person."""
    effective_on: PartialDate | None = None
    previous_role: str | None = None
    replaces: PersonId | None = None
    replaced_by: PersonId | None = None
    reason: str | None = None


class PersonRole(Executive, frozen=True, kw_only=True):
    """The person's role at one company, as the claim rule resolves the reports of it (see ``SalesFigure``):
    ``claims`` holds every report, best first, so a role that changed shows its earlier title too."""

    company_id: CompanyId


class PersonMeeting(MeetingItem, frozen=True, kw_only=True):
    """A meeting or visit the person took part in, seen from the company they represented."""

    company_id: CompanyId
    """The company the person represented (``counterparties`` are the others)."""


class Person(Base, frozen=True):
    """Everything known about one person at ``last_position`` (or at the requested moment)."""

    person_id: PersonId
    name: str | None
    """As the chosen report of a role gives it; null when the person is named only as a participant."""
    last_position: Position
    """The position of the latest fact about the person."""
    roles: list[PersonRole]
    """One per company, in the order they were first reported."""
    meetings: list[PersonMeeting]
    """By date, then the position of their first report."""


class PersonSummary(Base, frozen=True):
    person_id: PersonId
    name: str | None
    companies: list[CompanyId]
    """The companies the person held a role at or represented, in id order."""
    facts: Tally
    """How many reports name the person (roles, meetings, visits)."""
    last_position: Position


class PersonPage(Base, frozen=True):
    """People in id order. Pass ``next_cursor`` as ``cursor`` for the next page; null at the end."""

    items: list[PersonSummary]
    next_cursor: str | None
