"""The PostgreSQL driver: asyncpg pools; several API instances may share one database.

With several writers in several processes, the database — never process memory —
decides positions, idempotency and versions:

* Every group commit is one READ COMMITTED transaction that first takes the row lock of
  the single-row ``log_head`` counter (``SELECT ... FOR UPDATE``), and only then reads
  the snapshot the planner decides on (known ids, versions, the head position). Two
  instances can therefore never assign one position, store one id twice, or both pass
  one If-Match. The lock is held until COMMIT and released only after the commit is
  visible, so the next writer's positions start above it and readers see positions
  appear in commit order with no gaps; a rolled-back group never moved the counter, so
  it leaves no gap either. A counter row rather than ``LOCK TABLE events IN EXCLUSIVE
  MODE``: taking the lock and reading the head (position, last recorded_at) is one
  statement, and nothing else that touches ``events`` has to know about the lock.
  A sequence would not do: it hands out numbers that commit out of order, or never.
* ``recorded_at`` comes from the database clock read under that lock, so instances on
  different hosts share one clock; the planner keeps it from running backwards.
* Reads use their own pool, so they never wait behind the writer. A check is one
  REPEATABLE READ READ ONLY transaction: one snapshot; other reads need none (api.store.program
  says why) and save its two round trips.
* Every commit that stores events also runs ``pg_notify(<channel>, <last position>)``;
  PostgreSQL delivers it after the commit, in commit order. Each store keeps one more
  connection that LISTENs on the channel (named after the schema, so stores in other
  schemas do not hear it) and hands the positions to ``on_external_commit``: the live
  feed of every instance wakes for commits made by any of them. When that connection
  is lost it is opened again; ``listening`` says whether it is up (feeds poll while not).
* The schema is migrated at ``open()`` under a transaction-level advisory lock, so
  instances starting together do not race; triggers refuse UPDATE, DELETE and TRUNCATE
  on ``events``. Text columns are ``COLLATE "C"``: bytewise order, as in SQLite.

asyncpg and OS errors stop here: a broken constraint leaves as ConstraintViolated, any other
fault as StoreUnavailable with a client-safe reason; the real error is logged.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
from collections.abc import AsyncIterator, Callable, Collection, Iterator, Sequence
from contextlib import asynccontextmanager, contextmanager
from typing import Any

import asyncpg  # type: ignore[import-untyped]

from api.errors import StoreUnavailable
from api.store.driver import Spans, Transaction, edge
from api.store.postgres.dialect import DIALECT, MIGRATIONS, SCHEMA_VERSION
from api.store.statements import Q

_UNCHANGED = (
    "SELECT (SELECT position FROM log_head WHERE id = 1), "
    "EXISTS (SELECT 1 FROM touches WHERE company_id = ANY($1::text[]) AND position > $2)"
)
"""One snapshot (READ COMMITTED: one a statement) for both: the head a commit moves, and its touches."""

__all__ = ["PostgresDriver", "channel"]

log = logging.getLogger("tidings.postgres")

_COPY_FROM = 100  # rows from which COPY beats a pipelined executemany (~15% at 100 rows, measured)
_MIGRATION_LOCK = 0x7469_6469  # advisory lock class of Tidings' migrations ("tidi")
_FAULTS = (asyncpg.PostgresError, asyncpg.InterfaceError, asyncpg.InternalClientError, OSError, TimeoutError)
_LISTEN_CHECK = 10.0  # seconds between liveness checks of the LISTEN connection
_LISTEN_RETRY = (0.1, 5.0)  # first and longest wait before the LISTEN connection is opened again
_COPIED: dict[Q, tuple[str, tuple[str, ...]]] = {
    Q.INSERT_EVENT: ("events", ("position", "id", "type", "recorded_at", "body")),
    Q.INSERT_TOUCH: ("touches", ("position", "ord", "company_id")),
    Q.INSERT_ROW: ("read_rows", ("view", "company_id", "position", "key", "sort", "item")),
    Q.INSERT_RETRACTION: ("retractions", ("target", "position")),
    Q.INSERT_TERM: ("log_terms", ("term", "position")),
    Q.INSERT_DATED: ("log_dated", ("position", "first_day", "last_day")),
    Q.INSERT_HASH: ("event_hashes", ("position", "hash")),
    Q.INSERT_NODE: ("merkle_nodes", ("id", "hash")),
}
"""Inserts that COPY when they carry many rows: the table and its columns, as the statement binds them."""


class PostgresDriver:
    backend = "postgresql"
    dialect = DIALECT
    probes = False

    def __init__(
        self,
        dsn: str,
        *,
        schema: str | None = None,
        readers: int = 8,
        connect_timeout: float = 10.0,
    ) -> None:
        """``schema``, when given, is created if absent and is the only schema on the search path."""
        if schema is not None and not (0 < len(schema.encode()) <= 63 and "\x00" not in schema):
            raise ValueError("schema: 1 to 63 bytes, no NUL")
        self.schema = schema
        self._dsn = dsn
        self._readers = readers
        self._connect_timeout = connect_timeout
        self._writes: Any = None  # asyncpg.Pool: the writer's connection, and rebuild's
        self._reads: Any = None  # asyncpg.Pool of reader connections
        self._durability = "closed"
        self.channel = ""
        """The NOTIFY channel of this store's schema (known once open)."""
        self.on_external_commit: list[Callable[[int], None]] = []
        """Called with the last position whenever any process commits to this store's log (this one too)."""
        self._listening_now = False
        self._listener: asyncio.Task[None] | None = None
        self._listening = asyncio.Event()

    @property
    def listening(self) -> bool:
        """Whether the LISTEN connection is up, so that ``on_external_commit`` hears every commit."""
        return self._listening_now

    # -- lifecycle ---------------------------------------------------------------------

    async def open(self) -> None:
        try:
            with _edge("open"):
                self._writes = await self._pool(2)
                self._reads = await self._pool(self._readers)
                async with self._writes.acquire() as conn:
                    await self._migrate(conn)
                    self._durability = f"synchronous_commit={await conn.fetchval('SHOW synchronous_commit')}"
                    self.channel = channel(self.schema or await conn.fetchval("SELECT current_schema()"))
        except BaseException:
            await self._close_pools()
            raise
        self._listening = asyncio.Event()
        self._listener = asyncio.create_task(self._listen(), name="tidings-listen")
        # Usually up at once; if not, the feed polls until it is.
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(self._connect_timeout):
                await self._listening.wait()

    async def close(self) -> None:
        await self._stop_listening()
        await self._close_pools()

    async def _pool(self, size: int) -> Any:
        return await asyncpg.create_pool(
            self._dsn,
            min_size=1,
            max_size=size,
            timeout=self._connect_timeout,
            server_settings=self._server_settings("tidings"),
        )

    # -- commits of other processes: LISTEN ---------------------------------------------

    async def _listen(self) -> None:
        """Keep one connection LISTENing on the channel; open it again whenever it is lost."""
        delay = _LISTEN_RETRY[0]
        while True:
            conn: Any = None
            try:
                conn = await asyncpg.connect(
                    self._dsn,
                    timeout=self._connect_timeout,
                    server_settings=self._server_settings(f"tidings-listen {self.channel}"[:63]),
                )
                await self._hear(conn)
                delay = _LISTEN_RETRY[0]
                log.warning("the LISTEN connection was lost; the live feed polls until it is back")
            except _FAULTS as error:
                log.warning("the LISTEN connection failed (%s: %s); retrying", type(error).__name__, error)
            finally:
                self._listening_now = False
                if conn is not None:
                    conn.terminate()
            await asyncio.sleep(delay)
            delay = min(delay * 2, _LISTEN_RETRY[1])

    async def _hear(self, conn: Any) -> None:
        """LISTEN on ``conn`` and hand every notification on; returns when the connection is lost."""
        lost = asyncio.Event()
        conn.add_termination_listener(lambda _: lost.set())
        await conn.add_listener(self.channel, self._notified)
        # Commits made while nobody listened were not heard: announce the head as it is now.
        head = int(await conn.fetchval(_sql(Q.LAST_POSITION)))
        self._listening_now = True
        self._listening.set()
        log.info("listening for commits on channel %s", self.channel)
        self._announce(head)
        while not conn.is_closed():
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(_LISTEN_CHECK):
                    await lost.wait()
            if not lost.is_set():  # a connection can die silently: ask it something
                async with asyncio.timeout(self._connect_timeout):
                    await conn.fetchval("SELECT 1")

    def _notified(self, _conn: Any, _pid: int, _channel: str, payload: str) -> None:
        try:
            position = int(payload)
        except ValueError:
            log.warning("ignored a notification that is not a position: %r", payload[:100])
            return
        self._announce(position)

    def _announce(self, position: int) -> None:
        for callback in list(self.on_external_commit):
            try:
                callback(position)
            except Exception:
                log.exception("a commit listener failed")

    async def _stop_listening(self) -> None:
        task, self._listener = self._listener, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    def _server_settings(self, application_name: str) -> dict[str, str]:
        settings = {"application_name": application_name}
        if self.schema is not None:
            settings["search_path"] = _quote(self.schema)
        return settings

    async def _close_pools(self) -> None:
        pools, self._writes, self._reads = (self._writes, self._reads), None, None
        self._durability = "closed"
        for pool in pools:
            if pool is None:
                continue
            try:
                await pool.close()
            except _FAULTS as error:
                log.warning("closing a pool failed: %s", error)
                pool.terminate()

    async def _migrate(self, conn: Any) -> None:
        # DDL only when something is missing: a role without CREATE can run a migrated database.
        async with conn.transaction():
            await conn.execute("SELECT pg_advisory_xact_lock($1, hashtext($2))", _MIGRATION_LOCK, self.schema or "")
            if self.schema is not None and not await conn.fetchval(
                "SELECT EXISTS (SELECT FROM pg_namespace WHERE nspname = $1)", self.schema
            ):
                await conn.execute(f"CREATE SCHEMA {_quote(self.schema)}")
            current = 0
            if await conn.fetchval("SELECT to_regclass('schema_version') IS NOT NULL"):
                current = int(await conn.fetchval("SELECT coalesce(max(version), 0) FROM schema_version"))
            else:
                await conn.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
            if current > SCHEMA_VERSION:
                log.error("database schema version %d is newer than this server's %d", current, SCHEMA_VERSION)
                raise StoreUnavailable("The database was migrated by a newer Tidings.")
            for script in MIGRATIONS[current:]:
                await conn.execute(script)
            if current < SCHEMA_VERSION:
                await conn.execute("DELETE FROM schema_version")
                await conn.execute("INSERT INTO schema_version (version) VALUES ($1)", SCHEMA_VERSION)
                log.info("migrated the database schema from version %d to %d", current, SCHEMA_VERSION)

    async def durability(self) -> str:
        pool = self._reads
        if pool is None:
            raise StoreUnavailable("The store is not open.")
        with _edge("ready"):
            async with asyncio.timeout(self._connect_timeout), pool.acquire() as conn:
                self._durability = f"synchronous_commit={await conn.fetchval('SHOW synchronous_commit')}"
        return self._durability

    # -- transactions ------------------------------------------------------------------

    @asynccontextmanager
    async def writing(self) -> AsyncIterator[Transaction]:
        pool = self._writes
        if pool is None:
            raise StoreUnavailable("The store is closed.")
        with _edge("commit"):
            async with pool.acquire() as conn:
                tx = _Transaction(conn)
                async with conn.transaction(isolation="read_committed"):
                    yield tx
                tx.committed = True

    @asynccontextmanager
    async def reading(self, *, snapshot: bool = False) -> AsyncIterator[Transaction]:
        pool = self._reads
        if pool is None:
            raise StoreUnavailable("The store is not open.")
        with _edge("read"):
            async with pool.acquire() as conn:
                if not snapshot:
                    yield _Transaction(conn)
                    return
                async with conn.transaction(isolation="repeatable_read", readonly=True):
                    yield _Transaction(conn)

    @asynccontextmanager
    async def rebuilding(self, tx: Transaction, *, whole: bool) -> AsyncIterator[None]:
        # The indexes stay: dropping one would lock read_rows against every reader until the commit
        # (SQLite's readers keep reading their snapshot; PostgreSQL's would wait).
        yield

    def spans(self, total: int) -> Spans | None:
        return None

    async def between_groups(self) -> None:
        return None

    def stored_bytes(self) -> int | None:
        return None  # the database's files are the server's, shared with other databases

    def unchanged(self, position: int, companies: Collection[str]) -> int | None:
        return None  # no answer without a round trip: see confirm_unchanged

    async def confirm_unchanged(self, position: int, companies: Collection[str]) -> int | None:
        """One statement on a reader: the head, and whether an event after ``position`` touches ``companies``
        (the index of touches by company). Commits of every instance are seen once committed. A closed
        store answers None (the read that follows says why); a fault of the database is StoreUnavailable,
        as for any read."""
        pool = self._reads
        if pool is None or not companies:
            return None
        with _edge("read"):
            async with pool.acquire() as conn:
                head, touched = await conn.fetchrow(_UNCHANGED, list(companies), position)
        return None if touched or head is None or head < position else int(head)


