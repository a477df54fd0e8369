"""People across companies: roles resolved by the claim rule, meetings and visits, at any read point."""

from __future__ import annotations

from typing import TypeVar

import msgspec
import pytest

from api.projections import people
from api.seeds import load_ndjson
from api.store.base import EventStore
from api.store.readpoint import ReadPoint
from schema.base import Source
from schema.events import EventBase, Participant
from tests.contract.read_models import person
from tests.factories import (
    event_retracted,
    evidence_added,
    executive_reported,
    first_article_events,
    meeting_held,
    site_visited,
)

E = TypeVar("E", bound=EventBase)


def _by(event: E, publisher: str, published_on: str) -> E:
    source = Source(title=f"{publisher} report", publisher=publisher, language="en", published_on=published_on)
    return msgspec.structs.replace(event, sources=[source])


@pytest.fixture
async def seeded(store: EventStore) -> EventStore:
    """The first seed article: undated roles (the dated ones of the later seed file: test_roles_over_time)."""
    await load_ndjson(store, first_article_events())
    return store


async def _list(store: EventStore, **filters: str | None) -> list[str]:
    found, _ = await store.people(
        ReadPoint(), q=filters.get("q"), company=filters.get("company"), cursor=filters.get("cursor"), limit=100
    )
    return [person_id for person_id, _ in found]


async def test_a_person_shows_their_role_meetings_and_visits_from_the_seed(seeded: EventStore) -> None:
    lee = await person(seeded, "jay-y-lee")

    assert (lee.name, [(r.company_id, r.role) for r in lee.roles]) == (
        "Jay Y. Lee",
        [("samsung-electronics", "President")],
    )
    meeting = next(m for m in lee.meetings if m.kind == "meeting")
    assert (meeting.occurred_on, meeting.location.city, meeting.company_id) == (
        "2025-03-22",
        "Beijing",
        "samsung-electronics",
    )
    assert "lei-jun" in [p.person_id for p in meeting.participants]
    assert meeting.counterparties == ["xiaomi"]
    visit = next(m for m in lee.meetings if m.kind == "site_visit")
    assert (visit.role, visit.counterparties) == ("visitor", ["byd"])


async def test_a_later_title_is_chosen_and_the_earlier_kept_as_a_claim(seeded: EventStore) -> None:
    before = await seeded.last_position()
    await seeded.append(
        [_by(executive_reported("samsung-electronics", "jay-y-lee", role="Chairman"), "Reuters", "2025-10-27")]
    )

    (role,) = (await person(seeded, "jay-y-lee")).roles
    (earlier,) = (await person(seeded, "jay-y-lee", ReadPoint(at_position=before))).roles

    assert (role.role, role.disputed, role.decided_by) == ("Chairman", True, "published_on")
    assert [c.role for c in role.claims] == ["Chairman", "President"]
    assert (earlier.role, len(earlier.claims)) == ("President", 1)


async def test_roles_at_two_companies_and_evidence_for_one(seeded: EventStore) -> None:
    stored = await seeded.append([executive_reported("xiaomi", "jay-y-lee", role="Adviser")])
    event_id = stored.events[0].event.id
    assert event_id is not None
    await seeded.append([evidence_added(event_id)])

    roles = (await person(seeded, "jay-y-lee")).roles

    assert [(r.company_id, r.role, r.source_count) for r in roles] == [
        ("samsung-electronics", "President", 1),
        ("xiaomi", "Adviser", 2),
    ]
    assert await _list(seeded, company="xiaomi") == ["jay-y-lee", "lei-jun"]


async def test_a_retracted_meeting_leaves_the_person(seeded: EventStore) -> None:
    meeting = msgspec.structs.replace(
        meeting_held("byd", "catl", occurred_on="2025-06-01"),
        participants=[Participant(company_id="byd", person_id="wang-chuanfu"), Participant(company_id="catl")],
    )
    stored = await seeded.append([meeting])
    assert [m.occurred_on for m in (await person(seeded, "wang-chuanfu")).meetings] == ["2025-06-01"]
    event_id = stored.events[0].event.id
    assert event_id is not None

    await seeded.append([event_retracted(event_id)])

    assert await seeded.person("wang-chuanfu", ReadPoint()) is None
    assert "wang-chuanfu" not in await _list(seeded)


async def test_the_list_pages_in_id_order_and_matches_ids_and_names(seeded: EventStore) -> None:
    visit = msgspec.structs.replace(
        site_visited("xiaomi", "byd"), visitor=Participant(company_id="xiaomi", person_id="lu-weibing")
    )
    await seeded.append([visit])

    first, more = await seeded.people(ReadPoint(), q=None, company=None, cursor=None, limit=2)
    rest, done = await seeded.people(ReadPoint(), q=None, company=None, cursor=first[-1][0], limit=2)

    assert ([p for p, _ in first], more) == (["jay-y-lee", "lei-jun"], True)
    assert ([p for p, _ in rest], done) == (["lu-weibing"], False)
    assert await _list(seeded, q="LEI") == ["lei-jun"], "the name, case aside"
    assert await _list(seeded, q="y. l") == ["jay-y-lee"]
    assert await _list(seeded, q="wei") == ["lu-weibing"], "the id where no name is known"
    assert await _list(seeded, q="%") == []
    summary = people.summary("lu-weibing", rest[0][1])
    assert (summary.name, summary.companies, summary.facts) == (None, ["xiaomi"], 1)


async def test_one_meeting_reported_twice_is_one_item_for_the_person(seeded: EventStore) -> None:
    def report(publisher: str) -> EventBase:
        meeting = meeting_held("byd", "catl", occurred_on="2025-06-01")
        participants = [Participant(company_id="byd", person_id="wang-chuanfu"), Participant(company_id="catl")]
        return _by(msgspec.structs.replace(meeting, participants=participants), publisher, "2025-06-02")

    await seeded.append([report("Reuters")])
    await seeded.append([report("CnEVPost")])

    (meeting,) = (await person(seeded, "wang-chuanfu")).meetings

    assert [c.sources[0].publisher for c in meeting.claims] == ["CnEVPost", "Reuters"]
