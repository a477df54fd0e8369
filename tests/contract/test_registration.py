"""Every company an event names must have been registered first."""

from __future__ import annotations

import pytest

from api.errors import AlreadyRegistered, InvalidInput
from api.store.base import EventStore
from tests.contract.read_models import dossier
from tests.factories import (
    company_registered,
    market_position_reported,
    meeting_held,
    relationship_reported,
    site_visited,
)


async def test_naming_an_unregistered_company_is_invalid_input_with_its_path(store: EventStore) -> None:
    await store.append([company_registered("xiaomi")])

    with pytest.raises(InvalidInput) as refused:
        await store.append([meeting_held("xiaomi", "ghost")])

    assert [error.path for error in refused.value.errors] == ["$.participants[1].company_id"]
    assert "ghost" in refused.value.errors[0].message
    assert await store.last_position() == 1


async def test_every_unregistered_company_of_an_event_is_named(store: EventStore) -> None:
    await store.append([company_registered("xiaomi")])

    with pytest.raises(InvalidInput) as refused:
        await store.append([site_visited("ghost", "phantom")])

    assert [error.path for error in refused.value.errors] == ["$.visitor.company_id", "$.host_company_id"]


@pytest.mark.parametrize(
    ("event", "path"),
    [
        (relationship_reported("xiaomi", "ghost"), "$.to_company_id"),
        (relationship_reported("ghost", "xiaomi"), "$.from_company_id"),
        (market_position_reported("xiaomi", "ghost"), "$.company_ids[1]"),
        (site_visited("xiaomi", "ghost"), "$.host_company_id"),
    ],
    ids=["relationship-to", "relationship-from", "market-position", "site-visit-host"],
)
async def test_unregistered_company_in_any_field_is_named_by_its_path(
    store: EventStore, event: object, path: str
) -> None:
    await store.append([company_registered("xiaomi")])

    with pytest.raises(InvalidInput) as refused:
        await store.append([event])  # type: ignore[list-item]

    assert [error.path for error in refused.value.errors] == [path]


async def test_parent_must_be_registered(store: EventStore) -> None:
    with pytest.raises(InvalidInput) as refused:
        await store.append([company_registered("samsung-sdi", parent_id="samsung-electronics")])

    assert [error.path for error in refused.value.errors] == ["$.parent_id"]
    assert await store.company_version("samsung-sdi") is None


async def test_registered_parent_lists_the_company_as_subsidiary(store: EventStore) -> None:
    await store.append([company_registered("samsung-electronics")])
    await store.append([company_registered("samsung-sdi", name="Samsung SDI", parent_id="samsung-electronics")])

    parent = await dossier(store, "samsung-electronics")
    child = await dossier(store, "samsung-sdi")

    assert [(ref.company_id, ref.name) for ref in parent.profile.subsidiaries] == [("samsung-sdi", "Samsung SDI")]
    assert child.profile.parent is not None
    assert child.profile.parent.company_id == "samsung-electronics"


async def test_registering_a_registered_company_again_is_refused_and_nothing_is_stored(store: EventStore) -> None:
    await store.append([company_registered("xiaomi", name="Xiaomi", country="CN", sectors=["phones", "cars"])])

    with pytest.raises(AlreadyRegistered) as refused:
        await store.append([company_registered("xiaomi", name="Xiaomi Corporation", aliases=["Xiaomi"])])

    assert all(name in str(refused.value) for name in ("profile_updated", "company_renamed", "identifier_added"))
    assert refused.value.company_id == "xiaomi"
    assert await store.last_position() == 1
    assert await store.company_version("xiaomi") == 1
    profile = (await dossier(store, "xiaomi")).profile
    assert (profile.name, profile.sectors) == ("Xiaomi", ["phones", "cars"])


async def test_a_company_registered_twice_in_one_batch_is_refused(store: EventStore) -> None:
    with pytest.raises(AlreadyRegistered):
        await store.append([company_registered("xiaomi"), company_registered("xiaomi", name="Xiaomi Corp")])

    assert await store.last_position() == 0
