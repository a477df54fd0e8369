"""Appends committed together succeed or fail on their own: one bad request never fails another."""

from __future__ import annotations

import asyncio

import pytest

from api.errors import InvalidInput, VersionMismatch
from api.store.base import EventStore, Expectation
from tests.factories import company_registered, sales_reported, site_visited


async def test_refused_appends_do_not_fail_appends_committed_with_them(store: EventStore) -> None:
    await store.append([company_registered("xiaomi")])

    outcomes = await asyncio.gather(
        store.append([sales_reported("xiaomi", "2024", units=1)]),
        store.append([sales_reported("ghost", "2024", units=1)]),
        store.append([sales_reported("xiaomi", "2025", units=2)], expected=Expectation("xiaomi", 99)),
        store.append([sales_reported("xiaomi", "2026", units=3)]),
        return_exceptions=True,
    )

    assert [type(outcome).__name__ for outcome in outcomes] == [
        "AppendResult",
        "InvalidInput",
        "VersionMismatch",
        "AppendResult",
    ]
    assert isinstance(outcomes[1], InvalidInput)
    assert isinstance(outcomes[2], VersionMismatch)
    assert [s.event.period for s in await store.read(types=["sales_reported"])] == ["2024", "2026"]  # type: ignore[union-attr]
    assert await store.last_position() == 3


def test_site_visit_to_the_visitors_own_company_is_refused_by_the_schema() -> None:
    """A visit is to another company's site; one company cannot be both visitor and host."""
    with pytest.raises(ValueError, match="another company"):
        site_visited("samsung-electronics", "samsung-electronics", site="Pyeongtaek")
