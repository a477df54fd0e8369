"""The PostgreSQL backend: asyncpg pools; several API instances may share one database.

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
* Reads use their own pool, so they never wait behind the writer, and each read is one
  REPEATABLE READ READ ONLY transaction: one snapshot.
* Every commit that stores events also runs ``pg_notify(<channel>, <last position>)``;
  PostgreSQL delivers it after the commit, in commit order. Each store keeps one more
  connection that LISTENs on the channel (named after the schema, so stores in other
  schemas do not hear it) and hands the positions to ``on_external_commit``: the live
  feed of every instance wakes for commits made by any of them. When that connection
  is lost it is opened again; ``listening`` says whether it is up (feeds poll while not).
* The schema is migrated at ``open()`` under a transaction-level advisory lock, so
  instances starting together do not race; triggers refuse UPDATE, DELETE and TRUNCATE
  on ``events``. Text columns are ``COLLATE "C"``: bytewise order, as in SQLite.

asyncpg and OS errors stop here and leave as StoreUnavailable with a client-safe reason;
the real error is logged.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, TypeVar
from uuid import UUID

import asyncpg  # type: ignore[import-untyped]
import msgspec

from api.errors import DomainError, StoreUnavailable
from api.projections import project
from api.projections.facts import CompanyRows, ReadRow
from api.projections.row import Row
from api.store.base import AppendResult, Expectation, ReadyState
from api.store.common import Faults, FreshFold, company_rows
from api.store.planner import Command, Known, Plan, Snapshot, needs, plan, versioned
from api.store.readpoint import ReadPoint
from api.store.writer import GroupWriter
from schema.codec import decode_event, event_tag
from schema.events import CompanyRegistered, Event, StoredEvent

__all__ = ["PostgresStore"]

T = TypeVar("T")
log = logging.getLogger("tidings.postgres")

SCHEMA_VERSION = 1
_COPY_FROM = 100  # rows from which COPY beats a pipelined executemany (~15% at 100 rows, measured)
_FOLD_BATCH = 5000
_MIGRATION_LOCK = 0x7469_6469  # advisory lock class of Tidings' migrations ("tidi")
_FAULTS = (asyncpg.PostgresError, asyncpg.InterfaceError, asyncpg.InternalClientError, OSError, TimeoutError)
_LISTEN_CHECK = 10.0  # seconds between liveness checks of the LISTEN connection
_LISTEN_RETRY = (0.1, 5.0)  # first and longest wait before the LISTEN connection is opened again
_registration = msgspec.json.Decoder(CompanyRegistered)

_MIGRATIONS = (
    # 1: the log, its per-company index, and the read models.
    """
    CREATE TABLE events (
        position BIGINT PRIMARY KEY,
        id UUID NOT NULL UNIQUE,
        type TEXT COLLATE "C" NOT NULL,
        recorded_at TIMESTAMPTZ NOT NULL,
        body BYTEA NOT NULL
    );
    CREATE INDEX events_by_type ON events (type, position);
    CREATE INDEX events_by_time ON events (recorded_at, position);
    CREATE FUNCTION tidings_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'the event log is append-only';
    END;
    $$;
    CREATE TRIGGER events_are_not_changed BEFORE UPDATE OR DELETE ON events
        FOR EACH ROW EXECUTE FUNCTION tidings_append_only();
    CREATE TRIGGER events_are_not_truncated BEFORE TRUNCATE ON events
        FOR EACH STATEMENT EXECUTE FUNCTION tidings_append_only();
    CREATE TABLE log_head (
        id SMALLINT PRIMARY KEY CHECK (id = 1),
        position BIGINT NOT NULL,
        recorded_at TIMESTAMPTZ
    );
    INSERT INTO log_head (id, position, recorded_at) VALUES (1, 0, NULL);
    CREATE TABLE touches (
        position BIGINT NOT NULL,
        ord INTEGER NOT NULL,
        company_id TEXT COLLATE "C" NOT NULL,
        PRIMARY KEY (position, ord),
        UNIQUE (company_id, position)
    );
    CREATE TABLE companies (
        company_id TEXT COLLATE "C" PRIMARY KEY,
        version BIGINT NOT NULL,
        last_position BIGINT NOT NULL
    );
    CREATE TABLE retractions (
        target BIGINT PRIMARY KEY,
        position BIGINT NOT NULL UNIQUE
    );
    CREATE TABLE read_rows (
        view TEXT COLLATE "C" NOT NULL,
        company_id TEXT COLLATE "C" NOT NULL,
        position BIGINT NOT NULL,
        key TEXT COLLATE "C" NOT NULL,
        sort TEXT COLLATE "C" NOT NULL,
        item BYTEA NOT NULL,
        retracted_at BIGINT,
        PRIMARY KEY (company_id, view, position, key)
    );
    CREATE INDEX read_rows_by_position ON read_rows (position);
    CREATE INDEX read_rows_by_view ON read_rows (view, company_id, position);
    CREATE TABLE checkpoints (name TEXT COLLATE "C" PRIMARY KEY, position BIGINT NOT NULL);
    """,
)

# Taking the log lock and reading the head is one statement; see the module docstring.
_TAKE_HEAD = "SELECT position, recorded_at, clock_timestamp() AS now FROM log_head WHERE id = 1 FOR UPDATE"
_KNOWN = (
    "SELECT e.position, e.recorded_at, e.body, r.position FROM events e "
    "LEFT JOIN retractions r ON r.target = e.position WHERE e.id = ANY($1::uuid[])"
)
_EVENT_COLUMNS = ("position", "id", "type", "recorded_at", "body")
_TOUCH_COLUMNS = ("position", "ord", "company_id")
_ROW_COLUMNS = ("view", "company_id", "position", "key", "sort", "item")
_RETRACT_ROWS = "UPDATE read_rows SET retracted_at = $1 WHERE position = $2 AND retracted_at IS NULL"
_CHECKPOINT = (
    "INSERT INTO checkpoints (name, position) VALUES ('read_rows', $1) "
    "ON CONFLICT (name) DO UPDATE SET position = excluded.position"
)
# Moving the head and announcing it is one round trip; the notification leaves at COMMIT.
_MOVE_HEAD = (
    "WITH head AS (UPDATE log_head SET position = $1, recorded_at = $2 WHERE id = 1 RETURNING position) "
    "SELECT pg_notify($3, position::text) FROM head"
)
_LAST_POSITION = "SELECT coalesce((SELECT position FROM events ORDER BY position DESC LIMIT 1), 0)"
_READ_ROW_COLUMNS = "SELECT company_id, view, position, key, sort, item, retracted_at FROM read_rows"
_READ_ROWS_BETWEEN = f"{_READ_ROW_COLUMNS} WHERE position > $1 AND position <= $2"
_READ_ROWS_OUTSIDE = f"{_READ_ROW_COLUMNS} WHERE position > $1 OR position <= 0"
_COMPANY_ROWS = (
    "SELECT view, position, key, sort, item FROM read_rows WHERE company_id = $1 AND position <= $2 "
    "AND (retracted_at IS NULL OR retracted_at > $2)"
)
# SQLite's bare column next to max(position) is DISTINCT ON here: the latest registration at or before $1.
_COMPANY_PAGE = """
WITH latest AS (
    SELECT DISTINCT ON (company_id) company_id, key, sort, item
    FROM read_rows WHERE view = 'registration' AND position <= $1
    ORDER BY company_id, position DESC
)
SELECT company_id, item FROM latest
WHERE company_id > $2
  AND ($3::text IS NULL OR key = $3)
  AND ($4::text IS NULL OR strpos(sort, $4) > 0)
