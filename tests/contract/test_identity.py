"""Identity without restating the profile: identifiers (tickers with their exchanges, ISIN, names in other
languages), renames by effective date, profile updates that change only what they name."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import msgspec
import pytest

from api.projections import changes, search, words
from api.projections import dossier as dossier_model
from api.seeds import load_ndjson, seed_events
from api.store.base import EventStore
from api.store.readpoint import ReadPoint
from schema.dossiers import Profile
from schema.events import EVENT_TYPES
from tests.contract.read_models import dossier
from tests.factories import SOURCE, company_registered, company_renamed, identifier_added, profile_updated


@pytest.fixture
async def seeded(store: EventStore) -> EventStore:
    await load_ndjson(store, seed_events())
    return store


async def _profile_on(store: EventStore, company_id: str, day: str) -> Profile:
    """The company's profile as the dossier shows it, read with the clock set to ``day``."""
    found = await store.read_model("dossier", company_id, ReadPoint())
    assert found is not None
    data, registrations = found
    data.at_time = datetime.fromisoformat(day).replace(tzinfo=UTC)
    return dossier_model.build(data, registrations).profile


async def test_the_profile_lists_tickers_with_their_exchanges_the_isin_and_the_korean_name(seeded: EventStore) -> None:
    samsung = (await dossier(seeded, "samsung-electronics")).profile
    xiaomi = (await dossier(seeded, "xiaomi")).profile

    assert [(i.scheme, i.value, i.exchange, i.language) for i in samsung.identifiers] == [
        ("ticker", "005930", "KRX", None),
        ("isin", "KR7005930003", None, None),
        ("name", "삼성전자", None, "ko"),
    ]
    assert [(i.scheme, i.value, i.exchange) for i in xiaomi.identifiers] == [("ticker", "1810", "HKEX")]
    assert samsung.identifiers[0].sources[0].publisher == "Investing.com (Reuters)"


async def test_panasonic_is_panasonic_corporation_before_april_2022_and_panasonic_holdings_after(
    seeded: EventStore,
) -> None:
    before = await _profile_on(seeded, "panasonic", "2022-03-31")
    after = await _profile_on(seeded, "panasonic", "2022-04-01")
    now = (await dossier(seeded, "panasonic")).profile

    assert (before.name, before.former_names) == ("Panasonic Corporation", [])
    assert after.name == now.name == "Panasonic Holdings Corporation"
    assert [(f.name, f.until) for f in now.former_names] == [("Panasonic Corporation", "2022-04-01")]


async def test_a_rename_shows_from_its_date_on_the_read_as_of_a_moment(store: EventStore) -> None:
    later = (datetime.now(UTC) + timedelta(days=2)).date().isoformat()
    await store.append([company_registered("acme", name="Acme Motors")])
    await store.append([company_renamed("acme", "Acme Mobility", later)])

    today = (await dossier(store, "acme")).profile
    after = (await dossier(store, "acme", ReadPoint(as_of=datetime.now(UTC) + timedelta(days=3)))).profile

    assert (today.name, today.former_names) == ("Acme Motors", [])
    assert after.name == "Acme Mobility"
    assert [(f.name, f.until) for f in after.former_names] == [("Acme Motors", later)]


async def test_a_profile_update_changes_the_sectors_it_names_and_keeps_the_rest(store: EventStore) -> None:
    await store.append(
        [company_registered("xiaomi", aliases=["Mi"], sectors=["smartphones", "electric vehicles"], country="CN")]
    )
    await store.append([profile_updated("xiaomi", sectors_added=["home appliances"], sectors_removed=["Smartphones"])])
    await store.append([profile_updated("xiaomi", aliases_added=["小米"])])

    profile = (await dossier(store, "xiaomi")).profile

    assert profile.sectors == ["electric vehicles", "home appliances"]
    assert (profile.aliases, profile.country, profile.name) == (["Mi", "小米"], "CN", "Xiaomi")
    first = (await dossier(store, "xiaomi", ReadPoint(at_position=1))).profile
    assert first.sectors == ["smartphones", "electric vehicles"]


