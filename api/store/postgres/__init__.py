"""The PostgreSQL backend: the store's program on the asyncpg driver and PostgreSQL's dialect.

Needs the ``postgres`` extra (asyncpg).
"""

from __future__ import annotations

from typing import Any

from api.projections.registry import Registry
from api.store.postgres.driver import PostgresDriver
from api.store.program import Store
from schema.declarations import Catalogue
from schema.events import CATALOGUE

__all__ = ["PostgresStore"]


class PostgresStore(Store):
    """The store in a PostgreSQL database (in ``schema`` when given, created if absent)."""

    def __init__(
        self, dsn: str, *, catalogue: Catalogue = CATALOGUE, registry: Registry | None = None, **options: Any
    ) -> None:
        """``options`` are the driver's (api.store.postgres.driver.PostgresDriver), but ``bulk_processes`` (Store's)."""
        bulk = options.pop("bulk_processes", 0)
        self.postgres = PostgresDriver(dsn, **options)
        super().__init__(self.postgres, catalogue=catalogue, registry=registry, bulk_processes=bulk)
        self.schema = self.postgres.schema
