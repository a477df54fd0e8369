"""The SQLite driver: aiosqlite connections (one writer, a few readers), WAL, synchronous=FULL.

Each aiosqlite connection owns a thread, so the event loop never waits on the disk. The
writer's ``BEGIN IMMEDIATE`` takes SQLite's write lock before the store reads the state it
decides on, so even two processes on one file cannot assign one position. Readers each hold
a connection of their own (WAL: they never wait for the writer); a read runs each statement
on its own, in one hop to the connection's thread, unless it asks for a snapshot. The WAL is copied into the database by api.store.sqlite.wal_copier, mostly off
the commit path. sqlite3 errors stop here: a broken constraint leaves as ConstraintViolated,
any other fault as StoreUnavailable with a client-safe reason.

One path stays on the plain ``sqlite3`` module by measurement: ``unchanged``, the check behind
every cached answer, runs two index seeks on the event loop's own thread; a hop to an
aiosqlite thread would cost more than the rest of a cached read (bench/RESULTS.md). While the
WAL-index header (api.store.sqlite.wal_index) shows no commit since its last query, it runs none.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable, Collection, Iterator, Sequence
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any, TypeVar

import aiosqlite

from api.errors import StoreUnavailable
from api.store.driver import Spans, Transaction, edge
from api.store.sqlite import workers
from api.store.sqlite.dialect import (
    DIALECT,
    MOST_VARIABLES,
    SCHEMA,
    SCHEMA_VERSION,
    TEXT_CLEARED,
    TEXT_FILLED,
    TEXT_TRIGGERS,
    expanded,
    marks,
    sql,
)
from api.store.sqlite.wal import WalCopier
from api.store.sqlite.wal_index import WalIndex
from api.store.statements import Q

__all__ = ["SQLiteDriver"]

T = TypeVar("T")

log = logging.getLogger("tidings.sqlite")

WRITER_CACHE_KIB = 32 * 1024
WAL_BACKSTOP_PAGES = 50_000  # ~200 MB of WAL (SQLite's own default: 1,000 pages)
WAL_KEEP_BYTES = 64 * 1024 * 1024
CLOSE_WAIT_SECONDS = 2.0
"""How long closing waits for reads under way before it closes their connections anyway."""
REBUILD_CACHE_KIB = 512 * 1024  # a rebuild is one transaction over every row: keep its dirty pages in memory


class SQLiteDriver:
    backend = "sqlite"
    dialect = DIALECT
    probes = True

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
        self.synchronous = synchronous.upper()
        self.busy_timeout_ms = busy_timeout_ms
        self.fold_processes = fold_processes
        """Most worker processes rebuild and check fold a large log on (one per core); 0: none."""
        self.checkpoint_interval = checkpoint_interval
        self.wal_copier: WalCopier | None = None
        """Copies the WAL into the database in the background (WAL mode only)."""
        self.on_external_commit: list[Callable[[int], None]] = []  # one process writes: its writer says all
        self._readers = readers
        self._writer: aiosqlite.Connection | None = None
        self._write_lock = asyncio.Lock()
        self._idle: list[aiosqlite.Connection] = []
        self._opened: list[aiosqlite.Connection] = []
        self._free = asyncio.Semaphore(readers)
        self._probe: sqlite3.Connection | None = None
        self._accepting = False
        """Whether reads and ``unchanged`` may start: from the end of ``open`` to the start of ``close``."""
        self._wal_index: WalIndex | None = None
        self._seen: tuple[bytes, int] | None = None
        """The WAL-index header read before the probe's last query of the head, and that head."""
        self._durability = "closed"
        self._finish_pending = False

    @property
    def listening(self) -> bool:
        return False

    # -- lifecycle ---------------------------------------------------------------------

    async def open(self) -> None:
        self._write_lock = asyncio.Lock()  # bound to the running loop (a store may be opened again)
        self._free = asyncio.Semaphore(self._readers)
        # Before the first connection: from then on this process may hold locks on the -shm file that
        # another store's closing must not drop (api.store.sqlite.wal_index).
        index = WalIndex.join(str(self.path))
        try:
            mode, level, conn = await self._open_writer()
        except BaseException:
            index.leave()
            raise
        sync = {0: "OFF", 1: "NORMAL", 2: "FULL", 3: "EXTRA"}[level]
        # What the database reports, not what was asked for: a file system may refuse WAL.
        self._durability = f"journal_mode={mode} synchronous={sync} busy_timeout={self.busy_timeout_ms}ms"
        self._writer = conn
        if mode == "wal":
            self.wal_copier = WalCopier(
                self.path,
                self._finish_checkpoint,
                interval=self.checkpoint_interval,
                synchronous=self.synchronous,
                sync=index.sync_database,
            )
            self.wal_copier.start()
            self._wal_index = index
        else:
            index.leave()
        self._accepting = True

    async def _open_writer(self) -> tuple[str, int, aiosqlite.Connection]:
        """The writer's connection with the schema in place; the journal mode and synchronous level it got."""
        with _edge("open"):
            conn = await self._connect()
            try:
                mode = (await _one(conn, "PRAGMA journal_mode = WAL"))[0]
                # The index pages a group commit touches stay in memory between commits (default: 2 MiB).
                await conn.execute(f"PRAGMA cache_size = -{WRITER_CACHE_KIB}")
                made_by = await _schema_version(conn)
                if made_by is not None and made_by > SCHEMA_VERSION:
                    # Its schema script would undo what the newer release changed (a dropped trigger made again).
                    raise StoreUnavailable(
                        f"The database is of schema version {made_by}, written by a newer release of Tidings; "
                        f"this release knows versions up to {SCHEMA_VERSION}. Run the newer release."
                    )
                await conn.executescript(SCHEMA)
                if made_by is None:  # a new file (or one whose version row was never written)
                    await conn.execute("INSERT INTO schema_version VALUES (?)", (SCHEMA_VERSION,))
                level = (await _one(conn, "PRAGMA synchronous"))[0]
                if mode == "wal":
                    # The WAL copier does the checkpoints; SQLite's own, inside a commit, stays only
                    # as a backstop should it fall behind. A WAL that grew anyway (a rebuild is one
                    # transaction) is cut back to WAL_KEEP_BYTES once it starts over.
                    await conn.execute(f"PRAGMA wal_autocheckpoint = {WAL_BACKSTOP_PAGES}")
                    await conn.execute(f"PRAGMA journal_size_limit = {WAL_KEEP_BYTES}")
            except BaseException:
                await conn.close()
                raise
        return str(mode), int(level), conn

    async def close(self) -> None:
        self._accepting = False  # no read or probe starts from here on
        held = 0

        async def take_every_reader() -> None:
            nonlocal held
            for _ in range(self._readers):
                await self._free.acquire()
                held += 1

        try:
            # Reads under way finish on their connections before those close (bounded: closing goes on).
            await asyncio.wait_for(take_every_reader(), timeout=CLOSE_WAIT_SECONDS)
        except TimeoutError:
            log.warning("closing the store with reads still under way after %s s", CLOSE_WAIT_SECONDS)
        try:
            await self._close_connections()
        finally:
            for _ in range(held):  # a read that waited for a reader now learns the store is closed
                self._free.release()

    async def _close_connections(self) -> None:
        if self.wal_copier is not None:
            await asyncio.to_thread(self.wal_copier.stop)
        async with self._write_lock:
            writer, self._writer = self._writer, None
            if writer is not None:
                await writer.close()
        for conn in self._opened:
            await conn.close()
        self._opened.clear()
        self._idle.clear()
        if self._probe is not None:
            self._probe.close()
            self._probe = None
        if self._wal_index is not None:  # last: closing its descriptor drops this process's locks on the file
            self._wal_index.leave()
            self._wal_index = None
        self._seen = None
        self._durability = "closed"

    async def _connect(self) -> aiosqlite.Connection:
        conn = await aiosqlite.connect(self.path, isolation_level=None)
        try:
            await conn.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout_ms)}")
            await conn.execute(f"PRAGMA synchronous = {self.synchronous}")
        except BaseException:
            await conn.close()  # its thread would keep the process alive
            raise
        return conn

    def stored_bytes(self) -> int | None:
        files = [p for p in (self.path, f"{self.path}-wal") if os.path.exists(p)]
        return sum(os.path.getsize(p) for p in files) if files else None

    async def durability(self) -> str:
        if self._writer is None:
            raise StoreUnavailable("The store is not open.")
        return self._durability

    # -- transactions ------------------------------------------------------------------

    @asynccontextmanager
    async def writing(self) -> AsyncIterator[Transaction]:
        async with self._write_lock:
            conn = self._writer
            if conn is None:
                raise StoreUnavailable("The store is closed.")
            with _edge("commit"):
                # Queued, not awaited: the first statement waits for it (one wait for both).
                tx = _Transaction(conn, begun=asyncio.ensure_future(conn.execute("BEGIN IMMEDIATE")))
                try:
                    yield tx
                    if tx.begun is not None:  # a block that ran no statement still learns whether BEGIN failed
                        await tx.begun
                except BaseException:
                    await asyncio.shield(_rollback(conn))
                    raise
                await _commit(conn, tx)

    @asynccontextmanager
    async def reading(self, *, snapshot: bool = False) -> AsyncIterator[Transaction]:
        if not self._accepting:  # before waiting for a reader: a closing store holds them all
            raise StoreUnavailable("The store is not open.")
        async with self._free:
            if self._writer is None or not self._accepting:
                raise StoreUnavailable("The store is not open.")
            with _edge("read"):
                conn = self._idle.pop() if self._idle else await self._new_reader()
                try:
                    if snapshot:
                        await conn.execute("BEGIN")
                    try:
                        yield _Transaction(conn)
                    finally:
                        if snapshot:
                            await asyncio.shield(_rollback(conn))  # a read-only transaction: nothing to keep
                except BaseException:
                    self._opened.remove(conn)
                    await asyncio.shield(conn.close())  # in doubt: never hand on a connection in a bad state
                    raise
                self._idle.append(conn)

    async def _new_reader(self) -> aiosqlite.Connection:
        conn = await self._connect()
        await conn.execute("PRAGMA query_only = 1")
        self._opened.append(conn)
        return conn

    # -- rebuild and check -------------------------------------------------------------

    @asynccontextmanager
    async def rebuilding(self, tx: Transaction, *, whole: bool) -> AsyncIterator[None]:
        """The read-model indexes are dropped and made again at the end, sorted once: cheaper than keeping
        them up to date row by row. (A store whose read_rows is WITHOUT ROWID keeps its primary key.)

        For a whole rebuild the full-text triggers go too: their tables are emptied at once here, and the
        people's names filled with one statement at the end (the search text, as after any write of rows, by
        Q.INDEX_TEXT), where the triggers would have written (and, for the rows deleted, unwritten) them row
        by row; without triggers, deleting every row is a truncation.
        All of it is DDL inside the transaction: no other connection sees the tables without their
        triggers or indexes, and a rollback brings them back."""
        assert isinstance(tx, _Transaction)
        conn = tx.conn
        with _edge("rebuild"):
            await tx.started()
            secure = (await _one(conn, "PRAGMA secure_delete"))[0]
            try:
                await conn.execute(f"PRAGMA cache_size = -{REBUILD_CACHE_KIB}")
                # Where SQLite is built to overwrite deleted content (Debian's is), deleting every read-model
                # row would write them all again as zeros. Nothing to hide: they are derived from the log, which stays.
                await conn.execute("PRAGMA secure_delete = OFF")
                indexes = await _dropped(conn, "index", "tbl_name = 'read_rows'")
                triggers = (
                    await _dropped(conn, "trigger", f"name IN ({marks(len(TEXT_TRIGGERS))})", TEXT_TRIGGERS)
                    if whole
                    else []
                )
                for statement in TEXT_CLEARED if triggers else ():
                    await conn.execute(statement)
                yield
                for statement in (*indexes, *(TEXT_FILLED if triggers else ()), *triggers):
                    await conn.execute(statement)
            finally:
                # Both are queued at once: each is restored even when the other fails.
                restored = (f"PRAGMA cache_size = -{WRITER_CACHE_KIB}", f"PRAGMA secure_delete = {int(secure)}")
                await asyncio.shield(asyncio.gather(*(conn.execute(pragma) for pragma in restored)))

    def spans(self, total: int) -> Spans | None:
        # Workers read beside an open write transaction only in WAL mode (a rollback journal would lock them out).
        processes = workers.workers(self.fold_processes) if total >= workers.PARALLEL_FROM else 0
        if processes == 0 or self.wal_copier is None or self.path in ("", ":memory:"):
            return None
        return lambda last, indexed: workers.fold_in_workers(self.path, last, processes, indexed=indexed)

    # -- between groups: the rest of a WAL checkpoint ------------------------------------

    def _finish_checkpoint(self) -> None:
        """Called by the checkpoint thread: copy the rest of the WAL between two groups, on the writer's connection."""
        self._finish_pending = True

    async def between_groups(self) -> None:
        if not self._finish_pending:
            return
        self._finish_pending = False
        conn = self._writer
        if conn is None or conn.in_transaction:
            return
        try:
            await conn.execute_fetchall("PRAGMA wal_checkpoint(PASSIVE)")
        except (sqlite3.Error, ValueError) as error:
            log.debug("WAL checkpoint on the writer failed: %s", error)

    # -- the answer cache's probe ------------------------------------------------------

    def unchanged(self, position: int, companies: Collection[str]) -> int | None:
        """The head position when no event after ``position`` touches any of ``companies``, else None.

        Runs on the caller's thread (the event loop) on a connection of its own: two index
        seeks in WAL mode, which never wait for a writer. It sees commits of every process
        on the file. Any doubt (a lock, an error, a closed store) answers None: not cached.
        """
        if self._writer is None or not self._accepting:
            return None
        try:
            conn = self._probe
            if conn is None:
                conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
                conn.execute("PRAGMA busy_timeout = 0")
                conn.execute("PRAGMA query_only = 1")
                self._probe = conn
            header = self._wal_index.header() if self._wal_index is not None else None
            if header is not None and self._seen is not None and self._seen[0] == header:
                head = self._seen[1]  # no commit since the query below last ran
            else:
                row = conn.execute("SELECT position FROM events ORDER BY position DESC LIMIT 1").fetchone()
                head = int(row[0]) if row else 0
                # The header read before the query: a commit after it changes what the next look compares.
                self._seen = (header, head) if header is not None else None
            if head == position:
                return head
            if head < position or not companies or len(companies) > MOST_VARIABLES:
                return None
            touched = conn.execute(
                f"SELECT 1 FROM touches WHERE company_id IN ({marks(len(companies))}) AND position > ? LIMIT 1",
                (*companies, position),
            ).fetchone()
        except sqlite3.Error:
            return None
        return None if touched else head

    async def confirm_unchanged(self, position: int, companies: Collection[str]) -> int | None:
        return self.unchanged(position, companies)  # it can tell at once


