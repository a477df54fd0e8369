"""Claims about plans, relationships, executives, market positions and meetings are grouped like sales figures.

The key that makes two reports claims about one fact: a plan by plan_id; a relationship by
counterparty, kind (and direction, for supplies); an executive by person; a market position by
market and region; a meeting by kind, date, place and companies. The rule is the one of
``api.projections.claims``; disputes of every kind are listed by the conflicts read model.
"""

from __future__ import annotations

from typing import TypeVar

import msgspec
import pytest

from api.seeds import load_ndjson, seed_events
from api.store.base import EventStore
from schema.base import Certainty, Source
from schema.events import EventBase
from tests.contract.read_models import conflicts, dossier, meetings, plans, relationships
from tests.factories import (
    event_retracted,
    executive_reported,
    market_position_reported,
    meeting_held,
    plan_announced,
    relationship_reported,
)

E = TypeVar("E", bound=EventBase)


def _by(event: E, publisher: str, published_on: str, certainty: Certainty = "reported") -> E:
    source = Source(title=f"{publisher} report", publisher=publisher, language="en", published_on=published_on)
    return msgspec.structs.replace(event, sources=[source], certainty=certainty)


@pytest.fixture
async def seeded(store: EventStore) -> EventStore:
    await load_ndjson(store, seed_events())
    return store


async def _append(store: EventStore, *events: EventBase) -> list[int]:
    return [(await store.append([event])).events[0].position for event in events]


@pytest.mark.parametrize("reverse", [False, True], ids=["in publication order", "in reverse"])
async def test_a_relationship_reported_with_two_statuses_is_disputed_and_chosen_by_the_rule(
    seeded: EventStore, reverse: bool
) -> None:
    active = _by(relationship_reported("catl", "byd", status="active"), "Reuters", "2026-01-05")
    ended = _by(relationship_reported("catl", "byd", status="ended"), "CnEVPost", "2026-02-01")
    await _append(seeded, *([ended, active] if reverse else [active, ended]))

    (supplier,) = [r for r in (await relationships(seeded, "byd")).suppliers if r.counterparty == "catl"]
    (customer,) = [r for r in (await relationships(seeded, "catl")).customers if r.counterparty == "byd"]

    for item in (supplier, customer):
        assert (item.status, item.disputed, item.decided_by) == ("ended", True, "published_on")
        assert [c.status for c in item.claims] == ["ended", "active"]
        assert [c.sources[0].publisher for c in item.claims] == ["CnEVPost", "Reuters"]


async def test_partners_named_in_either_order_are_one_partnership(seeded: EventStore) -> None:
    await _append(
        seeded,
        _by(relationship_reported("catl", "byd", kind="partners_with"), "Reuters", "2026-01-05"),
        _by(relationship_reported("byd", "catl", kind="partners_with"), "CnEVPost", "2026-01-06"),
    )

    (partner,) = [r for r in (await relationships(seeded, "byd")).partners if r.counterparty == "catl"]

    assert (len(partner.claims), partner.disputed, partner.decided_by) == (2, False, "agreement")


async def test_retracting_the_winning_report_hands_the_relationship_to_the_next(seeded: EventStore) -> None:
    (active,) = await _append(
        seeded, _by(relationship_reported("catl", "byd", status="active"), "Reuters", "2026-01-05")
    )
    ended = _by(relationship_reported("catl", "byd", status="ended"), "CnEVPost", "2026-02-01")
    winner = (await seeded.append([ended])).events[0].event.id
    assert winner is not None
    await _append(seeded, event_retracted(winner))

    (supplier,) = [r for r in (await relationships(seeded, "byd")).suppliers if r.counterparty == "catl"]

    assert (supplier.status, supplier.disputed, [c.position for c in supplier.claims]) == ("active", False, [active])


async def test_a_speculative_role_never_outranks_a_reported_one(seeded: EventStore) -> None:
    await _append(
        seeded,
        _by(executive_reported("xiaomi", "lei-jun", role="Chairman"), "A blog", "2026-03-01", "speculative"),
        _by(executive_reported("xiaomi", "lei-jun", role="ceo "), "Reuters", "2026-01-05"),
    )

    (lei,) = [e for e in (await dossier(seeded, "xiaomi")).profile.executives if e.person_id == "lei-jun"]

    # The seed's "CEO" (2025-03) and Reuters' later "ceo " agree; the speculative "Chairman" is the rival.
    assert (lei.role, lei.disputed, lei.decided_by) == ("ceo ", True, "certainty")
    assert [c.role for c in lei.claims] == ["ceo ", "CEO", "Chairman"]


