"""The embedded SQLite backend: the store's program on the aiosqlite driver and SQLite's dialect."""

from __future__ import annotations

from pathlib import Path

from api.projections.registry import Registry
from api.store.program import Store
from api.store.sqlite.driver import SQLiteDriver
from schema.declarations import Catalogue
from schema.events import CATALOGUE

__all__ = ["SQLiteStore"]


class SQLiteStore(Store):
    """The store on a SQLite file (created when missing)."""

    def __init__(
        self,
        path: str | Path,
        *,
        synchronous: str = "FULL",
        busy_timeout_ms: int = 5000,
        readers: int = 4,
        checkpoint_interval: float = 1.0,
        fold_processes: int = 4,
        catalogue: Catalogue = CATALOGUE,
        registry: Registry | None = None,
    ) -> None:
        self.sqlite = SQLiteDriver(
            path,
            synchronous=synchronous,
            busy_timeout_ms=busy_timeout_ms,
            readers=readers,
            checkpoint_interval=checkpoint_interval,
            fold_processes=fold_processes,
        )
        super().__init__(self.sqlite, catalogue=catalogue, registry=registry)
        self.path = self.sqlite.path