class _Transaction:
    """Named statements on one asyncpg connection; many rows of an insert go by COPY."""

    __slots__ = ("committed", "conn")

    def __init__(self, conn: Any) -> None:
        self.conn = conn
        self.committed = False

    async def rows(self, statement: Q, *params: Any) -> list[Sequence[Any]]:
        return list(await self.conn.fetch(_sql(statement), *params))

    async def row(self, statement: Q, *params: Any) -> Sequence[Any] | None:
        found: Sequence[Any] | None = await self.conn.fetchrow(_sql(statement), *params)
        return found

    async def rows_all(self, batch: Sequence[tuple[Q, Sequence[Any] | None]]) -> list[list[Sequence[Any]]]:
        return [[] if params is None else await self.rows(statement, *params) for statement, params in batch]

    async def run(self, statement: Q, *params: Any) -> None:
        await self.conn.execute(_sql(statement), *params)

    async def run_many(self, statement: Q, records: Sequence[Sequence[Any]]) -> None:
        if not records:
            return
        copied = _COPIED.get(statement)
        if copied is not None and len(records) >= _COPY_FROM:
            table, columns = copied
            await self.conn.copy_records_to_table(table, records=records, columns=columns)
        else:
            await self.conn.executemany(_sql(statement), records)

    async def run_all(self, batch: Sequence[tuple[Q, Sequence[Sequence[Any]]]]) -> None:
        for statement, records in batch:  # one connection runs one query at a time
            await self.run_many(statement, records)