async def test_a_market_standing_reported_two_ways_is_disputed(seeded: EventStore) -> None:
    await _append(
        seeded,
        _by(market_position_reported("byd", market="batteries", position="leading"), "Reuters", "2026-01-05"),
        _by(market_position_reported("byd", market="batteries", position="dominant"), "CnEVPost", "2026-01-04"),
    )

    (batteries,) = [m for m in (await relationships(seeded, "byd")).market_positions if m.market == "batteries"]

    assert (batteries.standing, batteries.disputed, batteries.decided_by) == ("leading", True, "published_on")
    assert [c.standing for c in batteries.claims] == ["leading", "dominant"]


@pytest.mark.parametrize("reverse", [False, True], ids=["in publication order", "in reverse"])
async def test_a_plan_reported_with_two_targets_is_judged_by_the_chosen_one(seeded: EventStore, reverse: bool) -> None:
    small = _by(plan_announced("byd", "deliveries-2025", due="2025", target="100"), "Reuters", "2025-01-05")
    large = _by(plan_announced("byd", "deliveries-2025", due="2025", target="5000000"), "A blog", "2025-02-01")
    await _append(seeded, *([large, small] if reverse else [small, large]))

    (plan,) = [p for p in (await plans(seeded, "byd")).items if p.plan_id == "deliveries-2025"]

    assert plan.target is not None and plan.target.value == "5000000"
    assert (plan.disputed, plan.decided_by, len(plan.claims)) == (True, "published_on", 2)
    assert [c.target and c.target.value for c in plan.claims] == ["5000000", "100"]


async def test_one_meeting_reported_twice_is_one_item_with_both_claims(seeded: EventStore) -> None:
    before = len((await meetings(seeded, "byd")).items)
    await _append(
        seeded,
        _by(meeting_held("byd", "catl", occurred_on="2025-06-01", topics=["batteries"]), "Reuters", "2025-06-02"),
        _by(meeting_held("catl", "byd", occurred_on="2025-06-01"), "CnEVPost", "2025-06-03"),
        _by(meeting_held("catl", "byd", occurred_on="2025-06-02"), "CnEVPost", "2025-06-03"),
    )

    items = (await meetings(seeded, "byd")).items[before:]

    assert [(m.occurred_on, len(m.claims)) for m in items] == [("2025-06-01", 2), ("2025-06-02", 1)]
    assert items[0].claims[0].sources[0].publisher == "CnEVPost", "the later publication is chosen"
    assert [c.topics for c in items[0].claims] == [[], ["batteries"]]


async def test_the_conflicts_read_model_lists_disputes_of_every_kind(seeded: EventStore) -> None:
    assert (await conflicts(seeded, "byd")).items == []
    await _append(
        seeded,
        _by(relationship_reported("catl", "byd", status="active"), "Reuters", "2026-01-05"),
        _by(relationship_reported("catl", "byd", status="ended"), "CnEVPost", "2026-02-01"),
        _by(plan_announced("byd", "p", due="2030", target="1"), "Reuters", "2025-01-05"),
        _by(plan_announced("byd", "p", due="2031", target="1"), "Reuters", "2025-01-06"),
        _by(market_position_reported("byd", market="m", position="leading"), "Reuters", "2026-01-05"),
        _by(market_position_reported("byd", market="m", position="dominant"), "Reuters", "2026-01-06"),
        _by(executive_reported("byd", "wang-chuanfu", role="Chairman"), "Reuters", "2026-01-05"),
        _by(executive_reported("byd", "wang-chuanfu", role="CEO"), "Reuters", "2026-01-06"),
    )

    found = (await conflicts(seeded, "byd")).items

    assert [c.kind for c in found] == ["plan", "relationship", "executive", "market_position"]
    assert found[0].plan is not None and found[0].plan.due == "2031"
    assert found[1].relationship is not None and found[1].relationship.status == "ended"
    assert found[2].executive is not None and found[2].executive.role == "CEO"
    assert found[3].market_position is not None and found[3].market_position.standing == "dominant"
    assert all(c.sales is None for c in found)
