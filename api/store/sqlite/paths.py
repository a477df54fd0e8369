"""How the SQLite store names its database file to the connections that must not create it."""

from __future__ import annotations

import os
from urllib.parse import quote

__all__ = ["file_uri"]


def file_uri(path: str, mode: str) -> str:
    """The URI that opens the database file ``path`` in ``mode`` (ro, rw); absolute, so that a
    path starting with ``//`` is not read as a URI authority."""
    return f"file://{quote(os.path.abspath(path))}?mode={mode}"
