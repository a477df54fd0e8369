"""GET /people and GET /people/{person_id}: people across companies, their roles and meetings."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Annotated, Any

from litestar import Request, Response, get
from litestar.datastructures import ResponseHeader
from litestar.di import NamedDependency
from litestar.handlers import HTTPRouteHandler
from litestar.params import PathParameter, QueryParameter

from api.errors import PersonNotFound
from api.http.openapi.extras import Extras, Link
from api.http.routes.conditional import IF_NONE_MATCH, NOT_MODIFIED, cached
from api.http.routes.injected import Store
from api.http.routes.paging import LINK, next_link
from api.http.routes.parameters import constrained
from api.http.routes.read_point import READ_POINT
from api.http.routes.responses import problems
from api.projections import people
from api.store.readpoint import ReadPoint
from schema.base import CompanyId, PersonId
from schema.people import Person, PersonPage

__all__ = ["person_handlers"]

PersonPath = Annotated[PersonId, constrained(PathParameter, PersonId, description="The person's id.")]


def _get_person() -> HTTPRouteHandler:
    return get_person


@get(
    "/people",
    operation_id="listPeople",
    tags=["people"],
    summary="List people",
    description=(
        "Everyone a fact names (a role at a company, a meeting, a visit), in id order; `q` matches the id and "
        "the name (case-insensitive substring), `company` keeps those with a fact at that company. "
        'Continue with `cursor=next_cursor`; `Link: rel="next"` says the same.'
    ),
    dependencies=READ_POINT,
    response_headers=[LINK],
    opt={
        "openapi": Extras(
            links={
                "NextPage": Link(parameters={"cursor": "$response.body#/next_cursor"}),
                "GetPerson": Link(
                    to=_get_person,
                    parameters={"person_id": "$response.body#/items/0/person_id"},
                    description="The first person of the page.",
                ),
            }
        )
    },
    responses=problems(422, 503),
)
async def list_people(
    request: Request[Any, Any, Any],
    store: Store,
    point: NamedDependency[ReadPoint],
    q: Annotated[
        str | None,
        QueryParameter(
            min_length=1, max_length=200, pattern=r"^[^\x00-\x1f\x7f]+$", description="Part of an id or name."
        ),
    ] = None,
    company: Annotated[
        CompanyId | None, constrained(QueryParameter, CompanyId, description="Only people with a fact at this company.")
    ] = None,
    cursor: Annotated[
        PersonId | None, constrained(QueryParameter, PersonId, description="next_cursor of the previous page.")
    ] = None,
    limit: Annotated[int, QueryParameter(ge=1, le=1000, description="At most this many people.")] = 100,
) -> Response[PersonPage]:
    found, more = await store.people(point, q=q, company=company, cursor=cursor, limit=limit)
    on = _day(point)
    items = [people.summary(person_id, rows, on) for person_id, rows in found]
    next_cursor = items[-1].person_id if more and items else None
    return Response(PersonPage(items=items, next_cursor=next_cursor), headers=next_link(request, "cursor", next_cursor))


@get(
    "/people/{person_id:str}",
    operation_id="getPerson",
    tags=["people"],
    summary="A person",
    description=(
        "The person's role at each company (resolved by the claim rule, every report in `claims`; dated roles "
        "by effective date, with `tenures`, `started_on`, `ended_on` and `current` as of the day of `as_of`, "
        "else today) and the meetings and visits they took part in, as of `at_position` or `as_of`."
    ),
    dependencies=READ_POINT,
    opt={
        "openapi": Extras(
            links={
                "Revalidate": Link(
                    parameters={
                        "person_id": "$request.path.person_id",
                        "header.If-None-Match": "$response.header.ETag",
                    },
                    description="Ask again with the ETag received: 304 while nothing changed.",
                )
            },
            parameters=[IF_NONE_MATCH],
        )
    },
    response_headers=[
        ResponseHeader(name="ETag", description="Changes when what the page shows changes.", documentation_only=True)
    ],
    responses={**NOT_MODIFIED, **problems(404, 422, 503)},
)
async def get_person(
    request: Request[Any, Any, Any],
    person_id: PersonPath,
    store: Store,
    point: NamedDependency[ReadPoint],
) -> Response[Person]:
    found = await store.person(person_id, point)
    if found is None:
        raise PersonNotFound(person_id)
    rows, evidence = found
    on = _day(point)
    return cached(request, people.build(person_id, rows, evidence, on), _etag(rows, evidence, on))


def _day(point: ReadPoint) -> str:
    """The day dated roles are read as of: as_of's (in UTC), else today's."""
    return (point.as_of or datetime.now(UTC)).astimezone(UTC).date().isoformat()


def _etag(rows: people.PersonRows, evidence: dict[int, list[Any]], on: str) -> str:
    """The positions of the person's rows and of their evidence: a new fact, evidence or retraction changes it;
    and the day, which ends and starts dated roles."""
    digest = hashlib.blake2b(digest_size=8)
    digest.update(on.encode())
    for _, company, position, _ in rows:
        digest.update(f"{company}:{position};".encode())
    for position, sources in sorted(evidence.items()):
        digest.update(f"e{position}:{len(sources)};".encode())
    return f'"{digest.hexdigest()}"'


person_handlers = [list_people, get_person]
