"""The read models of the first source article (seeds/samsung-xiaomi-ev-meeting.ndjson).

Every test here starts from a store holding the seed events.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from api.seeds import FIRST_ARTICLE, load_ndjson, seed_events
from api.store.base import EventStore
from tests.contract.read_models import company_ids, dossier, meetings, plans, relationships, sales


@pytest.fixture(autouse=True)
async def _seeds(store: EventStore) -> None:
    await load_ndjson(store, seed_events(FIRST_ARTICLE))


async def test_seeds_register_six_companies(store: EventStore) -> None:
    assert await company_ids(store) == [
        "byd",
        "catl",
        "samsung-display",
        "samsung-electronics",
        "samsung-sdi",
        "xiaomi",
    ]


async def test_xiaomi_dossier_names_lei_jun_as_ceo(store: EventStore) -> None:
    profile = (await dossier(store, "xiaomi")).profile

    assert [(e.person_id, e.name, e.role) for e in profile.executives] == [("lei-jun", "Lei Jun", "CEO")]
    assert (profile.name, profile.country) == ("Xiaomi", "CN")


async def test_xiaomi_sales_2024_are_about_137000_units_and_4_5_billion_usd(store: EventStore) -> None:
    units, revenue = (await sales(store, "xiaomi")).items

    assert (units.period, units.measure, units.revenue) == ("2024", "units", None)
    assert units.units is not None
    assert (units.units.value, units.units.approximate) == (137000, True)
    assert (revenue.period, revenue.measure, revenue.units) == ("2024", "revenue", None)
    assert revenue.revenue is not None
    assert (revenue.revenue.amount, revenue.revenue.currency, revenue.revenue.approximate) == (
        "4500000000",
        "USD",
        True,
    )
    assert units.chosen == revenue.chosen, "one report, two figures"


async def test_xiaomi_plans_are_ev_production_2025_and_international_expansion_2027(store: EventStore) -> None:
    today = datetime.now(UTC).date()

    items = {p.plan_id: p for p in (await plans(store, "xiaomi")).items}

    assert sorted(items) == ["ev-production-2025", "international-expansion-2027"]
    production = items["ev-production-2025"]
    assert (production.metric, production.due) == ("units_produced", "2025")
    assert production.target is not None
    assert production.target.value == "350000"
    assert production.status == ("unknown" if today > date(2025, 12, 31) else "pending")
    expansion = items["international-expansion-2027"]
    assert (expansion.due, expansion.target) == ("2027", None)
    assert expansion.status == ("unknown" if today > date(2027, 12, 31) else "pending")


async def test_xiaomi_met_samsung_electronics_in_beijing_on_2025_03_22(store: EventStore) -> None:
    (meeting,) = (await meetings(store, "xiaomi")).items

    assert (meeting.kind, meeting.occurred_on) == ("meeting", "2025-03-22")
    assert (meeting.location.city, meeting.location.country) == ("Beijing", "CN")
    assert meeting.counterparties == ["samsung-electronics"]
    assert meeting.occasion == "China Development Forum"


async def test_samsung_electronics_meetings_include_the_visit_to_byd_in_shenzhen(store: EventStore) -> None:
    items = (await meetings(store, "samsung-electronics")).items

    assert [(m.kind, m.role, m.counterparties) for m in items] == [
        ("site_visit", "visitor", ["byd"]),
        ("meeting", "participant", ["xiaomi"]),
    ]
    visit = items[0]
    assert (visit.site, visit.location.city, visit.occurred_on) == ("BYD headquarters", "Shenzhen", "2025-03")


async def test_byd_meetings_show_the_visit_it_hosted(store: EventStore) -> None:
    (visit,) = (await meetings(store, "byd")).items

    assert (visit.kind, visit.role, visit.counterparties) == ("site_visit", "host", ["samsung-electronics"])


async def test_xiaomi_suppliers_include_samsung_electronics_for_chips_nand_and_oled(store: EventStore) -> None:
    suppliers = (await relationships(store, "xiaomi")).suppliers

    assert sorted(r.counterparty for r in suppliers) == ["samsung-display", "samsung-electronics", "samsung-sdi"]
    (samsung,) = [r for r in suppliers if r.counterparty == "samsung-electronics"]
    assert (samsung.status, samsung.direction) == ("active", "incoming")
    for component in ("chips", "NAND", "OLED"):
        assert any(component in c for c in samsung.components), component


async def test_xiaomi_partner_and_competitor_is_samsung_electronics(store: EventStore) -> None:
    found = await relationships(store, "xiaomi")

    assert [(r.counterparty, r.status) for r in found.partners] == [("samsung-electronics", "potential")]
    assert [r.counterparty for r in found.competitors] == ["samsung-electronics"]


async def test_partnership_counts_the_two_pingbacks_as_sources(store: EventStore) -> None:
    (partner,) = (await relationships(store, "xiaomi")).partners

    assert partner.source_count == 3
    assert [s.language for s in partner.sources] == ["de", "es", "en"]


async def test_samsung_electronics_lists_samsung_sdi_and_samsung_display_as_subsidiaries(store: EventStore) -> None:
    profile = (await dossier(store, "samsung-electronics")).profile

    assert [(s.company_id, s.name) for s in profile.subsidiaries] == [
        ("samsung-display", "Samsung Display"),
        ("samsung-sdi", "Samsung SDI"),
    ]
    assert [(e.person_id, e.role) for e in profile.executives] == [("jay-y-lee", "President")]


async def test_samsung_sdi_names_samsung_electronics_as_parent(store: EventStore) -> None:
    parent = (await dossier(store, "samsung-sdi")).profile.parent

    assert parent is not None
    assert (parent.company_id, parent.name) == ("samsung-electronics", "Samsung Electronics")


async def test_byd_and_catl_dominate_the_chinese_ev_market(store: EventStore) -> None:
    (position,) = (await relationships(store, "byd")).market_positions

    assert (position.market, position.region, position.standing, position.peers) == (
        "electric vehicles",
        "China",
        "dominant",
        ["catl"],
    )


async def test_xiaomi_dossier_counts_its_facts_and_counterparties(store: EventStore) -> None:
    summary = await dossier(store, "xiaomi")

    assert summary.version == 15  # 13 facts naming it, 2 pieces of evidence for the partnership
    assert summary.last_position == 23
    assert summary.counts == {
        "company_registered": 1,
        "executive_reported": 1,
        "market_position_reported": 1,
        "meeting_held": 1,
        "plan_announced": 2,
        "product_launched": 1,
        "relationship_reported": 5,
        "sales_reported": 1,
    }
    assert [(c.company_id, c.via) for c in summary.counterparties] == [
        ("samsung-display", ["supplies"]),
        ("samsung-electronics", ["competes_with", "meeting", "partners_with", "supplies"]),
        ("samsung-sdi", ["supplies"]),
    ]
