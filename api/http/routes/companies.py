"""Read models of one company (the dossier and its parts), and the company list."""

from __future__ import annotations

import hashlib
import json
import re
from datetime import UTC, date, datetime
from typing import Annotated, Any

import msgspec
from litestar import Request, Response, get
from litestar.datastructures import ResponseHeader
from litestar.di import NamedDependency, Provide
from litestar.handlers import HTTPRouteHandler
from litestar.openapi import ResponseSpec
from litestar.params import PathParameter, QueryParameter
from msgspec import Meta

from api.errors import CompanyNotFound, InvalidInput
from api.http import answers
from api.http.openapi.extras import Extras, Link
from api.http.routes.injected import Store
from api.http.routes.paging import LINK, next_link
from api.http.routes.parameters import EventTypes, constrained
from api.http.routes.responses import problems
from api.projections import (
    conflicts,
    deliveries,
    dossier,
    meetings,
    orders,
    plans,
    prices,
    production,
    relationships,
    results,
    sales,
    timeline,
)
from api.projections.company_rows import CompanyRows
from api.store.readpoint import ReadPoint
from schema.base import MAX_SAFE_INT, CompanyId, CountryCode, PartialDate
from schema.dossiers import (
    CompanyPage,
    CompanySummary,
    Conflicts,
    Deliveries,
    Dossier,
    Meetings,
    Orders,
    Plans,
    Production,
    Products,
    Relationships,
    Results,
    SalesSeries,
    Timeline,
)
from schema.events import CompanyRegistered
from schema.problems import FieldError

__all__ = [
    "COMPANY_READ_POINT",
    "IF_NONE_MATCH",
    "NOT_MODIFIED",
    "READ_POINT",
    "CompanyPath",
    "Moment",
    "cached",
    "company_handlers",
]


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

_ETAG = ResponseHeader(
    name="ETag",
    required=True,
    description="The company's version (and, where plan status is shown, the day it was evaluated). Send it as If-None-Match.",
    documentation_only=True,
)
NOT_MODIFIED = {304: ResponseSpec(data_container=None, description="Unchanged since the ETag sent in If-None-Match.")}
_ETAGS = r'^(?:\*|(?:W/)?"[\x21\x23-\x7e]*"(?:[ \t]*,[ \t]*(?:W/)?"[\x21\x23-\x7e]*")*)$'
"""An If-None-Match value (RFC 9110, 13.1.2): ``*``, or entity tags separated by commas."""
_ETAGS_LENGTH = 1024
IF_NONE_MATCH = {
    "name": "If-None-Match",
    "in": "header",
    "required": False,
    "description": "ETags of a copy the client holds (or `*`): when one is current the answer is 304 without a body.",
    "schema": {"type": "string", "maxLength": _ETAGS_LENGTH, "pattern": _ETAGS},
}
_PATH_COMPANY = "$request.path.company_id"


def _conditional(links: dict[str, Link] | None = None) -> dict[str, Extras]:
    """The OpenAPI extras of a read that can answer 304: If-None-Match (read by ``_not_modified``, not
    a handler argument) and a link that revalidates the copy just received."""
    revalidate = Link(
        parameters={"company_id": _PATH_COMPANY, "header.If-None-Match": "$response.header.ETag"},
        description="Ask again with the ETag received: 304 while nothing changed.",
    )
    return {"openapi": Extras(links={**(links or {}), "Revalidate": revalidate}, parameters=[IF_NONE_MATCH])}


def _append_for_company() -> HTTPRouteHandler:
    # events.py imports this module for its own links: importing it at the top would be a cycle.
    from api.http.routes.events import append_for_company

    return append_for_company


_READ_PROBLEMS = problems(404, 422, 503)


async def _load(
    store: Store, model: str, company_id: str, point: NamedDependency[ReadPoint]
) -> tuple[CompanyRows, dict[str, CompanyRegistered]]:
    found = await store.read_model(model, company_id, point)
    if found is None:
        raise CompanyNotFound(company_id)
    return found


