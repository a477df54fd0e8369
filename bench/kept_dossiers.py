"""What keeping every dossier's answer in the store would cost and give: figures for a decision #20 leaves open.

Tidings builds a dossier when it is read (3-4 ms of CPU at any store size) and keeps the answer in memory
only (api/http/answers.py); #20 asks for 1,500 first reads a second. This measures, in process on a copy
of a store, the design that would meet it, without the store doing it:

1. **Build every dossier** as ``GET /companies/{id}`` does (read the rows, build, encode, pack with
   Zstandard): the seconds an import or a rebuild would add to make them all.
2. **Write them** into a table of their own (company, the position they hold at, the companies they
   name, ETag, packed body): seconds and bytes.
3. **Read one back** as a first read then would: the answer by the company's key, then whether any
   company it names changed after its position (``companies.last_position``, one indexed query),
   then the body inflated: microseconds a read, against the first read of today.

    .venv/bin/python -m bench.kept_dossiers --db STORE [--companies N]

The store is copied first; the copy is removed at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import shutil
import sqlite3
import tempfile
import time
from pathlib import Path

import zstandard
from litestar.serialization import encode_json

from api.http.answers import Answers
from api.http.routes.conditional import company_etag
from api.projections import dossier
from api.store.readpoint import ReadPoint
from api.store.sqlite import SQLiteStore

__all__ = ["main"]

_KEPT = """
CREATE TABLE kept (
    company_id TEXT PRIMARY KEY,
    position INTEGER NOT NULL,
    companies TEXT NOT NULL,
    etag TEXT NOT NULL,
    packed BLOB NOT NULL
) WITHOUT ROWID
"""


async def _build_all(db: Path, ids: list[str]) -> tuple[list[tuple[str, int, str, str, bytes]], float, float]:
    """Every dossier as the handler makes it; wall and CPU seconds."""
    store = SQLiteStore(str(db))
    await store.open()
    pack = Answers(lambda position, _: position).pack  # as the answer cache packs what it keeps
    made = []
    wall, cpu = time.perf_counter(), time.process_time()
    try:
        for company in ids:
            found = await store.read_model("dossier", company, ReadPoint())
            if found is None:  # named by events, never registered: no dossier
                continue
            data, registrations = found
            named = sorted({company, *dossier.referenced(data), *registrations})
            body = encode_json(dossier.build(data, registrations))
            etag = company_etag(data.version, data.at_time, registrations)
            made.append((company, data.at_position, ",".join(named), etag, pack(body)))
        return made, time.perf_counter() - wall, time.process_time() - cpu
    finally:
        await store.close()


def _write(db: Path, made: list[tuple[str, int, str, str, bytes]]) -> float:
    conn = sqlite3.connect(db, isolation_level=None)
    started = time.perf_counter()
    conn.execute("BEGIN IMMEDIATE")
    conn.execute(_KEPT)
    conn.executemany("INSERT INTO kept VALUES (?, ?, ?, ?, ?)", made)
    conn.execute("COMMIT")
    seconds = time.perf_counter() - started
    conn.close()
    return seconds


def _read_back(db: Path, ids: list[str]) -> float:
    """Microseconds a kept read: the answer, its check against the companies it names, the body inflated."""
    conn = sqlite3.connect(db)
    inflate = zstandard.ZstdDecompressor()
    started = time.perf_counter()
    for company in ids:
        position, companies, _etag, packed = conn.execute(
            "SELECT position, companies, etag, packed FROM kept WHERE company_id = ?", (company,)
        ).fetchone()
        named = companies.split(",")
        changed = conn.execute(
            f"SELECT 1 FROM companies WHERE company_id IN ({','.join('?' * len(named))}) AND last_position > ? LIMIT 1",
            (*named, position),
        ).fetchone()
        assert changed is None, company
        inflate.decompress(packed)
    return (time.perf_counter() - started) / len(ids) * 1e6


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.kept_dossiers")
    parser.add_argument("--db", type=Path, required=True, help="a store made by `tidings import` (it is copied)")
    parser.add_argument("--companies", type=int, default=0, help="how many to build (default: every one)")
    opts = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="tidings-kept-") as work:
        db = Path(work) / "store.db"
        shutil.copy(opts.db, db)
        with sqlite3.connect(db) as conn:
            ids = [row[0] for row in conn.execute("SELECT company_id FROM companies ORDER BY company_id")]
            events = conn.execute("SELECT count(*) FROM events").fetchone()[0]
        if opts.companies:
            ids = ids[: opts.companies]
        made, wall, cpu = asyncio.run(_build_all(db, ids))
        ids = [m[0] for m in made]
        written = _write(db, made)
        packed = sum(len(m[4]) for m in made)
        rng = random.Random(5)
        order = ids[:]
        rng.shuffle(order)
        _read_back(db, order[:200])  # warm the page cache as the built ones did
        kept_us = min(_read_back(db, order) for _ in range(3))
        print(f"store: {events:,} events, {len(ids):,} dossiers built")
        print(f"1. build every dossier: {wall:.1f} s ({cpu:.1f} s CPU), {wall / len(ids) * 1e6:,.0f} µs a dossier")
        print(
            f"2. write them: {written:.2f} s, {packed / 1e6:.1f} MB packed ({packed / len(ids):,.0f} bytes a dossier)"
        )
        print(f"3. read one back (answer, check, inflate): {kept_us:,.0f} µs, against {wall / len(ids) * 1e6:,.0f} µs")


if __name__ == "__main__":
    main()