async def test_search_finds_a_company_by_its_korean_name_and_its_ticker(seeded: EventStore) -> None:
    for query in ("삼성전자", "005930"):
        _, found, _ = await seeded.search(ReadPoint(), words.query_terms(query), offset=0, limit=10)
        hits = [search.hit(position, item, score, words.query_terms(query)) for position, item, score in found]
        assert ("company", "samsung-electronics") in {(h.kind, h.id) for h in hits}, query


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"scheme": "isin", "value": "KR7005930004"}, "check digit"),
        ({"scheme": "isin", "value": "KR700593000"}, "12 characters"),
        ({"scheme": "lei", "value": "529900T8BM49AURSDO56"}, "check digits"),
        ({"scheme": "wikidata", "value": "20718"}, "Q and a number"),
        ({"scheme": "ticker", "value": "005930"}, "needs its exchange"),
        ({"scheme": "name", "value": "삼성전자"}, "needs its language"),
        ({"scheme": "isin", "value": "KR7005930003", "exchange": "KRX"}, "only a ticker"),
    ],
)
def test_identifiers_in_the_wrong_format_are_refused(fields: dict[str, str], message: str) -> None:
    body = {"type": "identifier_added", "sources": [msgspec.to_builtins(SOURCE)], "company_id": "x", **fields}

    with pytest.raises(msgspec.ValidationError, match=message):
        msgspec.convert(body, EVENT_TYPES["identifier_added"])


def test_well_formed_identifiers_are_taken() -> None:
    for event in (
        identifier_added("x", "isin", "US0378331005"),
        identifier_added("x", "lei", "529900T8BM49AURSDO55"),
        identifier_added("x", "wikidata", "Q20718"),
        identifier_added("x", "ticker", "BRK.B", exchange="NYSE"),
    ):
        assert msgspec.convert(msgspec.to_builtins(event), type(event)) == event


async def test_a_profile_update_and_an_identifier_show_as_a_change_of_the_profile_caused_by_them(
    store: EventStore,
) -> None:
    await store.append([company_registered("xiaomi", sectors=["smartphones"])])
    update = (await store.append([profile_updated("xiaomi", sectors_added=["cars"])])).events[0]
    ticker = (await store.append([identifier_added("xiaomi", "ticker", "1810", exchange="HKEX")])).events[0]

    before = await store.read_model("changes", "xiaomi", ReadPoint(at_position=1))
    after = await store.read_model("changes", "xiaomi", ReadPoint())
    assert before is not None and after is not None
    between = await store.read(after=1, company="xiaomi", limit=100)
    (profile,) = changes.changes(changes.state(before[0]), changes.state(after[0]), between, 1)

    assert (profile.kind, profile.change, profile.fields) == ("profile", "changed", ["identifiers", "sectors"])
    assert profile.after is not None and profile.after["identifiers"] == "ticker 1810 HKEX"
    assert {cause.event_id for cause in profile.caused_by} == {update.event.id, ticker.event.id}


async def test_a_renamed_company_has_its_new_name_where_other_companies_and_the_list_show_it(
    store: EventStore,
) -> None:
    await store.append([company_registered("samsung-electronics", name="Samsung Electronics")])
    await store.append([company_registered("samsung-sdi", parent_id="samsung-electronics")])
    await store.append([company_renamed("samsung-electronics", "Samsung Electronics Co., Ltd.", "1988-11")])

    child = (await dossier(store, "samsung-sdi")).profile
    listed, _ = await store.companies(ReadPoint(), q=None, country=None, cursor=None, limit=10)
    then = (await dossier(store, "samsung-sdi", ReadPoint(at_position=2))).profile

    assert child.parent is not None and child.parent.name == "Samsung Electronics Co., Ltd."
    assert [r.name for r, _, _ in listed] == ["Samsung Electronics Co., Ltd.", "Samsung Sdi"]
    assert then.parent is not None and then.parent.name == "Samsung Electronics", "before the rename was recorded"
