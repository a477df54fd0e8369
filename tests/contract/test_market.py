"""Prices, listings and capital raised, read back where a reader looks: a company's products
(``/companies/{id}/products``), its dossier (latest prices, listings, capital raised), its conflicts
and its timeline. Real items come from seeds/samsung-xiaomi-news-2025.ndjson."""

from __future__ import annotations

from datetime import date

import pytest

from api.projections import search, words
from api.seeds import load_ndjson, seed_events
from api.store.base import EventStore
from api.store.readpoint import ReadPoint
from schema.base import Money, Source
from schema.dossiers import ProductLine
from schema.events import EventBase
from tests.contract.read_models import LATEST, conflicts, dossier, products, timeline
from tests.factories import (
    capital_raised,
    company_registered,
    event_retracted,
    listing_completed,
    new_id,
    price_announced,
    product_launched,
)

REUTERS = Source(title="Xiaomi prices", publisher="Reuters", language="en", published_on="2024-03-29")
BLOG = Source(title="Xiaomi prices", publisher="A car blog", language="en", published_on="2024-03-30")


@pytest.fixture
async def seeded(store: EventStore) -> EventStore:
    await load_ndjson(store, seed_events())
    return store


async def _append(store: EventStore, *events: EventBase) -> list[int]:
    return [(await store.append([event])).events[0].position for event in events]


async def _line(store: EventStore, product: str) -> ProductLine:
    (line,) = [item for item in (await products(store, "xiaomi")).items if item.product == product]
    return line


async def test_the_su7_launched_on_2024_03_28_from_cny_215900_for_the_standard_version_in_china(
    seeded: EventStore,
) -> None:
    su7 = await _line(seeded, "SU7")

    assert (su7.launched_on, su7.category) == ("2024-03-28", "electric vehicle")
    assert [launch.launched_on for launch in su7.launches] == ["2024", "2024-03-28"], "the first seed dated it 2024"
    standard = [p for p in su7.prices if p.variant == "Standard"]
    assert [(p.market, p.price.amount, p.price.currency, p.from_price, p.announced_on) for p in standard] == [
        ("China", "215900", "CNY", True, "2024-03-28")
    ]
    assert [(p.variant, p.price.amount) for p in su7.prices] == [
        ("Max", "299900"),
        ("Pro", "245900"),
        ("Standard", "215900"),
    ]
    assert standard[0].sources[0].publisher == "Teslarati"


async def test_the_yu7_launched_on_2025_06_26_from_cny_253500(seeded: EventStore) -> None:
    yu7 = await _line(seeded, "YU7")

    assert yu7.launched_on == "2025-06-26"
    assert [(p.variant, p.market, p.price.amount, p.price.currency, p.from_price) for p in yu7.prices] == [
        ("Standard", "China", "253500", "CNY", True)
    ]


async def test_products_are_listed_by_launch_date(seeded: EventStore) -> None:
    assert [line.product for line in (await products(seeded, "xiaomi")).items] == ["SU7", "YU7"]


async def test_the_dossier_lists_xiaomi_on_hkex_as_1810_from_2018_07_09(seeded: EventStore) -> None:
    (listing,) = (await dossier(seeded, "xiaomi")).profile.listings

    assert (listing.exchange, listing.ticker, listing.listed_on) == ("HKEX", "1810", "2018-07-09")
    assert listing.offer_price == Money(amount="17", currency="HKD")
    assert listing.amount_raised == Money(amount="4720000000", currency="USD", approximate=True)
    assert listing.shares_offered is not None and listing.shares_offered.value == 2_180_000_000


async def test_the_dossier_shows_the_march_2025_placement_of_about_hkd_42_5_billion(seeded: EventStore) -> None:
    (placement,) = (await dossier(seeded, "xiaomi")).capital_raised

    assert (placement.kind, placement.raised_on) == ("share_placement", "2025-03-25")
    assert placement.amount == Money(amount="42500000000", currency="HKD", approximate=True)
    assert placement.shares is not None and placement.shares.value == 800_000_000
    assert placement.price_per_share == Money(amount="53.25", currency="HKD")
    assert {s.publisher for s in placement.sources} == {"Asia Financial", "Hawk Insight"}


