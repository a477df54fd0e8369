"""Plans read model: each plan, by its latest target, against the figures of its own metric for its due period.

The rule is in the ``Plans`` schema description: a plan's target is its latest known at the read point
(``target_revised`` events make its history); it is compared only with figures of its own metric
(units sold with sales, deliveries with deliveries, never orders); each figure counts with its chosen
claim's value (see ``api.projections.claims``); ``met`` when actual >= target; ``missed`` when the period is over
and the figure for the whole period (or figures for all its quarters or months) is below target;
``pending`` while the period is open; ``unknown`` when it is over with no figure for it.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, localcontext
from uuid import UUID

import msgspec

from api.projections import deliveries, production, sales, target_revisions
from api.projections.claims import claim_fields, resolve
from api.projections.company_rows import CompanyRows
from api.projections.facts import fact_fields
from api.projections.registry import Projection, ReadModel
from api.projections.row import Row
from schema.base import Certainty
from schema.codec import encode
from schema.dossiers import (
    CountFigure,
    JudgedBy,
    PlanBasis,
    PlanClaim,
    PlanItem,
    Plans,
    PlanStatus,
    SalesFigure,
    TargetRevision,
    TargetStep,
)
from schema.events import PlanAnnounced, StoredEvent

__all__ = [
    "PROJECTION",
    "READ_MODEL",
    "VIEWS",
    "Measured",
    "build",
    "evaluate",
    "measured",
    "period_end",
    "resolved",
    "rows",
]

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


@dataclass(frozen=True, slots=True)
class Measured:
    """A figure a plan can be judged by: its chosen claim's value and every claim's, whatever read model it is from."""

    period: str
    product: str | None
    value: Decimal
    values: tuple[Decimal, ...]
    """Every claim's value (the chosen one's among them)."""
    event_id: UUID
    position: int
    certainty: Certainty
    disputed: bool
    currency: str | None = None


_JUDGED_BY: dict[str, JudgedBy] = {
    "units_produced": "production",
    "units_sold": "sales",
    "units_delivered": "deliveries",
    "revenue": "revenue",
}
_SAID = {
    "production": "production (production_reported)",
    "sales": "units sold (sales_reported)",
    "deliveries": "deliveries (deliveries_reported)",
    "revenue": "revenue (sales_reported)",
}


def _from_sales(figure: SalesFigure) -> Measured:
    chosen = figure.claims[0]
    return Measured(
        period=figure.period,
        product=figure.product,
        value=sales.value(chosen),
        values=tuple(sales.value(c) for c in figure.claims),
        event_id=chosen.event_id,
        position=chosen.position,
        certainty=chosen.certainty,
        disputed=figure.disputed,
        currency=figure.revenue.currency if figure.revenue is not None else None,
    )


def _from_count(figure: CountFigure) -> Measured:
    chosen = figure.claims[0]
    assert figure.period is not None
    return Measured(
        period=figure.period,
        product=figure.product,
        value=Decimal(chosen.count.value),
        values=tuple(Decimal(c.count.value) for c in figure.claims),
        event_id=chosen.event_id,
        position=chosen.position,
        certainty=chosen.certainty,
        disputed=figure.disputed,
    )


def measured(data: CompanyRows) -> dict[JudgedBy, list[Measured]]:
    """The company's figures by the kind of plan metric they measure; orders measure none, and a count
    within a window is no figure of a period."""
    figures = sales.figures(data)
    return {
        "production": [_from_count(f) for f in production.figures(data) if f.window is None],
        "sales": [_from_sales(f) for f in figures if f.units is not None],
        "revenue": [_from_sales(f) for f in figures if f.revenue is not None],
        "deliveries": [_from_count(f) for f in deliveries.figures(data) if f.window is None],
    }


def _for(period: str, figures: list[Measured]) -> list[Measured]:
    """The figures that make up the company's figure for exactly ``period``: its own, else its products'."""
    exact = [f for f in figures if f.period == period]
    whole = [f for f in exact if f.product is None]
    return whole or exact


def _used(plan: PlanItem, figures: list[Measured]) -> tuple[list[Measured], bool]:
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


def _basis(figure: Measured) -> PlanBasis:
    return PlanBasis(
        period=figure.period,
        product=figure.product,
        value=str(figure.value),
        event_id=figure.event_id,
        position=figure.position,
        certainty=figure.certainty,
        disputed=figure.disputed,
    )


def _judgement(plan: PlanItem, judged_by: JudgedBy, used: list[Measured]) -> str:
    said = _SAID[judged_by]
    if judged_by == "revenue" and plan.target is not None:
        said = f"revenue in {plan.target.currency} (sales_reported)"
    if not used:
        return f"no figure of {said} for {plan.due} is known: figures of other metrics, and orders, do not stand in"
    periods = ", ".join(dict.fromkeys(f.period for f in used))
    return f"judged against {said} for {periods}"


def evaluate(plan: PlanItem, figures: dict[JudgedBy, list[Measured]], today: date) -> PlanItem:
    """The plan judged by its target against the figures of its own metric for its due period."""
    over = today > period_end(plan.due)
    judged_by = _JUDGED_BY.get(plan.metric) if plan.metric is not None else None
    if judged_by is None or plan.target is None:
        judgement = None if judged_by is None else "no target to judge by"
        return msgspec.structs.replace(
            plan, status="unknown" if over else "pending", judged_by=judged_by, judgement=judgement
        )
    target_currency = plan.target.currency
    own = [f for f in figures[judged_by] if judged_by != "revenue" or f.currency == target_currency]
    used, whole = _used(plan, own)
    judgement = _judgement(plan, judged_by, used)
    if not used:
        return msgspec.structs.replace(
            plan, status="unknown" if over else "pending", judged_by=judged_by, judgement=judgement
        )
    target = Decimal(plan.target.value)
    actual = sum((f.value for f in used), Decimal(0))
    # The outcome is disputed when some choice of claims, instead of the chosen ones, would judge it otherwise.
    lowest = sum((min(f.values) for f in used), Decimal(0))
    highest = sum((max(f.values) for f in used), Decimal(0))
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
        judged_by=judged_by,
        judgement=f"{judgement}: {actual} of {target}",
    )


def _history(plan: PlanItem, revisions: list[TargetRevision]) -> PlanItem:
    """The plan with its target history, its target and due period those of its latest step."""
    dated = [s.published_on for s in plan.sources if s.published_on is not None]
    steps = [
        TargetStep(
            set_by="plan_announced",
            on=min(dated) if dated else None,
            target=plan.target,
            due=plan.due,
            event_id=plan.event_id,
            position=plan.position,
            certainty=plan.certainty,
            disputed=plan.disputed,
        )
    ]
    for revision in revisions:
        steps.append(
            TargetStep(
                set_by="target_revised",
                on=revision.revised_on,
                target=revision.target,
                previous=revision.previous,
                due=revision.due or steps[-1].due,
                reason=revision.reason,
                event_id=revision.event_id,
                position=revision.position,
                certainty=revision.certainty,
                disputed=revision.disputed,
            )
        )
    latest = steps[-1]
    return msgspec.structs.replace(plan, target=latest.target, due=latest.due, history=steps)


def _agree(a: PlanItem, b: PlanItem) -> bool:
    def target(p: PlanItem) -> tuple[Decimal, str | None] | None:
        return None if p.target is None else (Decimal(p.target.value), p.target.currency)

    return (a.metric, a.due, target(a)) == (b.metric, b.due, target(b))


def _claim(p: PlanItem) -> PlanClaim:
    return PlanClaim(
        **claim_fields(p), kind=p.kind, description=p.description, metric=p.metric, target=p.target, due=p.due
    )


def resolved(data: CompanyRows) -> list[PlanItem]:
    """Every plan, evaluated by its latest target: reports with one plan_id are claims about it, and
    disagree on metric, target or due period; revisions known at the read point make its history."""
    today = data.at_time.date()
    figures = measured(data)
    reports = sorted(data.facts("plan", PlanItem), key=lambda p: p.position)
    chosen = resolve(reports, lambda p: p.plan_id, _agree, _claim)
    revisions: dict[str, list[TargetRevision]] = {}
    for revision in target_revisions.resolved(data):
        revisions.setdefault(revision.plan_id, []).append(revision)
    current = [_history(p, revisions.get(p.plan_id, [])) for p in chosen]
    return [evaluate(p, figures, today) for p in sorted(current, key=lambda p: (p.due, p.plan_id))]


def build(data: CompanyRows) -> Plans:
    today = data.at_time.date()
    items = resolved(data)
    return Plans(company_id=data.company_id, version=data.version, evaluated_on=today, items=items, **data.known())


PROJECTION = Projection(
    "plans", writes=("plan",), fold=lambda stored, _, __: rows(stored), handles=(PlanAnnounced,), version=4
)
"""2: a plan item carries its basis; 3: facts carry attributed_to; 4: a plan item carries judged_by,
judgement and history, its target approximate; facts carry their note."""


VIEWS = ("plan", "sales", "deliveries", "production", target_revisions.VIEW)
"""What plans are judged with: the plans, their revisions, and the figures of their metrics."""

READ_MODEL = ReadModel("plans", reads=VIEWS)
