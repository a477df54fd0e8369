"""Filtering the log: person, certainty, publisher, the date an event happened, an upper position
bound and newest first; filters AND across kinds and OR within one, pages never lose or repeat one."""

from __future__ import annotations

import calendar
import random
from collections.abc import Sequence

import msgspec
import pytest

from api.store.base import EventStore, LogFilter
from schema.base import Source
from schema.codec import event_tag
from schema.events import Event, MeetingHeld, Participant, SiteVisited, StoredEvent
from tests.contract.history import random_history
from tests.factories import (
    company_registered,
    evidence_added,
    executive_reported,
    meeting_held,
    product_launched,
    sales_reported,
    site_visited,
    source,
)


def _from(publisher: str) -> Source:
    return msgspec.structs.replace(source(), publisher=publisher)


@pytest.fixture
async def log(store: EventStore) -> EventStore:
    """1-3 registrations; 4 lei-jun at xiaomi; 5 jay-y-lee at samsung; 6 meeting of both on 2025-03-22;
    7 a visit by jay-y-lee in 2025-03; 8 xiaomi sales for 2025-Q1 (confirmed, CnEVPost); 9 byd sales
    for 2024 (speculative); 10 a launch in 2025-04; 11 evidence for 6 from CnEVPost."""
    await store.append_batch(
        [company_registered("xiaomi"), company_registered("samsung-electronics"), company_registered("byd")]
    )
    meeting = meeting_held("xiaomi", "samsung-electronics", occurred_on="2025-03-22")
    meeting = msgspec.structs.replace(
        meeting,
        participants=[
            Participant(company_id="xiaomi", person_id="lei-jun"),
            Participant(company_id="samsung-electronics", person_id="jay-y-lee"),
        ],
    )
    visit = site_visited("samsung-electronics", "byd", occurred_on="2025-03")
    visit = msgspec.structs.replace(visit, visitor=Participant(company_id="samsung-electronics", person_id="jay-y-lee"))
    await store.append_batch(
        [
            executive_reported("xiaomi", "lei-jun"),
            executive_reported("samsung-electronics", "jay-y-lee"),
        ]
    )
    stored = (await store.append([meeting])).events[0]
    await store.append([visit])
    await store.append(
        [sales_reported("xiaomi", "2025-Q1", units=1, certainty="confirmed", sources=[_from("CnEVPost")])]
    )
    await store.append([sales_reported("byd", "2024", units=2, certainty="speculative")])
    await store.append([product_launched("xiaomi", "YU7", launched_on="2025-04")])
    await store.append([evidence_added(stored.event.id, sources=[_from(" cnev  POST")])])  # type: ignore[arg-type]
    return store


async def _positions(store: EventStore, **options: object) -> list[int]:
    return [stored.position for stored in await store.read(**options)]  # type: ignore[arg-type]


async def test_person_finds_the_events_naming_them_as_executive_participant_or_visitor(log: EventStore) -> None:
    assert await _positions(log, where=LogFilter(persons=["jay-y-lee"])) == [5, 6, 7]
    assert await _positions(log, where=LogFilter(persons=["lei-jun"])) == [4, 6]


async def test_repeats_of_one_filter_are_or(log: EventStore) -> None:
    assert await _positions(log, where=LogFilter(persons=["lei-jun", "jay-y-lee"])) == [4, 5, 6, 7]
    assert await _positions(log, where=LogFilter(certainties=["confirmed", "speculative"])) == [8, 9]


async def test_different_filters_are_and(log: EventStore) -> None:
    assert await _positions(log, where=LogFilter(persons=["jay-y-lee"], types=["site_visited"])) == [7]
    assert await _positions(log, where=LogFilter(persons=["jay-y-lee"], companies=["byd"])) == [7]
    assert await _positions(log, where=LogFilter(persons=["lei-jun"], certainties=["speculative"])) == []


async def test_certainty_keeps_events_of_that_certainty(log: EventStore) -> None:
    assert await _positions(log, where=LogFilter(certainties=["confirmed"])) == [8]
    assert len(await _positions(log, where=LogFilter(certainties=["reported"]))) == 9