def _not_modified(request: Request[Any, Any, Any], etag: str) -> Response[Any] | None:
    sent = request.headers.get("if-none-match")
    if sent is not None and (len(sent) > _ETAGS_LENGTH or not re.match(_ETAGS, sent)):
        got = json.dumps(sent[:60])
        expected = f'entity tags such as "3" or W/"3", separated by commas, or *, at most {_ETAGS_LENGTH} characters'
        code = "length" if len(sent) > _ETAGS_LENGTH else "pattern"
        raise InvalidInput([FieldError("header.If-None-Match", f"got {got}; expected {expected}", code=code)])
    # If-None-Match uses the weak comparison (RFC 9110 13.1.2): a proxy may have weakened our tag.
    if sent is not None and (sent.strip() == "*" or etag in (t.strip().removeprefix("W/") for t in sent.split(","))):
        return Response(None, status_code=304, headers={"ETag": etag})
    return None


def _answer(body: Any, etag: str) -> Response[Any]:
    return Response(body, headers={"ETag": etag, "Cache-Control": "no-cache"})


def cached(request: Request[Any, Any, Any], body: Any, etag: str) -> Response[Any]:
    return _not_modified(request, etag) or _answer(body, etag)


def _etag(version: int, evaluated: datetime | None = None, names: dict[str, CompanyRegistered] | None = None) -> str:
    """The company's version; the day plan status was evaluated on; and, where other companies'
    names are shown, a digest of the registrations they come from (a rename changes it)."""
    tag = str(version) if evaluated is None else f"{version}-{evaluated:%Y%m%d}"
    if names:
        digest = hashlib.blake2b(digest_size=6)
        for company in sorted(names):
            event_id = names[company].id
            digest.update(event_id.bytes if event_id is not None else company.encode())
        tag = f"{tag}-{digest.hexdigest()}"
    return f'"{tag}"'


CompanyPath = Annotated[CompanyId, constrained(PathParameter, CompanyId, description="The company's id.")]


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
    opt=_conditional(
        {"NextPage": Link(parameters={"company_id": _PATH_COMPANY, "cursor": "$response.body#/next_cursor"})}
    ),
    response_headers=[_ETAG, LINK],
    responses={**NOT_MODIFIED, **_READ_PROBLEMS},
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
    data, _ = await _load(store, "timeline", company_id, point)
    after = timeline.parse_cursor(cursor) if cursor else None
    body = timeline.build(data, types=types or (), start=start, end=end, cursor=after, limit=limit)
    etag = _etag(data.version)
    return _not_modified(request, etag) or Response(
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
    opt=_conditional(),
    response_headers=[_ETAG],
    responses={**NOT_MODIFIED, **_READ_PROBLEMS},
)
async def get_meetings(
    request: Request[Any, Any, Any],
    company_id: CompanyPath,
    store: Store,
    point: NamedDependency[ReadPoint],
) -> Response[Meetings]:
    data, _ = await _load(store, "meetings", company_id, point)
    return cached(request, meetings.build(data), _etag(data.version))


@get(
    "/companies/{company_id:str}/sales",
    operation_id="getCompanySales",
    tags=["companies"],
    summary="A company's sales figures by period",
    description=(
        "Units and revenue by period and product. Reports of one figure are claims: `disputed` says whether "
        "they disagree, `decided_by` which step of the rule chose the value shown."
    ),
    dependencies=COMPANY_READ_POINT,
    opt=_conditional(),
    response_headers=[_ETAG],
    responses={**NOT_MODIFIED, **_READ_PROBLEMS},
)
async def get_sales(
    request: Request[Any, Any, Any],
    company_id: CompanyPath,
    store: Store,
    point: NamedDependency[ReadPoint],
) -> Response[SalesSeries]:
    data, _ = await _load(store, "sales", company_id, point)
    return cached(request, sales.build(data), _etag(data.version))


