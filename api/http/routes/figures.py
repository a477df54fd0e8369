"""A company's reported figures, each its own read model: sales, results, orders, deliveries, production, prices."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get
from litestar.di import NamedDependency

from api.http.routes.conditional import (
    ETAG,
    NOT_MODIFIED,
    READ_PROBLEMS,
    CompanyPath,
    cached,
    company_etag,
    conditional,
    load,
)
from api.http.routes.injected import Store
from api.http.routes.read_point import COMPANY_READ_POINT
from api.projections import deliveries, orders, prices, production, results, sales
from api.store.readpoint import ReadPoint
from schema.dossiers import Deliveries, Orders, Production, Products, Results, SalesSeries

__all__ = ["figure_handlers"]


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
    opt=conditional(),
    response_headers=[ETAG],
    responses={**NOT_MODIFIED, **READ_PROBLEMS},
)
async def get_sales(
    request: Request[Any, Any, Any],
    company_id: CompanyPath,
    store: Store,
    point: NamedDependency[ReadPoint],
) -> Response[SalesSeries]:
    data, _ = await load(store, "sales", company_id, point)
    return cached(request, sales.build(data), company_etag(data.version))


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
    opt=conditional(),
    response_headers=[ETAG],
    responses={**NOT_MODIFIED, **READ_PROBLEMS},
)
async def get_results(
    request: Request[Any, Any, Any],
    company_id: CompanyPath,
    store: Store,
    point: NamedDependency[ReadPoint],
) -> Response[Results]:
    data, _ = await load(store, "results", company_id, point)
    return cached(request, results.build(data), company_etag(data.version))


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
    opt=conditional(),
    response_headers=[ETAG],
    responses={**NOT_MODIFIED, **READ_PROBLEMS},
)
async def get_orders(
    request: Request[Any, Any, Any],
    company_id: CompanyPath,
    store: Store,
    point: NamedDependency[ReadPoint],
) -> Response[Orders]:
    data, _ = await load(store, "orders", company_id, point)
    return cached(request, orders.build(data), company_etag(data.version))


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
    opt=conditional(),
    response_headers=[ETAG],
    responses={**NOT_MODIFIED, **READ_PROBLEMS},
)
async def get_deliveries(
    request: Request[Any, Any, Any],
    company_id: CompanyPath,
    store: Store,
    point: NamedDependency[ReadPoint],
) -> Response[Deliveries]:
    data, _ = await load(store, "deliveries", company_id, point)
    return cached(request, deliveries.build(data), company_etag(data.version))


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
    opt=conditional(),
    response_headers=[ETAG],
    responses={**NOT_MODIFIED, **READ_PROBLEMS},
)
async def get_production(
    request: Request[Any, Any, Any],
    company_id: CompanyPath,
    store: Store,
    point: NamedDependency[ReadPoint],
) -> Response[Production]:
    data, _ = await load(store, "production", company_id, point)
    return cached(request, production.build(data), company_etag(data.version))


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
    opt=conditional(),
    response_headers=[ETAG],
    responses={**NOT_MODIFIED, **READ_PROBLEMS},
)
async def get_products(
    request: Request[Any, Any, Any],
    company_id: CompanyPath,
    store: Store,
    point: NamedDependency[ReadPoint],
) -> Response[Products]:
    data, _ = await load(store, "products", company_id, point)
    return cached(request, prices.build(data), company_etag(data.version))


figure_handlers = [get_sales, get_results, get_orders, get_deliveries, get_production, get_products]
