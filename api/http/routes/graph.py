"""GET /graph: companies and people and what links them, as JSON, GraphML or Graphviz DOT."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Request, Response, get
from litestar.di import NamedDependency
from litestar.params import QueryParameter

from api.errors import CompanyNotFound, InvalidInput
from api.http.graph_formats import DOT, GRAPHML, to_dot, to_graphml
from api.http.openapi.extras import Extras
from api.http.routes.injected import Store
from api.http.routes.parameters import constrained
from api.http.routes.read_point import COMPANY_READ_POINT
from api.http.routes.responses import problems
from api.projections.company_rows import CompanyRows
from api.projections.graph import Filters, GraphBuilder, around, of_companies
from api.store.readpoint import ReadPoint
from schema.base import Certainty, CompanyId
from schema.dossiers import RelationshipStatus
from schema.events import CompanyRegistered
from schema.graph import EdgeKind, Graph
from schema.problems import FieldError

__all__ = ["graph_handlers", "WHOLE_STORE_LIMIT"]

WHOLE_STORE_LIMIT = 1000
"""The most companies a graph of the whole store (no ``company``) is drawn for."""

_TEXT = {"schema": {"type": "string", "maxLength": 100_000_000}}


@get(
    "/graph",
    operation_id="getGraph",
    tags=["companies"],
    summary="The relationship graph",
    description=(
        "Companies and people as nodes; supplies, partnerships, competition, parent and subsidiary, meetings, "
        "visits and roles as edges, each made of the facts behind it (relationships and roles resolved by the "
        "claim rule). With `company`, the companies up to `depth` links away (1 to 3, default 1) and the people "
        f"linked to those expanded; without it, every company (up to {WHOLE_STORE_LIMIT}: more is a 422). `kind`, "
        "`status` and `certainty` keep the facts they name, and the walk follows only those. JSON by default; "
        f"`Accept: {GRAPHML}` gives GraphML (Gephi, yEd, networkx), `Accept: {DOT}` Graphviz DOT."
    ),
    dependencies=COMPANY_READ_POINT,
    opt={"openapi": Extras(content={GRAPHML: _TEXT, DOT: _TEXT})},
    responses=problems(404, 422, 503),
)
async def get_graph(
    request: Request[Any, Any, Any],
    store: Store,
    point: NamedDependency[ReadPoint],
    company: Annotated[
        CompanyId | None, constrained(QueryParameter, CompanyId, description="The company the graph is around.")
    ] = None,
    depth: Annotated[
        int | None, QueryParameter(ge=1, le=3, description="How many links away from `company` (default 1).")
    ] = None,
    kind: Annotated[
        list[EdgeKind] | None, QueryParameter(max_items=7, description="Only edges of these kinds (repeatable).")
    ] = None,
    status: Annotated[
        list[RelationshipStatus] | None,
        QueryParameter(
            max_items=3, description="Only relationships of these statuses, and no other edges (repeatable)."
        ),
    ] = None,
    certainty: Annotated[
        list[Certainty] | None, QueryParameter(max_items=3, description="Only facts of these certainties (repeatable).")
    ] = None,
) -> Response[Graph]:
    if depth is not None and company is None:
        raise InvalidInput(
            [FieldError("query.depth", "depth counts links from a company: give company too", code="requires")]
        )
    filters = Filters(frozenset(kind or ()), frozenset(status or ()), frozenset(certainty or ()))
    if status:
        filters = Filters(
            filters.kinds or frozenset({"supplies", "partners_with", "competes_with"}),
            filters.statuses,
            filters.certainties,
        )
    builder = GraphBuilder(filters)

    async def read(company_id: str) -> tuple[CompanyRows, dict[str, CompanyRegistered]] | None:
        return await store.read_model("graph", company_id, point)

    if company is not None:
        if not await around(read, builder, company, depth or 1):
            raise CompanyNotFound(company)
    else:
        found, more = await store.companies(point, q=None, country=None, cursor=None, limit=WHOLE_STORE_LIMIT)
        if more:
            message = (
                f"the store holds more than {WHOLE_STORE_LIMIT} companies: give company (and depth) for a part of it"
            )
            raise InvalidInput([FieldError("query.company", message, code="too_large")])
        await of_companies(read, builder, [registration.company_id for registration, _, _ in found])
    known = {"known_on": point.known_on} if point.known_on is not None else {}
    graph = builder.graph(company, depth or 1 if company is not None else None, **known)
    wanted = request.accept.best_match(["application/json", GRAPHML, DOT], default="application/json")
    if wanted == GRAPHML:
        return Response(to_graphml(graph), media_type=GRAPHML)  # type: ignore[arg-type]
    if wanted == DOT:
        return Response(to_dot(graph), media_type=DOT)  # type: ignore[arg-type]
    return Response(graph)


graph_handlers = [get_graph]
