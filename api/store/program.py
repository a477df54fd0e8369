"""The store's one program: every algorithm it runs, over any driver.

Appends go through the group writer (api.store.writer): one write transaction takes the
log's head (and with it the write lock), reads the snapshot the planner decides on,
writes the planned rows with one set-oriented statement per table and commits, so a group
of requests costs a handful of round trips and one fsync. Reads run on a read-only
connection of their own; a read that runs several statements needs no snapshot, because it
fixes the position it reads at first and every later statement filters by it: rows are only
ever added, and a row marked retracted after that position still counts as not retracted
there. Rebuild and check fold the log again span by span (api.store.folding).
Each backend adds only its dialect and its driver (api.store.sqlite, api.store.postgres).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Sequence
from datetime import UTC, datetime, time
from typing import Any
from uuid import UUID

import msgspec

from api.errors import DomainError
from api.projections.company_rows import CompanyRows, ReadRow
from api.projections.evidence import decode_sources
from api.projections.known import known_rows
from api.projections.people import PersonFound, PersonRows
from api.projections.registry import ReadModel, Registry, default_registry
from api.projections.search import SearchFound
from api.projections.words import Term
from api.store import check as checking
from api.store import folding, hashing, kept_heads, merkle, projecting, reading, tree
from api.store.base import AppendResult, Expectation, LogFilter, ReadyState
from api.store.bulk_fold import BulkFolder
from api.store.driver import Driver, Transaction
from api.store.filtered_pages import END, matching
from api.store.log_index import CHECKPOINT, Facets, index_rows
from api.store.metrics import WriterMetrics
from api.store.planner import Command, Known, Plan, Snapshot, needs, plan, versioned
from api.store.readpoint import ReadPoint
from api.store.statements import Q
from api.store.subscribing import Subscriptions
from api.store.writer import GroupWriter
from schema.codec import event_tag
from schema.declarations import Catalogue
from schema.events import CATALOGUE, CompanyRegistered, Event, EventRetracted, Retraction, StoredEvent
from schema.subscriptions import AckResult, Lease, NackResult, ParkedPage, SubscriptionSettings, SubscriptionState
from schema.transparency import LogHead

__all__ = ["Store"]


class Store:
    """An append-only log of typed events with per-company versions and read models, on ``driver``."""

    def __init__(
        self,
        driver: Driver,
        *,
        catalogue: Catalogue = CATALOGUE,
        registry: Registry | None = None,
        bulk_processes: int = 0,
    ) -> None:
        """``bulk_processes``: most worker processes a large group's new events fold on (api.store.bulk_fold);
        0, the default: this process folds them while the database writes."""
        self.driver = driver
        self.dialect = driver.dialect
        self.catalogue = catalogue
        self.registry = registry or default_registry()
        self.writer = GroupWriter(self._commit)
        self.bulk = BulkFolder(bulk_processes)
        self.frontier = tree.Frontier()
        self._kept: tuple[int, str] | None = None
        """The size and key of the last head kept: a head served again is not written again."""
        self._subscriptions = Subscriptions(driver, catalogue)
        self.caught_up: list[str] = []
        """The projections the last ``open`` found behind the log and folded up to its head."""

    @property
    def backend(self) -> str:
        return self.driver.backend

    @property
    def on_commit(self) -> list[Callable[[int], None]]:
        return self.writer.on_commit

    @property
    def on_external_commit(self) -> list[Callable[[int], None]]:
        return self.driver.on_external_commit

    @property
    def listening(self) -> bool:
        return self.driver.listening

    @property
    def committed_position(self) -> int:
        return self.writer.last_position

    @property
    def queue_depth(self) -> int:
        return self.writer.depth

    @property
    def writer_metrics(self) -> WriterMetrics:
        return self.writer.metrics

    @property
    def probes(self) -> bool:
        return self.driver.probes

    def stored_bytes(self) -> int | None:
        return self.driver.stored_bytes()

    # -- lifecycle ---------------------------------------------------------------------

    async def open(self) -> None:
        await self.driver.open()
        try:
            await hashing.backfill(self.driver, self.catalogue)
            await tree.catch_up(self.driver, self.frontier)
            self.caught_up = await projecting.catch_up(self.driver, self.catalogue, self.registry)
            async with self.driver.reading() as tx:
                self.writer.last_position = await reading.last_position(tx)
        except BaseException:
            await self.driver.close()
            raise
        self.writer.start()

    async def close(self) -> None:
        await self.writer.close()
        self.bulk.close()
        await self.driver.close()

    # -- writes ------------------------------------------------------------------------

    async def append(self, events: Sequence[Event], *, expected: Expectation | None = None) -> AppendResult:
        return await self.writer.submit(Command(list(events), expected, batch=False))

    async def append_batch(self, events: Sequence[Event]) -> AppendResult:
        return await self.writer.submit(Command(list(events), None, batch=True))

    async def _commit(self, commands: Sequence[Command]) -> list[AppendResult | DomainError]:
        async with self.driver.writing() as tx:
            snapshot, now = await self._snapshot(tx, commands)
            bulk = self.bulk.wanted(sum(len(command.events) for command in commands))
            decided = plan(commands, snapshot, now, None if bulk else self.registry.project)
            grown = await self._write(tx, decided)
        if grown is not None:
            self.frontier.remember(*grown)
        await self.driver.between_groups()
        return decided.outcomes

    async def _snapshot(self, tx: Transaction, commands: Sequence[Command]) -> tuple[Snapshot, datetime]:
        """What the planner decides on, and the transaction time: the head, the stored events the
        commands name (their own ids, their targets) and the versions of the companies involved."""
        dialect = self.dialect
        need = needs(commands)
        named = sorted(need.company_ids)
        ids = [dialect.event_id(i) for i in need.event_ids]
        # One round trip for the head, the named companies' versions and the known ids where the driver can.
        head_rows, version_rows, known_rows = await tx.rows_all(
            [(Q.TAKE_HEAD, ()), (Q.VERSIONS, (named,) if named else None), (Q.KNOWN, (ids,) if ids else None)]
        )
        head = head_rows[0] if head_rows else None
        versions = {company: int(version) for company, version in version_rows}
        known: dict[UUID, Known] = {}
        if known_rows:
            touched = await reading.touched(tx, [row[0] for row in known_rows])
            for position, recorded_at, body, retracted_by, digest in known_rows:
                stored = folding.stored_event(dialect, self.catalogue, position, recorded_at, body, digest)
                assert stored.event.id is not None
                known[stored.event.id] = Known(stored, tuple(touched.get(position, ())), retracted_by)
        if more := sorted(versioned(need, known) - set(named)):  # companies the targets touch
            versions.update((company, int(version)) for company, version in await tx.rows(Q.VERSIONS, more))
        snapshot = Snapshot(
            last_position=int(head[0]) if head else 0,
            last_recorded_at=dialect.read_time(head[1]) if head and head[1] is not None else None,
            known=known,
            versions=versions,
        )
        return snapshot, _now(head)

    async def _write(self, tx: Transaction, decided: Plan) -> tuple[int, dict[merkle.Node, bytes]] | None:
        """Write what the plan stores; the Merkle tree's new size and frontier, once committed."""
        if not decided.stored:
            return None
        dialect = self.dialect
        recorded_at = dialect.time(decided.stored[0].recorded_at)  # the planner gives a group one transaction time
        last = decided.stored[-1]
        touched: dict[int, list[str]] = {}
        for company, position in decided.touches:
            touched.setdefault(position, []).append(company)
        first = decided.stored[0].position
        digests = [bytes.fromhex(s.hash or "") for s in decided.stored]  # the planner hashed each event
        nodes, size, frontier = await self.frontier.grown(tx, first - 1, digests)
        log_writes: list[tuple[Q, Sequence[Sequence[Any]]]] = [
            (
                Q.INSERT_EVENT,
                [
                    (s.position, dialect.event_id(s.event.id), event_tag(s.event), recorded_at, body)  # type: ignore[arg-type]
                    for s, body in zip(decided.stored, decided.bodies, strict=True)
                ],
            ),
            (Q.INSERT_HASH, [(s.position, digest) for s, digest in zip(decided.stored, digests, strict=True)]),
            (Q.INSERT_NODE, nodes),
            (Q.INSERT_TOUCH, _ordinals(decided.touches)),
            (Q.UPSERT_COMPANY, [(c, v, p) for c, (v, p) in decided.versions.items()]),
        ]

        def indexed() -> list[tuple[Q, Sequence[Sequence[Any]]]]:
            terms, dated = index_rows((s.position, s.event, touched.get(s.position, ())) for s in decided.stored)
            return [(Q.INSERT_TERM, terms), (Q.INSERT_DATED, dated)]

        closing: list[tuple[Q, Sequence[Sequence[Any]]]] = [
            *([(Q.INDEX_TEXT, [(first, last.position)])] if self.dialect.sql[Q.INDEX_TEXT] is not None else []),
            (Q.MARK_RETRACTED, [(by, target) for target, by in decided.retractions]),
            (
                Q.SET_CHECKPOINT,
                [(p.checkpoint, last.position) for p in self.registry.projections] + [(CHECKPOINT, last.position)],
            ),
        ]
        if self.dialect.sql[Q.MOVE_HEAD] is not None:
            closing.append((Q.MOVE_HEAD, [(last.position, recorded_at)]))
        retractions = (Q.INSERT_RETRACTION, decided.retractions)
        if decided.pending:  # a large group: its log is indexed and its rows fold while the database writes
            # Workers fold with the default catalogue and projections: only for the default store.
            whole = self.registry is default_registry() and self.catalogue is CATALOGUE
            await self.bulk.write(
                tx, [*log_writes, retractions], indexed, decided.pending, decided.bodies, self.registry.project, whole
            )
            await tx.run_all(closing)
        else:
            await tx.run_all([*log_writes, (Q.INSERT_ROW, decided.rows), retractions, *indexed(), *closing])
        return size, frontier

    async def rebuild(
        self, progress: Callable[[int, int], None] | None = None, *, only: Sequence[str] | None = None
    ) -> int:
        """Drop every read model (or those of the projections ``only`` names) and fold the whole log
        again, in one transaction; returns the last position folded (see api.store.projecting)."""
        return await projecting.rebuild(
            self.driver, self.catalogue, self.registry, only=None if only is None else list(only), progress=progress
        )

    async def check(self, progress: Callable[[int, int], None] | None = None) -> list[str]:
        """Faults of the store (integrity, gaps, versions, hashes, the Merkle tree, kept heads, read models unlike
        a fresh fold); empty when sound."""
        async with self.driver.reading(snapshot=True) as tx:
            whole = self.registry is default_registry() and self.catalogue is CATALOGUE  # workers fold with those
            spans = self.driver.spans(await reading.last_position(tx)) if whole else None
            return await checking.check(tx, self.dialect, self.catalogue, self.registry, spans=spans, progress=progress)

    # -- the log -----------------------------------------------------------------------

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
        if where is None:
            where = LogFilter(types=types, companies=() if company is None else (company,))
        facets = Facets.of(
            types=where.types,
            companies=where.companies,
            persons=where.persons,
            certainties=where.certainties,
            publishers=where.publishers,
            occurred_from=where.occurred_from,
            occurred_to=where.occurred_to,
        )
        upper = END if before is None else min(before, END)
        async with self.driver.reading() as tx:
            if upper <= after + 1:
                rows: list[Sequence[Any]] = []
            elif facets.facets or facets.dated:
                positions = await matching(tx, facets, after, upper, limit, descending)
                rows = await tx.rows(Q.EVENTS_AT, positions) if positions else []
                rows.sort(key=lambda row: int(row[0]), reverse=descending)
            else:
                rows = await tx.rows(Q.LOG_SPAN_DESC if descending else Q.LOG_SPAN, after, upper, limit)
            events = [folding.stored_event(self.dialect, self.catalogue, *row) for row in rows]
            return await self._annotated(tx, events) if annotated and events else events

    async def get(self, event_id: UUID, *, annotated: bool = False) -> StoredEvent | None:
        async with self.driver.reading() as tx:
            row = await tx.row(Q.EVENT, self.dialect.event_id(event_id))
            if row is None:
                return None
            stored = folding.stored_event(self.dialect, self.catalogue, *row)
            return (await self._annotated(tx, [stored]))[0] if annotated else stored

    async def _annotated(self, tx: Transaction, events: list[StoredEvent]) -> list[StoredEvent]:
        """The events, each retracted one with its retraction (read in the same snapshot)."""
        first, last = sorted((events[0].position, events[-1].position))
        found = await tx.rows(Q.RETRACTIONS_BETWEEN, first, last)
        if not found:
            return events
        retractions = {}
        for target, position, recorded_at, body in found:
            retraction = folding.stored_event(self.dialect, self.catalogue, position, recorded_at, body)
            event = retraction.event
            assert isinstance(event, EventRetracted) and event.id is not None
            retractions[target] = Retraction(
                event_id=event.id,
                position=position,
                recorded_at=retraction.recorded_at,
                reason=event.reason,
                sources=event.sources,
            )
        return [
            msgspec.structs.replace(e, retracted=retractions[e.position]) if e.position in retractions else e
            for e in events
        ]

    # -- the Merkle tree (api.store.tree) -----------------------------------------------

    async def log_head(self) -> tuple[int, bytes, datetime | None]:
        """The tree over the whole log: its size, its root hash and when its last event was recorded."""
        async with self.driver.reading() as tx:
            size = await reading.last_position(tx)
            found = await tx.row(Q.RECORDED_AT, size) if size else None
            return size, await tree.root(tx, size), self.dialect.read_time(found[0]) if found else None

    async def keep_head(self, head: LogHead) -> None:
        """Keep a signed head the server issued (api.store.kept_heads); an unsigned one is not kept."""
        if head.signature is None or head.key_id is None or (head.tree_size, head.key_id) == self._kept:
            return
        async with self.driver.writing() as tx:
            await kept_heads.keep(tx, self.dialect, head, datetime.now(UTC))
        self._kept = (head.tree_size, head.key_id)

    async def inclusion_proof(self, event_id: UUID, tree_size: int) -> tuple[int, bytes, list[bytes]] | None:
        """The event's position, the root of the tree of ``tree_size`` events and the event's audit path in
        it; None when no event has the id. The caller checks that the tree holds the event and exists."""
        async with self.driver.reading() as tx:
            row = await tx.row(Q.EVENT, self.dialect.event_id(event_id))
            if row is None:
                return None
            position = int(row[0])
            if position > tree_size:
                return position, b"", []
            return position, await tree.root(tx, tree_size), await tree.inclusion(tx, position, tree_size)

    async def consistency_proof(self, old: int, size: int) -> tuple[bytes, bytes, list[bytes]]:
        """The roots of the trees of ``old`` and ``size`` events and the proof that one extends the other."""
        async with self.driver.reading() as tx:
            roots = await tree.root(tx, old), await tree.root(tx, size)
            return *roots, await tree.consistency(tx, old, size)

    async def company_version(self, company_id: str) -> int | None:
        async with self.driver.reading() as tx:
            row = await tx.row(Q.COMPANY_VERSION, company_id)
        return None if row is None else int(row[0])

    async def last_position(self) -> int:
        async with self.driver.reading() as tx:
            return await reading.last_position(tx)

    def unchanged(self, position: int, companies: Collection[str]) -> int | None:
        """The head position when no event after ``position`` touches any of ``companies``, else None
        (also when the driver cannot tell without waiting)."""
        return self.driver.unchanged(position, companies)

    async def confirm_unchanged(self, position: int, companies: Collection[str]) -> int | None:
        return await self.driver.confirm_unchanged(position, companies)

    async def ready(self) -> ReadyState:
        durability = await self.driver.durability()
        return ReadyState(self.backend, durability, await self.last_position(), self.writer.depth)

    # -- read models -------------------------------------------------------------------

    async def read_model(
        self, name: str, company_id: str, point: ReadPoint
    ) -> tuple[CompanyRows, dict[str, CompanyRegistered]] | None:
        """The rows the read model ``name`` is built from (see ``company``); raises LookupError for an unknown name."""
        model: ReadModel = self.registry.read_model(name)
        return await self.company(
            company_id, point, views=model.reads, referenced=model.referenced, counts=model.counts
        )

    async def company(
        self,
        company_id: str,
        point: ReadPoint,
        *,
        views: Sequence[str] = (),
        referenced: Callable[[CompanyRows], set[str]] | None = None,
        counts: bool = False,
    ) -> tuple[CompanyRows, dict[str, CompanyRegistered]] | None:
        """A company's rows valid at ``point`` (only ``views`` when given) and the latest registrations
        of the company and of every company ``referenced`` names; with ``counts``, its timeline facts
        counted per type. None when the company was not registered at that point."""
        async with self.driver.reading() as tx:
            at, at_time = await self._resolve(tx, point)
            known_on = point.known_on
            end_of_day = None if known_on is None else datetime.combine(known_on, time.max, UTC)
            if views:
                # Counts as known on a day come from the timeline items known then, not from SQL.
                wanted = [*views, "evidence", *(["timeline"] if known_on and counts else [])]
                chosen: tuple[Q, Sequence[Any]] = (Q.COMPANY_ROWS_OF_VIEWS, (company_id, at, wanted))
            else:
                chosen = (Q.COMPANY_ROWS, (company_id, at))
            # One wait for everything the company's id decides; its registration names its parent.
            found, selected, counted, day_end, own = await tx.rows_all(
                [
                    (Q.COMPANY_AT, (company_id, at)),
                    chosen,
                    (Q.TIMELINE_COUNTS, (company_id, at) if counts and end_of_day is None else None),
                    (Q.POSITION_AT, None if end_of_day is None else (self.dialect.time(end_of_day),)),
                    (Q.REGISTRATIONS, ([company_id], at)),
                ]
            )
            version, last = (int(found[0][0]), int(found[0][1] or 0)) if found else (0, 0)
            if version == 0 or not own:
                return None
            rows = [ReadRow(*row) for row in selected]
            undated = 0
            if end_of_day is not None:
                rows, undated = known_rows(rows, end_of_day.date(), min(at, int(day_end[0][0]) if day_end else 0))
                at_time = min(at_time, end_of_day)  # plans are judged on that day
            data = reading.company_rows(company_id, version, last, at, at_time, rows)
            if known_on is not None:
                data.known_on, data.undated_claims = known_on, undated
                if counts:
                    data.counts = dict(Counter(row.key for row in rows if row.view == "timeline"))
                    if "timeline" not in views:
                        data.rows = [row for row in rows if row.view != "timeline"]
            elif counts:
                data.counts = {key: int(n) for key, n in counted}
            registered = reading.REGISTRATION.decode(own[0][1])
            parent = registered.parent_id
            ids = {company_id, *([parent] if parent else []), *(referenced(data) if referenced else ())}
            # A read model that reads the company's renames (the dossier) names it itself, with its former names.
            keep = company_id if not views or "rename" in views else None
            known = {company_id: registered}
            return data, await reading.registrations(tx, ids, at, at_time, keep=keep, known=known)

    async def companies(
        self, point: ReadPoint, *, q: str | None, country: str | None, cursor: str | None, limit: int
    ) -> tuple[list[tuple[CompanyRegistered, int, int]], bool]:
        """Latest registrations at ``point`` in id order after ``cursor``, with (version, last position);
        and whether more follow."""
        if q is not None and "\x00" in q:
            return [], False  # no name or alias holds a NUL (PostgreSQL text cannot)
        async with self.driver.reading() as tx:
            at, at_time = await self._resolve(tx, point)
            rows = await tx.rows(Q.COMPANY_PAGE, at, cursor or "", country, q.lower() if q else None, limit + 1)
            more = len(rows) > limit
            rows = rows[:limit]
            counts: dict[str, tuple[int, int]] = {}
            found: dict[str, CompanyRegistered] = {}
            if rows:
                ids = [row[0] for row in rows]
                counts = {c: (int(v), int(p)) for c, v, p in await tx.rows(Q.COMPANY_COUNTS, ids, at)}
                found = await reading.named(tx, {c: reading.REGISTRATION.decode(item) for c, item in rows}, at, at_time)
        return [(found[c], *counts.get(c, (0, 0))) for c, _ in rows], more

    async def person(self, person_id: str, point: ReadPoint) -> PersonFound | None:
        """A person's rows at ``point`` in position order, with the sources evidence added to them by
        position; None when no fact names the person then."""
        async with self.driver.reading() as tx:
            at, _ = await self._resolve(tx, point)
            found = reading.person_rows(await tx.rows(Q.PERSON_ROWS, person_id, at))
            if not found:
                return None
            evidence: dict[int, list[Any]] = {}
            for key, _, item in await tx.rows(Q.PERSON_EVIDENCE, person_id, at):
                evidence.setdefault(int(key), []).extend(decode_sources(item))
        return found, evidence

    async def people(
        self, point: ReadPoint, *, q: str | None, company: str | None, cursor: str | None, limit: int
    ) -> tuple[list[tuple[str, PersonRows]], bool]:
        """People with a fact at ``point`` in id order after ``cursor`` (at ``company``; whose id or
        name holds ``q``), each with their rows; and whether more follow."""
        if q is not None and "\x00" in q:
            return [], False  # no id or name holds a NUL (PostgreSQL text cannot)
        pattern = None if q is None else "%" + re.sub(r"([!%_])", r"!\1", q.lower()) + "%"
        named = None if q is None or company is not None else self.dialect.name_query(q.lower())
        async with self.driver.reading() as tx:
            at, _ = await self._resolve(tx, point)
            if named is not None:  # a name's part: the people whose names hold it, not every person's rows
                found_keys = await tx.rows(Q.PERSON_PAGE_NAMED, cursor or "", at, named, pattern, limit + 1)
            else:
                page = Q.PERSON_PAGE if company is None else Q.PERSON_PAGE_AT_COMPANY
                found_keys = await tx.rows(page, cursor or "", at, company, pattern, limit + 1)
            keys = [str(row[0]) for row in found_keys]
            found = [(key, reading.person_rows(await tx.rows(Q.PERSON_ROWS, key, at))) for key in keys[:limit]]
        return found, len(keys) > limit

    async def search(
        self, point: ReadPoint, terms: Sequence[Term], *, offset: int, limit: int
    ) -> tuple[int, list[SearchFound], bool]:
        """The position read at; the search documents valid then that match every term, best first
        (one per company, person or event), ``limit`` of them from ``offset``; and whether more follow."""
        async with self.driver.reading() as tx:
            at, _ = await self._resolve(tx, point)
            if not terms:
                return at, [], False
            query = self.dialect.search_query(terms)
            found = await reading.top_matches(tx, self.dialect, query, at, limit + 1, offset)
            if found is None:
                found = await tx.rows(Q.SEARCH, query, at, limit + 1, offset)
        hits = [(int(position), bytes(item), float(score)) for position, item, score, *_ in found]
        return at, hits[:limit], len(hits) > limit

    async def contested(
        self, point: ReadPoint, view: str, *, after: str, limit: int, until: str | None = None
    ) -> list[str]:
        """Companies after ``after`` (and up to ``until``, in id order) with two or more claims about one
        fact of ``view`` at ``point``: the candidates for disputes, which the read model's rule decides."""
        async with self.driver.reading() as tx:
            at, _ = await self._resolve(tx, point)
            last = reading.AFTER_EVERY_ID if until is None else until
            return [str(row[0]) for row in await tx.rows(Q.CONTESTED_COMPANIES, after, at, view, limit, last)]

    # -- durable subscriptions (api.store.subscribing) ------------------------------------

    async def put_subscription(self, name: str, settings: SubscriptionSettings, *, most: int) -> bool:
        return await self._subscriptions.put(name, settings, most=most)

    async def delete_subscription(self, name: str) -> None:
        await self._subscriptions.delete(name)

    async def subscription(self, name: str) -> SubscriptionState:
        return await self._subscriptions.state(name)

    async def subscriptions(self) -> list[SubscriptionState]:
        return await self._subscriptions.all()

    async def claim(
        self, name: str, consumer: str, limit: int, *, most_leases: int, again: bool = False
    ) -> tuple[Lease, float | None]:
        return await self._subscriptions.claim(name, consumer, limit, most_leases=most_leases, again=again)

    async def ack(self, name: str, lease: str, ids: Sequence[UUID]) -> AckResult:
        return await self._subscriptions.ack(name, lease, ids)

    async def nack(
        self, name: str, lease: str, ids: Sequence[UUID], *, park: bool, delay_seconds: int, reason: str
    ) -> NackResult:
        return await self._subscriptions.nack(name, lease, ids, park=park, delay_seconds=delay_seconds, reason=reason)

    async def parked(self, name: str, *, after: int, limit: int) -> ParkedPage:
        return await self._subscriptions.parked(name, after=after, limit=limit)

    async def replay_parked(self, name: str, ids: Sequence[UUID]) -> int:
        return await self._subscriptions.replay(name, ids)

    async def _resolve(self, tx: Transaction, point: ReadPoint) -> tuple[int, datetime]:
        """The log position a read is as of, and the clock it is evaluated at."""
        if point.as_of is not None:
            found = await tx.row(Q.POSITION_AT, self.dialect.time(point.as_of))
            return (int(found[0]) if found else 0), point.as_of
        last = await reading.last_position(tx)
        if point.at_position is not None and point.at_position < last:
            found = await tx.row(Q.RECORDED_AT, point.at_position)
            return point.at_position, self.dialect.read_time(found[0]) if found else datetime.now(UTC)
        return last, datetime.now(UTC)


def _now(head: Sequence[Any] | None) -> datetime:
    """The transaction time: the database's clock where it gives one (shared by every instance), else ours."""
    now = head[2] if head is not None else None
    return now if isinstance(now, datetime) else datetime.now(UTC)


def _ordinals(touches: Iterable[tuple[str, int]]) -> list[tuple[int, int, str]]:
    """(position, ordinal, company): the ordinal keeps the order an event named its companies."""
    result: list[tuple[int, int, str]] = []
    previous, ordinal = 0, 0
    for company, position in touches:
        ordinal = ordinal + 1 if position == previous else 0
        previous = position
        result.append((position, ordinal, company))
    return result