ORDER BY company_id
LIMIT $5
"""
_REGISTRATIONS = (
    "SELECT DISTINCT ON (company_id) company_id, item FROM read_rows WHERE view = 'registration' "
    "AND company_id = ANY($1::text[]) AND position <= $2 ORDER BY company_id, position DESC"
)


class PostgresStore:
    backend = "postgresql"

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
        self.writer = GroupWriter(self._commit)
        self.channel = ""
        """The NOTIFY channel of this store's schema (known once open)."""
        self.on_external_commit: list[Callable[[int], None]] = []
        """Called with the last position whenever any process commits to this store's log (this one too)."""
        self.listening = False
        """Whether the LISTEN connection is up, so that ``on_external_commit`` hears every commit."""
        self._listener: asyncio.Task[None] | None = None
        self._listening = asyncio.Event()

    # -- lifecycle ---------------------------------------------------------------------

    async def open(self) -> None:
        try:
            with _edge("open"):
                self._writes = await self._pool(2)
                self._reads = await self._pool(self._readers)
                async with self._writes.acquire() as conn:
                    await self._migrate(conn)
                    self._durability = f"synchronous_commit={await conn.fetchval('SHOW synchronous_commit')}"
                    self.channel = _channel(self.schema or await conn.fetchval("SELECT current_schema()"))
        except BaseException:
            await self._close_pools()
            raise
        self.writer.start()
        self._listening = asyncio.Event()
        self._listener = asyncio.create_task(self._listen(), name="tidings-listen")
        # Usually up at once; if not, the feed polls until it is.
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(self._connect_timeout):
                await self._listening.wait()

    async def close(self) -> None:
        await self._stop_listening()
        await self.writer.close()
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
                self.listening = False
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
        head = int(await conn.fetchval(_LAST_POSITION))
        self.listening = True
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
            for script in _MIGRATIONS[current:]:
                await conn.execute(script)
            if current < SCHEMA_VERSION:
                await conn.execute("DELETE FROM schema_version")
                await conn.execute("INSERT INTO schema_version (version) VALUES ($1)", SCHEMA_VERSION)
                log.info("migrated the database schema from version %d to %d", current, SCHEMA_VERSION)

    def durability(self) -> str:
        return self._durability

    # -- writes ------------------------------------------------------------------------

    async def append(self, events: Sequence[Event], *, expected: Expectation | None = None) -> AppendResult:
        return await self.writer.submit(Command(list(events), expected, batch=False))

    async def append_batch(self, events: Sequence[Event]) -> AppendResult:
        return await self.writer.submit(Command(list(events), None, batch=True))

    async def _commit(self, commands: Sequence[Command]) -> list[AppendResult | DomainError]:
        pool = self._writes
        if pool is None:
            raise StoreUnavailable("The store is closed.")
        # A broken constraint is a command the planner should have refused, not a database
        # fault: it leaves as it is, so the writer retries the group's commands one by one.
        with _edge("commit", passing=asyncpg.IntegrityConstraintViolationError):
            async with pool.acquire() as conn, conn.transaction(isolation="read_committed"):
                head = await _take_head(conn)
                decided = plan(commands, await _snapshot(conn, commands, head), head["now"])
                await _write(conn, decided, self.channel)
        return decided.outcomes

    async def rebuild(self, progress: Callable[[int, int], None] | None = None) -> int:
        """Drop every read model and fold the whole log again, in one transaction. Returns the events folded.

        The transaction holds the log lock, so appends of every instance wait; readers keep
        seeing the old rows until it commits.
        """
        pool = self._writes
        if pool is None:
            raise StoreUnavailable("The store is closed.")
        done = 0
        with _edge("rebuild"):
            async with pool.acquire() as conn, conn.transaction(isolation="read_committed"):
                await _take_head(conn)
                await conn.execute("DELETE FROM read_rows")
                async for rows, retractions, done, total in _fold_log(conn):
                    # Rows of a batch are written before its retractions mark them.
                    await _insert(conn, "read_rows", _ROW_COLUMNS, rows)
                    if retractions:
                        await conn.executemany(_RETRACT_ROWS, [(by, target) for target, by in retractions])
                    if progress is not None:
                        progress(done, total)
                await conn.execute(_CHECKPOINT, done)
        return done

    async def check(self, progress: Callable[[int, int], None] | None = None) -> list[str]:
        """What is wrong with the store: the head counter, gaps, versions, read models unlike a fresh fold.

        One read-only snapshot; appends go on meanwhile.
        """

        async def work(conn: Any) -> list[str]:
            faults = Faults()
            count, last, head = await conn.fetchrow(
                "SELECT count(*), coalesce(max(position), 0), (SELECT position FROM log_head WHERE id = 1) FROM events"
            )
            if head != last:
                faults.add([f"integrity: the log head is at {head} but the last position is {last}"])
            if count != last:
                faults.add([f"positions: {count} events but the last position is {last}; the log has gaps"])
            for company, version, counted in await conn.fetch(
                "SELECT c.company_id, c.version, t.n FROM companies c LEFT JOIN LATERAL "
                "(SELECT count(*) AS n FROM touches t WHERE t.company_id = c.company_id) t ON true "
                "WHERE c.version != t.n ORDER BY c.company_id"
            ):
                faults.add([f"versions: company {company} is at version {version} but {counted} events touch it"])
            fold = FreshFold(await _retractions(conn, last))
            previous = 0
            async for rows, _, done, total in _fold_log(conn):
                faults.add(fold.compare(rows, await conn.fetch(_READ_ROWS_BETWEEN, previous, done)))
                previous = done
                if progress is not None:
                    progress(done, total)
            # Rows at positions the log does not have.
            faults.add(fold.compare([], await conn.fetch(_READ_ROWS_OUTSIDE, previous)))
            return faults.report()

        return await self._read(work)

    # -- the log -----------------------------------------------------------------------

    async def read(
        self, *, after: int = 0, limit: int = 100, types: Sequence[str] = (), company: str | None = None
    ) -> list[StoredEvent]:
        query, params = _log_page(after=after, limit=limit, types=types, company=company)
        rows = await self._read(lambda conn: conn.fetch(query, *params))
        return [_stored(*row) for row in rows]

    async def get(self, event_id: UUID) -> StoredEvent | None:
        row = await self._read(
            lambda conn: conn.fetchrow("SELECT position, recorded_at, body FROM events WHERE id = $1", event_id)
        )
        return None if row is None else _stored(*row)

    async def company_version(self, company_id: str) -> int | None:
        version = await self._read(
            lambda conn: conn.fetchval("SELECT version FROM companies WHERE company_id = $1", company_id)
        )
        return None if version is None else int(version)

    async def last_position(self) -> int:
        return int(await self._read(lambda conn: conn.fetchval(_LAST_POSITION)))

    async def ready(self) -> ReadyState:
        row = await self._read(
            lambda conn: conn.fetchrow(f"SELECT ({_LAST_POSITION}), current_setting('synchronous_commit')"),
            timeout=self._connect_timeout,
        )
        self._durability = f"synchronous_commit={row[1]}"
        return ReadyState(self.backend, self._durability, int(row[0]), self.writer.depth)

    async def _read(self, work: Callable[[Any], Awaitable[T]], *, timeout: float | None = None) -> T:
        """Run ``work`` on a reader connection inside one read-only snapshot; ``timeout`` bounds all of it."""
        pool = self._reads
        if pool is None:
            raise StoreUnavailable("The store is not open.")
        with _edge("read"):
            async with (
                asyncio.timeout(timeout),
                pool.acquire() as conn,
                conn.transaction(isolation="repeatable_read", readonly=True),
            ):
                return await work(conn)

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

        async def work(conn: Any) -> tuple[CompanyRows, dict[str, CompanyRegistered]] | None:
            at, at_time = await _resolve(conn, point)
            version, last = await conn.fetchrow(
                "SELECT count(*), coalesce(max(position), 0) FROM touches WHERE company_id = $1 AND position <= $2",
                company_id,
                at,
            )
            if version == 0:
                return None
            # (view, key) breaks ties within a position as SQLite's primary-key scan does.
            if views:
                query = f"{_COMPANY_ROWS} AND view = ANY($3::text[]) ORDER BY position, view, key"
                found = await conn.fetch(query, company_id, at, [*views, "evidence"])
            else:
                found = await conn.fetch(f"{_COMPANY_ROWS} ORDER BY position, view, key", company_id, at)
            rows = [ReadRow(*row) for row in found]
            data = company_rows(company_id, int(version), int(last), at, at_time, rows)
            if counts:
                data.counts = {
                    key: int(n)
                    for key, n in await conn.fetch(
                        "SELECT key, count(*) FROM read_rows WHERE company_id = $1 AND view = 'timeline' "
                        "AND position <= $2 AND (retracted_at IS NULL OR retracted_at > $2) GROUP BY key ORDER BY key",
                        company_id,
                        at,
                    )
                }
            ids = {company_id} | (referenced(data) if referenced else set())
            registrations = await _registrations(conn, ids, at)
            if company_id not in registrations:
                return None
            if registrations[company_id].parent_id:
                registrations.update(await _registrations(conn, {registrations[company_id].parent_id or ""}, at))
            return data, registrations

        return await self._read(work)

    async def companies(
        self, point: ReadPoint, *, q: str | None, country: str | None, cursor: str | None, limit: int
    ) -> tuple[list[tuple[CompanyRegistered, int, int]], bool]:
        """Latest registrations at ``point`` in id order after ``cursor``, with (version, last position)."""

        async def work(conn: Any) -> tuple[list[tuple[CompanyRegistered, int, int]], bool]:
            at, _ = await _resolve(conn, point)
            if q is not None and "\x00" in q:
                return [], False  # PostgreSQL text cannot hold NUL, and no name or alias contains one
            rows = await conn.fetch(_COMPANY_PAGE, at, cursor or "", country, q.lower() if q else None, limit + 1)
            more = len(rows) > limit
            rows = rows[:limit]
            counts: dict[str, tuple[int, int]] = {}
            if rows:
                counts = {
                    c: (int(v), int(p))
                    for c, v, p in await conn.fetch(
                        "SELECT company_id, count(*), max(position) FROM touches "
                        "WHERE company_id = ANY($1::text[]) AND position <= $2 GROUP BY company_id",
                        [row[0] for row in rows],
                        at,
                    )
                }
            return [(_registration.decode(item), *counts.get(c, (0, 0))) for c, item in rows], more

        return await self._read(work)


