"""A company's read-model rows as a store reads them back in one snapshot: what every read model is built from."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, NamedTuple, TypeVar

from api.projections.facts import supported
from schema import stored
from schema.base import Source
from schema.dossiers import Fact

__all__ = ["CompanyRows", "ReadRow"]

F = TypeVar("F", bound=Fact)
T = TypeVar("T")


class ReadRow(NamedTuple):
    view: str
    position: int
    key: str
    sort: str
    item: bytes


@dataclass(slots=True)
class CompanyRows:
    """The rows of one company valid at ``at_position``, as a backend reads them in one snapshot."""

    company_id: str
    version: int
    last_position: int
    at_position: int
    at_time: datetime
    """The moment the read is as of: the clock for plan status."""
    rows: list[ReadRow]
    evidence: dict[int, list[Source]] = field(default_factory=dict)
    """Sources added by evidence_added, by the position of the fact they support."""
    counts: dict[str, int] = field(default_factory=dict)
    """Timeline facts per event type, when the read asked for them."""
    known_on: date | None = None
    """The day of publication the rows are as known on, if the read asked for one."""
    undated_claims: int = 0
    """With ``known_on``: facts that counted an undated source from the day it was recorded."""
    _made: dict[Callable[[CompanyRows], Any], Any] = field(default_factory=dict, init=False, repr=False, compare=False)
    _views: tuple[list[ReadRow], dict[str, list[ReadRow]]] | None = field(
        default=None, init=False, repr=False, compare=False
    )

    def known(self) -> dict[str, Any]:
        """The fields every read model answers with about ``known_on``."""
        if self.known_on is None:
            return {}
        return {"known_on": self.known_on, "undated_claims": self.undated_claims}

    def once(self, make: Callable[[CompanyRows], T]) -> T:
        """``make(self)``, made once for these rows: a part that one answer uses twice (the dossier shows
        the sales figures and judges plans by them). Callers share what it returns and do not change it;
        the store finishes the fields (rows known on a day, counts) before anything is made."""
        if make not in self._made:
            self._made[make] = make(self)
        made: T = self._made[make]
        return made

    def of(self, view: str) -> list[ReadRow]:
        """The rows of ``view``, in position order (shared: callers do not change the list). Grouped by view
        once per list of rows: a dossier asks for about twenty views of one company, and each would
        otherwise walk every row."""
        if self._views is None or self._views[0] is not self.rows:
            grouped: dict[str, list[ReadRow]] = {}
            for row in self.rows:
                grouped.setdefault(row.view, []).append(row)
            self._views = (self.rows, grouped)
        return self._views[1].get(view, [])

    def items(self, view: str, kind: type[Any]) -> list[Any]:
        decoder = stored.decoder(kind)
        return [decoder.decode(row.item) for row in self.of(view)]

    def facts(self, view: str, kind: type[F]) -> list[F]:
        return [supported(fact, self.evidence) for fact in self.items(view, kind)]
