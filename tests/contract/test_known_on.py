"""The second time axis: read models as publicly known on a day (``known_on``), from sources' publication dates."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from api.seeds import FIRST_ARTICLE, load_ndjson, seed_events
from api.store.base import EventStore
from api.store.readpoint import ReadPoint
from schema.base import Source
from schema.events import ExecutiveReported
from tests.contract.read_models import dossier, plans, sales, timeline
from tests.factories import evidence_added, executive_reported, sales_reported


def _source(publisher: str, published_on: str | None) -> Source:
    return Source(title=f"{publisher} on Xiaomi", publisher=publisher, language="en", published_on=published_on)


def _on(day: str) -> ReadPoint:
    return ReadPoint(known_on=date.fromisoformat(day))


@pytest.fixture
async def seeded(store: EventStore) -> EventStore:
    """The first source article, all of whose sources are dated 2025-03."""
    await load_ndjson(store, seed_events(FIRST_ARTICLE))
    return store


async def test_a_day_before_any_source_gives_an_empty_dossier(seeded: EventStore) -> None:
    known = await dossier(seeded, "xiaomi", _on("2025-03-01"))

    assert (known.profile.name, known.known_on) == ("Xiaomi", date(2025, 3, 1)), "the identity stays"
    assert (known.counts, known.latest_sales, known.open_plans, known.counterparties) == ({}, [], [], [])
    assert (known.profile.executives, known.profile.products) == ([], [])
    assert (await timeline(seeded, "xiaomi", _on("2025-03-01"))).items == []


async def test_a_month_of_publication_counts_from_its_last_day(seeded: EventStore) -> None:
    before = await dossier(seeded, "xiaomi", _on("2025-03-30"))
    after = await dossier(seeded, "xiaomi", _on("2025-03-31"))

    assert before.counts == {}
    assert after.counts == (await dossier(seeded, "xiaomi")).counts, "every seed article is dated 2025-03"
    assert after.known_on == date(2025, 3, 31)


async def test_plans_are_judged_on_the_day_asked(seeded: EventStore) -> None:
    known = await plans(seeded, "xiaomi", _on("2025-04-01"))

    production = next(p for p in known.items if p.plan_id == "ev-production-2025")
    assert (known.evaluated_on, production.status) == (date(2025, 4, 1), "pending"), "2025 was not over then"


async def test_claims_published_later_are_not_yet_known(seeded: EventStore) -> None:
    await seeded.append([sales_reported("xiaomi", "2025", units=300000, sources=[_source("CnEVPost", "2026-01-02")])])
    await seeded.append([sales_reported("xiaomi", "2025", units=410000, sources=[_source("Reuters", "2026-03-24")])])

    early = [f for f in (await sales(seeded, "xiaomi", _on("2026-02-01"))).items if f.period == "2025"]
    late = [f for f in (await sales(seeded, "xiaomi", _on("2026-03-24"))).items if f.period == "2025"]

    assert [(f.units and f.units.value, f.disputed) for f in early] == [(300000, False)]
    assert [(f.units and f.units.value, f.disputed) for f in late] == [(410000, True)]


async def test_a_fact_is_known_through_evidence_published_before_it(seeded: EventStore) -> None:
    figure = (
        await seeded.append([sales_reported("xiaomi", "2025", units=410000, sources=[_source("Reuters", "2026-03")])])
    ).events[0]
    assert figure.event.id is not None
    await seeded.append([evidence_added(figure.event.id, sources=[_source("CnEVPost", "2025-12-30")])])

    known = [f for f in (await sales(seeded, "xiaomi", _on("2026-01-15"))).items if f.period == "2025"]

    assert [[s.publisher for s in f.claims[0].sources] for f in known] == [["CnEVPost"]]


async def test_a_timeline_item_waits_for_its_own_sources_where_evidence_came_first(seeded: EventStore) -> None:
    figure = (
        await seeded.append([sales_reported("xiaomi", "2025", units=410000, sources=[_source("Reuters", "2026-03")])])
    ).events[0]
    assert figure.event.id is not None
    await seeded.append([evidence_added(figure.event.id, sources=[_source("CnEVPost", "2025-12-30")])])

    before = await timeline(seeded, "xiaomi", _on("2026-01-15"))
    after = await timeline(seeded, "xiaomi", _on("2026-03-31"))

    assert figure.position not in [i.event.position for i in before.items]
    [item] = [i for i in after.items if i.event.position == figure.position]
    assert [s.publisher for s in item.event.event.sources] == ["Reuters"]


async def test_a_day_centuries_before_the_store_knows_nothing_recorded(seeded: EventStore) -> None:
    await seeded.append([sales_reported("xiaomi", "2026", units=1, sources=[_source("Blog", None)])])

    known = await sales(seeded, "xiaomi", _on("0500-09-22"))

    assert (known.items, known.undated_claims) == ([], 0), "nothing was recorded in the year 500"


async def test_an_undated_source_counts_from_the_day_it_was_recorded(seeded: EventStore) -> None:
    stored = (await seeded.append([sales_reported("xiaomi", "2026", units=1, sources=[_source("Blog", None)])])).events[
        0
    ]
    today = stored.recorded_at.astimezone(UTC).date()

    yesterday = await sales(seeded, "xiaomi", ReadPoint(known_on=today - timedelta(days=1)))
    known = await sales(seeded, "xiaomi", ReadPoint(known_on=today))

    assert [f.period for f in yesterday.items if f.period == "2026"] == []
    assert [f.period for f in known.items if f.period == "2026"] == ["2026"]
    assert known.undated_claims is not None and yesterday.undated_claims is not None
    assert known.undated_claims == yesterday.undated_claims + 1, "the answer counts the facts dated by recording"


async def test_known_on_combines_with_a_read_position(seeded: EventStore) -> None:
    head = await seeded.last_position()
    await seeded.append([sales_reported("xiaomi", "2025", units=300000, sources=[_source("CnEVPost", "2025-03-02")])])

    at_head = await sales(seeded, "xiaomi", ReadPoint(at_position=head, known_on=date(2025, 12, 31)))
    now = await sales(seeded, "xiaomi", ReadPoint(known_on=date(2025, 12, 31)))

    assert [f.period for f in at_head.items] == ["2024", "2024"], "not yet recorded at that position"
    assert [f.period for f in now.items] == ["2024", "2024", "2025"]


async def test_without_known_on_the_answer_says_nothing_of_it(seeded: EventStore) -> None:
    latest = await dossier(seeded, "xiaomi")

    assert (latest.known_on, latest.undated_claims) == (None, None)
    assert datetime.now(UTC).date() >= date(2026, 1, 1)


async def test_undated_facts_are_dated_by_their_earliest_source_never_by_the_load(seeded: EventStore) -> None:
    items = (await timeline(seeded, "xiaomi")).items

    dating = {(i.event.event.__struct_config__.tag, i.occurred_on, i.dated_by) for i in items}
    assert ("company_registered", "2025-03", "source") in dating
    assert ("executive_reported", "2025-03", "source") in dating
    assert ("sales_reported", "2024", "event") in dating
    assert all(dated_by != "recorded" for _, _, dated_by in dating), "every seed article is dated"


async def test_timeline_items_say_what_dates_them(seeded: EventStore) -> None:
    stored = (
        await seeded.append(
            [sales_reported("xiaomi", "2026", units=1, sources=[_source("Blog", None), _source("Paper", "2026-02")])]
        )
    ).events[0]
    undated = (await seeded.append([executive_reported("xiaomi", "lu-weibing")])).events[0]
    sourced = ExecutiveReported(
        sources=[_source("Paper", "2026-02"), _source("Agency", "2025-11-30")],
        person_id="lei-jun",
        name="Lei Jun",
        company_id="xiaomi",
        role="Chairman",
    )
    earliest = (await seeded.append([sourced])).events[0]

    items = {i.event.position: i for i in (await timeline(seeded, "xiaomi")).items}
    assert (items[stored.position].occurred_on, items[stored.position].dated_by) == ("2026", "event")
    recorded = undated.recorded_at.astimezone(UTC).date().isoformat()
    assert (items[undated.position].occurred_on, items[undated.position].dated_by) == (recorded, "recorded")
    assert (items[earliest.position].occurred_on, items[earliest.position].dated_by) == ("2025-11-30", "source")
