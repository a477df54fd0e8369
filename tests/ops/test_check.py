"""`tidings check` passes on a sound store and names the fault of a tampered one."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def tidings(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "api.cli", *args], capture_output=True, text=True, cwd=ROOT)


def seeded(tmp_path: Path) -> Path:
    db = tmp_path / "check.db"
    assert tidings("seed", "--db", str(db)).returncode == 0
    return db


def test_check_passes_on_a_sound_store(tmp_path: Path) -> None:
    result = tidings("check", "--db", str(seeded(tmp_path)))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "sound" in result.stderr


def test_check_names_a_read_model_row_changed_behind_the_stores_back(tmp_path: Path) -> None:
    db = seeded(tmp_path)
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE read_rows SET item = '{}' WHERE view = 'sales'")
    result = tidings("check", "--db", str(db))
    assert result.returncode == 1
    assert "sales row of xiaomi at position 12 differs" in result.stdout


def test_check_names_a_company_version_that_does_not_count_its_events(tmp_path: Path) -> None:
    db = seeded(tmp_path)
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE companies SET version = 99 WHERE company_id = 'byd'")
    result = tidings("check", "--db", str(db))
    assert result.returncode == 1
    assert "company byd is at version 99" in result.stdout


def test_check_names_a_damaged_database_file(tmp_path: Path) -> None:
    db = seeded(tmp_path)
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
    data = bytearray(db.read_bytes())
    # Scribble over the middle of every page but the first (the header), as a bad disk would.
    for page in range(1, pages):
        offset = page_size * page + page_size // 2
        data[offset : offset + 64] = b"\xff" * 64
    db.write_bytes(bytes(data))
    result = tidings("check", "--db", str(db))
    assert result.returncode != 0
    assert "FAULT" in result.stdout or "malformed" in (result.stdout + result.stderr).lower()


def test_check_names_a_row_at_a_position_between_zero_and_one_once(tmp_path: Path) -> None:
    db = seeded(tmp_path)
    with sqlite3.connect(db) as conn:  # SQLite keeps a REAL in an INTEGER column when it must
        conn.execute(
            "INSERT INTO read_rows (view, company_id, position, key, sort, item) "
            "SELECT view, company_id, 0.5, key, sort, item FROM read_rows WHERE view = 'registration' LIMIT 1"
        )
    result = tidings("check", "--db", str(db))
    assert result.returncode == 1
    assert result.stdout.count("FAULT") == 1
    assert "at position 0.5 differs from a fresh fold" in result.stdout


def test_check_takes_retractions_from_event_bodies_as_a_rebuild_does(tmp_path: Path) -> None:
    db = seeded(tmp_path)
    with sqlite3.connect(db) as conn:  # evidence filed under the wrong type: the bodies still say evidence
        conn.execute("DROP TRIGGER events_are_not_updated")
        assert conn.execute("UPDATE events SET type = 'event_retracted' WHERE type = 'evidence_added'").rowcount > 0
    assert tidings("rebuild", "--db", str(db)).returncode == 0
    result = tidings("check", "--db", str(db))
    assert result.returncode == 0, result.stdout
    assert "sound" in result.stderr
