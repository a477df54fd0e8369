"""A real ``tidings serve`` process on 127.0.0.1 for tests that need one (races, crashes, SDKs, streams)."""

from __future__ import annotations

import itertools
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

__all__ = ["SERVERS", "Server", "free_port", "serve"]

ROOT = Path(__file__).resolve().parents[1]


_WORKER_PORTS, _PORTS_A_WORKER = 20000, 1000
"""Worker gwN takes ports 20000 + N * 1000 up to 1,000 more: below Linux's ephemeral range (32768 on)."""
_turn = itertools.count()


def free_port() -> int:
    """A port nothing listens on now. Under pytest-xdist each worker takes its ports from a range of its
    own, below the ephemeral ports, so two workers never start a server on the same one (a port the
    system hands out is free only until someone binds it, and /health could answer from another's)."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if not worker.startswith("gw"):
        return _bound(0)
    first = _WORKER_PORTS + int(worker.removeprefix("gw")) * _PORTS_A_WORKER
    for _ in range(_PORTS_A_WORKER):
        port = first + next(_turn) % _PORTS_A_WORKER
        try:
            return _bound(port)
        except OSError:  # in use, or closing (TIME_WAIT)
            continue
    raise RuntimeError(f"no free port in {first}-{first + _PORTS_A_WORKER - 1} for xdist worker {worker}")


def _bound(port: int) -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", port))
        return int(sock.getsockname()[1])


SERVERS = ("uvicorn", "granian")
"""The HTTP servers `tidings serve --server` runs (api/http/serving.py)."""


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    url: str
    log: Path
    server: str = "uvicorn"
    """Which HTTP server serves: ``--server``, else TIDINGS_SERVER, else the default."""

    def kill(self) -> None:
        """SIGKILL: no shutdown handlers run, as in a crash."""
        self.process.kill()
        self.process.wait(timeout=10)

    def terminate(self, timeout: float = 10) -> int:
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=timeout)

    def output(self) -> str:
        return self.log.read_text(errors="replace")


@contextmanager
def serve(
    db: str | Path,
    *args: str,
    env: dict[str, str] | None = None,
    port: int | None = None,
    timeout: float = 20,
    server: str | None = None,
) -> Iterator[Server]:
    """Start ``tidings serve --db DB ARGS [--server SERVER]`` on a free port, wait until /health answers,
    stop it afterwards."""
    port = port or free_port()
    environ = {**os.environ, **(env or {})}
    if server is not None:
        args = (*args, "--server", server)
    served_by = server or environ.get("TIDINGS_SERVER") or "uvicorn"
    log = Path(f"{db}.{port}.log") if not str(db).startswith("postgres") else ROOT / f".server.{port}.log"
    command = [sys.executable, "-m", "api.cli", "serve", "--db", str(db), "--host", "127.0.0.1", "--port", str(port)]
    with log.open("wb") as out:
        process = subprocess.Popen([*command, *args], cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, env=environ)
    served = Server(process, f"http://127.0.0.1:{port}", log, served_by)
    try:
        wait_ready(served, timeout)
        yield served
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if log.name.startswith(".server."):
            log.unlink(missing_ok=True)


def wait_ready(server: Server, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"tidings serve exited with {server.process.returncode}:\n{server.output()}")
        try:
            if httpx.get(f"{server.url}/health", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.05)
    raise TimeoutError(f"tidings serve did not answer within {timeout} s:\n{server.output()}")