# -- the write transaction -------------------------------------------------------------


async def _take_head(conn: Any) -> Any:
    head = await conn.fetchrow(_TAKE_HEAD)
    if head is None:
        log.error("log_head has no row; the schema was changed by hand")
        raise StoreUnavailable("The database schema is damaged.")
    return head


async def _snapshot(conn: Any, commands: Sequence[Command], head: Any) -> Snapshot:
    need = needs(commands)
    known: dict[UUID, Known] = {}
    if need.event_ids:
        rows = await conn.fetch(_KNOWN, list(need.event_ids))
        touched = await _touched(conn, [row[0] for row in rows])
        for position, recorded_at, body, retracted_by in rows:
            stored = _stored(position, recorded_at, body)
            assert stored.event.id is not None
            known[stored.event.id] = Known(stored, tuple(touched.get(position, ())), retracted_by)
    versions: dict[str, int] = {}
    if ids := versioned(need, known):
        for company, version in await conn.fetch(
            "SELECT company_id, version FROM companies WHERE company_id = ANY($1::text[])", sorted(ids)
        ):
            versions[company] = int(version)
    return Snapshot(
        last_position=int(head["position"]),
        last_recorded_at=head["recorded_at"],
        known=known,
        versions=versions,
    )


async def _touched(conn: Any, positions: list[int]) -> dict[int, list[str]]:
    """The companies each position touches, in the order the event named them."""
    result: dict[int, list[str]] = {}
    if positions:
        for position, company in await conn.fetch(
            "SELECT position, company_id FROM touches WHERE position = ANY($1::bigint[]) ORDER BY position, ord",
            positions,
        ):
            result.setdefault(position, []).append(company)
    return result