@get(
    "/companies/{company_id:str}/results",
    operation_id="getCompanyResults",
    tags=["companies"],
    summary="A company's financial results by period",
    description=(
        "Revenue, operating profit, net income and other measures by period, each in its currency, with "
        "its year-on-year change where reported; never unit sales (those are in `/sales`). A final figure "
        "supersedes preliminary ones (`preliminary` keeps the value it replaced); reports of one figure "
        "and status are claims: `disputed` says whether they disagree, `decided_by` which step of the "
        "rule chose the value shown."
    ),
    dependencies=COMPANY_READ_POINT,
    opt=_conditional(),
    response_headers=[_ETAG],
    responses={**NOT_MODIFIED, **_READ_PROBLEMS},
)
async def get_results(
    request: Request[Any, Any, Any],
    company_id: CompanyPath,
    store: Store,
    point: NamedDependency[ReadPoint],
) -> Response[Results]:
    data, _ = await _load(store, "results", company_id, point)
    return cached(request, results.build(data), _etag(data.version))


@get(
    "/companies/{company_id:str}/orders",
    operation_id="getCompanyOrders",
    tags=["companies"],
    summary="Orders a company took",
    description=(
        "Orders (reservations, firm or locked orders) by product, and period or window after a day "
        '("within 18 hours" of a launch). Orders are demand: never in `/sales`, `latest_sales` or the '
        "figures a plan is judged by. Reports of one count are claims, resolved by the rule."
    ),
    dependencies=COMPANY_READ_POINT,
    opt=_conditional(),
    response_headers=[_ETAG],
    responses={**NOT_MODIFIED, **_READ_PROBLEMS},
)
async def get_orders(
    request: Request[Any, Any, Any],
    company_id: CompanyPath,
    store: Store,
    point: NamedDependency[ReadPoint],
) -> Response[Orders]:
    data, _ = await _load(store, "orders", company_id, point)
    return cached(request, orders.build(data), _etag(data.version))


@get(
    "/companies/{company_id:str}/deliveries",
    operation_id="getCompanyDeliveries",
    tags=["companies"],
    summary="A company's deliveries by period",
    description=(
        "Deliveries to customers by period or window, and product: the figures `units_delivered` plans "
        "are judged by. Reports of one count are claims, resolved by the rule."
    ),
    dependencies=COMPANY_READ_POINT,
    opt=_conditional(),
    response_headers=[_ETAG],
    responses={**NOT_MODIFIED, **_READ_PROBLEMS},
)
async def get_deliveries(
    request: Request[Any, Any, Any],
    company_id: CompanyPath,
    store: Store,
    point: NamedDependency[ReadPoint],
) -> Response[Deliveries]:
    data, _ = await _load(store, "deliveries", company_id, point)
    return cached(request, deliveries.build(data), _etag(data.version))


@get(
    "/companies/{company_id:str}/production",
    operation_id="getCompanyProduction",
    tags=["companies"],
    summary="A company's production by period",
    description=(
        "Units produced by period or window, and product: the figures `units_produced` plans are judged "
        "by (sales, deliveries and orders never stand in). Reports of one count are claims, resolved by the rule."
    ),
    dependencies=COMPANY_READ_POINT,
    opt=_conditional(),
    response_headers=[_ETAG],
    responses={**NOT_MODIFIED, **_READ_PROBLEMS},
)
async def get_production(
    request: Request[Any, Any, Any],
    company_id: CompanyPath,
    store: Store,
    point: NamedDependency[ReadPoint],
) -> Response[Production]:
    data, _ = await _load(store, "production", company_id, point)
    return cached(request, production.build(data), _etag(data.version))


@get(
    "/companies/{company_id:str}/products",
    operation_id="getCompanyProducts",
    tags=["companies"],
    summary="A company's products with their launches and prices",
    description=(
        "Each product by launch date, with every launch report and its prices by date, market and variant "
        '(`from_price`: the lowest of a range, "from CNY 215,900"). Launches and prices are matched by product '
        "name, case and spacing aside. Reports of one price (product, variant, market, date, currency) are "
        "claims: `disputed` says whether they disagree, `decided_by` which step of the rule chose the price shown."
    ),
    dependencies=COMPANY_READ_POINT,
    opt=_conditional(),
    response_headers=[_ETAG],
    responses={**NOT_MODIFIED, **_READ_PROBLEMS},
)
async def get_products(
    request: Request[Any, Any, Any],
    company_id: CompanyPath,
    store: Store,
    point: NamedDependency[ReadPoint],
) -> Response[Products]:
    data, _ = await _load(store, "products", company_id, point)
    return cached(request, prices.build(data), _etag(data.version))


