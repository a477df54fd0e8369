"""The EventStore protocol: the one seam between the API and a database."""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, runtime_checkable
from uuid import UUID

from api.projections.company_rows import CompanyRows
from api.projections.people import PersonFound, PersonRows
from api.projections.search import SearchFound
from api.projections.words import Term
from api.store.metrics import WriterMetrics
from api.store.readpoint import ReadPoint
from schema.events import CompanyRegistered, Event, StoredEvent
from schema.subscriptions import AckResult, Lease, NackResult, ParkedPage, SubscriptionSettings, SubscriptionState
from schema.transparency import LogHead

__all__ = ["AppendResult", "EventStore", "Expectation", "LogFilter", "ReadyState"]


@dataclass(frozen=True, slots=True)
class Expectation:
    """Optimistic concurrency: append only while ``company_id`` is at ``version``."""

    company_id: str
    version: int


@dataclass(frozen=True, slots=True)
class LogFilter:
    """Which events a read of the log keeps: those matching every filter given (AND), each
    filter matched by any of its values (OR); an empty filter keeps everything.

    ``persons``: events naming the person (the persons their type declares); ``publishers``: events
    with a source of the publisher (compared case- and space-insensitively; evidence is an event of
    its own and does not make its target match); ``occurred_from``/``occurred_to``: partial dates,
    events whose own date (the field their type declares) overlaps the days from the first day of
    the one to the last day of the other. Events without a date never match a date filter.
    """

    types: Sequence[str] = ()
    companies: Sequence[str] = ()
    persons: Sequence[str] = ()
    certainties: Sequence[str] = ()
    publishers: Sequence[str] = ()
    occurred_from: str | None = None
    occurred_to: str | None = None


@dataclass(frozen=True, slots=True)
class AppendResult:
    """The stored events of one append, in request order; ``new`` of them were stored by this call."""

    events: list[StoredEvent]
    new: int
    replayed: tuple[int, ...] = ()
    """Indices (in request order) of the events that were already stored: idempotent retries."""

    @property
    def created(self) -> bool:
        """False when every event was a replay of one stored before."""
        return self.new > 0


@dataclass(frozen=True, slots=True)
class ReadyState:
    backend: str
    durability: str
    last_position: int
    queue_depth: int