async def test_the_dossier_shows_the_latest_price_of_each_version(seeded: EventStore) -> None:
    latest = (await dossier(seeded, "xiaomi")).latest_prices

    assert [(p.product, p.variant, p.price.amount) for p in latest] == [
        ("SU7", "Max", "299900"),
        ("SU7", "Pro", "245900"),
        ("SU7", "Standard", "215900"),
        ("YU7", "Standard", "253500"),
    ]


async def test_a_price_cut_is_a_new_price_and_the_dossier_shows_the_latest(seeded: EventStore) -> None:
    await _append(seeded, price_announced("xiaomi", "su7", "199900", variant="standard", announced_on="2025-01-10"))

    su7 = await _line(seeded, "SU7")
    standard = [
        (p.announced_on, p.price.amount, p.disputed) for p in su7.prices if (p.variant or "").lower() == "standard"
    ]
    assert standard == [("2024-03-28", "215900", False), ("2025-01-10", "199900", False)]
    latest = [p for p in (await dossier(seeded, "xiaomi")).latest_prices if p.product.lower() == "su7"]
    assert [(p.variant, p.price.amount) for p in latest if p.variant.lower() == "standard"] == [("standard", "199900")]  # type: ignore[union-attr]


async def test_a_price_with_no_launch_recorded_is_a_product_of_its_own(store: EventStore) -> None:
    await _append(store, company_registered("xiaomi"), price_announced("xiaomi", "Xiaomi 15", "4499"))

    (line,) = (await products(store, "xiaomi")).items
    assert (line.product, line.launched_on, line.category, line.launches) == ("Xiaomi 15", None, None, [])
    assert [p.price.amount for p in line.prices] == ["4499"]


async def test_reports_of_one_price_that_disagree_are_a_dispute_the_rule_decides(store: EventStore) -> None:
    await _append(
        store,
        company_registered("xiaomi"),
        product_launched("xiaomi", "SU7", launched_on="2024-03-28"),
        price_announced("xiaomi", "SU7", "215900", sources=[REUTERS], certainty="confirmed"),
        price_announced("xiaomi", "SU7", "219900", sources=[BLOG]),
    )

    (price,) = (await _line(store, "SU7")).prices
    assert (price.price.amount, price.disputed, price.decided_by) == ("215900", True, "certainty")
    assert [c.price.amount for c in price.claims] == ["215900", "219900"]
    (conflict,) = (await conflicts(store, "xiaomi")).items
    assert conflict.kind == "price"
    assert conflict.price is not None and conflict.price.price.amount == "215900"


async def test_an_approximate_price_within_two_percent_agrees(store: EventStore) -> None:
    await _append(
        store,
        company_registered("xiaomi"),
        price_announced("xiaomi", "SU7", "215900", sources=[REUTERS]),
        price_announced("xiaomi", "SU7", "216000", approximate=True, sources=[BLOG]),
    )

    (price,) = (await _line(store, "SU7")).prices
    assert (price.disputed, price.decided_by, len(price.claims)) == (False, "agreement", 2)


async def test_listings_that_disagree_on_the_ticker_are_disputed(store: EventStore) -> None:
    await _append(
        store,
        company_registered("xiaomi"),
        listing_completed("xiaomi", "HKEX", "1810", sources=[REUTERS], certainty="confirmed"),
        listing_completed("xiaomi", "hkex", "1180", sources=[BLOG]),
    )

    (listing,) = (await dossier(store, "xiaomi")).profile.listings
    assert (listing.ticker, listing.disputed, listing.decided_by) == ("1810", True, "certainty")
    assert [c.kind for c in (await conflicts(store, "xiaomi")).items] == ["listing"]


