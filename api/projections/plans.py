"""Plans read model: each plan against the sales figures reported for its due period.

The rule is in the ``Plans`` schema description: each figure counts with its chosen claim's value
(see ``api.projections.claims``); ``met`` when actual >= target; ``missed`` when the period is over
and the figure for the whole period (or figures for all its quarters or months) is below target;
``pending`` while the period is open; ``unknown`` when it is over with no figure for it.
"""

from __future__ import annotations

import calendar
from datetime import date
from decimal import Decimal, localcontext

import msgspec

from api.projections import sales
from api.projections.claims import claim_fields, resolve
from api.projections.company_rows import CompanyRows
from api.projections.facts import fact_fields
from api.projections.registry import Projection, ReadModel
from api.projections.row import Row
from schema.codec import encode
from schema.dossiers import PlanBasis, PlanClaim, PlanItem, Plans, PlanStatus, SalesFigure
from schema.events import PlanAnnounced, StoredEvent

__all__ = ["PROJECTION", "READ_MODEL", "build", "evaluate", "period_end", "resolved", "rows"]

_PROGRESS = Decimal("0.0001")


def rows(stored: StoredEvent) -> list[Row]:
    event = stored.event
    if not isinstance(event, PlanAnnounced):
        return []
    item = PlanItem(
        **fact_fields(stored),
        plan_id=event.plan_id,
        kind=event.kind,
        description=event.description,
        metric=event.metric,
        target=event.target,
        due=event.due,
    )
    return [Row("plan", event.company_id, stored.position, event.plan_id, event.due, encode(item))]


def period_end(period: str) -> date:
    year = int(period[:4])
    if len(period) == 4:
        return date(year, 12, 31)
    month = 3 * int(period[-1]) if "-Q" in period else int(period[5:7])
    return date(year, month, calendar.monthrange(year, month)[1])


def _contains(outer: str, inner: str) -> bool:
    """Whether period ``inner`` is a strict part of ``outer`` (a quarter or month of a year, a month of a quarter)."""
    if inner == outer or inner[:4] != outer[:4] or len(inner) == 4 or (len(outer) == 7 and "-Q" not in outer):
        return False
    if len(outer) == 4:
        return True
    if "-Q" in inner:
        return False
    quarter = int(outer[-1])
    return 3 * quarter - 2 <= int(inner[5:7]) <= 3 * quarter


def _measured(plan: PlanItem, figure: SalesFigure) -> bool:
    """Whether the figure measures what the plan targets: units, or revenue in the target's currency."""
    if plan.metric == "revenue":
        currency = plan.target.currency if plan.target is not None else None
        return figure.revenue is not None and figure.revenue.currency == currency
    return figure.units is not None


def _for(period: str, figures: list[SalesFigure]) -> list[SalesFigure]:
    """The figures that make up the company's figure for exactly ``period``: its own, else its products'."""
    exact = [f for f in figures if f.period == period]
    whole = [f for f in exact if f.product is None]
    return whole or exact


def _used(plan: PlanItem, figures: list[SalesFigure]) -> tuple[list[SalesFigure], bool]:
    """(the figures the plan is judged by, whether they cover the whole due period)."""
    exact = _for(plan.due, figures)
    if exact:
        return exact, True
    parts = sorted({f.period for f in figures if _contains(plan.due, f.period)})
    # Quarters and months of one year overlap; count one granularity only, the coarser.
    quarters = [p for p in parts if "-Q" in p]
    used = [f for p in (quarters or parts) for f in _for(p, figures)]
    covered = len({f.period for f in used})
    return used, covered == _parts_in(plan.due, quarters=bool(quarters))


def _parts_in(period: str, *, quarters: bool) -> int:
    """How many quarters (or months) make up the whole period: figures for all of them cover it."""
    if len(period) == 4:
        return 4 if quarters else 12
    return 3


def _basis(figure: SalesFigure) -> PlanBasis:
    chosen = figure.claims[0]
    return PlanBasis(
        period=figure.period,
        product=figure.product,
        value=str(sales.value(chosen)),
        event_id=chosen.event_id,
        position=chosen.position,
        certainty=chosen.certainty,
        disputed=figure.disputed,
    )


def evaluate(plan: PlanItem, figures: list[SalesFigure], today: date) -> PlanItem:
    over = today > period_end(plan.due)
    if plan.metric is None or plan.target is None:
        return msgspec.structs.replace(plan, status="unknown" if over else "pending")
    used, whole = _used(plan, [f for f in figures if _measured(plan, f)])
    if not used:
        return msgspec.structs.replace(plan, status="unknown" if over else "pending")
    target = Decimal(plan.target.value)
    actual = sum((sales.value(f.claims[0]) for f in used), Decimal(0))
    # The outcome is disputed when some choice of claims, instead of the chosen ones, would judge it otherwise.
    lowest = sum((min(sales.value(c) for c in f.claims) for f in used), Decimal(0))
    highest = sum((max(sales.value(c) for c in f.claims) for f in used), Decimal(0))
    with localcontext(prec=60):  # 18 + 6 digits each way: the default 28 can overflow
        progress = None if target == 0 else str((actual / target).quantize(_PROGRESS))
    if actual >= target:
        status: PlanStatus = "met"
    elif over:
        status = "missed" if whole else "unknown"
    else:
        status = "pending"
    return msgspec.structs.replace(
        plan,
        status=status,
        actual=str(actual),
        progress=progress,
        disputed=plan.disputed or lowest < target <= highest,
        basis=[_basis(f) for f in used],
        proxy="units_sold" if plan.metric == "units_produced" else None,
    )


def _agree(a: PlanItem, b: PlanItem) -> bool:
    def target(p: PlanItem) -> tuple[Decimal, str | None] | None:
        return None if p.target is None else (Decimal(p.target.value), p.target.currency)

    return (a.metric, a.due, target(a)) == (b.metric, b.due, target(b))


def _claim(p: PlanItem) -> PlanClaim:
    return PlanClaim(
        **claim_fields(p), kind=p.kind, description=p.description, metric=p.metric, target=p.target, due=p.due
    )


def resolved(data: CompanyRows) -> list[PlanItem]:
    """Every plan, evaluated: reports with one plan_id are claims about it, and disagree on metric, target or due period."""
    today = data.at_time.date()
    figures = sales.figures(data)
    reports = sorted(data.facts("plan", PlanItem), key=lambda p: p.position)
    chosen = resolve(reports, lambda p: p.plan_id, _agree, _claim)
    return [evaluate(p, figures, today) for p in sorted(chosen, key=lambda p: (p.due, p.plan_id))]


def build(data: CompanyRows) -> Plans:
    today = data.at_time.date()
    items = resolved(data)
    return Plans(company_id=data.company_id, version=data.version, evaluated_on=today, items=items, **data.known())


PROJECTION = Projection(
    "plans", writes=("plan",), fold=lambda stored, _, __: rows(stored), handles=(PlanAnnounced,), version=4
)
"""2: a plan item carries its basis; 3: facts carry attributed_to; 4: and their note."""


READ_MODEL = ReadModel("plans", reads=("plan", "sales"))
