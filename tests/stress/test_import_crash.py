"""SIGKILL during ``tidings import`` leaves whole batches only, and the same import run again completes it.

An import writes each batch of IMPORT_BATCH events in one transaction through the bulk path
(api.store.bulk_fold: read-model rows folded span by span while SQLite writes, the search text
indexed with one statement after the rows). Killed at a random moment after its first commit, the
file must hold a whole number of batches, pass ``PRAGMA integrity_check`` as the crash left it, and
hold the text of every search row once; the import run again stores exactly the rest, and
``tidings check`` finds the read models equal to a fresh fold.
"""

from __future__ import annotations

import random
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from api.seeds import IMPORT_BATCH
from bench.run import write_store_ndjson
from tests import fts
from tests.stress.support import cli, figures, integrity

pytestmark = pytest.mark.stress

ROOT = Path(__file__).resolve().parents[2]
EVENTS = 4 * IMPORT_BATCH


def _stored(db: Path) -> int:
    """The last position stored, as another process reads it; 0 before the file and its schema exist."""
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    except sqlite3.OperationalError:
        return 0
    try:
        row = conn.execute("SELECT max(position) FROM events").fetchone()
        return int(row[0] or 0)
    except sqlite3.OperationalError:
        return 0
    finally:
        conn.close()


def test_sigkill_during_an_import_leaves_whole_batches_and_the_import_again_completes_it(tmp_path: Path) -> None:
    source, db = tmp_path / "events.ndjson", tmp_path / "tidings.db"
    write_store_ndjson(source, EVENTS, 200)
    command = [sys.executable, "-m", "api.cli", "import", str(source), "--db", str(db)]
    importing = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while importing.poll() is None and _stored(db) == 0 and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(random.uniform(0, 1.5))  # somewhere inside a later batch, or between two
    finally:
        importing.kill()
        importing.wait()
    assert integrity(db, read_only=True) == "ok"
    stored = _stored(db)

    again = cli("import", str(source), "--db", str(db))

    figures("import killed", stored=stored, of=EVENTS)
    assert stored > 0 and stored % IMPORT_BATCH == 0
    assert again.returncode == 0, again.stderr
    assert f"imported {EVENTS - stored} new events ({stored} already present)" in again.stderr
    assert _stored(db) == EVENTS
    # Every search row's text is indexed once, that of the batch cut short not at all.
    assert fts.search_rows(db) > 0 and fts.documents(db) == fts.search_rows(db)
    checked = cli("check", "--db", str(db), timeout=300)
    assert checked.returncode == 0, checked.stdout + checked.stderr
