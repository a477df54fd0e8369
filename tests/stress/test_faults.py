"""Storage faults under a running server: 503 problems, nothing acknowledged that was not committed, recovery without a restart.

Each fault is produced for the real server process, not injected into the code:

- locked: another process holds ``BEGIN EXCLUSIVE`` on the file (the server waits
  ``TIDINGS_BUSY_TIMEOUT_MS=200`` for it);
- disk full: the database lives on a 4 MiB tmpfs that a filler file has filled up;
- unwritable WAL: ``chattr +i`` on the ``-wal`` file; writes through the server's open
  descriptor then fail with EPERM, as on a failing device (an I/O error to SQLite);
- read-only permissions: ``chmod`` on the files and the directory. Permissions are checked
  when a file is opened, so the running server, whose descriptors are open, keeps working;
  the test says so, and that a restart on the read-only file stores nothing.

In every case: each 503 is an RFC 9457 problem without stack trace, path or SQL; an id
answered 503 is not in the log until it is retried; when the fault is cleared the same
process stores again, and retried ids are answered 201 (they were never stored); after a
SIGKILL and a restart every acknowledged event is still there and the file is sound.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import shutil
import signal
import subprocess
import sys
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.server import ROOT, Server, free_port, wait_ready
from tests.stress.support import (
    CLIENTS_LIMITS,
    Append,
    Workload,
    assert_opaque_problem,
    figures,
    integrity,
    read_log,
    running,
)

pytestmark = pytest.mark.stress

FAST_BUSY = {"TIDINGS_BUSY_TIMEOUT_MS": "200"}
BOUND_S = 120
"""Per-test bound, far above the observed few seconds; only a hang trips it."""


class Drill:
    """Appends before, during and after a fault, and what each was answered."""

    def __init__(self, client: httpx.AsyncClient, work: Workload, secrets: list[str]) -> None:
        self.client = client
        self.work = work
        self.secrets = secrets
        self.acknowledged: dict[str, int] = {}
        self.refused: list[Append] = []
        self.statuses: Counter[int] = Counter()
        self.details: set[str] = set()

    async def append(self, append: Append | None = None) -> int:
        append = append or Append("/events", [self.work.event()])
        response = await self.client.post(append.path, content=append.body, headers=append.headers)
        self.statuses[response.status_code] += 1
        if response.status_code == 503:
            assert_opaque_problem(response, 503, secrets=self.secrets)
            self.details.add(response.json()["detail"])
            self.refused.append(append)
        else:
            assert response.status_code == 201, response.text
            append.answered(response)
            self.acknowledged.update(zip(append.ids, append.positions, strict=True))
        return response.status_code

    async def during_fault(self, *, until_refused: int = 1, most: int = 300, burst: int = 10) -> None:
        """Appends one by one until one is refused, then a concurrent burst; reads go on meanwhile."""
        for _ in range(most):
            if await self.append() == 503:
                break
        await asyncio.gather(*(self.append() for _ in range(burst)))
        await self.verify()  # every 201 so far is stored (reads still work under each of these faults)
        assert len(self.refused) >= until_refused, f"the fault refused nothing: {self.statuses}"
        for path in ("/events?limit=5", "/ready", f"/companies/{self.work.companies[0]}"):
            response = await self.client.get(path)
            assert response.status_code in (200, 503), response.text
            if response.status_code == 503:
                assert_opaque_problem(response, 503, secrets=self.secrets)
        # Nothing refused was stored: each refused id is unknown (a read, if reads work at all).
        for append in self.refused:
            response = await self.client.get(f"/events/{append.ids[0]}")
            assert response.status_code in (404, 503), response.text

    async def after_fault(self) -> None:
        """The same process stores again; refused appends, retried with the same ids, are new (201)."""
        refused, self.refused = self.refused, []
        for append in refused:
            assert await self.append(append) == 201
        for _ in range(10):
            assert await self.append() == 201
        assert not self.refused

    async def verify(self) -> None:
        log = await read_log(self.client)
        assert [e["position"] for e in log] == list(range(1, len(log) + 1))
        stored = {e["event"]["id"]: e["position"] for e in log}
        assert stored == self.acknowledged, "acknowledged != stored"


async def drill(
    db: Path,
    inject: Callable[[], Any],
    clear: Callable[[], Any],
    *,
    name: str,
    env: dict[str, str] | None = None,
    start: Callable[..., Any] = running,
) -> Drill:
    work = Workload(random.Random())
    async with asyncio.timeout(BOUND_S):
        async with start(db, env=env) as server:
            async with httpx.AsyncClient(base_url=server.url, timeout=30, limits=CLIENTS_LIMITS) as client:
                state = Drill(client, work, secrets=[str(db.parent), db.name])
                assert await state.append(Append("/events/batch", work.registrations)) == 201
                for _ in range(20):
                    assert await state.append() == 201
                await _call(inject)
                try:
                    await state.during_fault()
                finally:
                    await _call(clear)
                await state.after_fault()
                await state.verify()
            # Nothing acknowledged is lost, even by a crash right after the fault.
            server.kill()
        assert integrity(db) == "ok"
        async with (
            start(db, env=env) as server,
            httpx.AsyncClient(base_url=server.url, timeout=30) as client,
        ):
            state.client = client
            await state.verify()
    figures(
        f"fault {name}",
        answers=dict(sorted(state.statuses.items())),
        acknowledged=len(state.acknowledged),
        problem_details=sorted(state.details),
    )
    return state


async def _call(action: Callable[[], Any]) -> None:
    result = action()
    if isinstance(result, Awaitable):
        await result


# -- locked -------------------------------------------------------------------------------------


async def test_locked_database_is_503_and_serves_again_when_released(tmp_path: Path) -> None:
    db = tmp_path / "locked.db"
    holder: list[subprocess.Popen[str]] = []

    async def lock() -> None:
        script = (
            "import sqlite3, sys\n"
            f"conn = sqlite3.connect({str(db)!r}, isolation_level=None)\n"
            "conn.execute('BEGIN EXCLUSIVE')\n"
            "print('held', flush=True)\n"
            "sys.stdin.read()\n"
            "conn.execute('ROLLBACK')\n"
        )
        process = subprocess.Popen(
            [sys.executable, "-c", script], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        holder.append(process)
        assert process.stdout is not None
        assert await asyncio.to_thread(process.stdout.readline) == "held\n"

    def release() -> None:
        for process in holder:
            assert process.stdin is not None
            process.stdin.close()
            assert process.wait(timeout=10) == 0

    state = await drill(db, lock, release, name="locked", env=FAST_BUSY)
    assert any("locked" in detail for detail in state.details), state.details


# -- disk full ----------------------------------------------------------------------------------


@contextmanager
def small_disk(where: Path, size: str = "16m") -> Iterator[Path]:
    """A tmpfs of ``size``. It must hold the database and a WAL of the WAL copier's ``finish_frames``
    (1,000 pages, 4 MiB) beside it: an append writes ~25 pages (the log, its indexes, the read
    models, hashes and the Merkle tree), and the WAL starts over only once it is copied whole."""
    where.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)], capture_output=True, text=True
    )
    if mounted.returncode != 0:
        reason = (
            f"cannot mount a small tmpfs here ({mounted.stderr.strip() or mounted.returncode}); disk-full drill skipped"
        )
        print(reason)
        pytest.skip(reason)
    try:
        yield where
    finally:
        if subprocess.run(["umount", str(where)], capture_output=True).returncode != 0:
            subprocess.run(["umount", "-l", str(where)], capture_output=True)


async def test_full_disk_is_503_and_serves_again_when_space_is_freed(tmp_path: Path) -> None:
    with small_disk(tmp_path / "disk") as disk:
        filler = disk / "filler"

        def fill() -> None:
            # suppress outermost: closing the file flushes what is left and fails with ENOSPC too.
            with contextlib.suppress(OSError), filler.open("wb") as out:
                while True:
                    out.write(b"\0" * 65536)
                    out.flush()
            assert shutil.disk_usage(disk).free < 65536

        state = await drill(disk / "full.db", fill, filler.unlink, name="disk full")
    assert any("full" in detail for detail in state.details), state.details


# -- an unwritable WAL ---------------------------------------------------------------------------


async def test_unwritable_wal_is_503_and_serves_again_when_writable(tmp_path: Path) -> None:
    if shutil.which("chattr") is None:
        pytest.skip("chattr is not installed")
    db = tmp_path / "immutable.db"
    wal = Path(f"{db}-wal")

    def chattr(flag: str) -> None:
        done = subprocess.run(["chattr", flag, str(wal)], capture_output=True, text=True)
        if done.returncode != 0:
            pytest.skip(f"chattr {flag} is not permitted here: {done.stderr.strip()}")

    try:
        # Only the WAL: SQLite maps the -shm file into memory, and a write fault on a mapped
        # immutable file is SIGBUS for the whole process; that is not a state a server can answer from.
        await drill(db, lambda: chattr("+i"), lambda: chattr("-i"), name="unwritable WAL")
    finally:
        subprocess.run(["chattr", "-i", str(wal)], capture_output=True)


# -- read-only permissions ----------------------------------------------------------------------


@asynccontextmanager
async def serving_without_dac_override(db: Path, env: dict[str, str] | None = None) -> AsyncIterator[Server]:
    """``tidings serve`` as root without CAP_DAC_OVERRIDE, so that file permissions apply to it."""
    server = await asyncio.to_thread(_start_capless, db, env)
    try:
        await asyncio.to_thread(wait_ready, server)
        yield server
    finally:
        if server.process.poll() is None:
            server.process.send_signal(signal.SIGTERM)
            await asyncio.to_thread(server.process.wait, 10)


def _start_capless(db: Path, env: dict[str, str] | None) -> Server:
    port = free_port()
    log = Path(f"{db}.{port}.log")
    drop = "-dac_override,-dac_read_search,-fowner"
    command = ["setpriv", f"--bounding-set={drop}", f"--inh-caps={drop}", sys.executable, "-m", "api.cli", "serve"]
    with log.open("wb") as out:
        process = subprocess.Popen(
            [*command, "--db", str(db), "--host", "127.0.0.1", "--port", str(port)],
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
            env={**os.environ, **(env or {})},
        )
    return Server(process, f"http://127.0.0.1:{port}", log)


async def test_read_only_files_do_not_stop_a_running_server_and_a_restart_stores_nothing(tmp_path: Path) -> None:
    if os.geteuid() != 0 or shutil.which("setpriv") is None:
        pytest.skip("needs root and setpriv to run a server that file permissions apply to")
    data = tmp_path / "ro"
    data.mkdir()
    db = data / "ro.db"
    files = [db, Path(f"{db}-wal"), Path(f"{db}-shm")]

    def read_only() -> None:
        for path in files:
            path.chmod(0o444)
        data.chmod(0o555)

    def writable() -> None:
        data.chmod(0o755)
        for path in files:
            if path.exists():  # a clean stop removes the -wal and -shm files
                path.chmod(0o644)

    work = Workload(random.Random())
    try:
        async with asyncio.timeout(BOUND_S):
            async with (
                serving_without_dac_override(db) as server,
                httpx.AsyncClient(base_url=server.url, timeout=30, limits=CLIENTS_LIMITS) as client,
            ):
                state = Drill(client, work, secrets=[str(data)])
                assert await state.append(Append("/events/batch", work.registrations)) == 201
                read_only()
                # What is true: the open descriptors keep their access, so the server goes on storing.
                statuses = await asyncio.gather(*(state.append() for _ in range(20)))
                assert statuses == [201] * 20
                reads = await asyncio.gather(*(client.get(f"/companies/{c}") for c in work.companies * 3))
                assert [r.status_code for r in reads] == [200] * len(reads)
                await state.verify()
            # A restart on the read-only file must not store anything: it refuses to start, or answers 503.
            restarted = await asyncio.to_thread(_start_capless, db, None)
            try:
                outcome = await asyncio.to_thread(_started_or_exited, restarted)
                if outcome == "serving":
                    async with httpx.AsyncClient(base_url=restarted.url, timeout=30) as other:
                        state.client = other
                        assert await state.append() == 503
                        read = await other.get("/events", params={"limit": 1})
                        assert read.status_code in (200, 503), read.text
                        outcome += f" (appends 503, reads {read.status_code})"
            finally:
                if restarted.process.poll() is None:
                    restarted.process.send_signal(signal.SIGTERM)
                    restarted.process.wait(10)
            writable()
            async with running(db) as server, httpx.AsyncClient(base_url=server.url, timeout=30) as client:
                state.client = client
                await state.verify()
                state.refused.clear()
                assert await state.append() == 201
    finally:
        writable()
    figures(
        "fault read-only files",
        answers=dict(sorted(state.statuses.items())),
        restart_on_read_only_files=outcome,
        problem_details=sorted(state.details),
    )


def _started_or_exited(server: Server) -> str:
    try:
        wait_ready(server, timeout=20)
    except RuntimeError:
        assert server.process.returncode != 0
        return f"refused to start (exit {server.process.returncode})"
    return "serving"