async def test_capital_raises_are_listed_by_date_and_disagreeing_amounts_disputed(store: EventStore) -> None:
    await _append(
        store,
        company_registered("xiaomi"),
        capital_raised("xiaomi", "42500000000", approximate=True, sources=[REUTERS]),
        capital_raised("xiaomi", "31000000000", sources=[BLOG]),
        capital_raised("xiaomi", "24000000000", kind="share_placement", raised_on="2020-12-02"),
    )

    raised = (await dossier(store, "xiaomi")).capital_raised
    assert [(r.raised_on, r.amount.amount, r.disputed) for r in raised] == [
        ("2020-12-02", "24000000000", False),
        ("2025-03-25", "31000000000", True),
    ], "the later publication wins"
    assert [c.kind for c in (await conflicts(store, "xiaomi")).items] == ["capital_raise"]


async def test_a_retracted_price_leaves_the_products_and_the_dossier(store: EventStore) -> None:
    price_id = new_id()
    await _append(store, company_registered("xiaomi"), price_announced("xiaomi", "SU7", "21590", id=price_id))
    await _append(store, event_retracted(price_id))

    assert (await products(store, "xiaomi")).items == []
    assert (await dossier(store, "xiaomi")).latest_prices == []


async def test_prices_listings_and_raises_are_on_the_timeline_by_their_own_dates(seeded: EventStore) -> None:
    items = (await timeline(seeded, "xiaomi")).items
    dated = [
        (item.occurred_on, item.dated_by, item.event.event.__struct_config__.tag)
        for item in items
        if item.event.event.__struct_config__.tag in ("price_announced", "listing_completed", "capital_raised")
    ]

    assert dated == [
        ("2018-07-09", "event", "listing_completed"),
        ("2024-03-28", "event", "price_announced"),
        ("2024-03-28", "event", "price_announced"),
        ("2024-03-28", "event", "price_announced"),
        ("2025-03-25", "event", "capital_raised"),
        ("2025-06-26", "event", "price_announced"),
    ]


async def test_the_dossier_counts_the_new_types(seeded: EventStore) -> None:
    counts = (await dossier(seeded, "xiaomi")).counts

    assert (counts["price_announced"], counts["listing_completed"], counts["capital_raised"]) == (4, 1, 1)


async def test_a_launch_price_is_known_from_the_day_its_article_was_published(seeded: EventStore) -> None:
    on_launch_day = await _line_known_on(seeded, "2024-03-28")
    a_day_later = await _line_known_on(seeded, "2024-03-29")

    assert on_launch_day is None, "Teslarati published it on 2024-03-29"
    assert a_day_later is not None
    assert [(p.variant, p.price.amount) for p in a_day_later.prices] == [
        ("Max", "299900"),
        ("Pro", "245900"),
        ("Standard", "215900"),
    ]


async def _line_known_on(store: EventStore, day: str) -> ProductLine | None:
    point = ReadPoint(known_on=date.fromisoformat(day))
    found = [line for line in (await products(store, "xiaomi", point)).items if line.product == "SU7"]
    return found[0] if found else None


async def test_search_finds_the_listing_by_its_ticker_and_the_prices_by_product(seeded: EventStore) -> None:
    terms = words.query_terms("1810")
    _, found, _ = await seeded.search(LATEST, terms, offset=0, limit=10)
    hits = [search.hit(position, item, score, terms) for position, item, score in found]

    assert {(hit.kind, hit.title) for hit in hits} == {
        ("event", "xiaomi listed on HKEX as 1810 on 2018-07-09"),
        ("event", "xiaomi: ticker 1810 on HKEX"),
        ("company", "1810 (xiaomi)"),
    }
    terms = words.query_terms("YU7 price")
    _, found, _ = await seeded.search(LATEST, terms, offset=0, limit=10)
    titles = [search.hit(position, item, score, terms).title for position, item, score in found]
    assert "Price of YU7 Standard in China: from CNY 253500 (2025-06-26)" in titles
