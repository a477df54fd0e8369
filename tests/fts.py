"""How many documents SQLite's full-text table of search text holds, as FTS5 itself counts them.

FTS5 takes a rowid it already holds without a word and counts the document twice, while its
``_docsize`` table still has one row for it: only its own count, the first varint of its averages
record (``search_text_data``, id 1), shows text indexed twice.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

__all__ = ["documents", "search_rows"]


def documents(path: Path | str) -> int:
    with sqlite3.connect(path) as conn:
        found = conn.execute("SELECT block FROM search_text_data WHERE id = 1").fetchone()
    # FTS5 writes the record empty in a new table and after 'delete-all': no documents.
    return 0 if found is None or not found[0] else _varint(bytes(found[0]))


def search_rows(path: Path | str) -> int:
    with sqlite3.connect(path) as conn:
        return int(conn.execute("SELECT count(*) FROM read_rows WHERE view = 'search'").fetchone()[0])


def _varint(data: bytes) -> int:
    """SQLite's variable-length integer: seven bits a byte, high bit set on all but the last; a ninth byte
    gives eight."""
    value = 0
    for index, byte in enumerate(data[:9]):
        if index == 8:
            return (value << 8) | byte
        value = (value << 7) | (byte & 0x7F)
        if byte < 0x80:
            return value
    raise ValueError("the averages record ends inside its first integer")