async def _write(conn: Any, decided: Plan, channel: str) -> None:
    if not decided.stored:
        return
    await _insert(
        conn,
        "events",
        _EVENT_COLUMNS,
        [
            (s.position, s.event.id, event_tag(s.event), s.recorded_at, body)
            for s, body in zip(decided.stored, decided.bodies, strict=True)
        ],
    )
    await _insert(conn, "touches", _TOUCH_COLUMNS, _ordinals(decided.touches))
    if decided.versions:
        await conn.executemany(
            "INSERT INTO companies (company_id, version, last_position) VALUES ($1, $2, $3) "
            "ON CONFLICT (company_id) DO UPDATE SET version = excluded.version, last_position = excluded.last_position",
            [(c, v, p) for c, (v, p) in decided.versions.items()],
        )
    await _insert(conn, "read_rows", _ROW_COLUMNS, decided.rows)
    await _insert(conn, "retractions", ("target", "position"), decided.retractions)
    if decided.retractions:
        await conn.executemany(_RETRACT_ROWS, [(by, target) for target, by in decided.retractions])
    last = decided.stored[-1]
    await conn.execute(_CHECKPOINT, last.position)
    await conn.execute(_MOVE_HEAD, last.position, last.recorded_at, channel)


async def _insert(conn: Any, table: str, columns: tuple[str, ...], records: Sequence[tuple[Any, ...]]) -> None:
    if not records:
        return
    if len(records) >= _COPY_FROM:
        await conn.copy_records_to_table(table, records=records, columns=columns)
        return
    marks = ", ".join(f"${i}" for i in range(1, len(columns) + 1))
    await conn.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", records)