@get(
    "/companies/{company_id:str}/plans",
    operation_id="getCompanyPlans",
    tags=["companies"],
    summary="A company's plans against reported actuals",
    description=plans.__doc__ or "",
    dependencies=COMPANY_READ_POINT,
    opt=_conditional(),
    response_headers=[_ETAG],
    responses={**NOT_MODIFIED, **_READ_PROBLEMS},
)
async def get_plans(
    request: Request[Any, Any, Any],
    company_id: CompanyPath,
    store: Store,
    point: NamedDependency[ReadPoint],
) -> Response[Plans]:
    data, _ = await _load(store, "plans", company_id, point)
    return cached(request, plans.build(data), _etag(data.version, data.at_time))


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
    opt=_conditional(),
    response_headers=[_ETAG],
    responses={**NOT_MODIFIED, **_READ_PROBLEMS},
)
async def get_relationships(
    request: Request[Any, Any, Any],
    company_id: CompanyPath,
    store: Store,
    point: NamedDependency[ReadPoint],
) -> Response[Relationships]:
    data, _ = await _load(store, "relationships", company_id, point)
    return cached(request, relationships.build(data), _etag(data.version))


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
    opt=_conditional(),
    response_headers=[_ETAG],
    responses={**NOT_MODIFIED, **_READ_PROBLEMS},
)
async def get_conflicts(
    request: Request[Any, Any, Any],
    company_id: CompanyPath,
    store: Store,
    point: NamedDependency[ReadPoint],
) -> Response[Conflicts]:
    data, _ = await _load(store, "conflicts", company_id, point)
    return cached(request, conflicts.build(data), _etag(data.version))


@get(
    "/companies/{company_id:str}",
    operation_id="getCompany",
    tags=["companies"],
    summary="A company's dossier",
    description=(
        "Profile (name, aliases, country, parent, subsidiaries, executives, products, listings), `version` (the "
        "events touching it, also its ETag), counts per event type, latest sales, latest results, open plans, "
        "counterparties, the latest price of each product, variant and market, and the capital it raised."
    ),
    dependencies=COMPANY_READ_POINT,
    opt=_conditional(
        {
            **{
                name: Link(to=handler, parameters={"company_id": _PATH_COMPANY})
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
                parameters={"company_id": _PATH_COMPANY, "header.If-Match": '"{$response.body#/version}"'},
            ),
        }
    ),
    response_headers=[_ETAG],
    responses={**NOT_MODIFIED, **_READ_PROBLEMS},
)
async def get_company(
    request: Request[Any, Any, Any],
    company_id: CompanyPath,
    store: Store,
    point: NamedDependency[ReadPoint],
) -> Response[Dossier]:
    cache = answers.of(request)
    key = answers.key("dossier", company_id, point)
    if (hit := answers.recall(cache, store, key)) is not None:  # encoded before, and the store confirms it still holds
        # A revalidation that matches is answered without inflating the stored answer.
        return _not_modified(request, hit.etag) or _answer(hit.body, hit.etag)
    data, registrations = await _load(store, "dossier", company_id, point)
    etag = _etag(data.version, data.at_time, registrations)
    depends = {company_id, *dossier.referenced(data), *registrations}
    body = answers.remember(
        cache, key, dossier.build(data, registrations), etag, data.at_position, data.at_time, depends
    )
    return cached(request, body, etag)


company_handlers = [
    list_companies,
    get_company,
    get_timeline,
    get_meetings,
    get_sales,
    get_results,
    get_orders,
    get_deliveries,
    get_production,
    get_products,
    get_plans,
    get_relationships,
    get_conflicts,
]
