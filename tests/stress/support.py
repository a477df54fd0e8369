"""What the stress proofs share: counts by mode, wire-form events, a server per test, and the checks.

Counts are small by default so that the directory runs in CI within a few minutes;
``TIDINGS_STRESS=full`` selects the counts of issue 5. Every figure a test prints is
also collected in ``FIGURES`` and shown in pytest's terminal summary.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import sqlite3
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from tests.server import ROOT, Server, serve

__all__ = [
    "CLIENTS_LIMITS",
    "FIGURES",
    "FULL",
    "JSON",
    "ROOT",
    "SOURCE",
    "Append",
    "Workload",
    "assert_opaque_problem",
    "cli",
    "encode",
    "figures",
    "integrity",
    "read_log",
    "read_models",
    "rss_kib",
    "running",
    "scaled",
    "sent_matches_stored",
]

FULL = os.environ.get("TIDINGS_STRESS", "").strip().lower() == "full"
JSON = {"content-type": "application/json"}
CLIENTS_LIMITS = httpx.Limits(max_connections=128, max_keepalive_connections=128, keepalive_expiry=1)
"""Enough connections that every concurrent client of a test has its own. Idle connections are dropped
after 1 s, before uvicorn's 5 s keep-alive timeout closes them: with equal timeouts a request sent on a
connection the server is closing at that moment fails with no answer (``ReadError``), a client-side race."""
FIGURES: dict[str, str] = {}
"""Test name -> its figures, carried to the terminal summary by ``tests/conftest.py``."""


def scaled(ci: int, full: int) -> int:
    return full if FULL else ci


def figures(test: str, **values: object) -> None:
    line = ", ".join(f"{k.replace('_', ' ')}={v}" for k, v in values.items())
    FIGURES[test] = line
    print(f"\n[{test}] {line}")


def encode(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()


# -- a server per test ---------------------------------------------------------------------


@asynccontextmanager
async def running(
    db: Path, *args: str, env: dict[str, str] | None = None, port: int | None = None
) -> AsyncIterator[Server]:
    """``tests.server.serve`` from async code: start and stop run in a thread, so the loop keeps going."""
    manager = serve(db, *args, env=env, port=port)
    server = await asyncio.to_thread(manager.__enter__)
    try:
        yield server
    except BaseException:
        # What the server said up to the failure: pytest shows it with the failure (captured stdout).
        print(f"--- the server's output (the last 4,000 characters) ---\n{server.output()[-4000:]}")
        raise
    finally:
        await asyncio.to_thread(manager.__exit__, None, None, None)


def cli(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run ``tidings ARGS`` as the operator would, from the repository root."""
    return subprocess.run(
        [sys.executable, "-m", "api.cli", *args], cwd=ROOT, capture_output=True, text=True, timeout=timeout
    )


def integrity(db: Path, *, read_only: bool = False) -> str:
    """``PRAGMA integrity_check`` of the file, opened by a connection of our own (the server is not running).

    ``read_only`` leaves a crashed file as the crash left it (no checkpoint on close), so the
    server's own restart still has to recover it.
    """
    target = f"file:{db}?mode=ro" if read_only else str(db)
    conn = sqlite3.connect(target, uri=read_only)
    try:
        return "; ".join(str(row[0]) for row in conn.execute("PRAGMA integrity_check"))
    finally:
        conn.close()


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for {pid}")


# -- reading back ----------------------------------------------------------------------------


async def read_log(client: httpx.AsyncClient, *, company: str | None = None) -> list[dict[str, Any]]:
    """The whole log (or one company's part of it), page by page, as the server answers it."""
    items: list[dict[str, Any]] = []
    after = 0
    while True:
        params: dict[str, Any] = {"after": after, "limit": 1000}
        if company is not None:
            params["company"] = company
        response = await client.get("/events", params=params)
        assert response.status_code == 200, response.text
        page = response.json()
        items.extend(page["items"])
        if not page["items"]:
            return items
        after = page["next_after"]


_VIEWS = ("meetings", "sales", "plans", "relationships")