def _ordinals(touches: Iterable[tuple[str, int]]) -> list[tuple[int, int, str]]:
    """(position, ordinal, company): the ordinal keeps the order an event named its companies."""
    result: list[tuple[int, int, str]] = []
    previous, ordinal = 0, 0
    for company, position in touches:
        ordinal = ordinal + 1 if position == previous else 0
        previous = position
        result.append((position, ordinal, company))
    return result


async def _fold_log(conn: Any) -> AsyncIterator[tuple[list[Row], list[tuple[int, int]], int, int]]:
    """The whole log folded again, in batches: (rows, retractions, last position, total)."""
    total = int(await conn.fetchval(_LAST_POSITION))
    done = 0
    while done < total:
        batch = [
            _stored(*row)
            for row in await conn.fetch(
                "SELECT position, recorded_at, body FROM events WHERE position > $1 ORDER BY position LIMIT $2",
                done,
                _FOLD_BATCH,
            )
        ]
        if not batch:
            break
        touched = await _touched(conn, [stored.position for stored in batch])
        targets = await _target_positions(conn, [stored.event for stored in batch])
        rows: list[Row] = []
        retractions: list[tuple[int, int]] = []
        for stored in batch:
            target_id = _target_id(stored.event)
            target = None if target_id is None else targets.get(target_id)
            if stored.event.retracts and target is not None:
                retractions.append((target, stored.position))
            rows.extend(project(stored, tuple(touched.get(stored.position, ())), target))
        done = batch[-1].position
        yield rows, retractions, done, total


