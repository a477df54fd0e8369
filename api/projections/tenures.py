"""Roles over time: the role reports of one person at one company, resolved into the role shown and its tenures.

``executive_reported`` says a person holds a role, without dates: the claim rule chooses among such
reports. ``executive_appointed`` and ``executive_departed`` say when a role began and ended; they are
applied in the order of their effective dates (then positions), never of their recording, so an older
appointment recorded after a newer one becomes a tenure that the newer one ended. A successor's
appointment that ``replaces`` a person ends that person's role too. Only reports effective on or
before the read's day count: a partial date (2012-12) counts from its first day.
"""

from __future__ import annotations

from typing import Any

import msgspec

from api.projections.claims import choose, claim_fields, same_words
from api.projections.facts import fact_fields
from schema.events import ExecutiveAppointed, ExecutiveDeparted, ExecutiveReported, StoredEvent
from schema.people import RoleReport
from schema.profiles import ExecutiveClaim, Tenure

__all__ = ["executive_fields", "reports", "tenures"]

RoleEvent = ExecutiveReported | ExecutiveAppointed | ExecutiveDeparted


def reports(stored: StoredEvent) -> list[RoleReport]:
    """The role reports of one event: the person's, and for an appointment that ``replaces`` someone, theirs."""
    event = stored.event
    if not isinstance(event, RoleEvent):
        return []
    facts = fact_fields(stored)
    own = RoleReport(**facts, company_id=event.company_id, person_id=event.person_id, name=event.name, role=event.role)
    match event:
        case ExecutiveReported():
            return [own]
        case ExecutiveAppointed():
            found = [
                msgspec.structs.replace(
                    own,
                    change="appointed",
                    effective_on=event.effective_on,
                    previous_role=event.previous_role,
                    replaces=event.replaces,
                )
            ]
            if event.replaces is not None and event.replaces != event.person_id:
                replaced = RoleReport(
                    **facts, company_id=event.company_id, person_id=event.replaces, name=None, role=event.role
                )
                found.append(
                    msgspec.structs.replace(
                        replaced, change="replaced", effective_on=event.effective_on, replaced_by=event.person_id
                    )
                )
            return found
        case ExecutiveDeparted():
            return [
                msgspec.structs.replace(own, change="departed", effective_on=event.effective_on, reason=event.reason)
            ]


def _close(tenure: dict[str, Any], report: RoleReport) -> None:
    tenure["ended_on"] = report.effective_on
    tenure["reason"] = report.reason
    tenure["replaced_by"] = report.replaced_by


def tenures(dated: list[RoleReport]) -> list[Tenure]:
    """The tenures of one person at one company from their dated reports (those in effect at the read)."""
    ordered = sorted(dated, key=lambda r: (r.effective_on or "", r.position))
    held: list[dict[str, Any]] = []
    opened: list[dict[str, Any]] = []
    for report in ordered:
        ended = {"started_on": None, "ended_on": report.effective_on, "position": report.position}
        if report.change == "appointed":
            if any(same_words(t["role"], report.role) for t in opened):
                continue  # another report of a role already held: the same tenure
            for tenure in opened:
                _close(tenure, report)
            if not opened and report.previous_role is not None:
                held.append({**ended, "role": report.previous_role})
            tenure = {"role": report.role, "started_on": report.effective_on, "ended_on": None}
            opened = [{**tenure, "replaces": report.replaces, "position": report.position}]
            held.append(opened[0])
            continue
        matching = [t for t in opened if same_words(t["role"], report.role)] or opened
        for tenure in matching:
            _close(tenure, report)
        opened = [t for t in opened if t not in matching]
        if matching:
            continue
        if report.change == "replaced" and any(same_words(t["role"], report.role) for t in held):
            continue  # the person had left the role before their successor took it up
        # A role whose start is unknown ends: a departure and a successor's appointment may both say so.
        same = next(
            (t for t in held if t["ended_on"] == report.effective_on and same_words(t["role"], report.role)), None
        )
        if same is None:
            held.append({**ended, "role": report.role, "reason": report.reason, "replaced_by": report.replaced_by})
        else:
            same["reason"] = same.get("reason") or report.reason
            same["replaced_by"] = same.get("replaced_by") or report.replaced_by
    return [Tenure(**tenure, current=tenure["ended_on"] is None) for tenure in held]


def executive_fields(group: list[RoleReport], on: str) -> dict[str, Any] | None:
    """The fields of an ``Executive`` for one person at one company as of the day ``on`` (YYYY-MM-DD):
    None when their only reports take effect later."""
    dated = [r for r in group if r.change != "reported" and r.effective_on is not None and r.effective_on <= on]
    undated = [r for r in group if r.change == "reported"]
    if not dated and not undated:
        return None
    names = [r.name for r in sorted(group, key=lambda r: r.position) if r.name is not None]
    name = names[-1] if names else group[0].person_id

    def claim(report: RoleReport) -> ExecutiveClaim:
        return ExecutiveClaim(**claim_fields(report), name=report.name or name, role=report.role)

    if not dated:
        choice = choose(undated, lambda a, b: same_words(a.role, b.role))
        fields = _fact(choice.chosen)
        return fields | {
            "person_id": choice.chosen.person_id,
            "name": choice.chosen.name or name,
            "role": choice.chosen.role,
            "disputed": choice.disputed,
            "decided_by": choice.decided_by,
            "claims": [claim(c) for c in choice.ranked],
        }
    held = tenures(dated)
    shown = next((t for t in reversed(held) if t.current), held[-1])
    ranked = choose([*dated, *undated], lambda _a, _b: True)
    base = next(r for r in dated if r.position == shown.position)
    return _fact(base) | {
        "person_id": base.person_id,
        "name": name,
        "role": shown.role,
        "current": shown.current,
        "started_on": shown.started_on,
        "ended_on": shown.ended_on,
        "tenures": held,
        "decided_by": ranked.decided_by,
        "claims": [claim(c) for c in ranked.ranked],
    }


def _fact(report: RoleReport) -> dict[str, Any]:
    fields = msgspec.structs.asdict(report)
    return {key: fields[key] for key in ("position", "event_id", "certainty", "sources", "source_count")} | {
        "attributed_to": report.attributed_to,
        "note": report.note,
    }
