"""Read models of one company (the dossier and its parts), and the company list."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Request, Response, get
from litestar.di import NamedDependency
from litestar.handlers import HTTPRouteHandler
from litestar.middleware import DefineMiddleware
from litestar.params import QueryParameter

from api.http import answers
from api.http.openapi.extras import Extras, Link
from api.http.routes.conditional import (
    CONTENT_ENCODING,
    ETAG,
    NOT_MODIFIED,
    PATH_COMPANY,
    READ_PROBLEMS,
    VARY,
    CompanyPath,
    cached,
    coded,
    company_etag,
    conditional,
    load,
    not_modified,
)
from api.http.routes.figures import (
    figure_handlers,
    get_deliveries,
    get_orders,
    get_production,
    get_products,
    get_results,
    get_sales,
)
from api.http.routes.injected import Store
from api.http.routes.paging import LINK, next_link
from api.http.routes.parameters import EventTypes, constrained
from api.http.routes.read_point import COMPANY_READ_POINT, READ_POINT
from api.http.routes.responses import problems
from api.projections import conflicts, dossier, meetings, plans, relationships, timeline
from api.store.readpoint import ReadPoint
from schema.base import CompanyId, CountryCode, PartialDate
from schema.dossiers import CompanyPage, CompanySummary, Conflicts, Dossier, Meetings, Plans, Relationships, Timeline

__all__ = ["company_handlers"]


def _append_for_company() -> HTTPRouteHandler:
    # events.py imports this module for its own links: importing it at the top would be a cycle.
    from api.http.routes.events import append_for_company

    return append_for_company


@get(
    "/companies",
    operation_id="listCompanies",
    tags=["companies"],
    summary="List companies",
    description=(
        "Summaries in id order; `q` matches name and aliases (case-insensitive substring). Continue with "
        '`cursor=next_cursor`; `Link: rel="next"` says the same.'
    ),
    dependencies=READ_POINT,
    response_headers=[LINK],
    opt={"openapi": Extras(links={"NextPage": Link(parameters={"cursor": "$response.body#/next_cursor"})})},
    responses=problems(422, 503),
)
async def list_companies(
    request: Request[Any, Any, Any],
    store: Store,
    point: NamedDependency[ReadPoint],
    q: Annotated[
        str | None,
        QueryParameter(
            min_length=1, max_length=200, pattern=r"^[^\x00-\x1f\x7f]+$", description="Part of a name or alias."
        ),
    ] = None,
    country: Annotated[
        CountryCode | None, constrained(QueryParameter, CountryCode, description="ISO 3166-1 alpha-2 country.")
    ] = None,
    cursor: Annotated[
        CompanyId | None, constrained(QueryParameter, CompanyId, description="next_cursor of the previous page.")
    ] = None,
    limit: Annotated[int, QueryParameter(ge=1, le=1000, description="At most this many companies.")] = 100,
) -> Response[CompanyPage]:
    found, more = await store.companies(point, q=q, country=country, cursor=cursor, limit=limit)
    items = [
        CompanySummary(
            company_id=r.company_id,
            name=r.name,
            aliases=list(r.aliases),
            country=r.country,
            parent_id=r.parent_id,
            version=version,
            last_position=last,
        )
        for r, version, last in found
    ]
    next_cursor = items[-1].company_id if more and items else None
    return Response(
        CompanyPage(items=items, next_cursor=next_cursor), headers=next_link(request, "cursor", next_cursor)
    )


@get(
    "/companies/{company_id:str}/timeline",
    operation_id="getCompanyTimeline",
    tags=["companies"],
    summary="A company's facts in date order",
    description=(
        "Its facts by the date the news gives them (`dated_by` says which date), then position; `type`, `from` "
        'and `to` filter. Continue with `cursor=next_cursor`; `Link: rel="next"` says the same.'
    ),
    dependencies=COMPANY_READ_POINT,
    opt=conditional(
        {"NextPage": Link(parameters={"company_id": PATH_COMPANY, "cursor": "$response.body#/next_cursor"})}
    ),
    response_headers=[ETAG, LINK],
    responses={**NOT_MODIFIED, **READ_PROBLEMS},
)
async def get_timeline(
    request: Request[Any, Any, Any],
    company_id: CompanyPath,
    store: Store,
    point: NamedDependency[ReadPoint],
    types: EventTypes = None,
    start: Annotated[
        PartialDate | None,
        constrained(QueryParameter, PartialDate, name="from", description="Facts dated on or after this."),
    ] = None,
    end: Annotated[
        PartialDate | None,
        constrained(QueryParameter, PartialDate, name="to", description="Facts dated on or before this."),
    ] = None,
    cursor: Annotated[
        str | None,
        QueryParameter(
            max_length=100, pattern=r"^[0-9-]{4,10}~[0-9]{1,16}$", description="next_cursor of the previous page."
        ),
    ] = None,
    limit: Annotated[int, QueryParameter(ge=1, le=1000, description="At most this many items.")] = 100,
) -> Response[Timeline]:
    data, _ = await load(store, "timeline", company_id, point)
    after = timeline.parse_cursor(cursor) if cursor else None
    body = timeline.build(data, types=types or (), start=start, end=end, cursor=after, limit=limit)
    etag = company_etag(data.version)
    return not_modified(request, etag) or Response(
        body, headers={"ETag": etag, "Cache-Control": "no-cache", **next_link(request, "cursor", body.next_cursor)}
    )


@get(
    "/companies/{company_id:str}/meetings",
    operation_id="getCompanyMeetings",
    tags=["companies"],
    summary="Meetings and site visits of a company",
    description=(
        "Each meeting and site visit the company took part in, with its counterparties, date and place; "
        "reports of one meeting are one item with every report in `claims`."
    ),
    dependencies=COMPANY_READ_POINT,
    opt=conditional(),
    response_headers=[ETAG],
    responses={**NOT_MODIFIED, **READ_PROBLEMS},
)
async def get_meetings(
    request: Request[Any, Any, Any],
    company_id: CompanyPath,
    store: Store,
    point: NamedDependency[ReadPoint],
) -> Response[Meetings]:
    data, _ = await load(store, "meetings", company_id, point)
    return cached(request, meetings.build(data), company_etag(data.version))


@get(
    "/companies/{company_id:str}/plans",
    operation_id="getCompanyPlans",
    tags=["companies"],
    summary="A company's plans against reported actuals",
    description=plans.__doc__ or "",
    dependencies=COMPANY_READ_POINT,
    opt=conditional(),
    response_headers=[ETAG],
    responses={**NOT_MODIFIED, **READ_PROBLEMS},
)
async def get_plans(
    request: Request[Any, Any, Any],
    company_id: CompanyPath,
    store: Store,
    point: NamedDependency[ReadPoint],
) -> Response[Plans]:
    data, _ = await load(store, "plans", company_id, point)
    return cached(request, plans.build(data), company_etag(data.version, data.at_time))


@get(
    "/companies/{company_id:str}/relationships",
    operation_id="getCompanyRelationships",
    tags=["companies"],
    summary="Suppliers, customers, partners, competitors and market positions",
    description=(
        "The company's relationships by counterparty and kind, and its market positions, each with its "
        "sources and, where reports disagree, every claim and the rule's choice."
    ),
    dependencies=COMPANY_READ_POINT,
    opt=conditional(),
    response_headers=[ETAG],
    responses={**NOT_MODIFIED, **READ_PROBLEMS},
)
async def get_relationships(
    request: Request[Any, Any, Any],
    company_id: CompanyPath,
    store: Store,
    point: NamedDependency[ReadPoint],
) -> Response[Relationships]:
    data, _ = await load(store, "relationships", company_id, point)
    return cached(request, relationships.build(data), company_etag(data.version))


@get(
    "/companies/{company_id:str}/conflicts",
    operation_id="getCompanyConflicts",
    tags=["companies"],
    summary="A company's disputed facts",
    description=(
        "Facts with claims that disagree with the chosen one, each with every claim and the rule's choice "
        "(see `SalesFigure`)."
    ),
    dependencies=COMPANY_READ_POINT,
    opt=conditional(),
    response_headers=[ETAG],
    responses={**NOT_MODIFIED, **READ_PROBLEMS},
)
async def get_conflicts(
    request: Request[Any, Any, Any],
    company_id: CompanyPath,
    store: Store,
    point: NamedDependency[ReadPoint],
) -> Response[Conflicts]:
    data, _ = await load(store, "conflicts", company_id, point)
    return cached(request, conflicts.build(data), company_etag(data.version))


@get(
    "/companies/{company_id:str}",
    operation_id="getCompany",
    tags=["companies"],
    summary="A company's dossier",
    description=(
        "Profile (name, aliases, country, parent, subsidiaries, executives, products, listings), `version` (the "
        "events touching it, also its ETag), counts per event type, latest sales, latest results, open plans, "
        "counterparties, the latest price of each product, variant and market, and the capital it raised. A "
        "read of the latest state is sent packed (`Content-Encoding: zstd`, 4 to 14 times fewer bytes) to a client "
        "whose Accept-Encoding takes zstd."
    ),
    dependencies=COMPANY_READ_POINT,
    middleware=[DefineMiddleware(answers.Recalled, view="dossier")],
    opt=conditional(
        {
            **{
                name: Link(to=handler, parameters={"company_id": PATH_COMPANY})
                for name, handler in (
                    ("GetTimeline", get_timeline),
                    ("GetMeetings", get_meetings),
                    ("GetSales", get_sales),
                    ("GetResults", get_results),
                    ("GetOrders", get_orders),
                    ("GetDeliveries", get_deliveries),
                    ("GetProduction", get_production),
                    ("GetProducts", get_products),
                    ("GetPlans", get_plans),
                    ("GetRelationships", get_relationships),
                    ("GetConflicts", get_conflicts),
                )
            },
            "AppendCompanyEvent": Link(
                to=_append_for_company,
                parameters={"company_id": PATH_COMPANY, "header.If-Match": '"{$response.body#/version}"'},
            ),
        }
    ),
    response_headers=[ETAG, CONTENT_ENCODING, VARY],
    responses={**NOT_MODIFIED, **READ_PROBLEMS},
)
async def get_company(
    request: Request[Any, Any, Any],
    company_id: CompanyPath,
    store: Store,
    point: NamedDependency[ReadPoint],
) -> Response[Dossier]:
    cache = answers.of(request)
    key = answers.key("dossier", company_id, point)
    # Encoded before, and the store confirms it still holds.
    if cache is not None and key is not None and (hit := await cache.recall_checked(key)) is not None:
        # A revalidation that matches is answered without the stored answer's body.
        return coded(request, hit.etag, hit.packed, lambda: cache.body(key, hit))
    data, registrations = await load(store, "dossier", company_id, point)
    etag = company_etag(data.version, data.at_time, registrations)
    depends = {company_id, *dossier.referenced(data), *registrations}
    body, packed = answers.remember(
        cache, key, dossier.build(data, registrations), etag, data.at_position, data.at_time, depends
    )
    return cached(request, body, etag) if cache is None or key is None else coded(request, etag, packed, lambda: body)


company_handlers = [
    list_companies,
    get_company,
    get_timeline,
    get_meetings,
    *figure_handlers,
    get_plans,
    get_relationships,
    get_conflicts,
]
