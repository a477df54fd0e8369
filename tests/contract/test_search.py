"""Full-text search: typed, ranked hits over companies, people and events, at any read point, on every backend."""

from __future__ import annotations

import asyncio

import msgspec
import pytest

from api.projections import search, words
from api.seeds import load_ndjson, seed_events
from api.store.base import EventStore
from api.store.readpoint import ReadPoint
from api.store.sqlite import SQLiteStore
from schema.search import SearchHit
from tests import fts
from tests.contract.read_models import LATEST
from tests.factories import (
    company_renamed,
    event_retracted,
    evidence_added,
    identifier_added,
    product_launched,
    source,
)

MEETING = "0195bb26-3c00-7009-8a1d-5e3d00000009"
SPANISH_PINGBACK = "0195bb26-3c00-7016-8a1d-5e3d00000016"
SAMSUNG_SUPPLIES_XIAOMI = "0195bb26-3c00-7012-8a1d-5e3d00000012"
LEE_PRESIDENT = "0195bb26-3c00-7007-8a1d-5e3d00000007"


@pytest.fixture
async def seeded(store: EventStore) -> EventStore:
    await load_ndjson(store, seed_events())
    return store


async def _search(store: EventStore, q: str, point: ReadPoint = LATEST, *, limit: int = 100) -> list[SearchHit]:
    terms = words.query_terms(q)
    _, found, _ = await store.search(point, terms, offset=0, limit=limit)
    return [search.hit(position, item, score, terms) for position, item, score in found]


async def _ids(store: EventStore, q: str, point: ReadPoint = LATEST) -> list[str]:
    return [hit.id for hit in await _search(store, q, point)]


async def test_the_china_development_forum_finds_the_meeting_first(seeded: EventStore) -> None:
    first = (await _search(seeded, "China Development Forum"))[0]

    assert (first.kind, first.id, first.link) == ("event", MEETING, f"/events/{MEETING}")
    assert "<mark>China</mark> <mark>Development</mark> <mark>Forum</mark>" in first.snippet


async def test_vehiculos_finds_the_spanish_pingback(seeded: EventStore) -> None:
    (hit,) = await _search(seeded, "vehiculos")

    assert hit.id == SPANISH_PINGBACK
    assert "<mark>Vehículos</mark>" in hit.snippet, "the snippet shows the text as written, accents and all"


async def test_oled_finds_the_supply_relationship(seeded: EventStore) -> None:
    first = (await _search(seeded, "OLED"))[0]

    assert first.id == SAMSUNG_SUPPLIES_XIAOMI
    assert first.title.startswith("samsung-electronics supplies xiaomi")


async def test_accents_case_and_umlauts_fold(seeded: EventStore) -> None:
    for q in ("Präsident", "praesident", "PRASIDENT", "präsidént"):
        assert LEE_PRESIDENT in await _ids(seeded, q), q
    assert await _ids(seeded, "Vehículos") == await _ids(seeded, "VEHICULOS") == [SPANISH_PINGBACK]


async def test_words_inside_compounds_are_found(seeded: EventStore) -> None:
    launch = product_launched("xiaomi", "YU7", category="SUV")
    await seeded.append([msgspec.structs.replace(launch, note="Gebaut in der neuen Elektroautofabrik bei Peking.")])

    assert len(await _ids(seeded, "Fabrik")) > 20, "EV-Fabrik: every seed event's source title"
    found = await _ids(seeded, "autofabrik")
    assert len(found) == 1
    assert await _ids(seeded, "Fabrik Elektro") == found, "a part and a prefix"
    assert await _ids(seeded, "elektroauto gebaut") == found
    assert await _ids(seeded, "lektro") == [], "a part starts at the fourth letter or later"


async def test_a_word_too_long_for_a_compound_is_found_whole_and_not_split(seeded: EventStore) -> None:
    # Split into parts, a 1,400-letter word would put a megabyte of suffixes into the index.
    token = "ab" * 700
    launch = product_launched("xiaomi", "YU7", category="SUV")
    await seeded.append([msgspec.structs.replace(launch, note=f"Build {token} ok.")])

    (found,) = await _ids(seeded, token)
    assert await _ids(seeded, token[:10]) == [found], "a prefix finds it"
    assert await _ids(seeded, token[3:]) == [], "no part of it is indexed"
    assert words.indexed([token])[1] == []


async def test_hits_are_typed_with_links(seeded: EventStore) -> None:
    hits = {(hit.kind, hit.id): hit for hit in await _search(seeded, "Samsung Electronics")}
    lee = {(hit.kind, hit.id): hit for hit in await _search(seeded, "Jay Lee")}

    assert hits[("company", "samsung-electronics")].link == "/companies/samsung-electronics"
    assert hits[("company", "samsung-electronics")].title == "Samsung Electronics"
    assert lee[("person", "jay-y-lee")].link == "/people/jay-y-lee"
    assert ("event", MEETING) in lee, "the meeting names him by id"


