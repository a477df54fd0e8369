"""What the store's reads share: the position a read is at, registrations named as of a day, a company's
and a person's rows as read back, and a search page from the best matches only (api.store.program)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from api.projections import identity
from api.projections.company_rows import CompanyRows, ReadRow
from api.projections.evidence import decode_sources
from api.projections.people import PersonRows
from api.store.driver import Dialect, Transaction
from api.store.statements import Q
from schema import stored
from schema.events import CompanyRegistered

__all__ = [
    "AFTER_EVERY_ID",
    "REGISTRATION",
    "company_rows",
    "last_position",
    "named",
    "person_rows",
    "registrations",
    "top_matches",
    "touched",
]

REGISTRATION = stored.decoder(CompanyRegistered)
"""A registration row's item."""


async def top_matches(
    tx: Transaction, dialect: Dialect, query: str, at: int, limit: int, offset: int
) -> list[Sequence[Any]] | None:
    """SEARCH's page from the best matches only (SEARCH_TOP), or None when those do not decide it.

    A common word matches a large share of the store: ranking every match and reading its row took a
    second at 1,000,000 events; keeping only the best while ranking takes a fifth of that. The ``2 * (offset + limit) + 100`` best (``limit`` counts the row that
    says more follow) are over-fetched so that retractions and read points still leave a full page."""
    if dialect.sql.get(Q.SEARCH_TOP) is None:
        return None
    found = await tx.rows(Q.SEARCH_TOP, query, at, 2 * (offset + limit) + 100, limit, offset)
    if found and found[0][4]:
        return None  # the cut split documents that tie in rank and position, which the page orders by key
    if len(found) == limit or (found and found[0][3]):
        return found
    return None  # too few left after the read point (or no match: SEARCH says so cheaply)


async def last_position(tx: Transaction) -> int:
    row = await tx.row(Q.LAST_POSITION)
    return int(row[0]) if row else 0


async def touched(tx: Transaction, positions: list[int]) -> dict[int, list[str]]:
    """The companies each position touches, in the order the event named them."""
    result: dict[int, list[str]] = {}
    if positions:
        for position, company in await tx.rows(Q.TOUCHED, positions):
            result.setdefault(position, []).append(company)
    return result


async def registrations(
    tx: Transaction,
    ids: Iterable[str],
    at: int,
    at_time: datetime,
    *,
    keep: str | None = None,
    known: dict[str, CompanyRegistered] | None = None,
) -> dict[str, CompanyRegistered]:
    """The latest registrations at ``at`` (``known`` ones already read), each with the name in effect on
    ``at_time``'s day (renames), but ``keep``'s: as registered."""
    ids = set(ids)
    unread = sorted(ids - (known or {}).keys())
    renamed_ids = sorted(ids - {keep} if keep else ids)
    registered, renames = await tx.rows_all(
        [
            (Q.REGISTRATIONS, (unread, at) if unread else None),
            (Q.RENAMES, (renamed_ids, at) if renamed_ids else None),
        ]
    )
    found = {**(known or {}), **{row[0]: REGISTRATION.decode(row[1]) for row in registered}}
    others = {c: r for c, r in found.items() if c != keep}
    return {**found, **_named(others, renames, at_time)}


async def named(
    tx: Transaction, registrations: dict[str, CompanyRegistered], at: int, at_time: datetime
) -> dict[str, CompanyRegistered]:
    """``registrations`` with the name in effect on ``at_time``'s day, from the renames valid at ``at``."""
    if not registrations:
        return registrations
    return _named(registrations, await tx.rows(Q.RENAMES, sorted(registrations), at), at_time)


def _named(
    registrations: dict[str, CompanyRegistered], renames: Iterable[Sequence[Any]], at_time: datetime
) -> dict[str, CompanyRegistered]:
    """``registrations`` with the name in effect on ``at_time``'s day, from ``rename`` rows (company, item)."""
    rows = [(str(c), bytes(item)) for c, item in renames if c in registrations]
    return identity.renamed(registrations, rows, at_time.astimezone(UTC).date().isoformat())


def company_rows(
    company_id: str, version: int, last: int, at: int, at_time: datetime, rows: list[ReadRow]
) -> CompanyRows:
    """A company's rows as read back in position order, with the evidence they carry gathered by target."""
    evidence: dict[int, list[Any]] = {}
    for row in rows:
        if row.view == "evidence":
            evidence.setdefault(int(row.key), []).extend(decode_sources(row.item))
    return CompanyRows(company_id, version, last, at, at_time, rows, evidence)


AFTER_EVERY_ID = "~"
"""Sorts after every company id (a slug: lower-case letters, digits, hyphens), bytewise and in "C"."""


def person_rows(rows: Iterable[Sequence[Any]]) -> PersonRows:
    return [(str(view), str(company), int(position), bytes(item)) for view, company, position, item in rows]
