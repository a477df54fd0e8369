"""A filtered page of the log: which index walk serves it, and the positions it gives.

Every filter of ``GET /events`` is a set of terms in the log index (api.store.log_index); a page
walks one filter's terms in position order and looks the others up per event, choosing the filter
whose events lie sparsest where the page starts, so a page costs about ``limit`` index steps
whichever filters it combines.
"""

from __future__ import annotations

from typing import Any

from api.store.driver import Transaction
from api.store.log_index import FIRST_DAY, LAST_DAY, Facets, date_terms
from api.store.standard_sql import TERM_PROBES
from api.store.statements import Q

__all__ = ["END", "matching"]

END = 2**63 - 1
"""Past every position: the upper bound of a read without ``before``."""
_COUNTED = 1000
"""How far the events of a term are counted to choose the one a filtered page walks."""


async def matching(tx: Transaction, facets: Facets, after: int, before: int, limit: int, descending: bool) -> list[int]:
    """The positions of the first ``limit`` events between ``after`` and ``before`` that match ``facets``.

    One filter is walked in position order on the index (each of its terms, merged), the others
    are looked up per event it gives: the filter walked is the one whose events lie sparsest where
    the page starts (``_sparsest``); a date range is walked by the years and months it covers."""
    first, last = facets.first_day or FIRST_DAY, facets.last_day or LAST_DAY
    walks: list[tuple[str, ...]] = list(facets.facets)
    if facets.dated:
        if first > last:
            return []
        extent = await tx.row(Q.DATED_EXTENT)
        if extent is None or extent[0] is None:
            return []  # no event is dated
        years = (int(str(extent[0])[5:]), int(str(extent[1])[5:]))
        dated = tuple(date_terms(first, last, years))
        if not dated:
            return []
        walks.append(dated)
    walked = walks[0]
    if len(walks) > 1:
        walked = await _sparsest(tx, walks, after, before, descending)
    probes: list[Any] = []
    for facet in facets.facets:
        if facet is not walked:
            probes.extend((False, list(facet)))
    while len(probes) < 2 * TERM_PROBES:
        probes.extend((True, [""]))  # no filter; a term all the same, so that the plan is an index search
    tail = (*probes, not facets.dated, first, last, limit)
    statement = Q.TERM_PAGE_DESC if descending else Q.TERM_PAGE
    pages = await tx.rows_all([(statement, (term, after, before, *tail)) for term in walked])
    found = {int(row[0]) for page in pages for row in page}
    return sorted(found, reverse=descending)[:limit]


async def _sparsest(
    tx: Transaction, walks: list[tuple[str, ...]], after: int, before: int, descending: bool
) -> tuple[str, ...]:
    """The filter whose events lie sparsest from where the page starts: each term's first ``_COUNTED``
    events in the page's direction, over the positions they span (over the whole range when fewer)."""
    terms = [term for walk in walks for term in walk]
    statement = Q.TERM_COUNT_DESC if descending else Q.TERM_COUNT
    found = await tx.rows_all(
        [(Q.LAST_POSITION, ()), *((statement, (term, after, before, _COUNTED)) for term in terms)]
    )
    head = int(found[0][0][0]) if found[0] else 0
    top = min(before, head + 1)  # a page without `before` starts above the head, not at the largest integer
    whole = max(top - 1 - after, 1)
    density: dict[str, float] = {}
    for term, rows in zip(terms, found[1:], strict=True):
        n, reached = int(rows[0][0]), rows[0][1]
        if n < _COUNTED or reached is None:
            density[term] = n / whole
        else:
            density[term] = n / max(top - int(reached) if descending else int(reached) - after, 1)
    return min(walks, key=lambda walk: sum(density[term] for term in walk))
