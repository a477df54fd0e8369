"""Meetings read model: meetings a company took part in and site visits it made or hosted."""

from __future__ import annotations

from api.projections.claims import claim_fields, resolve
from api.projections.company_rows import CompanyRows
from api.projections.facts import fact_fields
from api.projections.registry import Projection, ReadModel
from api.projections.row import Row
from schema.codec import encode
from schema.dossiers import MeetingClaim, MeetingItem, Meetings
from schema.events import MeetingHeld, Participant, SiteVisited, StoredEvent

__all__ = ["PROJECTION", "READ_MODEL", "build", "claim", "item", "rows", "same_meeting"]


def item(stored: StoredEvent, company: str, touched: tuple[str, ...]) -> MeetingItem | None:
    """The meeting or visit as ``company`` took part in it (None for another event type)."""
    event = stored.event
    match event:
        case MeetingHeld():
            return MeetingItem(
                **fact_fields(stored),
                kind="meeting",
                role="participant",
                occurred_on=event.occurred_on,
                location=event.location,
                site=event.location.site,
                occasion=event.occasion,
                topics=list(event.topics),
                participants=list(event.participants),
                counterparties=[c for c in touched if c != company],
                previous_meeting=event.previous_meeting,
            )
        case SiteVisited():
            return MeetingItem(
                **fact_fields(stored),
                kind="site_visit",
                role="visitor" if company == event.visitor.company_id else "host",
                occurred_on=event.occurred_on,
                location=event.location,
                site=event.site,
                participants=[event.visitor, Participant(company_id=event.host_company_id)],
                counterparties=[c for c in touched if c != company],
            )
        case _:
            return None


def rows(stored: StoredEvent, touched: tuple[str, ...]) -> list[Row]:
    event = stored.event
    match event:
        case MeetingHeld():
            companies = touched
        case SiteVisited():
            companies = (event.visitor.company_id, event.host_company_id)
        case _:
            return []
    result = []
    for company in companies:
        found = item(stored, company, touched)
        assert found is not None
        result.append(Row("meeting", company, stored.position, found.kind, event.occurred_on, encode(found)))
    return result


def same_meeting(m: MeetingItem) -> tuple[str, str, str, bytes, tuple[str, ...]]:
    """Reports of one meeting: the same kind and role, date, place and companies (persons may go unnamed)."""
    companies = tuple(sorted({p.company_id for p in m.participants}))
    return (m.kind, m.role, m.occurred_on, encode(m.location), companies)


def claim(m: MeetingItem) -> MeetingClaim:
    return MeetingClaim(
        **claim_fields(m), site=m.site, occasion=m.occasion, topics=m.topics, previous_meeting=m.previous_meeting
    )


def build(data: CompanyRows) -> Meetings:
    reports = sorted(data.facts("meeting", MeetingItem), key=lambda m: m.position)
    items = sorted(
        resolve(reports, same_meeting, None, claim), key=lambda m: (m.occurred_on, min(c.position for c in m.claims))
    )
    return Meetings(company_id=data.company_id, version=data.version, items=items, **data.known())


PROJECTION = Projection(
    "meetings",
    writes=("meeting",),
    fold=lambda stored, touched, _: rows(stored, touched),
    handles=(MeetingHeld, SiteVisited),
    version=3,  # 2: facts carry attributed_to, meetings previous_meeting; 3: facts carry their note
)


READ_MODEL = ReadModel("meetings", reads=("meeting",))
