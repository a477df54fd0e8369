"""The read point of a query: `at_position`, `as_of` and `known_on`, checked and turned into a ReadPoint."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Annotated, Any

import msgspec
from litestar import Request
from litestar.di import Provide
from litestar.params import QueryParameter
from msgspec import Meta

from api.errors import InvalidInput
from api.http.routes.injected import Store
from api.store.readpoint import ReadPoint
from schema.base import MAX_SAFE_INT
from schema.problems import FieldError

__all__ = ["COMPANY_READ_POINT", "READ_POINT", "Moment", "read_point", "read_point_known_on"]


_MOMENT_LENGTH = 64
Moment = Annotated[datetime, Meta(tz=True, extra_json_schema={"maxLength": _MOMENT_LENGTH})]
"""A point in time with its UTC offset (Litestar does not apply Meta to parameters: read_point checks it)."""
_AS_OF = "an RFC 3339 date-time with a UTC offset, e.g. 2025-03-22T10:00:00Z"
_KNOWN_ON = "a calendar day YYYY-MM-DD, e.g. 2025-04-01"


Day = Annotated[date, Meta(extra_json_schema={"maxLength": 10})]
"""A calendar day, YYYY-MM-DD: ten characters (the parser takes no other form)."""

AtPosition = Annotated[
    int | None,
    QueryParameter(
        ge=0,
        le=MAX_SAFE_INT,
        description=(
            "Answer as the log stood at this position (0: before the first event). Not with as_of. "
            "A position past the log's head is a 422 that names the head."
        ),
    ),
]
AsOf = Annotated[
    Moment | None,
    QueryParameter(
        description="Answer as known at this moment (RFC 3339 with offset, on recorded_at). Not with at_position."
    ),
]


def _in_utc_range(moment: datetime) -> bool:
    """0001-01-01T01:00+02:00 is valid RFC 3339, but in UTC before the first day a datetime holds."""
    try:
        moment.astimezone(UTC)
    except OverflowError:
        return False
    return True


async def read_point(
    request: Request[Any, Any, Any],
    store: Store,
    at_position: AtPosition = None,
    as_of: AsOf = None,
) -> ReadPoint:
    # Litestar converts query strings leniently: a number reads as a Unix time, which is not a value
    # of as_of ("null" for any optional parameter is refused by guards.StrictParameters).
    raw = request.query_params
    for value in raw.getall("as_of", []):
        if len(value) > _MOMENT_LENGTH:  # RFC 3339 allows any number of fraction digits; the schema says 64 at most
            got = json.dumps(value[:60])[:-1] + f'…" ({len(value)} characters)'
            message = f"got {got}; expected at most {_MOMENT_LENGTH} characters — {_AS_OF}"
            raise InvalidInput([FieldError("query.as_of", message, code="length")])
        try:
            msgspec.convert(value, Moment)
        except msgspec.ValidationError:
            got = json.dumps(value[:60])
            raise InvalidInput([FieldError("query.as_of", f"got {got}; expected {_AS_OF}", code="format")]) from None
    if as_of is not None and not _in_utc_range(as_of):
        message = f"got {json.dumps(as_of.isoformat())}; expected a moment from 0001-01-01T00:00:00Z on"
        raise InvalidInput([FieldError("query.as_of", message, code="range")])
    if at_position is not None and as_of is not None:
        raise InvalidInput([FieldError("query.as_of", "give as_of or at_position, not both", code="exclusive")])
    if at_position is not None and at_position > (head := await store.last_position()):
        # Answering the present for a position not yet reached would pass it off as that position's state.
        message = f"got {at_position}; the log's head is at position {head}: give {head} or less"
        raise InvalidInput([FieldError("query.at_position", message, code="beyond_head")])
    return ReadPoint(at_position=at_position, as_of=as_of)


async def read_point_known_on(
    request: Request[Any, Any, Any],
    store: Store,
    at_position: AtPosition = None,
    as_of: AsOf = None,
    known_on: Annotated[
        Day | None,
        QueryParameter(
            description=(
                "Answer with what had been published by the end of this day (YYYY-MM-DD): each fact keeps only "
                "the sources published by then (a partial publication date counts from its last day; an undated "
                "source from the day Tidings recorded it, counted in `undated_claims`), and a fact left without "
                "sources is left out. Plans are judged on this day. Combines with at_position or as_of (what "
                "Tidings had recorded then); a day after as_of's is a 422."
            )
        ),
    ] = None,
) -> ReadPoint:
    point = await read_point(request, store, at_position, as_of)
    raw = request.query_params
    for value in raw.getall("known_on", []):
        try:
            msgspec.convert(value, date)
        except msgspec.ValidationError:
            got = json.dumps(value[:60])
            raise InvalidInput(
                [FieldError("query.known_on", f"got {got}; expected {_KNOWN_ON}", code="format")]
            ) from None
    if known_on is not None and as_of is not None and known_on > as_of.astimezone(UTC).date():
        message = (
            f"known_on {known_on} is after as_of's day {as_of.astimezone(UTC).date()}: what was published by a "
            "later day cannot be read as Tidings had recorded it earlier; give known_on on or before as_of"
        )
        raise InvalidInput([FieldError("query.known_on", message, code="contradictory")])
    return ReadPoint(at_position=point.at_position, as_of=point.as_of, known_on=known_on)


READ_POINT = {"point": Provide(read_point)}
COMPANY_READ_POINT = {"point": Provide(read_point_known_on)}
