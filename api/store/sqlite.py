"""The embedded SQLite backend: WAL, synchronous=FULL, one writer thread, reader threads, a checkpoint thread.

Every unit of work (a whole group commit, a whole read) runs in one call on a thread
that owns its connection, so a read is one consistent snapshot and a write is one
transaction with one fsync. ``BEGIN IMMEDIATE`` takes SQLite's write lock before the
planner reads the state it decides on, so even two processes on one file cannot
assign the same position. sqlite3 errors stop here and leave as StoreUnavailable.
The WAL is copied into the database file by api.store.checkpointer, mostly off the commit path.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar
from uuid import UUID

import msgspec

from api.errors import DomainError, StoreUnavailable
from api.http.answers import Answers
from api.projections.facts import CompanyRows, ReadRow
from api.projections.row import Row
from api.store import refold, sql
from api.store.base import AppendResult, Expectation, ReadyState
from api.store.checkpointer import Checkpointer
from api.store.common import Faults, FreshFold, company_rows
from api.store.planner import Command, Known, Plan, Snapshot, needs, plan, versioned
from api.store.readpoint import ReadPoint
from api.store.refold import Folded, Stopped, stored_event
from api.store.writer import GroupWriter
from schema.codec import event_tag, format_time, parse_time
from schema.events import CompanyRegistered, Event, StoredEvent

__all__ = ["SQLiteStore"]

T = TypeVar("T")
log = logging.getLogger("tidings.sqlite")

SCHEMA_VERSION = 1
_CHUNK = 500  # stays far below SQLite's limit on bound parameters
WRITER_CACHE_KIB = 32 * 1024
WAL_BACKSTOP_PAGES = 50_000  # ~200 MB of WAL (SQLite's own default: 1,000 pages)
WAL_KEEP_BYTES = 64 * 1024 * 1024
REBUILD_CACHE_KIB = 512 * 1024  # a rebuild is one transaction over every row: keep its dirty pages in memory
_registration = msgspec.json.Decoder(CompanyRegistered)
_READ_ROW_COLUMNS = "SELECT company_id, view, position, key, sort, item, retracted_at FROM read_rows"
_READ_ROWS_BETWEEN = f"{_READ_ROW_COLUMNS} WHERE position > ? AND position <= ?"
_READ_ROWS_OUTSIDE = f"{_READ_ROW_COLUMNS} WHERE position > ? OR position <= 0"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS events (
    position INTEGER PRIMARY KEY,
    id BLOB NOT NULL UNIQUE,
    type TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    body BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS events_by_type ON events (type, position);
CREATE INDEX IF NOT EXISTS events_by_time ON events (recorded_at, position);
CREATE TRIGGER IF NOT EXISTS events_are_not_updated BEFORE UPDATE ON events
    BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS events_are_not_deleted BEFORE DELETE ON events
    BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END;
CREATE TABLE IF NOT EXISTS touches (
    company_id TEXT NOT NULL,
    position INTEGER NOT NULL,
    PRIMARY KEY (company_id, position)
);
CREATE INDEX IF NOT EXISTS touches_by_position ON touches (position);
CREATE TABLE IF NOT EXISTS companies (
    company_id TEXT PRIMARY KEY,
    version INTEGER NOT NULL,
    last_position INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS retractions (
    target INTEGER PRIMARY KEY,
    position INTEGER NOT NULL UNIQUE
);
-- Rows go to the end of the table in position order; only the small index entries land at random
-- places (by company). A clustered WITHOUT ROWID table put each ~500-byte item at a random leaf and
-- wrote several times the data per commit (stores made before keep that layout; both work).
CREATE TABLE IF NOT EXISTS read_rows (
    view TEXT NOT NULL,
    company_id TEXT NOT NULL,
    position INTEGER NOT NULL,
    key TEXT NOT NULL,
    sort TEXT NOT NULL,
    item BLOB NOT NULL,
    retracted_at INTEGER
);
CREATE UNIQUE INDEX IF NOT EXISTS read_rows_key ON read_rows (company_id, view, position, key);
CREATE INDEX IF NOT EXISTS read_rows_by_position ON read_rows (position);
-- Registrations are the only rows looked up by view across companies (the company list, shown names).
DROP INDEX IF EXISTS read_rows_by_view;
CREATE INDEX IF NOT EXISTS registrations ON read_rows (company_id, position) WHERE view = 'registration';
CREATE TABLE IF NOT EXISTS checkpoints (name TEXT PRIMARY KEY, position INTEGER NOT NULL);
"""


