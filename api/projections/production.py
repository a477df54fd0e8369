"""Production read model: units made by period or window; what ``units_produced`` plans are judged by."""

from __future__ import annotations

from api.projections import counts
from api.projections.company_rows import CompanyRows
from api.projections.registry import Projection, ReadModel
from schema.dossiers import CountFigure, Production
from schema.events import ProductionReported

__all__ = ["PROJECTION", "READ_MODEL", "VIEW", "build", "figures"]

VIEW = "production"


def figures(data: CompanyRows) -> list[CountFigure]:
    return [figure for _, figure in counts.figures(data, VIEW)]


def build(data: CompanyRows) -> Production:
    return Production(company_id=data.company_id, version=data.version, items=figures(data), **data.known())


PROJECTION = Projection(
    VIEW, writes=(VIEW,), fold=lambda stored, _, __: counts.row(VIEW, stored), handles=(ProductionReported,)
)

READ_MODEL = ReadModel(VIEW, reads=(VIEW,))
