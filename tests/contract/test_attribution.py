"""Attribution and qualifiers are data: ``attributed_to`` on any claim, ``previous_meeting`` on a meeting."""

from __future__ import annotations

import msgspec
import pytest

from api.seeds import load_ndjson, seed_events
from api.store.base import EventStore
from schema.codec import decode_event
from schema.events import Attribution, PreviousMeeting, SalesReported
from tests.contract.read_models import meetings, relationships, sales, timeline
from tests.factories import sales_reported


@pytest.fixture
async def seeded(store: EventStore) -> EventStore:
    await load_ndjson(store, seed_events())
    return store


async def test_the_seeds_say_who_believes_the_alliance_and_when_the_leaders_last_met(seeded: EventStore) -> None:
    partners = (await relationships(seeded, "xiaomi")).partners
    (meeting,) = [m for m in (await meetings(seeded, "xiaomi")).items if m.kind == "meeting"]

    assert [p.attributed_to for p in partners] == [Attribution(group="analysts")]
    assert meeting.previous_meeting == PreviousMeeting(
        years_before=7, description="The first official meeting of the two leaders in seven years."
    )


async def test_an_attributed_claim_carries_its_attribution_into_every_read_model(seeded: EventStore) -> None:
    attribution = Attribution(person_id="lu-weibing", company_id="xiaomi")
    event = msgspec.structs.replace(sales_reported("xiaomi", "2025", units=410000), attributed_to=attribution)
    stored = (await seeded.append([event])).events[0]

    (figure,) = [f for f in (await sales(seeded, "xiaomi")).items if f.period == "2025"]
    (item,) = [i for i in (await timeline(seeded, "xiaomi")).items if i.event.position == stored.position]

    assert figure.claims[0].attributed_to == attribution
    assert item.event.event.attributed_to == attribution


async def test_a_note_shows_where_the_fact_shows(seeded: EventStore) -> None:
    warning = "Analysts doubt the figure: it counts cars shipped to dealers, not to buyers."
    event = msgspec.structs.replace(sales_reported("xiaomi", "2025", units=410000), note=warning)
    await seeded.append([event])

    (figure,) = [f for f in (await sales(seeded, "xiaomi")).items if f.period == "2025"]
    (partner,) = (await relationships(seeded, "xiaomi")).partners
    (meeting,) = [m for m in (await meetings(seeded, "xiaomi")).items if m.kind == "meeting"]

    assert figure.claims[0].note == warning
    assert partner.note is not None and partner.note.startswith("The meeting suggests")
    assert meeting.note is not None and meeting.note.startswith("First official meeting of the two leaders")


def test_an_attribution_names_someone_and_a_previous_meeting_says_something() -> None:
    body = msgspec.json.encode(sales_reported("xiaomi", "2025", units=1))
    with pytest.raises(msgspec.ValidationError, match="attribution names"):
        decode_event(body[:-1] + b',"attributed_to":{}}')
    assert isinstance(decode_event(body[:-1] + b',"attributed_to":{"group":"analysts"}}'), SalesReported)
    with pytest.raises(msgspec.ValidationError, match="previous meeting gives"):
        msgspec.convert({}, PreviousMeeting)


def test_events_stored_before_the_fields_existed_still_decode() -> None:
    body = b'{"type":"sales_reported","sources":[{"title":"t","publisher":"p","language":"en"}],'
    body += b'"company_id":"xiaomi","period":"2025","units":{"value":1}}'

    event = decode_event(body)

    assert event.attributed_to is None