class SQLiteStore:
    backend = "sqlite"

    def __init__(
        self,
        path: str | Path,
        *,
        synchronous: str = "FULL",
        busy_timeout_ms: int = 5000,
        readers: int = 4,
        checkpoint_interval: float = 1.0,
        fold_processes: int = 4,
    ) -> None:
        self.path = str(path)
        self.fold_processes = fold_processes
        """Most worker processes rebuild and check fold a large log on (one per core); 0: none."""
        self.checkpoint_interval = checkpoint_interval
        self.synchronous = synchronous.upper()
        self.busy_timeout_ms = busy_timeout_ms
        self._readers = readers
        self._local = threading.local()
        self._reader_connections: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        self._write_pool: ThreadPoolExecutor | None = None
        self._read_pool: ThreadPoolExecutor | None = None
        self._writer_conn: sqlite3.Connection | None = None
        self._durability = "closed"
        self._probe: sqlite3.Connection | None = None
        self.writer = GroupWriter(self._commit)
        self.answers = Answers()
        """Encoded read answers, reused while ``unchanged`` confirms them (see api.http.answers)."""
        self.checkpointer: Checkpointer | None = None
        """Copies the WAL into the database in the background (WAL mode only)."""
        self._finish_pending = False

    # -- lifecycle ---------------------------------------------------------------------

    async def open(self) -> None:
        self._write_pool = ThreadPoolExecutor(1, thread_name_prefix="tidings-sqlite-writer")
        self._read_pool = ThreadPoolExecutor(self._readers, thread_name_prefix="tidings-sqlite-reader")
        await self._on_writer(self._open_writer)
        self.writer.last_position = await self._on_writer(lambda: _last_position(self._writer_conn))  # type: ignore[arg-type]
        self.writer.start()
        if self.checkpointer is not None:
            self.checkpointer.start()

    async def close(self) -> None:
        await self.writer.close()
        if self.checkpointer is not None:
            await asyncio.to_thread(self.checkpointer.stop)
        if self._write_pool is not None:
            await self._on_writer(self._close_writer)
            self._write_pool.shutdown(wait=True)
        if self._read_pool is not None:
            self._read_pool.shutdown(wait=True)
        with self._lock:
            for conn in self._reader_connections:
                conn.close()
            self._reader_connections.clear()
        if self._probe is not None:
            self._probe.close()
            self._probe = None
        self.answers.clear()

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        conn.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout_ms)}")
        conn.execute(f"PRAGMA synchronous = {self.synchronous}")
        return conn

    def _open_writer(self) -> None:
        conn = self._connect()
        conn.execute("PRAGMA journal_mode = WAL")
        # The index pages a group commit touches stay in memory between commits (default: 2 MiB).
        conn.execute(f"PRAGMA cache_size = -{WRITER_CACHE_KIB}")
        conn.executescript(_SCHEMA)
        if conn.execute("SELECT count(*) FROM schema_version").fetchone()[0] == 0:
            conn.execute("INSERT INTO schema_version VALUES (?)", (SCHEMA_VERSION,))
        mode = conn.execute("PRAGMA journal_mode").fetchone()[0]
        sync = {0: "OFF", 1: "NORMAL", 2: "FULL", 3: "EXTRA"}[conn.execute("PRAGMA synchronous").fetchone()[0]]
        # What the database reports, not what was asked for: a file system may refuse WAL.
        self._durability = f"journal_mode={mode} synchronous={sync} busy_timeout={self.busy_timeout_ms}ms"
        if mode == "wal":
            # api.store.checkpointer does the checkpoints; SQLite's own, inside a commit, stays only
            # as a backstop should that thread fall behind. A WAL that grew anyway (a rebuild is one
            # transaction) is cut back to WAL_KEEP_BYTES once it starts over.
            conn.execute(f"PRAGMA wal_autocheckpoint = {WAL_BACKSTOP_PAGES}")
            conn.execute(f"PRAGMA journal_size_limit = {WAL_KEEP_BYTES}")
            self.checkpointer = Checkpointer(
                self.path, self._finish_checkpoint, interval=self.checkpoint_interval, synchronous=self.synchronous
            )
        self._writer_conn = conn

    def _finish_checkpoint(self) -> None:
        """Called by the checkpoint thread: copy the rest of the WAL between two groups, on the writer's thread."""
        pool = self._write_pool
        if pool is not None and not self._finish_pending:  # one waits behind a long job (a rebuild) at most
            self._finish_pending = True
            try:
                pool.submit(self._checkpoint_on_writer)
            except RuntimeError:  # the pool is shutting down with the store
                self._finish_pending = False

    def _checkpoint_on_writer(self) -> None:
        self._finish_pending = False
        conn = self._writer_conn
        if conn is None or conn.in_transaction:
            return
        try:
            conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
        except sqlite3.Error as error:
            log.debug("WAL checkpoint on the writer failed: %s", error)

    def _close_writer(self) -> None:
        if self._writer_conn is not None:
            self._writer_conn.close()
            self._writer_conn = None

    def durability(self) -> str:
        return self._durability

    # -- threads -----------------------------------------------------------------------

    async def _on_writer(self, fn: Callable[[], T]) -> T:
        assert self._write_pool is not None
        return await asyncio.get_running_loop().run_in_executor(self._write_pool, fn)

    async def _on_reader(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        if self._read_pool is None:
            raise StoreUnavailable("The store is not open.")
        return await asyncio.get_running_loop().run_in_executor(self._read_pool, self._read_tx, fn)

    def _read_tx(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        try:
            if conn is None:
                conn = self._connect()
                conn.execute("PRAGMA query_only = 1")
                self._local.conn = conn
                with self._lock:
                    self._reader_connections.append(conn)
            conn.execute("BEGIN")
            try:
                return fn(conn)
            finally:
                conn.execute("COMMIT")
        except sqlite3.Error as error:
            log.error("read failed: %s", error)
            raise StoreUnavailable(_reason(error)) from None

    # -- writes ------------------------------------------------------------------------

    async def append(self, events: Sequence[Event], *, expected: Expectation | None = None) -> AppendResult:
        return await self.writer.submit(Command(list(events), expected, batch=False))

    async def append_batch(self, events: Sequence[Event]) -> AppendResult:
        return await self.writer.submit(Command(list(events), None, batch=True))

    async def _commit(self, commands: Sequence[Command]) -> list[AppendResult | DomainError]:
        return await self._on_writer(lambda: self._commit_sync(commands))

    def _commit_sync(self, commands: Sequence[Command]) -> list[AppendResult | DomainError]:
        conn = self._writer_conn
        if conn is None:
            raise StoreUnavailable("The store is closed.")
        try:
            conn.execute("BEGIN IMMEDIATE")
            try:
                decided = plan(commands, self._snapshot(conn, commands), datetime.now(UTC))
                self._write(conn, decided)
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
        except sqlite3.IntegrityError:
            raise  # a constraint the planner should have kept: the writer retries the commands one by one
        except sqlite3.Error as error:
            log.error("commit failed: %s", error)
            raise StoreUnavailable(_reason(error)) from None
        return decided.outcomes

    def _snapshot(self, conn: sqlite3.Connection, commands: Sequence[Command]) -> Snapshot:
        need = needs(commands)
        last = conn.execute("SELECT position, recorded_at FROM events ORDER BY position DESC LIMIT 1").fetchone()
        known: dict[UUID, Known] = {}
        for chunk in _chunks([i.bytes for i in need.event_ids]):
            rows = conn.execute(
                "SELECT e.position, e.recorded_at, e.body, r.position FROM events e "
                f"LEFT JOIN retractions r ON r.target = e.position WHERE e.id IN ({_marks(chunk)})",
                chunk,
            ).fetchall()
            touched = self._touched(conn, [row[0] for row in rows])
            for position, recorded_at, body, retracted_by in rows:
                stored = stored_event(position, recorded_at, body)
                assert stored.event.id is not None
                known[stored.event.id] = Known(stored, tuple(touched.get(position, ())), retracted_by)
        versions: dict[str, int] = {}
        for names in _chunks(sorted(versioned(need, known))):
            versions.update(
                conn.execute(f"SELECT company_id, version FROM companies WHERE company_id IN ({_marks(names)})", names)
            )
        return Snapshot(
            last_position=last[0] if last else 0,
            last_recorded_at=parse_time(last[1]) if last else None,
            known=known,
            versions=versions,
        )

    @staticmethod
    def _touched(conn: sqlite3.Connection, positions: list[int]) -> dict[int, list[str]]:
        result: dict[int, list[str]] = {}
        if positions:
            for company, position in conn.execute(
                f"SELECT company_id, position FROM touches WHERE position IN ({_marks(positions)}) ORDER BY rowid",
                positions,
            ):
                result.setdefault(position, []).append(company)
        return result

    @staticmethod
    def _write(conn: sqlite3.Connection, decided: Plan) -> None:
        if not decided.stored:
            return
        recorded_at = format_time(decided.stored[0].recorded_at)  # the planner gives a group one transaction time
        conn.executemany(
            "INSERT INTO events (position, id, type, recorded_at, body) VALUES (?, ?, ?, ?, ?)",
            [
                (s.position, s.event.id.bytes, event_tag(s.event), recorded_at, body)  # type: ignore[union-attr]
                for s, body in zip(decided.stored, decided.bodies, strict=True)
            ],
        )
        conn.executemany("INSERT INTO touches (company_id, position) VALUES (?, ?)", decided.touches)
        conn.executemany(
            "INSERT INTO companies (company_id, version, last_position) VALUES (?, ?, ?) "
            "ON CONFLICT (company_id) DO UPDATE SET version = excluded.version, last_position = excluded.last_position",
            [(c, v, p) for c, (v, p) in decided.versions.items()],
        )
        SQLiteStore._write_rows(conn, decided.rows, decided.retractions)
        conn.execute(
            "INSERT INTO checkpoints (name, position) VALUES ('read_rows', ?) "
            "ON CONFLICT (name) DO UPDATE SET position = excluded.position",
            (decided.stored[-1].position,),
        )

    @staticmethod
    def _write_rows(conn: sqlite3.Connection, rows: Iterable[Row], retractions: list[tuple[int, int]]) -> None:
        conn.executemany(
            "INSERT INTO read_rows (view, company_id, position, key, sort, item) VALUES (?, ?, ?, ?, ?, ?)", rows
        )
        conn.executemany("INSERT INTO retractions (target, position) VALUES (?, ?)", retractions)
        conn.executemany(
            "UPDATE read_rows SET retracted_at = ? WHERE position = ? AND retracted_at IS NULL",
            [(by, target) for target, by in retractions],
        )

    async def rebuild(self, progress: Callable[[int, int], None] | None = None) -> int:
        """Drop every read model and fold the whole log again, in one transaction. Returns the events folded.

        Cancelled (Ctrl-C), it rolls back at the next batch or before its COMMIT, and nothing
        changes; cancelled too late for that, it returns as if it had not been."""
        stop = threading.Event()
        job = asyncio.ensure_future(self._on_writer(lambda: self._rebuild_sync(progress, stop)))
        try:
            return await asyncio.shield(job)
        except asyncio.CancelledError:
            stop.set()
            try:
                done = await job  # it rolls back at the next span or before COMMIT, unless it committed already
            except Stopped:
                raise asyncio.CancelledError from None
            task = asyncio.current_task()
            if task is not None:
                task.uncancel()  # it finished: say so rather than "stopped"
            return done

    def _rebuild_sync(self, progress: Callable[[int, int], None] | None, stop: threading.Event) -> int:
        conn = self._writer_conn
        if conn is None:
            raise StoreUnavailable("The store is closed.")
        done = 0
        conn.execute(f"PRAGMA cache_size = -{REBUILD_CACHE_KIB}")
        conn.execute("BEGIN IMMEDIATE")
        try:
            # The indexes are dropped and made again at the end, sorted once: cheaper than keeping them
            # up to date row by row. (A store whose read_rows is WITHOUT ROWID keeps its primary key.)
            indexes = conn.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'read_rows' AND sql IS NOT NULL"
            ).fetchall()
            for name, _ in indexes:
                conn.execute(f'DROP INDEX "{name}"')
            conn.execute("DELETE FROM read_rows")
            retracted: list[tuple[int, int]] = []
            for rows, retractions, done, total in self._fold_log(conn, stop):
                self._write_rows(conn, rows, [])
                retracted.extend(retractions)
                if progress is not None:
                    progress(done, total)
            for _, create in indexes:
                conn.execute(create)
            # Retractions mark rows written before them, in log order.
            conn.executemany(
                "UPDATE read_rows SET retracted_at = ? WHERE position = ? AND retracted_at IS NULL",
                [(by, target) for target, by in retracted],
            )
            conn.execute(
                "INSERT INTO checkpoints (name, position) VALUES ('read_rows', ?) "
                "ON CONFLICT (name) DO UPDATE SET position = excluded.position",
                (done,),
            )
            if stop.is_set():  # stopped while the indexes were made: still nothing to show for it
                raise Stopped("the rebuild was stopped")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        finally:
            conn.execute(f"PRAGMA cache_size = -{WRITER_CACHE_KIB}")
        return done

    def _fold_log(self, conn: sqlite3.Connection, stop: threading.Event) -> Iterator[Folded]:
        """The log up to ``conn``'s last position folded again, in batches, on worker processes when it
        is large; raises Stopped at the next batch once ``stop`` is set."""
        total = _last_position(conn)
        processes = refold.workers(self.fold_processes) if total >= refold.PARALLEL_FROM else 0
        # Workers read beside an open write transaction only in WAL mode (a rollback journal would lock them out).
        if self.checkpointer is None:
            processes = 0
        for folded in refold.fold_log(conn, self.path, total, processes=processes, span=refold.SPAN):
            if stop.is_set():
                raise Stopped("the fold was stopped")
            yield folded

    async def check(self, progress: Callable[[int, int], None] | None = None) -> list[str]:
        """What is wrong with the store: file integrity, gaps, versions, read models unlike a fresh fold."""
        stop = threading.Event()
        try:
            return await self._on_reader(lambda conn: self._check_sync(conn, progress, stop))
        except asyncio.CancelledError:
            stop.set()
            raise

    def _check_sync(
        self, conn: sqlite3.Connection, progress: Callable[[int, int], None] | None, stop: threading.Event
    ) -> list[str]:
        damaged = [f"integrity: {row[0]}" for row in conn.execute("PRAGMA integrity_check") if row[0] != "ok"]
        if damaged:
            return damaged
        faults = Faults()
        count, last = conn.execute("SELECT count(*), coalesce(max(position), 0) FROM events").fetchone()
        if count != last:
            faults.add([f"positions: {count} events but the last position is {last}; the log has gaps"])
        for company, version, counted in conn.execute(
            "SELECT c.company_id, c.version, (SELECT count(*) FROM touches t WHERE t.company_id = c.company_id) "
            "FROM companies c WHERE c.version != (SELECT count(*) FROM touches t WHERE t.company_id = c.company_id)"
        ):
            faults.add([f"versions: company {company} is at version {version} but {counted} events touch it"])
        fold = FreshFold(refold.retractions(conn, last))
        previous = 0
        for rows, _, done, total in self._fold_log(conn, stop):
            faults.add(fold.compare(rows, conn.execute(_READ_ROWS_BETWEEN, (previous, done))))
            previous = done
            if progress is not None:
                progress(done, total)
        # Rows at positions the log does not have.
        faults.add(fold.compare([], conn.execute(_READ_ROWS_OUTSIDE, (previous,))))
        return faults.report()

    # -- the log -----------------------------------------------------------------------

    async def read(
        self, *, after: int = 0, limit: int = 100, types: Sequence[str] = (), company: str | None = None
    ) -> list[StoredEvent]:
        query, params = sql.log_page(after=after, limit=limit, types=types, company=company)
        rows = await self._on_reader(lambda conn: conn.execute(query, params).fetchall())
        return [stored_event(*row) for row in rows]

    async def get(self, event_id: UUID) -> StoredEvent | None:
        row = await self._on_reader(
            lambda conn: conn.execute(
                "SELECT position, recorded_at, body FROM events WHERE id = ?", (event_id.bytes,)
            ).fetchone()
        )
        return None if row is None else stored_event(*row)

    async def company_version(self, company_id: str) -> int | None:
        row = await self._on_reader(
            lambda conn: conn.execute("SELECT version FROM companies WHERE company_id = ?", (company_id,)).fetchone()
        )
        return None if row is None else int(row[0])

    async def last_position(self) -> int:
        return await self._on_reader(_last_position)

    def unchanged(self, position: int, companies: Iterable[str]) -> int | None:
        """The head position when no event after ``position`` touches any of ``companies``, else None.

        Runs on the caller's thread (the event loop) on a connection of its own: two index
        seeks in WAL mode, which never wait for a writer. It sees commits of every process
        on the file. Any doubt (a lock, an error, a closed store) answers None: not cached.
        """
        if self._read_pool is None:
            return None
        try:
            conn = self._probe
            if conn is None:
                conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
                conn.execute("PRAGMA busy_timeout = 0")
                conn.execute("PRAGMA query_only = 1")
                self._probe = conn
            row = conn.execute("SELECT position FROM events ORDER BY position DESC LIMIT 1").fetchone()
            head = int(row[0]) if row else 0
            if head == position:
                return head
            names = list(companies)
            if head < position or not names or len(names) > _CHUNK:
                return None
            touched = conn.execute(
                f"SELECT 1 FROM touches WHERE company_id IN ({_marks(names)}) AND position > ? LIMIT 1",
                (*names, position),
            ).fetchone()
        except sqlite3.Error:
            return None
        return None if touched else head

    async def ready(self) -> ReadyState:
        last = await self.last_position()
        return ReadyState(self.backend, self.durability(), last, self.writer.depth)

    # -- read models -------------------------------------------------------------------

    async def company(
        self,
        company_id: str,
        point: ReadPoint,
        *,
        views: Sequence[str] = (),
        referenced: Callable[[CompanyRows], set[str]] | None = None,
        counts: bool = False,
    ) -> tuple[CompanyRows, dict[str, CompanyRegistered]] | None:
        """A company's rows valid at ``point`` and the registrations of the companies they reference.

        None when the company was not registered at that point.
        """

        def work(conn: sqlite3.Connection) -> tuple[CompanyRows, dict[str, CompanyRegistered]] | None:
            at, at_time = _resolve(conn, point)
            version, last = conn.execute(
                "SELECT count(*), coalesce(max(position), 0) FROM touches WHERE company_id = ? AND position <= ?",
                (company_id, at),
            ).fetchone()
            if version == 0:
                return None
            wanted = [*views, "evidence"] if views else []
            view_filter = f" AND view IN ({_marks(wanted)})" if wanted else ""
            rows = [
                ReadRow(*row)
                for row in conn.execute(
                    "SELECT view, position, key, sort, item FROM read_rows WHERE company_id = ? AND position <= ? "
                    f"AND (retracted_at IS NULL OR retracted_at > ?){view_filter} ORDER BY position",
                    (company_id, at, at, *wanted),
                )
            ]
            data = company_rows(company_id, version, last, at, at_time, rows)
            if counts:
                data.counts = dict(
                    conn.execute(
                        "SELECT key, count(*) FROM read_rows WHERE company_id = ? AND view = 'timeline' "
                        "AND position <= ? AND (retracted_at IS NULL OR retracted_at > ?) GROUP BY key ORDER BY key",
                        (company_id, at, at),
                    )
                )
            ids = {company_id} | (referenced(data) if referenced else set())
            registrations = _registrations(conn, ids, at)
            if company_id not in registrations:
                return None
            if registrations[company_id].parent_id:
                registrations.update(_registrations(conn, {registrations[company_id].parent_id or ""}, at))
            return data, registrations

        return await self._on_reader(work)

    async def companies(
        self, point: ReadPoint, *, q: str | None, country: str | None, cursor: str | None, limit: int
    ) -> tuple[list[tuple[CompanyRegistered, int, int]], bool]:
        """Latest registrations at ``point`` in id order after ``cursor``, with (version, last position)."""

        def work(conn: sqlite3.Connection) -> tuple[list[tuple[CompanyRegistered, int, int]], bool]:
            at, _ = _resolve(conn, point)
            rows = conn.execute(
                sql.COMPANY_PAGE_SQLITE,
                {
                    "at": at,
                    "cursor": cursor or "",
                    "country": country,
                    "q": q.lower() if q else None,
                    "limit": limit + 1,
                },
            ).fetchall()
            more = len(rows) > limit
            rows = rows[:limit]
            ids = [row[0] for row in rows]
            counts = {}
            if ids:
                counts = {
                    c: (v, p)
                    for c, v, p in conn.execute(
                        "SELECT company_id, count(*), max(position) FROM touches "
                        f"WHERE company_id IN ({_marks(ids)}) AND position <= ? GROUP BY company_id",
                        (*ids, at),
                    )
                }
            return [(_registration.decode(item), *counts.get(c, (0, 0))) for c, item in rows], more

        return await self._on_reader(work)


def _resolve(conn: sqlite3.Connection, point: ReadPoint) -> tuple[int, datetime]:
    """The log position a read is as of, and the clock it is evaluated at."""
    if point.as_of is not None:
        row = conn.execute(
            "SELECT coalesce(max(position), 0) FROM events WHERE recorded_at <= ?", (format_time(point.as_of),)
        ).fetchone()
        return int(row[0]), point.as_of
    last = _last_position(conn)
    if point.at_position is not None and point.at_position < last:
        row = conn.execute("SELECT recorded_at FROM events WHERE position = ?", (point.at_position,)).fetchone()
        return point.at_position, parse_time(row[0]) if row else datetime.now(UTC)
    return last, datetime.now(UTC)


def _registrations(conn: sqlite3.Connection, ids: Iterable[str], at: int) -> dict[str, CompanyRegistered]:
    result: dict[str, CompanyRegistered] = {}
    for chunk in _chunks(sorted(ids)):
        for company, item, _ in conn.execute(
            "SELECT company_id, item, max(position) FROM read_rows WHERE view = 'registration' "
            f"AND company_id IN ({_marks(chunk)}) AND position <= ? GROUP BY company_id",
            (*chunk, at),
        ):
            result[company] = _registration.decode(item)
    return result


def _last_position(conn: sqlite3.Connection) -> int:
    row = conn.execute("SELECT position FROM events ORDER BY position DESC LIMIT 1").fetchone()
    return int(row[0]) if row else 0


def _marks(values: Sequence[Any]) -> str:
    return ", ".join("?" * len(values))


def _chunks(values: Sequence[T]) -> Iterable[Sequence[T]]:
    for start in range(0, len(values), _CHUNK):
        yield values[start : start + _CHUNK]


def _reason(error: sqlite3.Error) -> str:
    """A client-safe reason: the kind of fault, never a path or SQL."""
    text = str(error).lower()
    if "readonly" in text or "read-only" in text:
        return "The database is read-only."
    if "full" in text:
        return "The disk is full."
    if "locked" in text or "busy" in text:
        return "The database is locked by another process."
    return "The database failed."
