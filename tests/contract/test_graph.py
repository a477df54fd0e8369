"""The relationship graph: edges gathered company by company, resolved by the claim rule, filtered and walked."""

from __future__ import annotations

import msgspec
import pytest

from api.projections.company_rows import CompanyRows
from api.projections.graph import Filters, GraphBuilder, around, of_companies
from api.seeds import load_ndjson, seed_events
from api.store.base import EventStore
from api.store.readpoint import ReadPoint
from schema.base import Source
from schema.events import CompanyRegistered
from schema.graph import Graph
from tests.contract.read_models import company_ids
from tests.factories import event_retracted, relationship_reported


@pytest.fixture
async def seeded(store: EventStore) -> EventStore:
    await load_ndjson(store, seed_events())
    return store


ANY = Filters()
LATEST = ReadPoint()


async def _graph(
    store: EventStore, company: str | None, depth: int = 1, filters: Filters = ANY, point: ReadPoint = LATEST
) -> Graph:
    async def read(company_id: str) -> tuple[CompanyRows, dict[str, CompanyRegistered]] | None:
        return await store.read_model("graph", company_id, point)

    builder = GraphBuilder(filters)
    if company is None:
        await of_companies(read, builder, await company_ids(store, point))
    else:
        assert await around(read, builder, company, depth)
    return builder.graph(company, depth if company else None)


def _edges(graph: Graph) -> set[tuple[str, str, str]]:
    return {(e.source.partition(":")[2], e.kind, e.target.partition(":")[2]) for e in graph.edges}


async def test_two_links_from_xiaomi_reach_samsung_sdi_through_samsung_electronics(seeded: EventStore) -> None:
    one, two = await _graph(seeded, "xiaomi", 1), await _graph(seeded, "xiaomi", 2)

    assert ("samsung-electronics", "parent_of", "samsung-sdi") not in _edges(one)
    assert ("samsung-electronics", "parent_of", "samsung-sdi") in _edges(two)
    assert ("samsung-electronics", "visited", "byd") in _edges(two)
    assert {("samsung-electronics", "supplies", "xiaomi"), ("jay-y-lee", "met", "lei-jun")} <= _edges(one)
    assert ("lei-jun", "executive_of", "xiaomi") in _edges(one)
    names = {n.id: n.name for n in two.nodes}
    assert (names["company:samsung-sdi"], names["person:jay-y-lee"]) == ("Samsung SDI", "Jay Y. Lee")


async def test_an_edge_seen_from_both_companies_is_one_edge(seeded: EventStore) -> None:
    whole = await _graph(seeded, None)

    keys = [(e.source, e.target, e.kind) for e in whole.edges]
    assert len(keys) == len(set(keys))
    (partners,) = [e for e in whole.edges if e.kind == "partners_with"]
    assert (partners.source, partners.target, partners.status) == (
        "company:samsung-electronics",
        "company:xiaomi",
        "potential",
    )
    assert partners.source_count == 3, "the article and its two pingbacks (evidence)"


async def test_filters_keep_the_facts_they_name_and_the_walk_follows_them(seeded: EventStore) -> None:
    supplies = await _graph(seeded, "xiaomi", 2, Filters(kinds=frozenset({"supplies"})))
    speculative = await _graph(seeded, None, filters=Filters(certainties=frozenset({"speculative"})))

    assert {kind for _, kind, _ in _edges(supplies)} == {"supplies"}
    assert "company:byd" not in {n.id for n in supplies.nodes}, "BYD is reached only through a visit"
    assert {e.certainty for e in speculative.edges} == {"speculative"}
    assert ("samsung-sdi", "supplies", "xiaomi") in _edges(speculative)


async def test_the_claim_rule_decides_a_relationship_and_a_retraction_takes_it_back(seeded: EventStore) -> None:
    source = Source(title="CATL supplies BYD", publisher="Reuters", language="en", published_on="2026-01-05")
    stored = await seeded.append([msgspec.structs.replace(relationship_reported("catl", "byd"), sources=[source])])
    event_id = stored.events[0].event.id
    assert event_id is not None

    assert ("catl", "supplies", "byd") in _edges(await _graph(seeded, "byd"))
    await seeded.append([event_retracted(event_id)])

    assert ("catl", "supplies", "byd") not in _edges(await _graph(seeded, "byd"))
    at = ReadPoint(at_position=stored.events[0].position)
    assert ("catl", "supplies", "byd") in _edges(await _graph(seeded, "byd", point=at))