async def _retractions(conn: Any, total: int) -> dict[int, int]:
    """Every retraction of the log up to ``total`` as a fold finds it: retracted position -> the retraction's."""
    rows = await conn.fetch(
        "SELECT position, body FROM events WHERE type = 'event_retracted' AND position <= $1 ORDER BY position", total
    )
    events = [(int(position), decode_event(body)) for position, body in rows]
    targets = await _target_positions(conn, [event for _, event in events])
    found: dict[int, int] = {}
    for position, event in events:
        target_id = _target_id(event)
        target = None if target_id is None else targets.get(target_id)
        if event.retracts and target is not None:  # as _fold_log decides
            found.setdefault(target, position)
    return found


def _target_id(event: Event) -> UUID | None:
    return event.target_id()


async def _target_positions(conn: Any, events: Iterable[Event]) -> dict[UUID, int]:
    ids = [i for i in map(_target_id, events) if i is not None]
    if not ids:
        return {}
    return {i: int(p) for i, p in await conn.fetch("SELECT id, position FROM events WHERE id = ANY($1::uuid[])", ids)}


# -- reads -----------------------------------------------------------------------------


async def _resolve(conn: Any, point: ReadPoint) -> tuple[int, datetime]:
    """The log position a read is as of, and the clock it is evaluated at."""
    if point.as_of is not None:
        at = await conn.fetchval(
            "SELECT coalesce(max(position), 0) FROM events WHERE recorded_at <= $1", _instant(point.as_of)
        )
        return int(at), point.as_of
    last = int(await conn.fetchval(_LAST_POSITION))
    if point.at_position is not None and point.at_position < last:
        recorded_at = await conn.fetchval("SELECT recorded_at FROM events WHERE position = $1", point.at_position)
        return point.at_position, recorded_at if recorded_at is not None else datetime.now(UTC)
    return last, datetime.now(UTC)


