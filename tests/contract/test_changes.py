"""What changed in a dossier between two read points, compared fact by fact as the claim rule resolves them."""

from __future__ import annotations

import msgspec
import pytest

from api.projections import changes
from api.seeds import load_ndjson, seed_events
from api.store.base import EventStore
from api.store.readpoint import ReadPoint
from schema.base import Source
from schema.changes import Change
from tests.factories import (
    capital_raised,
    event_retracted,
    executive_reported,
    listing_completed,
    price_announced,
    production_reported,
    sales_reported,
    target_revised,
)


@pytest.fixture
async def seeded(store: EventStore) -> EventStore:
    await load_ndjson(store, seed_events())
    return store


async def _changes(store: EventStore, company: str, start: int, end: int | None = None) -> list[Change]:
    point = ReadPoint(at_position=end)
    after = await store.read_model("changes", company, point)
    before = await store.read_model("changes", company, ReadPoint(at_position=start))
    assert after is not None and before is not None
    between = await store.read(after=start, company=company, limit=10_000)
    return changes.changes(changes.state(before[0]), changes.state(after[0]), between, start)


def _source(publisher: str, published_on: str) -> Source:
    return Source(title=f"{publisher} report", publisher=publisher, language="en", published_on=published_on)


async def test_a_new_figure_is_gained_and_the_plan_it_settles_changes(seeded: EventStore) -> None:
    head = await seeded.last_position()
    stored = await seeded.append([production_reported("xiaomi", "2025", 410000)])

    found = await _changes(seeded, "xiaomi", head)

    assert [(c.kind, c.key, c.change) for c in found] == [
        ("production", "2025", "gained"),
        ("plan", "ev-production-2025", "changed"),
    ]
    plan = found[1]
    assert "status" in plan.fields and plan.after is not None and plan.after["status"] == "met"
    assert [cause.position for cause in plan.caused_by] == [stored.events[0].position]
    assert plan.caused_by[0].type == "production_reported"


async def test_units_sold_are_gained_without_changing_the_production_plan(seeded: EventStore) -> None:
    head = await seeded.last_position()
    await seeded.append([sales_reported("xiaomi", "2025", units=410000)])

    found = await _changes(seeded, "xiaomi", head)

    assert [(c.kind, c.key, c.change) for c in found] == [("sales", "2025 units", "gained")]


async def test_a_revised_target_changes_the_plan_and_names_the_revision(seeded: EventStore) -> None:
    head = await seeded.last_position()
    stored = await seeded.append([target_revised("xiaomi", "ev-production-2025", "300000", revised_on="2025-06")])

    (plan,) = await _changes(seeded, "xiaomi", head)

    assert (plan.kind, plan.key, plan.fields) == ("plan", "ev-production-2025", ["target"])
    assert plan.before is not None and plan.after is not None
    assert (plan.before["target"], plan.after["target"]) == ("350000", "300000")
    assert [(c.position, c.type) for c in plan.caused_by] == [(stored.events[0].position, "target_revised")]


async def test_nothing_between_the_same_point(seeded: EventStore) -> None:
    head = await seeded.last_position()
    assert await _changes(seeded, "xiaomi", head, head) == []


async def test_a_retraction_loses_the_fact_and_names_itself(seeded: EventStore) -> None:
    stored = await seeded.append([executive_reported("xiaomi", "lu-weibing", role="President")])
    event_id = stored.events[0].event.id
    assert event_id is not None
    position = stored.events[0].position
    retraction = await seeded.append([event_retracted(event_id)])

    (lost,) = await _changes(seeded, "xiaomi", position)

    assert (lost.kind, lost.key, lost.change, lost.after) == ("executive", "lu-weibing", "lost", None)
    assert [c.position for c in lost.caused_by] == [retraction.events[0].position]


async def test_a_winning_claim_changes_the_chosen_value(seeded: EventStore) -> None:
    await seeded.append(
        [
            msgspec.structs.replace(
                sales_reported("xiaomi", "2025", units=300000), sources=[_source("CnEVPost", "2026-01-02")]
            )
        ]
    )
    start = await seeded.last_position()
    later = await seeded.append(
        [
            msgspec.structs.replace(
                sales_reported("xiaomi", "2025", units=410000), sources=[_source("Reuters", "2026-03-24")]
            )
        ]
    )

    figure = next(c for c in await _changes(seeded, "xiaomi", start) if c.kind == "sales")

    assert (figure.change, figure.fields) == ("changed", ["disputed", "value"])
    assert (figure.before and figure.before["value"], figure.after and figure.after["value"]) == ("300000", "410000")
    assert [c.position for c in figure.caused_by] == [later.events[0].position]


async def test_a_price_cut_a_listing_and_a_raise_are_changes_of_their_own_kinds(seeded: EventStore) -> None:
    head = await seeded.last_position()
    await seeded.append([price_announced("xiaomi", "SU7", "199900", variant="Standard", announced_on="2025-01-10")])
    await seeded.append([listing_completed("xiaomi", "SSE", "688001", listed_on="2026-01-05")])
    await seeded.append([capital_raised("xiaomi", "10000000000", kind="bonds", raised_on="2026-02")])

    found = await _changes(seeded, "xiaomi", head)

    assert [(c.kind, c.key, c.change) for c in found] == [
        ("price", "SU7 Standard China 2025-01-10 CNY", "gained"),
        ("listing", "SSE", "gained"),
        ("capital_raise", "bonds 2026-02 HKD", "gained"),
    ]
    assert found[0].after is not None and found[0].after["price"] == "199900 CNY"
