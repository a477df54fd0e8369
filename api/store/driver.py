"""What a database backend gives the store: a dialect (SQL text per statement) and a driver.

A driver runs named statements inside transactions and translates its library's errors at
its edge: a broken constraint leaves as ``ConstraintViolated``, every other database or
network fault as ``StoreUnavailable`` with a client-safe reason. Nothing above
``api/store/`` imports a driver library.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable, Collection, Iterator, Mapping, Sequence
from contextlib import AbstractAsyncContextManager, contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol
from uuid import UUID

from api.errors import StoreUnavailable
from api.projections.words import Term
from api.store.statements import Q

if TYPE_CHECKING:
    from api.store.folding import Folded

__all__ = ["ConstraintViolated", "Dialect", "Driver", "Spans", "Transaction", "edge"]

log = logging.getLogger("tidings.store")


class ConstraintViolated(Exception):
    """The database refused a write that broke one of its constraints (a planner bug, or a race
    with another process): the writer retries the group's commands one by one."""


@dataclass(frozen=True, slots=True)
class Dialect:
    """A database's SQL text for every statement, and how times and event ids are bound and read."""

    sql: Mapping[Q, str | None]
    """None: the statement has nothing to do on this database."""
    time: Callable[[datetime], Any]
    read_time: Callable[[Any], datetime]
    event_id: Callable[[UUID], Any]
    read_event_id: Callable[[Any], UUID]
    search_query: Callable[[Sequence[Term]], str] = lambda terms: ""
    """The full-text query (every term must match) in the database's own syntax; each term is quoted,
    so no user text is ever read as query syntax."""
    name_query: Callable[[str], str | None] = lambda text: None
    """The query of PERSON_PAGE_NAMED's index that finds every id and name holding ``text`` (lower-cased),
    quoted like ``search_query``'s; None where the index cannot answer it (PERSON_PAGE then serves)."""


class Transaction(Protocol):
    """One transaction on one connection: a write, or a read-only snapshot."""

    committed: bool
    """Set once COMMIT returned (a rebuild cancelled during its COMMIT asks)."""

    async def rows(self, statement: Q, *params: Any) -> list[Sequence[Any]]: ...

    async def row(self, statement: Q, *params: Any) -> Sequence[Any] | None: ...

    async def rows_all(self, batch: Sequence[tuple[Q, Sequence[Any] | None]]) -> list[list[Sequence[Any]]]:
        """The rows of each statement of ``batch`` (none for one whose parameters are None), in order;
        sent together where the driver can."""
        ...

    async def run(self, statement: Q, *params: Any) -> None: ...

    async def run_many(self, statement: Q, records: Sequence[Sequence[Any]]) -> None: ...

    async def run_all(self, batch: Sequence[tuple[Q, Sequence[Sequence[Any]]]]) -> None:
        """Each statement of ``batch`` with its records, in order; sent together where the driver can."""
        ...


Spans = Callable[[int, bool], AsyncIterator["Folded"]]
"""A fold of the log up to a position on other processes, span by span in order (with the filter-index
rows when the flag is set)."""


class Driver(Protocol):
    backend: str
    dialect: Dialect

    async def open(self) -> None:
        """Connect, create or migrate the schema."""
        ...

    async def close(self) -> None: ...

    def writing(self) -> AbstractAsyncContextManager[Transaction]:
        """The write transaction: one at a time in this process; commits when the block ends, rolls back
        when it raises (a commit cut short by cancellation still finishes: see ``committed``)."""
        ...

    def reading(self, *, snapshot: bool = False) -> AbstractAsyncContextManager[Transaction]:
        """Reads on a read-only connection of their own, never behind the writer; with ``snapshot``,
        all in one snapshot (else each statement sees the latest commit)."""
        ...

    def rebuilding(self, tx: Transaction, *, whole: bool) -> AbstractAsyncContextManager[None]:
        """Around the deletion and the bulk write of the read-model rows in ``tx``: of every row when ``whole``,
        else of some views' (SQLite drops and remakes the indexes, and for ``whole`` its full-text triggers)."""
        ...

    def spans(self, total: int) -> Spans | None:
        """A fold of a log of ``total`` events on worker processes, or None to fold in this process."""
        ...

    async def durability(self) -> str:
        """The durability settings as the database reports them; raises StoreUnavailable when it does not answer."""
        ...

    def unchanged(self, position: int, companies: Collection[str]) -> int | None:
        """Without waiting: the head when no event after ``position`` touches ``companies``, else None
        (also when the driver cannot tell at once)."""
        ...

    async def confirm_unchanged(self, position: int, companies: Collection[str]) -> int | None:
        """As ``unchanged``, from one read of the database where it cannot tell at once: None when the store
        is closed, StoreUnavailable when the database fails (as any read)."""
        ...

    async def between_groups(self) -> None:
        """Work the writer's connection has to do between two group commits (returns at once when none)."""
        ...

    probes: bool
    """Whether ``unchanged`` can answer without waiting."""

    def stored_bytes(self) -> int | None:
        """The size of the database's files, where the store has files of its own."""
        ...

    on_external_commit: list[Callable[[int], None]]
    """Called with the last position whenever any process commits (drivers that hear them)."""

    @property
    def listening(self) -> bool:
        """Whether ``on_external_commit`` hears every commit of every process right now."""
        ...


@contextmanager
def edge(
    action: str,
    *,
    constraint: type[BaseException],
    faults: tuple[type[BaseException], ...],
    reason: Callable[[BaseException], str],
) -> Iterator[None]:
    """A driver library's errors become the store's own: ``constraint`` leaves as ConstraintViolated,
    ``faults`` as StoreUnavailable with the client-safe ``reason``; the real error goes to the log only."""
    try:
        yield
    except constraint as error:
        raise ConstraintViolated(str(error)) from error
    except faults as error:
        log.error("%s failed: %s: %s", action, type(error).__name__, error)
        raise StoreUnavailable(reason(error)) from None
