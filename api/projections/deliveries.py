"""Deliveries read model: deliveries to customers by period or window; what ``units_delivered`` plans are judged by."""

from __future__ import annotations

from api.projections import counts
from api.projections.company_rows import CompanyRows
from api.projections.registry import Projection, ReadModel
from schema.dossiers import CountFigure, Deliveries
from schema.events import DeliveriesReported

__all__ = ["PROJECTION", "READ_MODEL", "VIEW", "build", "figures"]

VIEW = "deliveries"


def figures(data: CompanyRows) -> list[CountFigure]:
    return [figure for _, figure in counts.figures(data, VIEW)]


def build(data: CompanyRows) -> Deliveries:
    return Deliveries(company_id=data.company_id, version=data.version, items=figures(data), **data.known())


PROJECTION = Projection(
    VIEW, writes=(VIEW,), fold=lambda stored, _, __: counts.row(VIEW, stored), handles=(DeliveriesReported,)
)

READ_MODEL = ReadModel(VIEW, reads=(VIEW,))
