"""Target revisions: each ``target_revised`` as a row of its plan (view ``target_revision``), and the
revisions of a company's plans under the claim rule.

Reports of one plan's revision on one date are claims about it; they disagree about the new target.
The plans read model takes the revisions known at the read point as the plan's history.
"""

from __future__ import annotations

from decimal import Decimal

from api.projections.claims import claim_fields, resolve, values_agree
from api.projections.company_rows import CompanyRows
from api.projections.facts import fact_fields
from api.projections.registry import Projection
from api.projections.row import Row
from schema.codec import encode
from schema.dossiers import TargetRevision, TargetRevisionClaim
from schema.events import PlanTarget, StoredEvent, TargetRevised

__all__ = ["PROJECTION", "VIEW", "resolved", "rows", "targets_agree"]

VIEW = "target_revision"


def rows(stored: StoredEvent) -> list[Row]:
    event = stored.event
    if not isinstance(event, TargetRevised):
        return []
    item = TargetRevision(
        **fact_fields(stored),
        plan_id=event.plan_id,
        revised_on=event.revised_on,
        target=event.target,
        previous=event.previous,
        due=event.due,
        reason=event.reason,
    )
    return [Row(VIEW, event.company_id, stored.position, event.plan_id, event.revised_on, encode(item))]


def targets_agree(a: PlanTarget | None, b: PlanTarget | None) -> bool:
    """The same figure in the same unit: equal, or within the tolerance when either is approximate."""
    if a is None or b is None:
        return a is b
    if a.currency != b.currency:
        return False
    return values_agree(Decimal(a.value), Decimal(b.value), approximate=a.approximate or b.approximate)


def _claim(r: TargetRevision) -> TargetRevisionClaim:
    return TargetRevisionClaim(**claim_fields(r), target=r.target, previous=r.previous, due=r.due)


def resolved(data: CompanyRows) -> list[TargetRevision]:
    """Every revision known at the read point, one per plan and date, by plan, date and position."""
    reports = sorted(data.facts(VIEW, TargetRevision), key=lambda r: r.position)
    chosen = resolve(
        reports,
        lambda r: (r.plan_id, r.revised_on),
        lambda a, b: targets_agree(a.target, b.target) and a.due == b.due,
        _claim,
    )
    return sorted(chosen, key=lambda r: (r.plan_id, r.revised_on, r.position))


PROJECTION = Projection(VIEW, writes=(VIEW,), fold=lambda stored, _, __: rows(stored), handles=(TargetRevised,))
