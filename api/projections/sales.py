"""Sales read model: reported units and revenue by period."""

from __future__ import annotations

from api.projections.company_rows import CompanyRows
from api.projections.facts import fact_fields
from api.projections.periods import period_sort
from api.projections.registry import Projection, ReadModel
from api.projections.row import Row
from schema.codec import encode
from schema.dossiers import SalesFigure, SalesSeries
from schema.events import SalesReported, StoredEvent

__all__ = ["PROJECTION", "READ_MODEL", "build", "figures", "rows"]


def rows(stored: StoredEvent) -> list[Row]:
    event = stored.event
    if not isinstance(event, SalesReported):
        return []
    figure = SalesFigure(
        **fact_fields(stored),
        period=event.period,
        product=event.product,
        units=event.units,
        revenue=event.revenue,
    )
    return [
        Row("sales", event.company_id, stored.position, event.product or "", period_sort(event.period), encode(figure))
    ]


def figures(data: CompanyRows) -> list[SalesFigure]:
    """Every valid figure, in period order (a later report for the same period and product comes later)."""
    return sorted(data.facts("sales", SalesFigure), key=lambda f: (period_sort(f.period), f.position))


def build(data: CompanyRows) -> SalesSeries:
    return SalesSeries(company_id=data.company_id, version=data.version, items=figures(data))


PROJECTION = Projection("sales", writes=("sales",), fold=lambda stored, _, __: rows(stored), handles=(SalesReported,))


READ_MODEL = ReadModel("sales", reads=("sales",))
