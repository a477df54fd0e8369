"""GET /conflicts: open disputes across the store, the facts whose sources disagree."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Request, Response, get
from litestar.di import NamedDependency
from litestar.params import QueryParameter

from api.http.openapi.extras import Extras, Link
from api.http.routes.injected import Store
from api.http.routes.paging import LINK, next_link
from api.http.routes.parameters import MAX_COMPANIES, constrained
from api.http.routes.read_point import COMPANY_READ_POINT
from api.http.routes.responses import problems
from api.projections import conflicts
from api.store.readpoint import ReadPoint
from schema.base import MAX_SAFE_INT, CompanyId
from schema.dossiers import Conflict, ConflictKind, ConflictPage

__all__ = ["conflict_handlers"]


@get(
    "/conflicts",
    operation_id="listConflicts",
    tags=["claims"],
    summary="Open disputes across the store",
    description=(
        "Facts whose claims disagree with the one the rule chose, in company id order, each with every claim. "
        "A page ends at a company boundary (it holds every dispute of each company on it). Continue with "
        '`cursor=next_cursor`; `Link: rel="next"` says the same. Takes the read point of company reads '
        "(`at_position` or `as_of`, and `known_on`)."
    ),
    dependencies=COMPANY_READ_POINT,
    response_headers=[LINK],
    opt={"openapi": Extras(links={"NextPage": Link(parameters={"cursor": "$response.body#/next_cursor"})})},
    responses=problems(422, 503),
)
async def list_conflicts(
    request: Request[Any, Any, Any],
    store: Store,
    point: NamedDependency[ReadPoint],
    company: Annotated[
        list[CompanyId] | None,
        QueryParameter(max_items=MAX_COMPANIES, description="Only these companies' disputes (repeatable)."),
    ] = None,
    kind: Annotated[
        list[ConflictKind] | None,
        QueryParameter(
            max_items=len(conflicts.KINDS), description="Only disputes of these kinds of fact (repeatable)."
        ),
    ] = None,
    since: Annotated[
        int,
        QueryParameter(
            ge=0, le=MAX_SAFE_INT, description="Only disputes with a claim after this position (new or grown)."
        ),
    ] = 0,
    cursor: Annotated[
        CompanyId | None, constrained(QueryParameter, CompanyId, description="next_cursor of the previous page.")
    ] = None,
    limit: Annotated[int, QueryParameter(ge=1, le=1000, description="About this many disputes (see above).")] = 100,
) -> Response[ConflictPage]:
    async def disputes(candidate: str) -> list[Conflict]:
        found = await store.read_model("conflicts", candidate, point)
        every = conflicts.disputes(found[0], kinds) if found is not None else []
        return [c for c in every if c.latest_position > since]

    kinds = [k for k in conflicts.KINDS if not kind or k in kind]
    # In the order of KINDS, the kinds disputed most often first: the first view to fill a page bounds
    # the search of the rarer ones (below).
    views = list(dict.fromkeys(conflicts.KINDS[k] for k in kinds))

    items: list[Conflict] = []
    after, more = cursor or "", False
    while not more:
        if company:
            batch = sorted(c for c in set(company) if c > after)
        else:
            # The first `limit` candidates of the union are among the first `limit` of each view; once one
            # view has `limit` of them, none after its last can be, so the next views look no further
            # (a view with few disputes would otherwise be read to the end of the store).
            found: set[str] = set()
            until: str | None = None
            for view in views:
                candidates = await store.contested(point, view, after=after, limit=limit, until=until)
                found.update(candidates)
                if len(candidates) == limit:
                    until = min(until or candidates[-1], candidates[-1])
            batch = sorted(found)[:limit]
        for index, candidate in enumerate(batch):
            items += await disputes(candidate)
            after = candidate
            if len(items) >= limit:
                more = index < len(batch) - 1 or (not company and len(batch) == limit)
                break
        if company or len(batch) < limit:
            break
    next_cursor = after if more else None
    return Response(
        ConflictPage(items=items, next_cursor=next_cursor), headers=next_link(request, "cursor", next_cursor)
    )


conflict_handlers = [list_conflicts]