async def test_publisher_compares_without_case_or_spaces_and_evidence_matches_itself_only(log: EventStore) -> None:
    assert await _positions(log, where=LogFilter(publishers=["cnevpost"])) == [8, 11]
    assert await _positions(log, where=LogFilter(publishers=["CnEV Post"])) == [8, 11]
    assert await _positions(log, where=LogFilter(publishers=["Nobody"])) == []


async def test_a_month_overlaps_the_days_and_the_periods_in_it(log: EventStore) -> None:
    march = LogFilter(occurred_from="2025-03", occurred_to="2025-03")
    assert await _positions(log, where=march) == [6, 7, 8]  # the quarter 2025-Q1 includes March


async def test_a_day_finds_events_dated_by_a_month_or_period_around_it(log: EventStore) -> None:
    day = LogFilter(occurred_from="2025-03-22", occurred_to="2025-03-22")
    assert await _positions(log, where=day) == [6, 7, 8]
    assert await _positions(log, where=LogFilter(occurred_from="2025-03-23", occurred_to="2025-03-31")) == [7, 8]


async def test_open_ended_date_ranges_and_undated_events(log: EventStore) -> None:
    assert await _positions(log, where=LogFilter(occurred_from="2025-04")) == [10]
    assert await _positions(log, where=LogFilter(occurred_to="2024-12-31")) == [9]
    # Registrations, roles and evidence have no date of their own: no date filter finds them.
    assert await _positions(log, where=LogFilter(occurred_from="1900", occurred_to="2100")) == [6, 7, 8, 9, 10]


async def test_a_date_range_ending_before_it_starts_is_empty(log: EventStore) -> None:
    assert await _positions(log, where=LogFilter(occurred_from="2025-04", occurred_to="2025-03")) == []


async def test_before_is_an_exclusive_upper_bound(log: EventStore) -> None:
    assert await _positions(log, before=4) == [1, 2, 3]
    assert await _positions(log, after=5, before=8) == [6, 7]
    assert await _positions(log, after=5, before=6) == []
    assert await _positions(log, where=LogFilter(persons=["jay-y-lee"]), before=7) == [5, 6]


async def test_descending_gives_the_newest_first(log: EventStore) -> None:
    assert await _positions(log, descending=True, limit=3) == [11, 10, 9]
    assert await _positions(log, descending=True, before=4) == [3, 2, 1]
    assert await _positions(log, descending=True, where=LogFilter(persons=["jay-y-lee"]), limit=2) == [7, 6]
    assert await _positions(log, descending=True, after=8) == [11, 10, 9]


async def test_the_old_shorthands_still_filter(log: EventStore) -> None:
    assert await _positions(log, types=["sales_reported"]) == [8, 9]
    assert await _positions(log, company="byd") == [3, 7, 9]
    assert await _positions(log, company="byd", descending=True) == [9, 7, 3]


# -- every combination against a model of the filters ------------------------------------------

_CERTAINTIES = ["confirmed", "reported", "speculative"]


def _varied(events: Sequence[Event], rng: random.Random) -> list[Event]:
    """The history's events with random certainties, and persons on its meetings and visits."""
    people = [f"person-{n}" for n in range(1, 6)]
    varied: list[Event] = []
    for event in events:
        event = msgspec.structs.replace(event, certainty=rng.choice(_CERTAINTIES))
        if isinstance(event, MeetingHeld):
            participants = [
                msgspec.structs.replace(p, person_id=rng.choice([None, *people])) for p in event.participants
            ]
            event = msgspec.structs.replace(event, participants=participants)
        elif isinstance(event, SiteVisited):
            visitor = msgspec.structs.replace(event.visitor, person_id=rng.choice([None, *people]))
            event = msgspec.structs.replace(event, visitor=visitor)
        varied.append(event)
    return varied


def _days(value: str) -> tuple[str, str]:
    year = int(value[:4])
    if len(value) == 4:
        return f"{year}-01-01", f"{year}-12-31"
    if "-Q" in value:
        quarter = int(value[-1])
        first, last = 3 * quarter - 2, 3 * quarter
    elif len(value) == 7:
        first = last = int(value[5:])
    else:
        return value, value
    return f"{year}-{first:02d}-01", f"{year}-{last:02d}-{calendar.monthrange(year, last)[1]:02d}"