class _Transaction:
    """Named statements on one aiosqlite connection; list parameters become one placeholder an item."""

    __slots__ = ("begun", "committed", "conn")

    def __init__(self, conn: aiosqlite.Connection, *, begun: asyncio.Future[Any] | None = None) -> None:
        self.conn = conn
        self.begun = begun
        """The BEGIN queued before the first statement; its error surfaces with that statement's."""
        self.committed = False

    async def rows(self, statement: Q, *params: Any) -> list[Sequence[Any]]:
        return (await self.rows_all([(statement, params)]))[0]

    async def rows_all(self, batch: Sequence[tuple[Q, Sequence[Any] | None]]) -> list[list[Sequence[Any]]]:
        asked = [list(expanded(statement, params)) for statement, params in batch if params is not None]
        if not asked:
            await self.started()
            return [[] for _ in batch]

        def fetch(db: sqlite3.Connection) -> list[list[Any]]:
            return [[row for text, bound in parts for row in db.execute(text, bound).fetchall()] for parts in asked]

        answers = iter(await self._in_turn(fetch))
        return [[] if params is None else next(answers) for _, params in batch]

    async def started(self) -> None:
        """Wait for the BEGIN queued before the first statement (its error surfaces here)."""
        begun, self.begun = self.begun, None
        if begun is not None:
            await begun

    async def _begin(self, running: asyncio.Future[Any]) -> None:
        begun, self.begun = self.begun, None
        if begun is not None:
            try:
                await begun
            except BaseException:
                await asyncio.wait([running])  # the statement queued behind it is done before the rollback
                raise

    async def row(self, statement: Q, *params: Any) -> Sequence[Any] | None:
        found = await self.rows(statement, *params)
        return found[0] if found else None

    async def run(self, statement: Q, *params: Any) -> None:
        parts = list(expanded(statement, params))

        def execute(db: sqlite3.Connection) -> None:
            for text, bound in parts:
                db.execute(text, bound)

        await self._in_turn(execute)

    async def run_many(self, statement: Q, records: Sequence[Sequence[Any]]) -> None:
        await self.run_all([(statement, records)])

    async def run_all(self, batch: Sequence[tuple[Q, Sequence[Sequence[Any]]]]) -> None:
        asked = [(sql(statement), records) for statement, records in batch if records]
        if not asked:  # nothing to write: no hand-off
            await self.started()
            return

        def write(db: sqlite3.Connection) -> None:
            for text, records in asked:
                db.executemany(text, records)

        await self._in_turn(write)

    async def _in_turn(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """``work`` done with the sqlite3 connection on aiosqlite's thread, after what is queued there.

        Each aiosqlite call is a hand-off: a wake of the event loop when it is done, about 40 µs of the
        loop's thread (bench/RESULTS.md, eighth session). A read of a company's rows asks five statements
        at once, a group of appends writes a dozen, a long list runs a statement once a part: ``work``
        runs them back to back for one hand-off. Every statement of a transaction goes this way.
        aiosqlite has no public call for this; ``_execute`` is the one its own methods queue with. Queued
        as a task, it reaches the thread after a BEGIN queued before it (tasks start in order)."""
        queue: Callable[[Callable[[], T]], Awaitable[T]] = self.conn._execute
        running = asyncio.ensure_future(queue(lambda: work(self.conn._conn)))
        await self._begin(running)
        return await running


async def _dropped(conn: aiosqlite.Connection, kind: str, where: str, params: Sequence[Any] = ()) -> list[str]:
    """Drop the schema objects of ``kind`` (index, trigger) that ``where`` picks; returns the statements that
    make them again. A table's own primary key (no SQL of its own) is never picked."""
    found = await conn.execute_fetchall(
        f"SELECT name, sql FROM sqlite_master WHERE type = ? AND sql IS NOT NULL AND {where}", (kind, *params)
    )
    for name, _ in found:
        await conn.execute(f'DROP {kind.upper()} "{name}"')
    return [str(create) for _, create in found]


async def _schema_version(conn: aiosqlite.Connection) -> int | None:
    """The schema version the file says it has; None for a new file."""
    if not await conn.execute_fetchall("SELECT 1 FROM sqlite_master WHERE name = 'schema_version'"):
        return None
    version = (await _one(conn, "SELECT max(version) FROM schema_version"))[0]
    return None if version is None else int(version)


async def _one(conn: aiosqlite.Connection, sql: str) -> Any:
    rows = list(await conn.execute_fetchall(sql))
    return rows[0]


async def _commit(conn: aiosqlite.Connection, tx: _Transaction) -> None:
    """COMMIT, finished even when the caller is cancelled meanwhile (it then learns of it from ``tx``)."""
    commit = asyncio.ensure_future(conn.execute("COMMIT"))
    try:
        await asyncio.shield(commit)
    except asyncio.CancelledError:
        await commit
        tx.committed = True
        raise
    tx.committed = True


async def _rollback(conn: aiosqlite.Connection) -> None:
    try:
        if conn.in_transaction:
            await conn.execute("ROLLBACK")
    except (sqlite3.Error, ValueError) as error:
        log.warning("rollback failed: %s", error)


@contextmanager
def _edge(action: str) -> Iterator[None]:
    """sqlite3 errors become the store's own: ConstraintViolated or StoreUnavailable."""
    try:
        with edge(action, constraint=sqlite3.IntegrityError, faults=(sqlite3.Error,), reason=_reason):
            yield
    except UnicodeDecodeError:
        # sqlite3 decodes its error message, which quotes a damaged schema's bytes.
        raise StoreUnavailable("The database file is malformed: its schema cannot be read.") from None
    except ValueError as error:
        if "closed" not in str(error).lower():  # aiosqlite's word for a connection that is gone
            raise
        raise StoreUnavailable("The store is closed.") from None


def _reason(error: BaseException) -> str:
    """A client-safe reason: the kind of fault, never a path or SQL."""
    text = str(error).lower()
    if "readonly" in text or "read-only" in text:
        return "The database is read-only."
    if "full" in text:
        return "The disk is full."
    if "locked" in text or "busy" in text:
        return "The database is locked by another process."
    return "The database failed."
