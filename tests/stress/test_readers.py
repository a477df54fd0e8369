"""Readers paging ``GET /events`` while 16 writers append see every position once, in order, to the end.

Each reader keeps its own ``after`` and a page size of its own (random per page); one follows
the ``Link: rel="next"`` header instead, one reads one company's part of the log. A reader
stops only after the writers have finished and it has read a page past the last position.
What a reader sees at a position must be the event a writer was told was stored there.
"""

from __future__ import annotations

import asyncio
import random
import re
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.stress.support import CLIENTS_LIMITS, JSON, Workload, encode, figures, running, scaled

pytestmark = pytest.mark.stress

WRITERS = 16
APPENDS = scaled(1_500, 10_000)
READERS = 4
BOUND_S = scaled(120, 900)
"""Whole-test bound, far above the observed time; only a hang trips it."""

_NEXT = re.compile(r'<([^>]+)>;\s*rel="next"')


class Reader:
    def __init__(
        self, client: httpx.AsyncClient, rng: random.Random, *, company: str | None = None, link: bool = False
    ):
        self.client = client
        self.rng = rng
        self.company = company
        self.link = link
        self.seen: list[dict[str, Any]] = []
        self.pages = 0
        self.pages_while_writing = 0

    async def run(self, writing: asyncio.Event) -> None:
        after = 0
        url: str | None = None
        while True:
            finished = not writing.is_set()  # read before the page: an empty page after this means the end
            limit = self.rng.randint(1, 250) if not self.link else 100
            if url is not None:
                response = await self.client.get(url)
            else:
                params: dict[str, Any] = {"after": after, "limit": limit}
                if self.company:
                    params["company"] = self.company
                response = await self.client.get("/events", params=params)
            assert response.status_code == 200, response.text
            page = response.json()
            items = page["items"]
            self.pages += 1
            self.pages_while_writing += not finished
            positions = [e["position"] for e in items]
            assert positions == sorted(set(positions)), f"page out of order: {positions}"
            assert not positions or positions[0] > after, f"page after {after} starts at {positions[0]}"
            if not self.company:
                # The unfiltered log has no gaps: a page continues exactly where the last one ended.
                assert positions == list(range(after + 1, after + 1 + len(items))), f"after {after}: {positions}"
            self.seen += items
            after = page["next_after"]
            assert after == (positions[-1] if positions else after)
            if self.link:
                match = _NEXT.search(response.headers.get("link", ""))
                url = match.group(1) if match else None
                assert (match is not None) == (len(items) == 100), response.headers
            if not items:
                if finished:
                    return
                await asyncio.sleep(self.rng.uniform(0, 0.01))


async def test_readers_paging_during_appends_see_every_position_once_in_order(tmp_path: Path) -> None:
    rng = random.Random()
    work = Workload(rng)
    acknowledged: dict[int, str] = {}
    async with (
        asyncio.timeout(BOUND_S),
        running(tmp_path / "readers.db") as server,
        httpx.AsyncClient(base_url=server.url, timeout=30, limits=CLIENTS_LIMITS) as client,
    ):
        registered = await client.post("/events/batch", json={"events": work.registrations})
        assert registered.status_code == 201, registered.text
        for item in registered.json()["items"]:
            acknowledged[item["position"]] = item["event"]["id"]
        watched = work.companies[0]
        watched_positions = {registered.json()["items"][0]["position"]}

        remaining = APPENDS
        writing = asyncio.Event()
        writing.set()
        resent: list[str] = []

        async def writer() -> None:
            nonlocal remaining
            while remaining > 0:
                remaining -= 1
                event = work.event()
                try:
                    response = await client.post("/events", content=encode(event), headers=JSON)
                except httpx.TransportError as error:
                    # No answer, so no acknowledgement: a client sends the same event (same id) again, and
                    # is told where it is stored (200, if the first one was) or stores it now (201).
                    resent.append(f"{type(error).__name__}: {error}")
                    response = await client.post("/events", content=encode(event), headers=JSON)
                assert response.status_code in ((201, 200) if resent else (201,)), response.text
                stored = response.json()
                acknowledged[stored["position"]] = stored["event"]["id"]
                if watched in work.touches(event):
                    watched_positions.add(stored["position"])

        readers = [Reader(client, random.Random(rng.random())) for _ in range(READERS)]
        readers.append(Reader(client, random.Random(rng.random()), link=True))
        filtered = Reader(client, random.Random(rng.random()), company=watched)
        reading = [asyncio.create_task(r.run(writing)) for r in [*readers, filtered]]
        await asyncio.gather(*(writer() for _ in range(WRITERS)))
        writing.clear()
        await asyncio.gather(*reading)

        final = len(acknowledged)
        assert sorted(acknowledged) == list(range(1, final + 1))
        for reader in readers:
            assert [e["position"] for e in reader.seen] == list(range(1, final + 1))
            assert all(acknowledged[e["position"]] == e["event"]["id"] for e in reader.seen)
        # One company's part of the log: exactly the events that touch it, in order, once each.
        assert [e["position"] for e in filtered.seen] == sorted(watched_positions)
        assert all(acknowledged[e["position"]] == e["event"]["id"] for e in filtered.seen)

    figures(
        "readers",
        writers=WRITERS,
        appends=APPENDS,
        final_position=final,
        readers=len(readers) + 1,
        pages_read=sum(r.pages for r in [*readers, filtered]),
        pages_read_while_writing=sum(r.pages_while_writing for r in [*readers, filtered]),
        appends_sent_again_after_no_answer=len(resent),
    )
    if resent:
        print(f"sent again: {resent}\n--- the server's output ---\n{server.output()[-4000:]}")
    assert all(r.pages_while_writing > 0 for r in readers), "a reader never overlapped the writers"