async def test_a_company_renamed_and_known_by_another_name_is_one_hit(seeded: EventStore) -> None:
    await seeded.append([company_renamed("xiaomi", "Xiaomi Corporation", "2018", previous_name="Xiaomi Inc.")])
    await seeded.append([identifier_added("xiaomi", "name", "小米 Xiaomi", language="zh")])

    companies = [hit for hit in await _search(seeded, "xiaomi") if hit.kind == "company"]

    assert [hit.id for hit in companies] == ["xiaomi"]


async def test_a_read_point_sees_only_what_was_recorded_then(seeded: EventStore) -> None:
    head = await seeded.last_position()
    await seeded.append([product_launched("byd", "Seagull Pro", category="compact car")])

    assert len(await _ids(seeded, "Seagull")) == 1
    assert await _ids(seeded, "Seagull", ReadPoint(at_position=head)) == []
    at, _, _ = await seeded.search(ReadPoint(at_position=head), words.query_terms("x"), offset=0, limit=1)
    assert at == head


async def test_a_retracted_event_is_not_found_after_its_retraction(seeded: EventStore) -> None:
    stored = await seeded.append([product_launched("byd", "Seagull Pro", category="compact car")])
    launch = stored.events[0]
    assert launch.event.id is not None
    retraction = await seeded.append([event_retracted(launch.event.id)])

    assert await _ids(seeded, "Seagull") == []
    before = ReadPoint(at_position=retraction.events[0].position - 1)
    assert await _ids(seeded, "Seagull", before) == [str(launch.event.id)]


async def test_query_syntax_is_only_words(seeded: EventStore) -> None:
    for q in ('OLED"', "OLED*", "-OLED", "OLED:", "{OLED}", "'OLED'", "OLED & | !", "(OLED)", "^OLED", "OLED\\"):
        assert SAMSUNG_SUPPLIES_XIAOMI in await _ids(seeded, q), q
    for q in ("NEAR(OLED displays, 5)", 'samsung:"oled"', "OLED OR lidar", "oled:* & !x"):
        assert await _ids(seeded, q) == await _ids(seeded, " ".join(t.text for t in words.query_terms(q))), q
    assert await _ids(seeded, '" * ( ) : ^') == [], "no words, no hits"
    assert await _ids(seeded, "OLED AND batteries") == [], "AND is a word like any other"


async def test_pages_follow_each_other(seeded: EventStore) -> None:
    terms = words.query_terms("xiaomi")
    _, every, _ = await seeded.search(ReadPoint(), terms, offset=0, limit=100)
    paged = []
    for offset in range(0, len(every) + 5, 5):
        _, page, more = await seeded.search(ReadPoint(), terms, offset=offset, limit=5)
        paged += page
        assert more == (offset + 5 < len(every))

    assert paged == every and len(every) > 10


async def test_rebuild_keeps_the_index_and_check_finds_it_sound(seeded: EventStore) -> None:
    await seeded.append([product_launched("byd", "Seagull Pro", category="compact car", launched_on="2025")])
    before = await _search(seeded, "Seagull xiaomi vehiculos")
    forum = await _search(seeded, "forum")

    await seeded.rebuild()

    assert await _search(seeded, "Seagull xiaomi vehiculos") == before
    assert await _search(seeded, "forum") == forum
    assert await seeded.check() == []


async def test_a_source_title_of_evidence_is_found(seeded: EventStore) -> None:
    stored = await seeded.append([product_launched("byd", "Seagull Pro", category="compact car")])
    assert stored.events[0].event.id is not None
    await seeded.append([evidence_added(stored.events[0].event.id, sources=[source("Über den Möwen", language="de")])])

    (hit,) = await _search(seeded, "moewen")
    assert hit.title.startswith("Evidence for event") and "<mark>Möwen</mark>" in hit.snippet


async def test_events_appended_together_are_each_found_once(seeded: EventStore) -> None:
    """Appends that arrive together are committed as one group, whose search text is indexed at once."""
    products = [f"Zorblatt {'abcdefghijklmnopqrstuvwxyz'[n]}{n}x Ultra" for n in range(24)]
    results = await asyncio.gather(*(seeded.append([product_launched("byd", product)]) for product in products))
    await seeded.append_batch([product_launched("xiaomi", f"Quimzor {n} Max") for n in range(5)])

    for product, result in zip(products, results, strict=True):
        assert await _ids(seeded, product) == [str(result.events[0].event.id)]
    assert len(await _search(seeded, "zorblatt")) == 24
    assert len(await _search(seeded, "quimzor")) == 5
    assert await seeded.check() == []
    if isinstance(seeded, SQLiteStore):  # FTS5 itself holds each document once
        assert fts.documents(seeded.path) == fts.search_rows(seeded.path)
