"""Counts of things other than sales (orders, deliveries, production): their rows, and their figures under the claim rule.

A count is about a product (or the whole company) and a period, or a window after a day ("within
18 hours" of a launch); orders also by their kind. Reports with one key are claims about one count.
"""

from __future__ import annotations

from decimal import Decimal

from api.projections.claims import choose, claim_fields, values_agree
from api.projections.company_rows import CompanyRows
from api.projections.facts import fact_fields
from api.projections.periods import period_sort
from api.projections.row import Row
from schema.codec import encode
from schema.dossiers import CountClaim, CountFigure, CountReport
from schema.events import DeliveriesReported, OrdersReported, ProductionReported, StoredEvent, Window

__all__ = ["figures", "row", "window_text"]


def window_text(window: Window) -> str:
    """``18 hours from 2025-06-26``: a window as a key and as a reader says it."""
    unit = window.unit if window.length != 1 else window.unit.removesuffix("s")
    return f"{window.length} {unit} from {window.starting_on}"


def row(view: str, stored: StoredEvent) -> list[Row]:
    event = stored.event
    if not isinstance(event, OrdersReported | DeliveriesReported | ProductionReported):
        return []
    report = CountReport(
        **fact_fields(stored),
        product=event.product,
        count=event.count,
        period=event.period,
        window=event.window,
        kind=event.kind if isinstance(event, OrdersReported) else None,
    )
    dated = event.dated() or ""
    return [Row(view, event.company_id, stored.position, event.product or "", period_sort(dated), encode(report))]


def _key(report: CountReport) -> tuple[str, str, str, str]:
    span = report.period if report.window is None else window_text(report.window)
    return (report.product or "", report.kind or "", "window" if report.window else "period", span or "")


def _agree(a: CountClaim, b: CountClaim) -> bool:
    approximate = a.count.approximate or b.count.approximate
    return values_agree(Decimal(a.count.value), Decimal(b.count.value), approximate=approximate)


def figures(data: CompanyRows, view: str) -> list[tuple[CountReport, CountFigure]]:
    """Every count of ``view`` with one of its reports (for its kind), ordered by date, product and kind."""
    groups: dict[tuple[str, str, str, str], list[tuple[CountReport, CountClaim]]] = {}
    for report in data.facts(view, CountReport):
        groups.setdefault(_key(report), []).append((report, CountClaim(**claim_fields(report), count=report.count)))
    result = []
    for reports in groups.values():
        choice = choose([claim for _, claim in reports], _agree)
        first = reports[0][0]
        figure = CountFigure(
            product=first.product,
            period=first.period,
            window=first.window,
            count=choice.chosen.count,
            certainty=choice.chosen.certainty,
            chosen=choice.chosen.position,
            decided_by=choice.decided_by,
            disputed=choice.disputed,
            claims=choice.ranked,
        )
        result.append((first, figure))

    def order(pair: tuple[CountReport, CountFigure]) -> tuple[str, str, str]:
        report, figure = pair
        dated = figure.period if figure.window is None else figure.window.starting_on
        return (period_sort(dated or ""), figure.product or "", report.kind or "")

    return sorted(result, key=order)