async def read_models(client: httpx.AsyncClient) -> dict[str, Any]:
    """Every read model of every company, as JSON: the dossier, the whole timeline and each view."""
    companies: list[str] = []
    cursor: str | None = None
    while True:
        params: dict[str, Any] = {"limit": 1000}
        if cursor:
            params["cursor"] = cursor
        response = await client.get("/companies", params=params)
        assert response.status_code == 200, response.text
        page = response.json()
        companies += [item["company_id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    models: dict[str, Any] = {"companies": companies}
    for company in companies:
        dossier = await client.get(f"/companies/{company}")
        assert dossier.status_code == 200, dossier.text
        models[f"{company}/dossier"] = dossier.json()
        for view in _VIEWS:
            response = await client.get(f"/companies/{company}/{view}")
            assert response.status_code == 200, response.text
            models[f"{company}/{view}"] = response.json()
        items: list[Any] = []
        cursor = None
        while True:
            params = {"limit": 1000, **({"cursor": cursor} if cursor else {})}
            response = await client.get(f"/companies/{company}/timeline", params=params)
            assert response.status_code == 200, response.text
            page = response.json()
            items += page["items"]
            cursor = page.get("next_cursor")
            if not cursor:
                break
        models[f"{company}/timeline"] = items
    return models


def sent_matches_stored(sent: Any, stored: Any) -> bool:
    """Every field that was sent is stored with that value (the server adds defaults, never changes one)."""
    if isinstance(sent, dict):
        return isinstance(stored, dict) and all(
            k in stored and sent_matches_stored(v, stored[k]) for k, v in sent.items()
        )
    if isinstance(sent, list):
        return (
            isinstance(stored, list)
            and len(sent) == len(stored)
            and all(sent_matches_stored(a, b) for a, b in zip(sent, stored, strict=True))
        )
    return bool(sent == stored)


def assert_opaque_problem(response: httpx.Response, status: int, *, secrets: Sequence[str] = ()) -> None:
    """An RFC 9457 problem with this status that shows no stack trace, no file path and no SQL."""
    assert response.status_code == status, f"{response.status_code}: {response.text}"
    assert response.headers["content-type"].startswith("application/problem+json"), response.headers
    body = response.json()
    assert body["status"] == status and body["type"] and body["title"] and body["detail"], body
    text = response.text
    for leak in ("Traceback", 'File "', ".py", "sqlite3.", "SELECT ", "INSERT ", *secrets):
        assert leak not in text, f"{leak!r} in {text}"


# -- wire-form events -------------------------------------------------------------------------

SOURCE = {"title": "Stress article", "publisher": "Tidings stress tests", "language": "en"}


@dataclass
class Append:
    """One append request as a client keeps it: sent again, byte for byte, until it is answered."""

    path: str
    events: list[dict[str, Any]]
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=lambda: dict(JSON))
    in_doubt: bool = False
    refusals: int = 0
    """How often it was answered 503."""
    status: int | None = None
    positions: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.body:
            self.body = encode({"events": self.events} if self.path == "/events/batch" else self.events[0])

    @property
    def ids(self) -> list[str]:
        return [event["id"] for event in self.events]

    def answered(self, response: httpx.Response) -> None:
        self.status = response.status_code
        body = response.json()
        stored = body["items"] if self.path == "/events/batch" else [body]
        assert [s["event"]["id"] for s in stored] == self.ids, (self.ids, body)
        for sent, got in zip(self.events, stored, strict=True):
            assert sent_matches_stored(sent, got["event"]), (sent, got)
        self.positions = [s["position"] for s in stored]


class Workload:
    """Valid events of every type over a fixed set of companies, each with a client-chosen id."""

    def __init__(self, rng: random.Random, companies: int = 8) -> None:
        self.rng = rng
        self.companies = [f"stress-{i:02d}" for i in range(companies)]
        self.registrations = [
            self._event(
                "company_registered",
                company_id=c,
                name=f"Stress Company {i}",
                aliases=[f"SC{i}"],
                country=rng.choice(["CN", "DE", "KR", "US"]),
                sectors=["automotive"],
            )
            for i, c in enumerate(self.companies)
        ]
        self.evidence_targets = [e["id"] for e in self.registrations]
        self._registered = {e["id"]: e["company_id"] for e in self.registrations}

    def _event(self, event_type: str, /, **fields: Any) -> dict[str, Any]:
        return {"type": event_type, "id": str(uuid.uuid4()), "sources": [SOURCE], **fields}

    def _two(self) -> tuple[str, str]:
        a, b = self.rng.sample(self.companies, 2)
        return a, b

    def event(self) -> dict[str, Any]:
        rng = self.rng
        company = rng.choice(self.companies)
        kind = rng.choice(
            ["product", "sales", "sales", "executive", "meeting", "visit", "relationship", "plan", "market", "evidence"]
        )
        if kind == "product":
            return self._event(
                "product_launched",
                company_id=company,
                product=f"Model {rng.randrange(1000)}",
                category="electric vehicle",
                launched_on=f"202{rng.randrange(6)}-{rng.randrange(1, 13):02d}",
            )
        if kind == "sales":
            return self._event(
                "sales_reported",
                company_id=company,
                period=f"202{rng.randrange(6)}-Q{rng.randrange(1, 5)}",
                units={"value": rng.randrange(10**7), "approximate": rng.random() < 0.5},
                revenue={"amount": f"{rng.randrange(10**9)}.5", "currency": "USD"},
            )
        if kind == "executive":
            return self._event(
                "executive_reported",
                person_id=f"person-{rng.randrange(50)}",
                name="Some Person",
                company_id=company,
                role=rng.choice(["CEO", "CFO", "Chairman"]),
            )
        if kind == "meeting":
            a, b = self._two()
            return self._event(
                "meeting_held",
                occurred_on=f"2025-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}",
                location={"country": "CN", "city": "Beijing"},
                participants=[{"company_id": a}, {"company_id": b, "person_id": "lei-jun"}],
                topics=["electric vehicles"],
            )
        if kind == "visit":
            a, b = self._two()
            return self._event(
                "site_visited",
                occurred_on="2025-03",
                visitor={"company_id": a},
                host_company_id=b,
                site="Factory",
                location={"country": "KR", "city": "Suwon"},
            )
        if kind == "relationship":
            a, b = self._two()
            return self._event(
                "relationship_reported",
                from_company_id=a,
                to_company_id=b,
                kind=rng.choice(["supplies", "partners_with", "competes_with"]),
                status=rng.choice(["active", "potential", "ended"]),
                components=["OLED panels"],
            )
        if kind == "plan":
            return self._event(
                "plan_announced",
                plan_id=f"plan-{uuid.uuid4().hex[:12]}",
                company_id=company,
                kind="production",
                description="Build more cars",
                metric="units_sold",
                target={"value": str(rng.randrange(1, 10**6))},
                due=f"202{rng.randrange(4, 9)}",
            )
        if kind == "market":
            return self._event(
                "market_position_reported",
                company_ids=self.rng.sample(self.companies, 2),
                market="electric vehicles",
                region="China",
                position=rng.choice(["dominant", "leading", "challenger"]),
            )
        return self._event(
            "evidence_added",
            event_id=rng.choice(self.evidence_targets),
            sources=[{**SOURCE, "title": f"Follow-up {rng.randrange(1000)}", "language": "de"}],
        )

    def launch(self, company: str) -> dict[str, Any]:
        return self._event(
            "product_launched", company_id=company, product="Load", category="vehicle", launched_on="2025"
        )

    def touches(self, event: dict[str, Any]) -> set[str]:
        """The companies an event of this workload touches (evidence: those of its target, a registration)."""
        if event["type"] == "meeting_held":
            return {p["company_id"] for p in event["participants"]}
        if event["type"] == "site_visited":
            return {event["visitor"]["company_id"], event["host_company_id"]}
        if event["type"] == "relationship_reported":
            return {event["from_company_id"], event["to_company_id"]}
        if event["type"] == "market_position_reported":
            return set(event["company_ids"])
        if event["type"] == "evidence_added":
            return {self._registered[event["event_id"]]}
        return {event["company_id"]}

    def retraction(self, target: str) -> dict[str, Any]:
        return self._event("event_retracted", event_id=target, reason="The article was corrected.")

    def append(self, *, batch_share: float = 0.1) -> Append:
        if self.rng.random() < batch_share:
            return Append("/events/batch", [self.event() for _ in range(self.rng.randint(2, 4))])
        return Append("/events", [self.event()])
