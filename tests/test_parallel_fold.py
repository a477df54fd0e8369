"""Rebuild and check fold a large log on worker processes: the same rows as one process, nothing half done,
and no worker outlives its caller."""

from __future__ import annotations

import logging
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import msgspec
import pytest

from api.projections.registry import default_registry
from api.store import folding
from api.store.sqlite import SQLiteStore, workers
from api.store.sqlite.dialect import DIALECT
from schema.events import CATALOGUE
from tests.contract.history import random_history
from tests.contract.read_models import encoded_read_models
from tests.factories import company_registered

ROOT = Path(__file__).resolve().parents[1]
SEED = 20251201
SPAN = 97  # many spans from a small history, so that workers fold them out of order


@pytest.fixture
async def db(tmp_path: Path) -> Path:
    path = tmp_path / "tidings.db"
    store = SQLiteStore(path)
    await store.open()
    try:
        await random_history(SEED, 1200).append_to(store, random.Random(SEED))
    finally:
        await store.close()
    return path


@pytest.fixture
def worker_folds(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Small spans, workers for any log size and on any machine; counts the folds handed to workers."""
    monkeypatch.setattr(folding, "SPAN", SPAN)
    monkeypatch.setattr(workers, "PARALLEL_FROM", 0)
    monkeypatch.setattr(workers, "workers", lambda limit: limit)
    calls: list[int] = []
    real = workers.fold_in_workers

    def counted(path: str, total: int, processes: int, *, indexed: bool = False) -> AsyncIterator[folding.Folded]:
        calls.append(processes)
        return real(path, total, processes, indexed=indexed)

    monkeypatch.setattr(workers, "fold_in_workers", counted)
    return calls


def _rows(path: Path) -> list[tuple[Any, ...]]:
    """The read-model rows, and the schema: a rebuild drops indexes and triggers, and must bring them back."""
    with sqlite3.connect(path) as conn:
        schema = conn.execute("SELECT type, name, sql FROM sqlite_master ORDER BY name").fetchall()
        return [*conn.execute("SELECT * FROM read_rows ORDER BY rowid").fetchall(), *schema]


async def _fold(db: Path, path: str, processes: int, *, indexed: bool = False) -> list[folding.Folded]:
    """The log of ``db`` folded as rebuild (``indexed``) and check fold it, on ``processes`` workers reading ``path``."""
    with sqlite3.connect(db) as conn:
        total = conn.execute("SELECT max(position) FROM events").fetchone()[0]
    store = SQLiteStore(db)
    await store.open()
    try:
        async with store.sqlite.reading() as tx:
            spans = (
                (lambda last, index: workers.fold_in_workers(path, last, processes, indexed=index))
                if processes
                else None
            )
            project = default_registry().project
            return [
                f async for f in folding.fold_log(tx, DIALECT, CATALOGUE, project, total, spans=spans, indexed=indexed)
            ]
    finally:
        await store.close()


@pytest.fixture(autouse=True)
def small_spans(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(folding, "SPAN", SPAN)


async def test_workers_fold_the_log_into_the_batches_one_process_folds(db: Path) -> None:
    here, there = await _fold(db, str(db), 0), await _fold(db, str(db), 2)

    assert there == here
    total = here[-1].last
    assert [folded.last for folded in there] == [*range(SPAN, total, SPAN), total]
    assert any(folded.span.retractions for folded in there), "the history retracts facts"
    assert not any(folded.span.indexed != ([], []) for folded in there), "the filter index is only folded when asked"


async def test_workers_fold_the_filter_index_of_the_log_as_one_process_does(db: Path) -> None:
    here, there = await _fold(db, str(db), 0, indexed=True), await _fold(db, str(db), 2, indexed=True)

    assert there == here
    terms = [term for folded in there for term, _ in folded.span.indexed[0]]
    assert any(term.startswith("company:") for term in terms) and any(term.startswith("type:") for term in terms)
    assert [folded.span.rows for folded in there] == [folded.span.rows for folded in await _fold(db, str(db), 0)]


async def test_workers_open_a_path_that_starts_with_two_slashes(db: Path, caplog: pytest.LogCaptureFixture) -> None:
    # POSIX reads //tmp/x as /tmp/x; a file: URI would read "tmp" as a host.
    with caplog.at_level(logging.WARNING, logger="tidings.fold"):
        assert await _fold(db, "/" + str(db.resolve()), 2) == await _fold(db, str(db), 0)
    assert "worker processes failed" not in caplog.text


async def test_without_worker_processes_the_fold_runs_in_this_process_and_says_why(
    db: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def no_semaphores(*args: object, **kwargs: object) -> None:
        raise OSError(30, "Read-only file system")  # what a read-only /dev/shm gives

    monkeypatch.setattr(workers, "ProcessPoolExecutor", no_semaphores)
    with caplog.at_level(logging.WARNING, logger="tidings.fold"):
        folded = await _fold(db, str(db), 2)

    assert folded == await _fold(db, str(db), 0)
    assert "worker processes failed (" in caplog.text


async def test_rebuild_on_workers_writes_the_rows_the_appends_wrote(db: Path, worker_folds: list[int]) -> None:
    appended = _rows(db)
    store = SQLiteStore(db, fold_processes=2)
    await store.open()
    try:
        before = await encoded_read_models(store)
        assert await store.rebuild() == await store.last_position()
        assert await encoded_read_models(store) == before
        assert await store.check() == []
    finally:
        await store.close()

    assert worker_folds == [2, 2], "the rebuild and the check each folded on two workers"
    assert sorted(_rows(db), key=repr) == sorted(appended, key=repr)


async def test_no_workers_when_the_setting_is_zero(db: Path, worker_folds: list[int]) -> None:
    store = SQLiteStore(db, fold_processes=0)
    await store.open()
    try:
        await store.rebuild()
    finally:
        await store.close()

    assert worker_folds == []


async def test_check_on_workers_names_a_row_changed_behind_the_stores_back(db: Path, worker_folds: list[int]) -> None:
    with sqlite3.connect(db) as conn:
        company, position = conn.execute(
            "UPDATE read_rows SET item = X'7B7D' WHERE rowid = (SELECT max(rowid) FROM read_rows WHERE view = 'sales') "
            "RETURNING company_id, position"
        ).fetchone()
    store = SQLiteStore(db, fold_processes=2)
    await store.open()
    try:
        faults = await store.check()
    finally:
        await store.close()

    assert worker_folds == [2]
    assert faults == [f"read models: sales row of {company} at position {position} differs from a fresh fold"]


async def test_a_rebuild_that_fails_in_a_worker_changes_nothing_and_the_store_goes_on(
    db: Path, worker_folds: list[int]
) -> None:
    before = _rows(db)
    with sqlite3.connect(db) as conn:  # a body no decoder accepts, late in the log: earlier spans fold fine
        conn.execute("DROP TRIGGER events_are_not_updated")
        conn.execute("UPDATE events SET body = X'7B' WHERE position = (SELECT max(position) - 5 FROM events)")
    store = SQLiteStore(db, fold_processes=2)
    await store.open()
    try:
        with pytest.raises(msgspec.DecodeError):
            await store.rebuild()
        assert _rows(db) == before
        result = await store.append([company_registered("after-the-failure")])
        assert result.new == 1, "the failed rebuild left no transaction open"
    finally:
        await store.close()

    assert worker_folds == [2]


# A rebuild that folds on two workers in spans of one event, slowly, and says when it is folding.
# Both scripts take Ctrl-C as a terminal gives it even when the suite runs in the background, where
# the shell starts it with SIGINT ignored and Python keeps it so (``nohup .ci/run &``).
_SLOW_REBUILD = """
import signal, sys, time
signal.signal(signal.SIGINT, signal.default_int_handler)
if __name__ == "__main__":
    from api.store import folding
    from api.store.sqlite import driver, workers
    from api.cli.commands import main
    folding.SPAN, workers.PARALLEL_FROM, workers.workers = 1, 0, lambda limit: limit
    write = driver._Transaction.run_all
    async def slow(self, batch):
        if any(statement == "insert_row" for statement, _ in batch):
            print("folding", flush=True)
            time.sleep(0.01)
        await write(self, batch)
    driver._Transaction.run_all = slow
    sys.exit(main(["rebuild", "--db", sys.argv[1], "--fold-processes", "2"]))
"""


# A rebuild that is sent Ctrl-C after its last span, while it makes its indexes, just before COMMIT.
_LATE_STOP = """
import os, signal, sys, time
signal.signal(signal.SIGINT, signal.default_int_handler)
if __name__ == "__main__":
    from api.cli import commands as cli
    from api.store import folding
    folding.SPAN = 97
    def update(self, done, total):
        if done == total:
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(0.5)  # the event loop takes the signal and sets the stop flag meanwhile
    cli._Progress.update = update
    sys.exit(cli.main(["rebuild", "--db", sys.argv[1], "--fold-processes", "0"]))
"""


def test_ctrl_c_after_the_last_span_still_changes_nothing(db: Path) -> None:
    with sqlite3.connect(db) as conn:  # a finished rebuild would mend this row: it shows whether one committed
        conn.execute("UPDATE read_rows SET item = X'7B7D' WHERE rowid = 1")
    before = _rows(db)

    done = subprocess.run([sys.executable, "-c", _LATE_STOP, str(db)], cwd=ROOT, capture_output=True, text=True)

    assert (done.returncode, done.stderr.strip()) == (130, "tidings rebuild: stopped")
    assert _rows(db) == before


def _children(pid: int) -> list[int]:
    """Processes ``pid`` started, from any of its threads (the rebuild's runs on the writer thread)."""
    return [
        int(child) for task in Path(f"/proc/{pid}/task").iterdir() for child in (task / "children").read_text().split()
    ]


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"  # a zombie has exited; whoever adopted it has not reaped it yet


def _slow_rebuild(db: Path) -> tuple[subprocess.Popen[str], list[int]]:
    """The slow rebuild, started in a session of its own, once it folds: (the process, its workers)."""
    process = subprocess.Popen(
        [sys.executable, "-c", _SLOW_REBUILD, str(db)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    assert process.stdout is not None
    assert process.stdout.readline() == "folding\n", process.stderr.read() if process.stderr else ""
    workers = _children(process.pid)
    assert len(workers) >= 2, "two workers (and the resource tracker of multiprocessing)"
    return process, workers


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="finds worker processes through Linux's /proc")
def test_ctrl_c_stops_a_rebuild_with_nothing_changed_and_no_worker_left(db: Path) -> None:
    with sqlite3.connect(db) as conn:  # a finished rebuild would mend this row: it shows whether one committed
        conn.execute("UPDATE read_rows SET item = X'7B7D' WHERE rowid = 1")
    before = _rows(db)
    process, workers = _slow_rebuild(db)
    try:
        os.killpg(process.pid, signal.SIGINT)  # what a terminal sends to every process of the job
        _, stderr = process.communicate(timeout=30)
    finally:
        process.kill()

    assert process.returncode == 130, stderr
    assert "tidings rebuild: stopped" in stderr
    assert _rows(db) == before
    deadline = time.monotonic() + 10
    while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(_alive(pid) for pid in workers)


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="finds worker processes through Linux's /proc")
def test_workers_exit_when_their_caller_is_killed(db: Path) -> None:
    process, workers = _slow_rebuild(db)
    try:
        process.send_signal(signal.SIGKILL)  # the caller alone, as an OOM killer or KillMode=process would
        process.wait(timeout=10)
        deadline = time.monotonic() + 10
        while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
            time.sleep(0.05)
        left = [pid for pid in workers if _alive(pid)]
    finally:
        for pid in workers:
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)

    assert left == []
