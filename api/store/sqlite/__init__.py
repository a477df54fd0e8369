"""The embedded SQLite backend: the store's program on the aiosqlite driver and SQLite's dialect."""

from __future__ import annotations

from pathlib import Path

from api.store.program import Store
from api.store.sqlite.driver import SQLiteDriver

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
    ) -> None:
        self.sqlite = SQLiteDriver(
            path,
            synchronous=synchronous,
            busy_timeout_ms=busy_timeout_ms,
            readers=readers,
            checkpoint_interval=checkpoint_interval,
            fold_processes=fold_processes,
        )
        super().__init__(self.sqlite)
        self.path = self.sqlite.path
