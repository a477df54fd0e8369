"""Sales read model: every figure (period, product, measure) with the claims reported about it."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from api.projections.claims import choose, claim_fields, values_agree
from api.projections.company_rows import CompanyRows
from api.projections.facts import fact_fields
from api.projections.periods import granularity, period_sort
from api.projections.registry import Projection, ReadModel
from api.projections.row import Row
from schema.codec import encode
from schema.dossiers import SalesClaim, SalesFigure, SalesReport, SalesSeries
from schema.events import SalesReported, StoredEvent

__all__ = ["PROJECTION", "READ_MODEL", "build", "figures", "rows", "value"]


def rows(stored: StoredEvent) -> list[Row]:
    event = stored.event
    if not isinstance(event, SalesReported):
        return []
    report = SalesReport(
        **fact_fields(stored),
        period=event.period,
        product=event.product,
        units=event.units,
        revenue=event.revenue,
    )
    return [
        Row("sales", event.company_id, stored.position, event.product or "", period_sort(event.period), encode(report))
    ]


def _claims(report: SalesReport) -> Iterator[tuple[tuple[str, str, str | None, str], SalesClaim]]:
    """The claims one report makes, keyed by the figure they are about (revenue per currency)."""
    common = claim_fields(report)
    if report.units is not None:
        yield (report.period, "units", report.product, ""), SalesClaim(**common, units=report.units)
    if report.revenue is not None:
        key = (report.period, "revenue", report.product, report.revenue.currency)
        yield key, SalesClaim(**common, revenue=report.revenue)


def value(claim: SalesClaim) -> Decimal:
    if claim.units is not None:
        return Decimal(claim.units.value)
    assert claim.revenue is not None
    return Decimal(claim.revenue.amount)


def _agree(a: SalesClaim, b: SalesClaim) -> bool:
    approximate = any(m is not None and m.approximate for m in (a.units, a.revenue, b.units, b.revenue))
    return values_agree(value(a), value(b), approximate=approximate)


def figures(data: CompanyRows) -> list[SalesFigure]:
    """Every figure, in period order (by start, then year before quarter before month), then product, units before revenue."""
    return data.once(_figures)


def _figures(data: CompanyRows) -> list[SalesFigure]:
    groups: dict[tuple[str, str, str | None, str], list[SalesClaim]] = {}
    for report in data.facts("sales", SalesReport):
        for key, claim in _claims(report):
            groups.setdefault(key, []).append(claim)
    result = []
    for (period, measure, product, _), claims in groups.items():
        choice = choose(claims, _agree)
        chosen = choice.chosen
        result.append(
            SalesFigure(
                period=period,
                granularity=granularity(period),
                product=product,
                measure="units" if measure == "units" else "revenue",
                units=chosen.units,
                revenue=chosen.revenue,
                certainty=chosen.certainty,
                chosen=chosen.position,
                decided_by=choice.decided_by,
                disputed=choice.disputed,
                claims=choice.ranked,
            )
        )
    return sorted(result, key=_order)


def _order(figure: SalesFigure) -> tuple[str, str, bool, str]:
    currency = figure.revenue.currency if figure.revenue is not None else ""
    return (period_sort(figure.period), figure.product or "", figure.measure == "revenue", currency)


def build(data: CompanyRows) -> SalesSeries:
    return SalesSeries(company_id=data.company_id, version=data.version, items=figures(data), **data.known())


# 2: facts carry attributed_to; 3: and their note
PROJECTION = Projection(
    "sales", writes=("sales",), fold=lambda stored, _, __: rows(stored), handles=(SalesReported,), version=3
)


READ_MODEL = ReadModel("sales", reads=("sales",))
