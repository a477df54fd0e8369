"""A company's reported figures, each its own read model: sales, results, orders, deliveries, production, prices."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from litestar import Request, Response, get
from litestar.di import NamedDependency
from litestar.handlers import HTTPRouteHandler

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
from api.projections.company_rows import CompanyRows
from api.store.readpoint import ReadPoint
from schema.dossiers import Deliveries, Orders, Production, Products, Results, SalesSeries

__all__ = ["figure_handlers"]


def _figure_read(
    model: str,
    answer: type[Any],
    build: Callable[[CompanyRows], Any],
    *,
    operation_id: str,
    summary: str,
    description: str,
) -> HTTPRouteHandler:
    """GET /companies/{id}/<model>: the read model of that name, conditional on the company's version."""

    async def read(
        request: Request[Any, Any, Any],
        company_id: CompanyPath,
        store: Store,
        point: NamedDependency[ReadPoint],
    ) -> Response[Any]:
        data, _ = await load(store, model, company_id, point)
        return cached(request, build(data), company_etag(data.version))

    # The answer's schema in the spec: Litestar reads it from the return annotation.
    read.__annotations__["return"] = Response[answer]  # type: ignore[valid-type]
    read.__name__ = read.__qualname__ = f"get_{model}"
    return get(
        f"/companies/{{company_id:str}}/{model}",
        operation_id=operation_id,
        tags=["companies"],
        summary=summary,
        description=description,
        dependencies=COMPANY_READ_POINT,
        opt=conditional(),
        response_headers=[ETAG],
        responses={**NOT_MODIFIED, **READ_PROBLEMS},
    )(read)


get_sales = _figure_read(
    "sales",
    SalesSeries,
    sales.build,
    operation_id="getCompanySales",
    summary="A company's sales figures by period",
    description=(
        "Units and revenue by period and product. Reports of one figure are claims: `disputed` says whether "
        "they disagree, `decided_by` which step of the rule chose the value shown."
    ),
)


get_results = _figure_read(
    "results",
    Results,
    results.build,
    operation_id="getCompanyResults",
    summary="A company's financial results by period",
    description=(
        "Revenue, operating profit, net income and other measures by period, each in its currency, with "
        "its year-on-year change where reported; never unit sales (those are in `/sales`). A final figure "
        "supersedes preliminary ones (`preliminary` keeps the value it replaced); reports of one figure "
        "and status are claims: `disputed` says whether they disagree, `decided_by` which step of the "
        "rule chose the value shown."
    ),
)


get_orders = _figure_read(
    "orders",
    Orders,
    orders.build,
    operation_id="getCompanyOrders",
    summary="Orders a company took",
    description=(
        "Orders (reservations, firm or locked orders) by product, and period or window after a day "
        '("within 18 hours" of a launch). Orders are demand: never in `/sales`, `latest_sales` or the '
        "figures a plan is judged by. Reports of one count are claims, resolved by the rule."
    ),
)


get_deliveries = _figure_read(
    "deliveries",
    Deliveries,
    deliveries.build,
    operation_id="getCompanyDeliveries",
    summary="A company's deliveries by period",
    description=(
        "Deliveries to customers by period or window, and product: the figures `units_delivered` plans "
        "are judged by. Reports of one count are claims, resolved by the rule."
    ),
)


get_production = _figure_read(
    "production",
    Production,
    production.build,
    operation_id="getCompanyProduction",
    summary="A company's production by period",
    description=(
        "Units produced by period or window, and product: the figures `units_produced` plans are judged "
        "by (sales, deliveries and orders never stand in). Reports of one count are claims, resolved by the rule."
    ),
)


get_products = _figure_read(
    "products",
    Products,
    prices.build,
    operation_id="getCompanyProducts",
    summary="A company's products with their launches and prices",
    description=(
        "Each product by launch date, with every launch report and its prices by date, market and variant "
        '(`from_price`: the lowest of a range, "from CNY 215,900"). Launches and prices are matched by product '
        "name, case and spacing aside. Reports of one price (product, variant, market, date, currency) are "
        "claims: `disputed` says whether they disagree, `decided_by` which step of the rule chose the price shown."
    ),
)


figure_handlers = [get_sales, get_results, get_orders, get_deliveries, get_production, get_products]
