"""A real ``tidings serve`` process on 127.0.0.1 for tests that need one (races, crashes, SDKs, streams)."""

from __future__ import annotations

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

__all__ = ["Server", "free_port", "serve"]

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    url: str
    log: Path

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
    db: str | Path, *args: str, env: dict[str, str] | None = None, port: int | None = None, timeout: float = 20
) -> Iterator[Server]:
    """Start ``tidings serve --db DB ARGS`` on a free port, wait until /health answers, stop it afterwards."""
    port = port or free_port()
    log = Path(f"{db}.{port}.log") if not str(db).startswith("postgres") else ROOT / f".server.{port}.log"
    command = [sys.executable, "-m", "api.cli", "serve", "--db", str(db), "--host", "127.0.0.1", "--port", str(port)]
    with log.open("wb") as out:
        process = subprocess.Popen(
            [*command, *args], cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, env={**os.environ, **(env or {})}
        )
    server = Server(process, f"http://127.0.0.1:{port}", log)
    try:
        wait_ready(server, timeout)
        yield server
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