def _instant(moment: datetime) -> datetime:
    """``moment`` in UTC; one that UTC cannot hold lies before or after every event."""
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        return (datetime.min if moment.year == 1 else datetime.max).replace(tzinfo=UTC)


async def _registrations(conn: Any, ids: Iterable[str], at: int) -> dict[str, CompanyRegistered]:
    rows = await conn.fetch(_REGISTRATIONS, sorted(ids), at)
    return {company: _registration.decode(item) for company, item in rows}


def _log_page(*, after: int, limit: int, types: Sequence[str], company: str | None) -> tuple[str, list[Any]]:
    """One page of the log: an index range scan from ``after``, so its cost is O(limit) at any depth."""
    params: list[Any] = []
    if company is not None:
        query = (
            "SELECT e.position, e.recorded_at, e.body FROM touches t JOIN events e ON e.position = t.position "
            "WHERE t.company_id = $1 AND t.position > $2"
        )
        params += [company, after]
    else:
        query = "SELECT e.position, e.recorded_at, e.body FROM events e WHERE e.position > $1"
        params.append(after)
    if types:
        params.append(list(types))
        query += f" AND e.type = ANY(${len(params)}::text[])"
    params.append(limit)
    query += f" ORDER BY {'t' if company is not None else 'e'}.position LIMIT ${len(params)}"
    return query, params


def _stored(position: int, recorded_at: datetime, body: bytes) -> StoredEvent:
    return StoredEvent(position=position, recorded_at=recorded_at, event=decode_event(body))


# -- the edge --------------------------------------------------------------------------


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _channel(schema: str) -> str:
    """The NOTIFY channel of a schema: at most 63 bytes, as PostgreSQL requires of channel names."""
    channel = f"tidings.{schema}"
    if len(channel.encode()) <= 63:
        return channel
    return "tidings." + hashlib.sha256(schema.encode()).hexdigest()[:40]


@contextmanager
def _edge(action: str, *, passing: type[BaseException] | None = None) -> Iterator[None]:
    """Database and network faults become StoreUnavailable; the real error goes to the log only."""
    try:
        yield
    except _FAULTS as error:
        if passing is not None and isinstance(error, passing):
            raise
        log.error("%s failed: %s: %s", action, type(error).__name__, error)
        raise StoreUnavailable(_reason(error)) from None


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
