"""GET /companies/{company_id}/changes: what a company's dossier gained, lost and changed between two points."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated, Any

import msgspec
from litestar import get
from litestar.params import QueryParameter

from api.errors import CompanyNotFound, InvalidInput
from api.http.routes.conditional import CompanyPath
from api.http.routes.injected import Store
from api.http.routes.read_point import Moment
from api.http.routes.responses import problems
from api.projections import changes
from api.projections.company_rows import CompanyRows
from api.store.readpoint import ReadPoint
from schema.changes import Changes
from schema.events import StoredEvent
from schema.problems import FieldError

__all__ = ["change_handlers", "MOST_EVENTS_BETWEEN"]

MOST_EVENTS_BETWEEN = 100_000
"""The most events of the company between the two points one answer looks through for causes."""

_POINT = r"^(0|[1-9][0-9]{0,15}|[0-9]{4}-[0-9]{2}-[0-9]{2}T.+)$"
_EXPECTED = "a position (a whole number) or a date-time with its offset (2025-03-22T10:00:00Z)"


@get(
    "/companies/{company_id:str}/changes",
    operation_id="getCompanyChanges",
    tags=["companies"],
    summary="What changed in a company's dossier",
    description=(
        "The facts of the dossier (profile, sales figures, plans, relationships, executives, market positions, "
        "products, meetings) gained, lost or changed from `from` to `to`, each point a position (as `at_position`) "
        "or a date-time (as `as_of`); `to` defaults to now. Facts are compared as the claim rule resolves them at "
        "each point, field by field, and each change names the events in between that caused it."
    ),
    responses=problems(404, 422, 503),
)
async def get_changes(
    company_id: CompanyPath,
    store: Store,
    from_: Annotated[
        str,
        QueryParameter(name="from", pattern=_POINT, max_length=64, description=f"The earlier point: {_EXPECTED}."),
    ],
    to: Annotated[
        str | None,
        QueryParameter(pattern=_POINT, max_length=64, description=f"The later point (default: now): {_EXPECTED}."),
    ] = None,
) -> Changes:
    head = await store.last_position()
    start, end = _point("from", from_, head), _point("to", to, head) if to is not None else ReadPoint()
    after = await store.read_model("changes", company_id, end)
    if after is None:
        raise CompanyNotFound(company_id)
    before = await store.read_model("changes", company_id, start)
    later: CompanyRows = after[0]
    earlier = before[0].at_position if before is not None else _position(start)
    if earlier > later.at_position:
        message = f"from is at position {earlier}, after to's {later.at_position}: give the earlier point as from"
        raise InvalidInput([FieldError("query.from", message, code="contradictory")])
    between = await _events(store, company_id, earlier, later.at_position)
    old = changes.state(before[0]) if before is not None else {}
    items = changes.changes(old, changes.state(later), between, earlier)
    return Changes(company_id=company_id, from_position=earlier, to_position=later.at_position, items=items)


def _point(name: str, value: str, head: int) -> ReadPoint:
    if value.isdigit():
        position = int(value)
        if position > head:
            message = f"got {position}; the log's head is at position {head}: give {head} or less"
            raise InvalidInput([FieldError(f"query.{name}", message, code="beyond_head")])
        return ReadPoint(at_position=position)
    try:
        moment: datetime = msgspec.convert(value, Moment)
    except msgspec.ValidationError:
        got = json.dumps(value[:60])
        raise InvalidInput([FieldError(f"query.{name}", f"got {got}; expected {_EXPECTED}", code="format")]) from None
    return ReadPoint(as_of=moment)


def _position(point: ReadPoint) -> int:
    """Where a point lies when the company did not exist yet: its position, or 0 for a moment before it."""
    return point.at_position or 0


async def _events(store: Store, company_id: str, after: int, until: int) -> list[StoredEvent]:
    found: list[StoredEvent] = []
    while after < until:
        page = await store.read(after=after, limit=1000, company=company_id)
        found += [stored for stored in page if stored.position <= until]
        if not page or page[-1].position >= until:
            break
        if len(found) > MOST_EVENTS_BETWEEN:
            message = f"more than {MOST_EVENTS_BETWEEN} events of the company lie between the points: give a later from"
            raise InvalidInput([FieldError("query.from", message, code="too_large")])
        after = page[-1].position
    return found


change_handlers: list[Any] = [get_changes]