def _matches(stored: StoredEvent, touched: set[str], where: LogFilter) -> bool:
    event = stored.event
    if where.types and event_tag(event) not in where.types:
        return False
    if where.companies and not touched & set(where.companies):
        return False
    if where.persons and not set(event.persons_named()) & set(where.persons):
        return False
    if where.certainties and event.certainty not in where.certainties:
        return False
    wanted = {"".join(p.lower().split()) for p in where.publishers}
    if wanted and not {"".join(s.publisher.lower().split()) for s in event.sources} & wanted:
        return False
    if where.occurred_from or where.occurred_to:
        dated = event.dated()
        if dated is None:
            return False
        first, last = _days(dated)
        if where.occurred_from and last < _days(where.occurred_from)[0]:
            return False
        if where.occurred_to and first > _days(where.occurred_to)[1]:
            return False
    return True


def _random_filter(rng: random.Random, companies: list[str]) -> LogFilter:
    def some(values: Sequence[str]) -> list[str]:
        return rng.sample(list(values), rng.choice([1, 1, 2])) if rng.random() < 0.4 else []

    start = rng.choice(
        [None, f"{rng.randrange(2016, 2033)}", f"{rng.randrange(2016, 2033)}-{rng.randrange(1, 13):02d}"]
    )
    end = rng.choice(
        [None, f"{rng.randrange(2016, 2033)}", f"{rng.randrange(2016, 2033)}-{rng.randrange(1, 13):02d}-15"]
    )
    return LogFilter(
        types=some(["sales_reported", "meeting_held", "site_visited", "evidence_added", "executive_reported"]),
        companies=some(companies),
        persons=some([f"person-{n}" for n in range(1, 7)]),
        certainties=some(_CERTAINTIES),
        publishers=some(["daily", "Weekly", "W I R E"]),
        occurred_from=start if rng.random() < 0.4 else None,
        occurred_to=end if rng.random() < 0.4 else None,
    )


async def _paged(store: EventStore, where: LogFilter, limit: int, *, descending: bool) -> list[int]:
    """Every matching position, following the cursor a page at a time."""
    found: list[int] = []
    after, before = 0, None
    while True:
        page = await store.read(after=after, before=before, limit=limit, where=where, descending=descending)
        found.extend(s.position for s in page)
        if len(page) < limit:
            return found
        if descending:
            before = page[-1].position
        else:
            after = page[-1].position


async def test_every_combination_of_filters_pages_as_the_model_says(store: EventStore) -> None:
    rng = random.Random(20251217)
    history = random_history(20251217, 400)
    events = _varied(history.events, rng)
    for start in range(0, len(events), 50):
        await store.append_batch(events[start : start + 50])
    log = await store.read(limit=1000)
    companies = sorted(history.versions)
    touching = {c: {s.position for s in await store.read(company=c, limit=1000)} for c in companies}
    touched = {s.position: {c for c in companies if s.position in touching[c]} for s in log}
    answered = 0
    for _ in range(60):
        where = _random_filter(rng, companies)
        expected = [s.position for s in log if _matches(s, touched[s.position], where)]
        answered += bool(expected)
        limit = rng.choice([1, 3, 10, 1000])
        assert await _paged(store, where, limit, descending=False) == expected, where
        assert await _paged(store, where, limit, descending=True) == expected[::-1], where
    assert answered >= 30, "most filters drawn find something"


async def test_paging_newest_first_loses_and_repeats_nothing_while_events_are_appended(store: EventStore) -> None:
    await store.append_batch([company_registered("xiaomi"), company_registered("byd")])
    for n in range(30):
        await store.append([sales_reported("xiaomi" if n % 3 else "byd", f"{2000 + n}", units=n)])
    where = LogFilter(companies=["xiaomi"], types=["sales_reported"])
    expected = [s.position for s in await store.read(where=where, limit=1000, descending=True)]
    seen: list[int] = []
    before = None
    while True:
        page = await store.read(before=before, limit=4, where=where, descending=True)
        seen.extend(s.position for s in page)
        # Appends between pages land above the first page: the cursor never meets them.
        await store.append([sales_reported("xiaomi", "2099", units=1)])
        if len(page) < 4:
            break
        before = page[-1].position
    assert seen == expected
    assert len(seen) == len(set(seen)) == 20
