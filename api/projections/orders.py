"""Orders read model: orders taken, by product and period or window; demand, never sales or production."""

from __future__ import annotations

import msgspec

from api.projections import counts
from api.projections.company_rows import CompanyRows
from api.projections.registry import Projection, ReadModel
from schema.dossiers import OrderFigure, Orders
from schema.events import OrdersReported

__all__ = ["PROJECTION", "READ_MODEL", "VIEW", "build", "figures"]

VIEW = "orders"


def figures(data: CompanyRows) -> list[OrderFigure]:
    return [
        OrderFigure(**msgspec.structs.asdict(figure), kind=report.kind or "unspecified")
        for report, figure in counts.figures(data, VIEW)
    ]


def build(data: CompanyRows) -> Orders:
    return Orders(company_id=data.company_id, version=data.version, items=figures(data), **data.known())


PROJECTION = Projection(
    VIEW, writes=(VIEW,), fold=lambda stored, _, __: counts.row(VIEW, stored), handles=(OrdersReported,)
)

READ_MODEL = ReadModel(VIEW, reads=(VIEW,))
