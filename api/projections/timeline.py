"""Timeline read model: a company's facts by the date they belong to, then position."""

from __future__ import annotations

from collections.abc import Sequence

import msgspec

from api.projections.company_rows import CompanyRows
from api.projections.periods import occurred_on
from api.projections.registry import Projection, ReadModel
from api.projections.row import Row
from schema import stored
from schema.codec import encode
from schema.dossiers import Timeline, TimelineItem
from schema.events import CATALOGUE, StoredEvent

__all__ = ["PROJECTION", "READ_MODEL", "build", "rows"]


def rows(stored: StoredEvent, touched: tuple[str, ...]) -> list[Row]:
    event = stored.event
    if event.targets is not None:  # evidence and retractions change other facts, they are none
        return []
    when, dated_by = occurred_on(stored)
    item = encode(TimelineItem(occurred_on=when, dated_by=dated_by, source_count=len(event.sources), event=stored))
    tag = str(event.__struct_config__.tag)
    return [Row("timeline", company, stored.position, tag, when, item) for company in touched]


_item = stored.decoder(TimelineItem)


def _cursor(sort: str, position: int) -> str:
    return f"{sort}~{position}"


def parse_cursor(cursor: str) -> tuple[str, int] | None:
    sort, _, position = cursor.rpartition("~")
    return (sort, int(position)) if position.isdigit() and len(position) <= 16 else None


def build(
    data: CompanyRows,
    *,
    types: Sequence[str] = (),
    start: str | None = None,
    end: str | None = None,
    cursor: tuple[str, int] | None = None,
    limit: int = 100,
) -> Timeline:
    selected = sorted(
        (
            row
            for row in data.rows
            if row.view == "timeline"
            and (not types or row.key in types)
            and (start is None or row.sort >= start)
            and (end is None or row.sort[: len(end)] <= end)
            and (cursor is None or (row.sort, row.position) > cursor)
        ),
        key=lambda row: (row.sort, row.position),
    )
    page = selected[:limit]
    items = []
    for row in page:
        item = _item.decode(row.item)
        extra = len(data.evidence.get(row.position, ()))
        items.append(msgspec.structs.replace(item, source_count=item.source_count + extra) if extra else item)
    next_cursor = _cursor(page[-1].sort, page[-1].position) if len(selected) > limit else None
    return Timeline(
        company_id=data.company_id, version=data.version, items=items, next_cursor=next_cursor, **data.known()
    )


# Every type of the catalogue: a timeline item carries the event, typed by the catalogue's union.
PROJECTION = Projection(
    "timeline",
    writes=("timeline",),
    fold=lambda stored, touched, _: rows(stored, touched),
    handles=CATALOGUE.types,
    # 2: dated by their sources' publication before their recording; 3: events carry attributed_to;
    # 4: plan targets carry approximate
    version=4,
)


READ_MODEL = ReadModel("timeline", reads=("timeline",))
