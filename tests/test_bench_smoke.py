"""The benchmark (bench/run.py) still runs: a smoke run with tiny sizes, seconds long.

Its figures mean nothing here and nothing about them is asserted; only that every step
completes and the table of issue 6 is printed.
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_the_benchmark_runs_and_prints_its_table() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--smoke"], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-3000:]
    table = [line for line in done.stdout.splitlines() if line.startswith("| ")]
    assert table[0].startswith("| measure | Tidings | ceiling | ratio | target | met |")
    for measure in (
        "(a) single-event appends/s",
        "(b) HTTP batch ingest",
        "(b) `tidings import`",
        "(c) GET /companies",
    ):
        assert any(line.startswith(f"| {measure}") for line in table), measure
    for measure in ("(d) `tidings rebuild`", "(e) peak RSS", "(f) in-process appends/s"):
        assert any(line.startswith(f"| {measure}") for line in table), measure
    assert "load generator:" in done.stdout


def test_the_log_filter_benchmark_runs_and_prints_a_row_per_filter() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bench.log_filters", "--smoke"], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-3000:]
    table = [line for line in done.stdout.splitlines() if line.startswith("| ")]
    assert table[0].startswith("| filter (SQLite, 3,000 events) | p50 ms | p99 ms |")
    for name in ("`person`", "`certainty=speculative`", "`publisher`, a rare one", "`occurred_from`/`occurred_to`"):
        assert any(line.startswith(f"| {name}") for line in table), name


def test_the_million_event_benchmark_runs_every_read_and_reuses_its_store(tmp_path: Path) -> None:
    command = [sys.executable, "-m", "bench.million", "--smoke", "--store", str(tmp_path / "store")]
    first = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert first.returncode == 0, first.stderr[-3000:]
    table = [line for line in first.stdout.splitlines() if line.startswith("| ")]
    assert table[0].startswith("| read (SQLite, 3,000 events) | p50 ms | p99 ms |")
    for read in ("`/events?person=`", "`/people/{id}`", "`/search?q=`", "`/graph?company=&depth=3`", "`/conflicts`"):
        assert any(line.startswith(f"| {read}") for line in table), read
    assert any(line.startswith("| a batch of 1,000 events") for line in table)
    assert "made by this run" in first.stdout
    again = subprocess.run([*command, "--append-rounds", "0"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stderr[-3000:]
    assert "reused, made by an earlier run" in again.stdout


def test_the_hash_benchmark_runs_and_prints_a_row_per_mode() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bench.hash_appends", "--rounds", "1", "--seconds", "0.2", "--only", "sqlite"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    rows = [line for line in done.stdout.splitlines() if line.startswith("| sqlite, ")]
    assert [row.split(" | ")[0] for row in rows] == [
        f"| sqlite, {mode}" for mode in ("1 caller", "32 callers", "batches of 1,000")
    ] * 2


async def test_the_hash_benchmarks_baseline_writes_no_hash_and_no_tree(tmp_path: Path) -> None:
    from api.store.sqlite import SQLiteStore
    from bench.hash_appends import EVENTS, REGISTRATIONS, without_hashes

    store = SQLiteStore(tmp_path / "bench.db")
    await store.open()
    try:
        with without_hashes():
            await store.append_batch(REGISTRATIONS)
            await store.append([EVENTS[0]])
    finally:
        await store.close()
    with sqlite3.connect(tmp_path / "bench.db") as conn:
        counts = [
            conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in ("events", "event_hashes", "merkle_nodes")
        ]

    assert counts == [len(REGISTRATIONS) + 1, 0, 0]


def test_the_kept_dossiers_measurement_builds_writes_and_reads_back_every_dossier(tmp_path: Path) -> None:
    store = tmp_path / "seed.db"
    subprocess.run([sys.executable, "-m", "api.cli", "seed", "--db", str(store)], cwd=ROOT, check=True, timeout=120)
    done = subprocess.run(
        [sys.executable, "-m", "bench.kept_dossiers", "--db", str(store)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    lines = done.stdout.splitlines()
    assert lines[0].startswith("store: ") and " dossiers built" in lines[0]
    for step in ("1. build every dossier: ", "2. write them: ", "3. read one back "):
        assert any(line.startswith(step) for line in lines), step
    with sqlite3.connect(store) as conn:  # the measurement ran on a copy
        assert conn.execute("SELECT count(*) FROM sqlite_master WHERE name = 'kept'").fetchone() == (0,)
