"""Every table of a store, row by row: two stores that should hold the same rows are compared with it.

Rows are normalised where stores may differ legitimately: the times the log recorded are replaced
(one per transaction: a batch shares one, each single append has its own), and the columns computed
from them (the event hashes, the Merkle tree's nodes) are left out; ``check()`` recomputes those on
each store. SQLite's full-text tables keep their pages laid out by how many transactions wrote them:
their ``_data``/``_idx``/``_config`` tables are left out, their per-document token counts (``_docsize``)
compared.
"""

from __future__ import annotations

import re
import sqlite3
from datetime import datetime
from typing import Any

from api.store.base import EventStore
from api.store.sqlite import SQLiteStore
from tests.postgres import pg_dsn

__all__ = ["tables"]

_TIME = re.compile(r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d(:?\d\d)?)?")
_BY_TIME = {"event_hashes": "hash", "merkle_nodes": "hash"}
"""Columns computed from the recorded times."""


def _normal(value: Any) -> Any:
    if isinstance(value, datetime):
        return "<time>"
    if isinstance(value, memoryview):
        value = bytes(value)
    if isinstance(value, bytes):
        return _TIME.sub("<time>", value.decode("utf-8", "replace"))
    if isinstance(value, str):
        if value.startswith("\\x"):  # PostgreSQL's text form of bytea
            value = bytes.fromhex(value[2:]).decode("utf-8", "replace")
        return _TIME.sub("<time>", value)
    return value


async def tables(store: EventStore) -> dict[str, list[tuple[Any, ...]]]:
    """Every table of the store, its rows normalised (times replaced) and sorted."""
    found: dict[str, tuple[list[str], list[tuple[Any, ...]]]] = {}
    if isinstance(store, SQLiteStore):
        with sqlite3.connect(store.path) as conn:
            names = [
                str(name)
                for name, sql in conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table'")
                if not str(sql).upper().startswith("CREATE VIRTUAL")
                and not str(name).endswith(("_data", "_idx", "_config"))
                and not str(name).startswith("sqlite_")
            ]
            for name in names:
                cursor = conn.execute(f'SELECT * FROM "{name}"')
                found[name] = ([d[0] for d in cursor.description], cursor.fetchall())
    else:
        import asyncpg

        conn = await asyncpg.connect(pg_dsn())
        try:
            schema = store.schema  # type: ignore[attr-defined]
            names = [
                row[0]
                for row in await conn.fetch(
                    "SELECT table_name FROM information_schema.tables WHERE table_schema = $1 AND table_type = 'BASE TABLE'",
                    schema,
                )
            ]
            for name in names:
                columns = [
                    row[0]
                    for row in await conn.fetch(
                        "SELECT column_name FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2 "
                        "ORDER BY ordinal_position",
                        schema,
                        name,
                    )
                ]
                # Text forms: every column type compares, tsvector included.
                listed = ", ".join(f'"{c}"::text' for c in columns)
                rows = await conn.fetch(f'SELECT {listed} FROM "{schema}"."{name}"')
                found[name] = (columns, [tuple(row) for row in rows])
        finally:
            await conn.close()
    tables: dict[str, list[tuple[Any, ...]]] = {}
    for name, (columns, rows) in found.items():
        skipped = _BY_TIME.get(name)
        tables[name] = sorted(
            (tuple(_normal(v) for c, v in zip(columns, row, strict=True) if c != skipped) for row in rows), key=repr
        )
    return tables
