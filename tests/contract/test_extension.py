"""A new event type and a new projection need no other module: declared in a temporary registry,
they are appended, folded, rebuilt, checked and served by the store as it is."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any, ClassVar

import msgspec
import pytest
from litestar.testing import AsyncTestClient

from api.app import create_app
from api.projections.registry import Projection, ReadModel, default_registry
from api.projections.row import Row
from api.settings import Settings
from api.store.base import EventStore
from api.store.readpoint import ReadPoint
from api.store.sqlite import SQLiteStore
from schema.base import CompanyId, Name, PartialDate, Source
from schema.events import CATALOGUE, EventBase, StoredEvent
from tests.factories import company_registered, event_retracted


class PatentFiled(EventBase, frozen=True, kw_only=True, tag="patent_filed"):
    """A company filed a patent application (a type this test alone knows)."""

    summary: ClassVar[str] = "A patent application"
    names = ("company_id", "co_applicant_id")
    dated_by = "filed_on"

    company_id: CompanyId
    co_applicant_id: CompanyId | None = None
    title: Name
    filed_on: PartialDate


class Patent(msgspec.Struct, frozen=True):
    title: str
    filed_on: str
    position: int


def _patents(stored: StoredEvent, touched: tuple[str, ...], _target: int | None) -> list[Row]:
    event: Any = stored.event
    item = msgspec.json.encode(Patent(event.title, event.filed_on, stored.position))
    return [Row("patent", company, stored.position, event.title, event.filed_on, item) for company in touched]


CATALOGUE_WITH_PATENTS = CATALOGUE.extended(PatentFiled)
REGISTRY_WITH_PATENTS = default_registry().with_(
    projection=Projection("patents", writes=("patent",), fold=_patents, handles=(PatentFiled,)),
    read_model=ReadModel("patents", reads=("patent",)),
)


def _patent(company: str, title: str, *, co_applicant: str | None = None) -> PatentFiled:
    source = Source(title="Patent register", publisher="EPO", language="en")
    return PatentFiled(
        company_id=company, co_applicant_id=co_applicant, title=title, filed_on="2025-03", sources=[source]
    )


@pytest.fixture
async def patents(store: EventStore, tmp_path: Path) -> AsyncIterator[EventStore]:
    """A store on the same database as ``store``, with the patent type and projection registered."""
    await store.close()
    if isinstance(store, SQLiteStore):
        extended: Any = SQLiteStore(store.path, catalogue=CATALOGUE_WITH_PATENTS, registry=REGISTRY_WITH_PATENTS)
    else:
        from api.store.postgres import PostgresStore

        extended = PostgresStore(
            store.postgres._dsn,  # type: ignore[attr-defined]
            schema=store.schema,  # type: ignore[attr-defined]
            catalogue=CATALOGUE_WITH_PATENTS,
            registry=REGISTRY_WITH_PATENTS,
        )
    await extended.open()
    try:
        yield extended
    finally:
        await extended.close()


LATEST = ReadPoint()


async def _patent_titles(store: EventStore, company: str, point: ReadPoint = LATEST) -> list[str]:
    found = await store.read_model("patents", company, point)
    assert found is not None
    rows, _ = found
    return [msgspec.json.decode(row.item, type=Patent).title for row in rows.rows if row.view == "patent"]


async def test_a_new_type_is_appended_folded_rebuilt_and_checked(patents: EventStore) -> None:
    await patents.append_batch([company_registered("acme"), company_registered("globex")])
    stored = (await patents.append([_patent("acme", "Solid-state cell", co_applicant="globex")])).events[0]

    assert isinstance(stored.event, PatentFiled)
    assert await patents.company_version("globex") == 2, "the co-applicant is named, so its version counts it"
    assert await _patent_titles(patents, "acme") == ["Solid-state cell"]
    assert await _patent_titles(patents, "globex") == ["Solid-state cell"]
    assert await _patent_titles(patents, "acme", ReadPoint(at_position=stored.position - 1)) == []
    again = await patents.get(stored.event.id)  # type: ignore[arg-type]
    assert again is not None and again.event == stored.event

    assert await patents.rebuild() == stored.position
    assert await _patent_titles(patents, "acme") == ["Solid-state cell"]
    assert await patents.rebuild(only=["patents"]) == stored.position
    assert await _patent_titles(patents, "acme") == ["Solid-state cell"]
    assert await patents.check() == []


async def test_a_new_type_names_only_registered_companies(patents: EventStore) -> None:
    from api.errors import InvalidInput

    await patents.append([company_registered("acme")])
    with pytest.raises(InvalidInput) as refused:
        await patents.append([_patent("acme", "Anode", co_applicant="nobody")])

    assert [(e.path, e.message) for e in refused.value.errors] == [
        ("$.co_applicant_id", "company nobody is not registered")
    ]


async def test_a_retraction_takes_a_new_type_out_of_its_read_model(patents: EventStore) -> None:
    await patents.append([company_registered("acme")])
    stored = (await patents.append([_patent("acme", "Anode")])).events[0]
    await patents.append([event_retracted(stored.event.id)])  # type: ignore[arg-type]

    assert await _patent_titles(patents, "acme") == []
    assert await _patent_titles(patents, "acme", ReadPoint(at_position=stored.position)) == ["Anode"]
    await patents.rebuild(only=["patents"])
    assert await _patent_titles(patents, "acme") == []
    assert await patents.check() == []


async def test_a_new_type_is_served_by_the_log(tmp_path: Path) -> None:
    def extended() -> SQLiteStore:
        return SQLiteStore(tmp_path / "tidings.db", catalogue=CATALOGUE_WITH_PATENTS, registry=REGISTRY_WITH_PATENTS)

    writer = extended()
    await writer.open()
    try:
        await writer.append([company_registered("acme")])
        stored = (await writer.append([_patent("acme", "Solid-state cell")])).events[0]
    finally:
        await writer.close()
    app = create_app(Settings(db=str(tmp_path / "tidings.db")), store=extended())
    async with AsyncTestClient(app) as client:  # the app's lifespan opens its store
        one = await client.get(f"/events/{stored.event.id}")
        page = await client.get("/events", params={"company": "acme"})

    assert one.status_code == 200, one.text
    assert one.json()["event"]["type"] == "patent_filed"
    assert one.json()["event"]["title"] == "Solid-state cell"
    assert [item["event"]["type"] for item in page.json()["items"]] == ["company_registered", "patent_filed"]
