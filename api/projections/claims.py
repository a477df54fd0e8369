"""Claims about one fact, and the one rule that chooses among them when they disagree.

Every report of a fact is a claim; retracted claims never reach a read model. The rest are
ranked, best first: certainty (confirmed > reported > speculative), then the number of
different publishers among their sources, then the latest publication date of those sources
(compared as written; undated sorts last), then the latest position. The rule depends on
nothing but the rows, so every read point and every rebuild ranks alike.

``resolve`` applies the rule to the items of a read model: reports with the same key are claims
about one fact, and the item shown is the chosen one, carrying every claim.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Generic, TypeVar

import msgspec

from schema.facts import Claim, Decision, Fact

__all__ = [
    "TOLERANCE",
    "Choice",
    "choose",
    "claim_fields",
    "publishers",
    "published_on",
    "resolve",
    "same_words",
    "values_agree",
]

C = TypeVar("C", bound=Fact)
I = TypeVar("I", bound=Fact)  # noqa: E741

TOLERANCE = Decimal("0.02")
"""Approximate values agree with others within 2 % of the larger."""

_CERTAINTY = {"speculative": 0, "reported": 1, "confirmed": 2}
_STEPS: tuple[Decision, ...] = ("certainty", "publishers", "published_on", "position")


def publishers(fact: Fact) -> int:
    """How many different publishers the fact's sources name (case and spacing aside)."""
    return len({" ".join(source.publisher.casefold().split()) for source in fact.sources})


def published_on(fact: Fact) -> str | None:
    """The latest publication date among the fact's sources, as written."""
    return max((s.published_on for s in fact.sources if s.published_on is not None), default=None)


def _rank(fact: Fact) -> tuple[int, int, str, int]:
    if isinstance(fact, Claim):  # a claim was made with both counted from its sources
        return (_CERTAINTY[fact.certainty], fact.publishers, fact.published_on or "", fact.position)
    return (_CERTAINTY[fact.certainty], publishers(fact), published_on(fact) or "", fact.position)


@dataclass(frozen=True, slots=True)
class Choice(Generic[C]):
    chosen: C
    ranked: list[C]
    """Every claim, best first."""
    decided_by: Decision
    disputed: bool


def choose(claims: Sequence[C], agree: Callable[[C, C], bool]) -> Choice[C]:
    """The best claim by the rule, and which step of it set the chosen claim above the best one that disagrees."""
    if len(claims) == 1:  # most facts have one report: nothing to rank
        return Choice(claims[0], [claims[0]], "single", disputed=False)
    ranks = [_rank(claim) for claim in claims]
    order = sorted(range(len(claims)), key=ranks.__getitem__, reverse=True)  # stable: ties keep their order
    ranked = [claims[i] for i in order]
    chosen = ranked[0]
    rival = next((i for i in order[1:] if not agree(chosen, claims[i])), None)
    if rival is None:
        return Choice(chosen, ranked, "single" if len(ranked) == 1 else "agreement", disputed=False)
    ours, theirs = ranks[order[0]], ranks[rival]
    step = next(step for step, a, b in zip(_STEPS, ours, theirs, strict=True) if a != b)
    return Choice(chosen, ranked, step, disputed=True)


def values_agree(a: Decimal, b: Decimal, *, approximate: bool) -> bool:
    """Equal, or within the tolerance when either value is approximate."""
    if a == b:
        return True
    return approximate and abs(a - b) <= TOLERANCE * max(a, b)


def claim_fields(fact: Fact) -> dict[str, Any]:
    """The fields of a ``Claim`` that every report has, taken from the item it was stored as."""
    return {
        "position": fact.position,
        "event_id": fact.event_id,
        "certainty": fact.certainty,
        "sources": fact.sources,
        "source_count": fact.source_count,
        "attributed_to": fact.attributed_to,
        "note": fact.note,
        "publishers": publishers(fact),
        "published_on": published_on(fact),
    }


def resolve(
    items: Iterable[I],
    key: Callable[[I], Hashable],
    agree: Callable[[I, I], bool] | None,
    claim: Callable[[I], Claim],
) -> list[I]:
    """One item per key: the chosen report, with ``claims`` (best first) and, where ``agree`` is
    given, ``disputed`` and ``decided_by``. Without ``agree`` reports never disagree. In order of
    each group's first report."""
    groups: dict[Hashable, list[I]] = {}
    for item in items:
        groups.setdefault(key(item), []).append(item)
    resolved = []
    for group in groups.values():
        choice = choose(group, agree or (lambda _a, _b: True))
        fields: dict[str, Any] = {"claims": [claim(c) for c in choice.ranked]}
        if agree is not None:
            fields |= {"disputed": choice.disputed, "decided_by": choice.decided_by}
        resolved.append(msgspec.structs.replace(choice.chosen, **fields))
    return resolved


def same_words(a: str, b: str) -> bool:
    """Equal but for case and spacing."""
    return a.casefold().split() == b.casefold().split()
