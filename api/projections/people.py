"""People projection: a person's roles and the meetings and visits they took part in, found by person id.

Rows go to two views keyed by the person id (``key``), under the company the fact is about
(``company_id``: the company of the role, or the one the person represented): ``person_role``,
whose ``sort`` holds the lower-cased name that ``q`` searches, and ``person_meeting``. An index on
``(key, position)`` over both views serves a person's page and the list in id order.
"""

from __future__ import annotations

from datetime import UTC, datetime

import msgspec

from api.projections import meetings, tenures
from api.projections.claims import resolve
from api.projections.facts import supported
from api.projections.registry import Projection
from api.projections.row import Row
from schema import stored
from schema.base import Source
from schema.codec import encode
from schema.events import (
    ExecutiveAppointed,
    ExecutiveDeparted,
    ExecutiveReported,
    MeetingHeld,
    SiteVisited,
    StoredEvent,
)
from schema.people import Person, PersonMeeting, PersonRole, PersonSummary, RoleReport

__all__ = ["PROJECTION", "VIEWS", "PersonFound", "PersonRows", "build", "rows", "summary"]

ROLE, MEETING = "person_role", "person_meeting"
VIEWS = (ROLE, MEETING)

PersonRows = list[tuple[str, str, int, bytes]]
"""A person's rows as read: (view, company_id, position, item)."""
PersonFound = tuple[PersonRows, dict[int, list[Source]]]
"""A person's rows and the sources evidence added to them, by the position of the fact they support."""


def rows(stored: StoredEvent, touched: tuple[str, ...]) -> list[Row]:
    event = stored.event
    match event:
        case ExecutiveReported() | ExecutiveAppointed() | ExecutiveDeparted():
            return [
                Row(ROLE, r.company_id, stored.position, r.person_id, (r.name or "").lower(), encode(r))
                for r in tenures.reports(stored)
            ]
        case MeetingHeld():
            named = [p for p in event.participants if p.person_id is not None]
        case SiteVisited():
            named = [event.visitor] if event.visitor.person_id is not None else []
        case _:
            return []
    result = []
    for participant in dict.fromkeys(named):  # one row per person and company, whatever the repeats
        item = meetings.item(stored, participant.company_id, touched)
        assert item is not None and participant.person_id is not None
        meeting = PersonMeeting(**msgspec.structs.asdict(item), company_id=participant.company_id)
        result.append(Row(MEETING, participant.company_id, stored.position, participant.person_id, "", encode(meeting)))
    return result


_role_decoder = stored.decoder(RoleReport)
_meeting_decoder = stored.decoder(PersonMeeting)


def _facts(found: PersonRows, evidence: dict[int, list[Source]]) -> tuple[list[RoleReport], list[PersonMeeting]]:
    roles = [supported(_role_decoder.decode(item), evidence) for view, _, _, item in found if view == ROLE]
    met = [supported(_meeting_decoder.decode(item), evidence) for view, _, _, item in found if view == MEETING]
    return roles, met


def _roles(reports: list[RoleReport], on: str) -> list[PersonRole]:
    """One role per company as of the day ``on``: undated reports resolved by the claim rule (they disagree
    on the title, case and spacing aside), dated ones by effective date (api.projections.tenures)."""
    groups: dict[str, list[RoleReport]] = {}
    for report in reports:
        groups.setdefault(report.company_id, []).append(report)
    found = ((company, tenures.executive_fields(group, on)) for company, group in groups.items())
    return [PersonRole(**fields, company_id=company) for company, fields in found if fields is not None]


def _name(roles: list[PersonRole]) -> str | None:
    """The name the most recently chosen role report gives."""
    return max(roles, key=lambda r: r.position).name if roles else None


def _today() -> str:
    return datetime.now(UTC).date().isoformat()


def build(person_id: str, found: PersonRows, evidence: dict[int, list[Source]], on: str | None = None) -> Person:
    """The person's page from their rows (in position order) and the evidence for them, by position, with
    dated roles as of the day ``on`` (YYYY-MM-DD; today when not given)."""
    reports, met = _facts(found, evidence)
    roles = _roles(reports, on or _today())
    grouped = resolve(met, lambda m: (m.company_id, *meetings.same_meeting(m)), None, meetings.claim)
    return Person(
        person_id=person_id,
        name=_name(roles),
        last_position=max(position for _, _, position, _ in found),
        roles=roles,
        meetings=sorted(grouped, key=lambda m: (m.occurred_on, min(c.position for c in m.claims))),
    )


def summary(person_id: str, found: PersonRows, on: str | None = None) -> PersonSummary:
    reports, _ = _facts(found, {})
    return PersonSummary(
        person_id=person_id,
        name=_name(_roles(reports, on or _today())),
        companies=sorted({company for _, company, _, _ in found}),
        facts=len({position for _, _, position, _ in found}),
        last_position=max(position for _, _, position, _ in found),
    )


PROJECTION = Projection(
    "people",
    writes=VIEWS,
    fold=lambda stored, touched, _: rows(stored, touched),
    handles=(ExecutiveReported, ExecutiveAppointed, ExecutiveDeparted, MeetingHeld, SiteVisited),
    version=3,  # 2: facts carry their note; 3: roles are role reports (dated or not)
)
