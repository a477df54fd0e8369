"""Which PostgreSQL the tests use, decided once per run.

``TIDINGS_TEST_PG_DSN`` names the server; unset, the documented default
``postgresql://postgres@127.0.0.1:5432/test`` is tried, so that ``make test`` runs the
PostgreSQL tests wherever PostgreSQL is running; set empty, they are skipped. Either way the
run says which (``tests/conftest.py`` prints it, each skip says why).
"""

from __future__ import annotations

import asyncio
import functools
import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from api.store.postgres import PostgresStore

__all__ = ["DEFAULT_PG_DSN", "PG_DSN_VARIABLE", "pg_dsn", "postgres_store", "skip_reason"]

PG_DSN_VARIABLE = "TIDINGS_TEST_PG_DSN"
DEFAULT_PG_DSN = "postgresql://postgres@127.0.0.1:5432/test"


@functools.cache
def _resolve() -> tuple[str | None, str]:
    """(the DSN to test against, or None; a sentence saying which and why)."""
    sent = os.environ.get(PG_DSN_VARIABLE)
    if sent == "":
        return None, f"{PG_DSN_VARIABLE} is set empty, so the PostgreSQL tests are skipped"
    if sent:
        return sent, f"PostgreSQL tests run against {PG_DSN_VARIABLE}={_safe(sent)}"
    try:
        import asyncpg  # type: ignore[import-untyped]
    except ImportError:
        return None, "asyncpg is not installed (pip install -e '.[test]'), so the PostgreSQL tests are skipped"

    async def probe() -> None:
        conn = await asyncpg.connect(DEFAULT_PG_DSN, timeout=3)
        await conn.close()

    try:
        asyncio.run(probe())
    except Exception as error:  # refused, no such database, no such role: all mean "not here"
        reason = f"{type(error).__name__}: {str(error).splitlines()[0] if str(error) else 'no answer'}"
        return None, (
            f"no PostgreSQL at the default {DEFAULT_PG_DSN} ({reason}); the PostgreSQL tests are skipped. "
            f"Start PostgreSQL there, or set {PG_DSN_VARIABLE} to another server"
        )
    return DEFAULT_PG_DSN, f"PostgreSQL tests run against the default {DEFAULT_PG_DSN} ({PG_DSN_VARIABLE} unset)"


def _safe(dsn: str) -> str:
    """The DSN without a password."""
    scheme, sep, rest = dsn.partition("://")
    credentials, at, host = rest.rpartition("@")
    if not at or ":" not in credentials:
        return dsn
    return f"{scheme}{sep}{credentials.split(':', 1)[0]}:***@{host}"


def pg_dsn() -> str | None:
    return _resolve()[0]


def skip_reason() -> str:
    return _resolve()[1]


@asynccontextmanager
async def postgres_store(dsn: str) -> AsyncIterator[PostgresStore]:
    """An opened store on ``dsn`` in a schema of its own, dropped with its data afterwards."""
    from api.store.postgres import PostgresStore

    schema = f"tidings_test_{uuid.uuid4().hex}"
    store = PostgresStore(dsn, schema=schema)
    try:
        await store.open()
        try:
            yield store
        finally:
            await store.close()
    finally:
        await drop_schemas(dsn, [schema])


async def drop_schemas(dsn: str, schemas: list[str]) -> None:
    """Drop the schemas tests made on ``dsn``, with everything in them."""
    import asyncpg

    conn = await asyncpg.connect(dsn)
    try:
        for schema in schemas:
            await conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    finally:
        await conn.close()
