"""SIGTERM: stop accepting, finish in-flight appends, exit 0 within 5 s; nothing acknowledged is lost."""

from __future__ import annotations

import asyncio
import time
import uuid
from pathlib import Path

import httpx

from tests.api.wire import SEED
from tests.server import serve

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


def test_sigterm_under_load_exits_cleanly_and_keeps_every_acknowledged_append(tmp_path: Path) -> None:
    db = tmp_path / "term.db"
    acknowledged: list[str] = []
    with serve(db, "--seed") as server:

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
    assert last == SEED["events"] + len(acknowledged), "nothing unacknowledged was stored twice or lost in between"
    print(f"{len(acknowledged)} appends acknowledged before SIGTERM, shutdown in {took:.2f} s")