def _sql(statement: Q) -> str:
    text = DIALECT.sql[statement]
    if text is None:
        raise LookupError(f"PostgreSQL has no statement {statement}")
    return text


# -- the edge --------------------------------------------------------------------------


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def channel(schema: str) -> str:
    """The NOTIFY channel of a schema: at most 63 bytes, as PostgreSQL requires of channel names."""
    channel = f"tidings.{schema}"
    if len(channel.encode()) <= 63:
        return channel
    return "tidings." + hashlib.sha256(schema.encode()).hexdigest()[:40]


@contextmanager
def _edge(action: str) -> Iterator[None]:
    """Database and network faults become the store's own errors; the real error goes to the log only."""
    with edge(action, constraint=asyncpg.IntegrityConstraintViolationError, faults=_FAULTS, reason=_reason):
        yield


def _reason(error: BaseException) -> str:
    """A client-safe reason: the kind of fault, never a DSN, a host or SQL."""
    state = str(getattr(error, "sqlstate", "") or "")
    if isinstance(error, OSError | TimeoutError | asyncpg.InterfaceError) or state.startswith("08"):
        return "The database cannot be reached."
    if state in ("57P01", "57P02", "57P03", "3D000"):
        return "The database cannot be reached."
    if state.startswith("28") or state in ("42501", "3F000"):
        return "The database refused the server's credentials or privileges."
    if state == "25006":
        return "The database is read-only."
    if state == "53100":
        return "The disk is full."
    if state in ("53300", "53400"):
        return "The database has no free connections."
    if state in ("40001", "40P01", "55P03", "57014"):
        return "The database is busy."
    return "The database failed."
