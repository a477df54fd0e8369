"""Picks the backend from the database URL: a postgresql:// DSN or a SQLite file path."""

from __future__ import annotations

from api.settings import Settings
from api.store.base import EventStore

__all__ = ["make_store"]


def make_store(settings: Settings, *, bulk_processes: int = 0) -> EventStore:
    """``bulk_processes``: most worker processes a large group's read-model rows fold on (api.store.bulk_fold)."""
    if settings.backend == "postgresql":
        from api.store.postgres import PostgresStore

        store: EventStore = PostgresStore(settings.db, schema=settings.pg_schema or None, bulk_processes=bulk_processes)
        return store
    from api.store.sqlite import SQLiteStore

    return SQLiteStore(
        settings.db,
        synchronous=settings.synchronous,
        busy_timeout_ms=settings.busy_timeout_ms,
        fold_processes=settings.fold_processes,
        bulk_processes=bulk_processes,
    )
