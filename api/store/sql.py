"""SQL of the SQLite backend that is built from options."""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

__all__ = ["COMPANY_PAGE_SQLITE", "file_uri", "log_page"]


def file_uri(path: str, mode: str) -> str:
    """The URI that opens the database file ``path`` in ``mode`` (ro, rw); absolute, so that a
    path starting with ``//`` is not read as a URI authority."""
    return f"file://{quote(os.path.abspath(path))}?mode={mode}"


COMPANY_PAGE_SQLITE = """
WITH latest AS (
    SELECT company_id, key, sort, item, max(position) AS position
    FROM read_rows WHERE view = 'registration' AND position <= :at
    GROUP BY company_id
)
SELECT company_id, item FROM latest
WHERE company_id > :cursor
  AND (:country IS NULL OR key = :country)
  AND (:q IS NULL OR instr(sort, :q) > 0)
ORDER BY company_id
LIMIT :limit
"""


def log_page(*, after: int, limit: int, types: Sequence[str], company: str | None) -> tuple[str, list[Any]]:
    """One page of the log: an index range scan from ``after``, so its cost is O(limit) at any depth."""
    params: list[Any] = []
    if company is not None:
        query = (
            "SELECT e.position, e.recorded_at, e.body FROM touches t JOIN events e ON e.position = t.position "
            "WHERE t.company_id = ? AND t.position > ?"
        )
        params += [company, after]
    else:
        query = "SELECT e.position, e.recorded_at, e.body FROM events e WHERE e.position > ?"
        params.append(after)
    if types:
        query += f" AND e.type IN ({', '.join('?' * len(types))})"
        params += list(types)
    query += f" ORDER BY {'t' if company is not None else 'e'}.position LIMIT ?"
    params.append(limit)
    return query, params
