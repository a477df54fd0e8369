"""The embedded SQLite backend: the store's program on the aiosqlite driver and SQLite's dialect."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from api.projections.registry import Registry
from api.store.program import Store
from api.store.sqlite.driver import SQLiteDriver
from schema.declarations import Catalogue
from schema.events import CATALOGUE

__all__ = ["SQLiteStore"]


class SQLiteStore(Store):
    """The store on a SQLite file (created when missing)."""

    def __init__(
        self, path: str | Path, *, catalogue: Catalogue = CATALOGUE, registry: Registry | None = None, **options: Any
    ) -> None:
        """``options`` are the driver's (api.store.sqlite.driver.SQLiteDriver), but ``bulk_processes`` (Store's)."""
        bulk = options.pop("bulk_processes", 0)
        self.sqlite = SQLiteDriver(path, **options)
        super().__init__(self.sqlite, catalogue=catalogue, registry=registry, bulk_processes=bulk)
        self.path = self.sqlite.path
