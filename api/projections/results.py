"""Results read model: a company's financial figures (revenue, profits, ...) by period, never unit sales.

Each measure of a ``results_reported`` is a claim about the figure keyed by period, measure and
currency. A final figure supersedes preliminary ones; among the claims of one status the claim rule
chooses (``api.projections.claims``), so a preliminary estimate the final figure differs from is
history, not a dispute.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from api.projections.claims import Choice, choose, claim_fields, values_agree
from api.projections.company_rows import CompanyRows
from api.projections.facts import fact_fields
from api.projections.periods import granularity, period_sort
from api.projections.registry import Projection, ReadModel
from api.projections.row import Row
from schema.codec import encode
from schema.dossiers import ResultClaim, ResultFigure, Results, ResultsReport
from schema.events import ResultsReported, StoredEvent

__all__ = ["PROJECTION", "READ_MODEL", "VIEW", "build", "figures", "rows"]

VIEW = "results"
Key = tuple[str, str, str]
"""(period, measure, currency): the figure a claim is about."""


def rows(stored: StoredEvent) -> list[Row]:
    event = stored.event
    if not isinstance(event, ResultsReported):
        return []
    report = ResultsReport(
        **fact_fields(stored),
        period=event.period,
        status=event.status,
        announced_on=event.announced_on,
        measures=event.measures,
        reasons=event.reasons,
    )
    return [Row(VIEW, event.company_id, stored.position, event.status, period_sort(event.period), encode(report))]


def _claims(report: ResultsReport) -> Iterator[tuple[Key, ResultClaim]]:
    common = claim_fields(report)
    for measure in report.measures:
        claim = ResultClaim(
            **common,
            status=report.status,
            value=measure.value,
            change_yoy=measure.change_yoy,
            announced_on=report.announced_on,
            reasons=report.reasons,
        )
        yield (report.period, measure.measure, measure.value.currency), claim


def _agree(a: ResultClaim, b: ResultClaim) -> bool:
    # Losses and profits compare by size and sign: a loss never agrees with a profit.
    x, y = Decimal(a.value.amount), Decimal(b.value.amount)
    if (x < 0) != (y < 0):
        return False
    return values_agree(abs(x), abs(y), approximate=a.value.approximate or b.value.approximate)


def figures(data: CompanyRows) -> list[ResultFigure]:
    """Every figure, in period order (by start, then year before quarter before month), then measure and currency."""
    groups: dict[Key, list[ResultClaim]] = {}
    for report in data.facts(VIEW, ResultsReport):
        for key, claim in _claims(report):
            groups.setdefault(key, []).append(claim)
    result = []
    for (period, measure, _), claims in groups.items():
        final = [c for c in claims if c.status == "final"]
        early = [c for c in claims if c.status == "preliminary"]
        before: Choice[ResultClaim] | None = choose(early, _agree) if early else None
        choice = choose(final, _agree) if final else before
        assert choice is not None
        chosen = choice.chosen
        result.append(
            ResultFigure(
                period=period,
                granularity=granularity(period),
                measure=measure,
                value=chosen.value,
                change_yoy=chosen.change_yoy,
                status=chosen.status,
                announced_on=chosen.announced_on,
                reasons=chosen.reasons,
                preliminary=before.chosen.value if final and before is not None else None,
                certainty=chosen.certainty,
                chosen=chosen.position,
                decided_by=choice.decided_by,
                disputed=choice.disputed,
                claims=[*choice.ranked, *(before.ranked if final and before is not None else ())],
            )
        )
    return sorted(result, key=lambda f: (period_sort(f.period), f.measure, f.value.currency))


def build(data: CompanyRows) -> Results:
    return Results(company_id=data.company_id, version=data.version, items=figures(data), **data.known())


PROJECTION = Projection(VIEW, writes=(VIEW,), fold=lambda stored, _, __: rows(stored), handles=(ResultsReported,))

READ_MODEL = ReadModel(VIEW, reads=(VIEW,))
