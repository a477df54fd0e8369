"""Roles over time (executive_appointed, executive_departed): the role shown comes from effective dates, not
from the order of recording, on the company's profile and on the person's page, with each role's start and end."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from api.projections import dossier as dossier_model
from api.projections import people
from api.seeds import load_ndjson, seed_events
from api.store.base import EventStore
from api.store.readpoint import ReadPoint
from schema.dossiers import Executive
from schema.events import EventBase
from tests.contract.read_models import dossier, person
from tests.factories import (
    company_registered,
    executive_appointed,
    executive_departed,
    executive_reported,
)

CHAIRMAN = executive_appointed(
    "samsung-electronics", "lee-jae-yong", "Executive Chairman", "2022-10-27", previous_role="Vice Chairman"
)
VICE_CHAIRMAN = executive_appointed("samsung-electronics", "lee-jae-yong", "Vice Chairman", "2012-12")


async def _store(store: EventStore, *events: EventBase) -> EventStore:
    await store.append([company_registered("samsung-electronics", country="KR")])
    for event in events:
        await store.append([event])
    return store


async def _executive_on(store: EventStore, company_id: str, person_id: str, day: str) -> Executive:
    """The company's executive as the dossier shows them, read with the clock set to ``day``."""
    found = await store.read_model("dossier", company_id, ReadPoint())
    assert found is not None
    data, registrations = found
    data.at_time = datetime.fromisoformat(day).replace(tzinfo=UTC)
    executives = dossier_model.build(data, registrations).profile.executives
    return next(e for e in executives if e.person_id == person_id)


@pytest.mark.parametrize("order", ["newer first", "older first"])
async def test_the_chairman_is_current_from_october_2022_whatever_the_order_of_recording(
    store: EventStore, order: str
) -> None:
    events = (CHAIRMAN, VICE_CHAIRMAN) if order == "newer first" else (VICE_CHAIRMAN, CHAIRMAN)
    await _store(store, *events)

    now = (await dossier(store, "samsung-electronics")).profile.executives
    assert [(e.person_id, e.role, e.current, e.started_on) for e in now] == [
        ("lee-jae-yong", "Executive Chairman", True, "2022-10-27")
    ]
    assert [(t.role, t.started_on, t.ended_on, t.current) for t in now[0].tenures] == [
        ("Vice Chairman", "2012-12", "2022-10-27", False),
        ("Executive Chairman", "2022-10-27", None, True),
    ]
    before = await _executive_on(store, "samsung-electronics", "lee-jae-yong", "2022-10-26")
    assert (before.role, before.current, before.started_on) == ("Vice Chairman", True, "2012-12")
    assert [t.role for t in before.tenures] == ["Vice Chairman"]


async def test_a_previous_role_without_its_appointment_shows_as_a_role_that_ended(store: EventStore) -> None:
    await _store(store, CHAIRMAN)

    executive = (await dossier(store, "samsung-electronics")).profile.executives[0]

    assert [(t.role, t.started_on, t.ended_on) for t in executive.tenures] == [
        ("Vice Chairman", None, "2022-10-27"),
        ("Executive Chairman", "2022-10-27", None),
    ]


async def test_a_successor_and_a_departure_end_the_role_on_the_profile_and_the_persons_page(
    store: EventStore,
) -> None:
    await _store(
        store,
        executive_appointed("samsung-electronics", "kyung-kye-hyun", "Head of the DS Division", "2022-01"),
        executive_appointed(
            "samsung-electronics",
            "jun-young-hyun",
            "Head of the DS Division",
            "2024-05-21",
            replaces="kyung-kye-hyun",
        ),
    )

    executives = {e.person_id: e for e in (await dossier(store, "samsung-electronics")).profile.executives}
    assert (executives["jun-young-hyun"].current, executives["jun-young-hyun"].started_on) == (True, "2024-05-21")
    kyung = executives["kyung-kye-hyun"]
    assert (kyung.current, kyung.started_on, kyung.ended_on) == (False, "2022-01", "2024-05-21")
    assert kyung.tenures[0].replaced_by == "jun-young-hyun"

    await store.append(
        [executive_departed("samsung-electronics", "kyung-kye-hyun", "Head of the DS Division", "2024-05-20")]
    )
    page = await person(store, "kyung-kye-hyun")
    assert [(r.company_id, r.role, r.started_on, r.ended_on, r.current) for r in page.roles] == [
        ("samsung-electronics", "Head of the DS Division", "2022-01", "2024-05-20", False)
    ]
    assert page.name == "Kyung Kye Hyun"


async def test_an_appointment_that_takes_effect_later_is_not_current_yet(store: EventStore) -> None:
    tomorrow = (datetime.now(UTC) + timedelta(days=2)).date().isoformat()
    await _store(
        store,
        executive_appointed("samsung-electronics", "jane-roe", "CFO", "2020-01-01"),
        executive_appointed("samsung-electronics", "jane-roe", "CEO", tomorrow, previous_role="CFO"),
    )

    today = await person(store, "jane-roe")
    later = await person(store, "jane-roe", ReadPoint(as_of=datetime.now(UTC) + timedelta(days=3)))

    assert [(r.role, r.current) for r in today.roles] == [("CFO", True)]
    assert [(r.role, r.current, r.started_on) for r in later.roles] == [("CEO", True, tomorrow)]
    assert [(t.role, t.ended_on) for t in later.roles[0].tenures] == [("CFO", tomorrow), ("CEO", None)]


async def test_an_undated_role_keeps_working_beside_dated_ones(store: EventStore) -> None:
    await _store(
        store,
        executive_reported("samsung-electronics", "han-jong-hee", role="Vice Chairman"),
        executive_appointed("samsung-electronics", "lee-jae-yong", "Executive Chairman", "2022-10-27"),
    )

    executives = {e.person_id: e for e in (await dossier(store, "samsung-electronics")).profile.executives}
    han = executives["han-jong-hee"]
    assert (han.role, han.current, han.started_on, han.ended_on, han.tenures) == ("Vice Chairman", True, None, None, [])
    listed = {
        summary.person_id: summary.name for summary in [people.summary(p, rows) for p, rows in await _people(store)]
    }
    assert listed == {"han-jong-hee": "Han Jong Hee", "lee-jae-yong": "Lee Jae Yong"}


async def _people(store: EventStore) -> list[tuple[str, people.PersonRows]]:
    found, _ = await store.people(ReadPoint(), q=None, company=None, cursor=None, limit=100)
    return found


async def test_the_seed_chairman_and_ds_head_read_back_with_their_dates(store: EventStore) -> None:
    await load_ndjson(store, seed_events())

    lee = await _executive_on(store, "samsung-electronics", "jay-y-lee", "2025-06-01")
    assert (lee.role, lee.current, lee.started_on) == ("Executive Chairman", True, "2022-10-27")
    assert [(t.role, t.started_on, t.ended_on) for t in lee.tenures] == [
        ("Vice Chairman", "2012-12", "2022-10-27"),
        ("Executive Chairman", "2022-10-27", None),
    ]
    lee_2021 = await _executive_on(store, "samsung-electronics", "jay-y-lee", "2021-01-01")
    assert (lee_2021.role, lee_2021.current) == ("Vice Chairman", True)
    jun = await _executive_on(store, "samsung-electronics", "jun-young-hyun", "2025-06-01")
    assert (jun.current, jun.started_on) == (True, "2024-05-21")
    kyung = await _executive_on(store, "samsung-electronics", "kyung-kye-hyun", "2025-06-01")
    assert (kyung.current, kyung.ended_on) == (False, "2024-05-21")
