"""SIGTERM: stop accepting, finish in-flight appends, exit 0 within 5 s; nothing acknowledged is lost."""

from __future__ import annotations

import asyncio
import socket
import time
import uuid
from pathlib import Path

import httpx
import pytest

from api.seeds import seed_events
from tests.server import SERVERS, serve

SOURCE = {"title": "t", "publisher": "p", "language": "en"}


def _event(event_id: str) -> dict[str, object]:
    return {
        "type": "sales_reported",
        "id": event_id,
        "company_id": "xiaomi",
        "period": "2026",
        "units": {"value": 1},
        "sources": [SOURCE],
    }


async def _append_until_refused(url: str, acknowledged: list[str]) -> None:
    async with httpx.AsyncClient(base_url=url, timeout=5) as client:
        while True:
            event_id = str(uuid.uuid4())
            try:
                response = await client.post("/events", json=_event(event_id))
            except httpx.HTTPError:
                return
            if response.status_code in (200, 201):
                acknowledged.append(event_id)
            elif response.status_code != 503:
                raise AssertionError(f"{response.status_code}: {response.text}")


@pytest.mark.parametrize("http_server", SERVERS)
def test_sigterm_under_load_exits_cleanly_and_keeps_every_acknowledged_append(tmp_path: Path, http_server: str) -> None:
    db = tmp_path / "term.db"
    acknowledged: list[str] = []
    with serve(db, "--seed", server=http_server) as server:

        async def load() -> float:
            writers = [asyncio.create_task(_append_until_refused(server.url, acknowledged)) for _ in range(16)]
            # Signal once the load is really flowing, however slow the machine is today.
            deadline = time.monotonic() + 30
            while len(acknowledged) <= 50 and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
            started = time.monotonic()
            server.process.terminate()
            await asyncio.gather(*writers)
            await asyncio.to_thread(server.process.wait, 10)
            return time.monotonic() - started

        took = asyncio.run(load())
        assert server.process.returncode == 0, server.output()
        assert took < 5, f"shutdown took {took:.1f} s"
    assert len(acknowledged) > 50, "the load should have appended before the signal"
    with serve(db) as again:
        missing = [i for i in acknowledged if httpx.get(f"{again.url}/events/{i}").status_code != 200]
        last = httpx.get(f"{again.url}/ready").json()["last_position"]
    assert not missing, f"{len(missing)} acknowledged appends were lost"
    assert last == len(seed_events()) + len(acknowledged), "nothing unacknowledged was stored twice or lost in between"
    print(f"{len(acknowledged)} appends acknowledged before SIGTERM, shutdown in {took:.2f} s")


@pytest.mark.parametrize("http_server", SERVERS)
def test_sigterm_is_not_held_by_a_stalled_body_or_an_idle_connection(tmp_path: Path, http_server: str) -> None:
    """A client that announced a body and never sent it is cancelled after the grace period (2 s);
    an idle keep-alive connection is closed at once. The store is closed cleanly either way."""
    db = tmp_path / "stalled.db"
    with serve(db, "--seed", server=http_server) as server:
        port = int(server.url.rsplit(":", 1)[1])
        with (
            socket.create_connection(("127.0.0.1", port), timeout=10) as stalled,
            socket.create_connection(("127.0.0.1", port), timeout=10) as idle,
        ):
            stalled.sendall(
                b"POST /events HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"
            )
            idle.sendall(b"GET /health HTTP/1.1\r\nHost: a\r\n\r\n")
            assert idle.recv(65536).startswith(b"HTTP/1.1 200")
            time.sleep(0.3)
            started = time.monotonic()
            code = server.terminate(timeout=10)
            took = time.monotonic() - started
    assert code == 0, server.output()
    assert took < 5, f"shutdown took {took:.1f} s"
    with serve(db) as again:
        assert httpx.get(f"{again.url}/ready").json()["last_position"] == len(seed_events())
