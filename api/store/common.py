"""Pure pieces every backend shares, so that only the SQL differs between them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from api.projections.evidence import decode_sources
from api.projections.facts import CompanyRows, ReadRow
from schema.events import Event

__all__ = ["company_rows", "event_tag"]


def event_tag(event: Event) -> str:
    """The stored ``type`` of an event: its msgspec tag."""
    return str(event.__struct_config__.tag)


def company_rows(
    company_id: str, version: int, last: int, at: int, at_time: datetime, rows: list[ReadRow]
) -> CompanyRows:
    """A company's rows as read back in position order, with the evidence they carry gathered by target."""
    evidence: dict[int, list[Any]] = {}
    for row in rows:
        if row.view == "evidence":
            evidence.setdefault(int(row.key), []).extend(decode_sources(row.item))
    return CompanyRows(company_id, version, last, at, at_time, rows, evidence)
