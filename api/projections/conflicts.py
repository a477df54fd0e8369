"""Conflicts read model: the facts of a company whose claims disagree, with the claim the rule chose."""

from __future__ import annotations

from api.projections import sales
from api.projections.company_rows import CompanyRows
from api.projections.registry import ReadModel
from schema.dossiers import Conflict, Conflicts

__all__ = ["READ_MODEL", "VIEWS", "build", "disputes"]

VIEWS = ("sales",)
"""The views whose facts can be disputed so far."""


def disputes(data: CompanyRows) -> list[Conflict]:
    return [
        Conflict(
            company_id=data.company_id,
            kind="sales",
            latest_position=max(claim.position for claim in figure.claims),
            sales=figure,
        )
        for figure in sales.figures(data)
        if figure.disputed
    ]


def build(data: CompanyRows) -> Conflicts:
    return Conflicts(company_id=data.company_id, version=data.version, items=disputes(data), **data.known())


READ_MODEL = ReadModel("conflicts", reads=VIEWS)