@runtime_checkable
class EventStore(Protocol):
    """An append-only log of typed events with per-company versions.

    Appends are atomic per call; positions are gap-free in commit order; an event id is
    stored once for the life of the store. Every member a caller uses is declared here.
    """

    @property
    def backend(self) -> str:
        """``sqlite`` or ``postgresql``."""
        ...

    @property
    def on_commit(self) -> list[Callable[[int], None]]:
        """Called with the last position after each commit of this process's writer."""
        ...

    @property
    def on_external_commit(self) -> list[Callable[[int], None]]:
        """Called with the last position whenever any process commits (stores that hear them; see ``listening``)."""
        ...

    @property
    def listening(self) -> bool:
        """Whether ``on_external_commit`` hears every commit of every process right now (else poll)."""
        ...

    @property
    def committed_position(self) -> int:
        """The last position this process's writer committed or saw at open."""
        ...

    @property
    def queue_depth(self) -> int:
        """Append requests waiting for the writer."""
        ...

    @property
    def writer_metrics(self) -> WriterMetrics: ...

    @property
    def probes(self) -> bool:
        """Whether ``unchanged`` can answer without waiting (else the answer cache awaits ``confirm_unchanged``)."""
        ...

    def unchanged(self, position: int, companies: Collection[str]) -> int | None:
        """Without waiting: the head position when no event after ``position`` touches any of
        ``companies``; None when one does, or when the store cannot tell at once."""
        ...

    async def confirm_unchanged(self, position: int, companies: Collection[str]) -> int | None:
        """As ``unchanged``, from one read of the database where the store cannot tell at once (PostgreSQL)."""
        ...

    def stored_bytes(self) -> int | None:
        """The size of the store's files, where it has files of its own."""
        ...

    async def open(self) -> None: ...

    async def close(self) -> None: ...

    async def append(self, events: Sequence[Event], *, expected: Expectation | None = None) -> AppendResult:
        """Store ``events`` atomically. Raises a DomainError and stores nothing when any is refused."""
        ...

    async def append_batch(self, events: Sequence[Event]) -> AppendResult:
        """Like ``append``; error paths name ``$.events[i]``."""
        ...

    async def read(
        self,
        *,
        after: int = 0,
        before: int | None = None,
        limit: int = 100,
        types: Sequence[str] = (),
        company: str | None = None,
        where: LogFilter | None = None,
        descending: bool = False,
        annotated: bool = False,
    ) -> list[StoredEvent]:
        """Events after ``after`` and before ``before`` (both exclusive) in position order (newest first
        when ``descending``), at most ``limit``, that match ``where`` (``types`` and ``company`` are
        short for a filter of those alone; ``where`` wins); ``annotated``: each retracted one with its
        retraction (the log as read, not as replayed: the feed and exports leave it out)."""
        ...

    async def get(self, event_id: UUID, *, annotated: bool = False) -> StoredEvent | None:
        """The event, or None; ``annotated``: with its retraction, if one withdrew it."""
        ...

    async def company_version(self, company_id: str) -> int | None:
        """The number of events touching the company, or None when it is not registered."""
        ...

    async def last_position(self) -> int: ...

    async def log_head(self) -> tuple[int, bytes, datetime | None]:
        """The Merkle tree over the whole log: its size, root hash, and when its last event was recorded."""
        ...

    async def keep_head(self, head: LogHead) -> None:
        """Keep a signed head the server issued (the first of each size and key); an unsigned one is not kept."""
        ...

    async def inclusion_proof(self, event_id: UUID, tree_size: int) -> tuple[int, bytes, list[bytes]] | None:
        """(position, root of the tree of ``tree_size`` events, audit path); None for an unknown id."""
        ...

    async def consistency_proof(self, old: int, size: int) -> tuple[bytes, bytes, list[bytes]]:
        """(root of the tree of ``old`` events, root of that of ``size``, the consistency proof)."""
        ...

    async def read_model(
        self, name: str, company_id: str, point: ReadPoint
    ) -> tuple[CompanyRows, dict[str, CompanyRegistered]] | None:
        """The rows of the company valid at ``point`` that the read model ``name`` is built from (its
        views, the evidence behind them, its timeline counts where it shows them), and the latest
        registrations of the company and of the companies it names. None when the company was not
        registered at that point; LookupError for an unknown read model."""
        ...

    async def companies(
        self, point: ReadPoint, *, q: str | None, country: str | None, cursor: str | None, limit: int
    ) -> tuple[list[tuple[CompanyRegistered, int, int]], bool]:
        """(latest registration, version, last position) in id order after ``cursor``; and whether more follow."""
        ...

    async def rebuild(
        self, progress: Callable[[int, int], None] | None = None, *, only: Sequence[str] | None = None
    ) -> int:
        """Drop every read model (or the named projections' only) and fold the whole log again; returns
        the last position folded. LookupError for an unknown projection."""
        ...

    async def check(self, progress: Callable[[int, int], None] | None = None) -> list[str]:
        """Faults of the store (integrity, gaps, versions, hashes, the Merkle tree, kept heads, read models unlike
        a fresh fold); empty when sound."""
        ...

    async def person(self, person_id: str, point: ReadPoint) -> PersonFound | None:
        """A person's rows at ``point`` in position order, with the sources evidence added to them by
        position; None when no fact names the person then."""
        ...

    async def people(
        self, point: ReadPoint, *, q: str | None, company: str | None, cursor: str | None, limit: int
    ) -> tuple[list[tuple[str, PersonRows]], bool]:
        """People with a fact at ``point`` in id order after ``cursor`` (at ``company``; whose id or
        name holds ``q``), each with their rows; and whether more follow."""
        ...

    async def search(
        self, point: ReadPoint, terms: Sequence[Term], *, offset: int, limit: int
    ) -> tuple[int, list[SearchFound], bool]:
        """The position read at; the search documents valid then that match every term, best first
        (one per company, person or event), ``limit`` of them from ``offset``; and whether more follow."""
        ...

    async def contested(
        self, point: ReadPoint, view: str, *, after: str, limit: int, until: str | None = None
    ) -> list[str]:
        """Companies after ``after`` (and up to ``until``, in id order) with two or more claims about one
        fact of ``view`` at ``point``: the candidates for disputes, which the read model's rule decides."""
        ...

    async def ready(self) -> ReadyState:
        """Raises StoreUnavailable when the database does not answer."""
        ...

    # -- durable subscriptions (api.store.subscribing) -------------------------------------

    async def put_subscription(self, name: str, settings: SubscriptionSettings, *, most: int) -> bool:
        """Make the subscription (True), or change its options (False). SubscriptionChanged when it exists
        with other filters or another start; LimitReached when ``most`` subscriptions exist already."""
        ...

    async def delete_subscription(self, name: str) -> None:
        """Forget the subscription with its events and consumers; SubscriptionNotFound when there is none."""
        ...

    async def subscription(self, name: str) -> SubscriptionState:
        """Its settings and where its consumers stand; SubscriptionNotFound when there is none."""
        ...

    async def subscriptions(self) -> list[SubscriptionState]:
        """Every subscription, by name."""
        ...

    async def claim(
        self, name: str, consumer: str, limit: int, *, most_leases: int, again: bool = False
    ) -> tuple[Lease, float | None]:
        """Lease up to ``limit`` pending events to ``consumer`` (never an event another live lease holds); an
        empty lease when none is pending, with the seconds until one may come due (None: not without new
        events). LimitReached when the subscription holds ``most_leases`` leases. ``again``: a long-poll's
        next look, which writes nothing while nothing can be handed out."""
        ...

    async def ack(self, name: str, lease: str, ids: Sequence[UUID]) -> AckResult:
        """Acknowledge the events of ``ids`` that the lease holds."""
        ...

    async def nack(
        self, name: str, lease: str, ids: Sequence[UUID], *, park: bool, delay_seconds: int, reason: str
    ) -> NackResult:
        """Hand back the events of ``ids`` that the lease holds: to be retried after ``delay_seconds``, or parked
        (so is a retry of an event handed out ``max_deliveries`` times)."""
        ...

    async def parked(self, name: str, *, after: int, limit: int) -> ParkedPage:
        """The subscription's parked events after position ``after``, oldest first."""
        ...

    async def replay_parked(self, name: str, ids: Sequence[UUID]) -> int:
        """Make parked events (those of ``ids``; none: all) pending again from their first delivery; how many."""
        ...
