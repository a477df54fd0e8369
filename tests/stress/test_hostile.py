"""A corpus of bad requests, sent byte for byte over a socket to a real server: each gets its 4xx, the log stays as it was.

Every case is a whole HTTP/1.1 request as raw bytes, so that what reaches uvicorn is exactly
what is written here (no client library normalises a path, fixes a header or refuses to send
a body). The app's answers must be ``application/problem+json`` with the documented status.
Some requests never reach the app: uvicorn's parser (httptools) refuses them, and the server
(api/http/server.py) answers a 400 problem and closes the connection; those cases say ``transport=True``.

Around every case the log is read back (``GET /events?limit=1000``) and must be byte-identical.

The corpus runs against each HTTP server ``tidings serve --server`` offers. Granian's parser
(hyper) answers what it refuses itself, before the app: a 4xx with no body and no request id,
or it closes the connection; some requests httptools refuses, it hands to the app (``GRANIAN``).
"""

from __future__ import annotations

import gzip
import json
import re
import select
import socket
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.server import SERVERS, Server, serve
from tests.stress.support import figures

pytestmark = pytest.mark.stress

SRC = {"title": "Hostile article", "publisher": "Tidings tests", "language": "en"}
ACME_REGISTRATION = "0195bb26-0000-7000-8000-000000000001"
LAUNCH = "0195bb26-0000-7000-8000-000000000002"
DEEP = 10_000
"""Nesting depth of the deep cases: 20 KB of brackets, far below the 1 MiB body limit."""


def registration(company: str, event_id: str | None = None, **over: Any) -> dict[str, Any]:
    event = {
        "type": "company_registered",
        "company_id": company,
        "name": company.title(),
        "country": "DE",
        "sources": [SRC],
    }
    return {**({"id": event_id} if event_id else {}), **event, **over}


def launch(**over: Any) -> dict[str, Any]:
    event = {
        "type": "product_launched",
        "company_id": "acme",
        "product": "Rocket",
        "category": "vehicle",
        "launched_on": "2025",
        "sources": [SRC],
    }
    return {**event, **over}


def sales(**over: Any) -> dict[str, Any]:
    event = {"type": "sales_reported", "company_id": "acme", "period": "2025", "units": {"value": 1}, "sources": [SRC]}
    return {**event, **over}


def meeting(**over: Any) -> dict[str, Any]:
    participants = [{"company_id": "acme"}, {"company_id": "beta"}]
    event = {"type": "meeting_held", "occurred_on": "2025", "location": {"country": "CN"}, "participants": participants}
    return {**event, "sources": [SRC], **over}


def js(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode()


def replace(value: Any, marker: str, raw: bytes) -> bytes:
    """The JSON of ``value`` with the string ``marker`` replaced by raw bytes (for what json.dumps cannot write)."""
    return js(value).replace(json.dumps(marker).encode(), raw)


VALID = js(launch())


Headers = list[tuple[str, str]]


def request(method: str, target: str | bytes, body: bytes | None = None, *, headers: Headers | None = None) -> bytes:
    """A whole HTTP/1.1 request, ``Connection: close``; ``headers`` None means a JSON body."""
    if headers is None:
        headers = [("Content-Type", "application/json")] if body is not None else []
    path = target if isinstance(target, bytes) else target.encode()
    head = b"%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n" % (method.encode(), path)
    for name, value in headers:
        head += f"{name}: {value}\r\n".encode("latin-1")
    if body is not None and not any(n.lower() in ("content-length", "transfer-encoding") for n, _ in headers):
        head += b"Content-Length: %d\r\n" % len(body)
    return head + b"\r\n" + (body or b"")


def post(
    target: str, body: bytes, *, content_type: str | None = "application/json", extra: Headers | None = None
) -> bytes:
    headers = ([("Content-Type", content_type)] if content_type else []) + (extra or [])
    return request("POST", target, body, headers=headers)


def get(target: str | bytes, *, extra: Headers | None = None) -> bytes:
    return request("GET", target, headers=extra or [])


@dataclass(frozen=True)
class Case:
    name: str
    data: bytes
    status: int | tuple[int, ...]
    transport: bool = False
    """Refused by uvicorn's HTTP parser, before the app: api/http/server.py answers the problem."""

    @property
    def statuses(self) -> tuple[int, ...]:
        return self.status if isinstance(self.status, tuple) else (self.status,)


def deep(depth: int, open_: bytes = b"[", close: bytes = b"]") -> bytes:
    return open_ * depth + close * depth


MB = 1024 * 1024
LONG_HEADER = [("X-Padding", "a" * 60_000)]
"""Under the 64 KiB bound on a request head (api/http/server.py): the request reaches the app."""
CASES: list[Case] = [
    # -- malformed JSON and bad bytes: 400 ---------------------------------------------------------
    Case("empty body", post("/events", b""), 400),
    Case("whitespace body", post("/events", b"   \r\n "), 400),
    Case("truncated object", post("/events", VALID[: len(VALID) // 2]), 400),
    Case("truncated after colon", post("/events", b'{"type":'), 400),
    Case("truncated string", post("/events", b'{"type":"product_lau'), 400),
    Case("unclosed array", post("/events", b"["), 400),
    Case("trailing garbage", post("/events", VALID + b"x"), 400),
    Case("two documents", post("/events", VALID + VALID), 400),
    Case("single quotes", post("/events", VALID.replace(b'"', b"'")), 400),
    Case("trailing comma", post("/events", VALID[:-1] + b",}"), 400),
    Case("comment", post("/events", b"// note\n" + VALID), 400),
    Case("bare word", post("/events", b"hello"), 400),
    Case("NaN", post("/events", replace(sales(units={"value": "@"}), "@", b"NaN")), 400),
    Case("Infinity", post("/events", replace(sales(units={"value": "@"}), "@", b"Infinity")), 400),
    Case("-Infinity", post("/events", replace(sales(units={"value": "@"}), "@", b"-Infinity")), 400),
    Case("float overflow 1e400", post("/events", replace(sales(units={"value": "@"}), "@", b"1e400")), (400, 422)),
    Case("lone surrogate escape", post("/events", replace(launch(product="@"), "@", b'"\\ud800"')), 400),
    Case("invalid UTF-8", post("/events", replace(launch(product="@"), "@", b'"\xff\xfe"')), 400),
    Case("overlong UTF-8", post("/events", replace(launch(product="@"), "@", b'"\xc0\xaf"')), 400),
    Case("UTF-8 BOM", post("/events", b"\xef\xbb\xbf" + VALID), 400),
    Case("UTF-16 body", post("/events", json.dumps(launch()).encode("utf-16")), 400),
    Case("raw control byte in a string", post("/events", replace(launch(product="@"), "@", b'"a\x00b"')), 400),
    Case("gzip body, not decoded", post("/events", gzip.compress(VALID), extra=[("Content-Encoding", "gzip")]), 400),
    # -- nesting -------------------------------------------------------------------------------------
    Case(f"array nested {DEEP} deep as the body", post("/events", deep(DEEP)), (400, 422)),
    Case(
        f"array nested {DEEP} deep in a field",
        post("/events", VALID[:-1] + b',"note":' + deep(DEEP) + b"}"),
        (400, 422),
    ),
    Case(
        f"object nested {DEEP} deep",
        post("/events", deep(DEEP, b'{"a":', b"}").replace(b":}", b":1}", 1)),
        (400, 422),
    ),
    Case(
        f"nested {DEEP} deep in a batch",
        post("/events/batch", b'{"events":' + deep(DEEP) + b"}"),
        (400, 422),
    ),
    Case(
        f"nested {DEEP} deep with If-Match",
        post("/companies/acme/events", deep(DEEP), extra=[("If-Match", '"1"')]),
        (400, 422),
    ),
    Case("array nested 500 deep in a field", post("/events", VALID[:-1] + b',"note":' + deep(500) + b"}"), 422),
    # -- values: 422 ---------------------------------------------------------------------------------
    Case("count beyond int64", post("/events", js(sales(units={"value": 10**23}))), 422),
    Case("count 2**63", post("/events", js(sales(units={"value": 2**63}))), 422),
    Case("count 2**53 (above JS-safe)", post("/events", js(sales(units={"value": 2**53}))), 422),
    Case("count negative", post("/events", js(sales(units={"value": -1}))), 422),
    Case("count fractional", post("/events", js(sales(units={"value": 1.5}))), 422),
    Case("count as string", post("/events", js(sales(units={"value": "5"}))), 422),
    Case("count as boolean", post("/events", js(sales(units={"value": True}))), 422),
    Case("boolean as string", post("/events", js(sales(units={"value": 5, "approximate": "true"}))), 422),
    Case("boolean as number", post("/events", js(sales(units={"value": 5, "approximate": 1}))), 422),
    Case(
        "amount with 19 digits",
        post("/events", js(sales(units=None, revenue={"amount": "1" * 19, "currency": "USD"}))),
        422,
    ),
    Case("amount negative", post("/events", js(sales(revenue={"amount": "-1", "currency": "USD"}))), 422),
    Case("amount with exponent", post("/events", js(sales(revenue={"amount": "1e5", "currency": "USD"}))), 422),
    Case("currency lower case", post("/events", js(sales(revenue={"amount": "1", "currency": "usd"}))), 422),
    Case("date 2025-02-30", post("/events", js(launch(launched_on="2025-02-30"))), 422),
    Case("date 2023-02-29 (no leap year)", post("/events", js(launch(launched_on="2023-02-29"))), 422),
    Case("date month 13", post("/events", js(launch(launched_on="2025-13"))), 422),
    Case("date month 00", post("/events", js(launch(launched_on="2025-00"))), 422),
    Case("date as RFC 3339 time", post("/events", js(launch(launched_on="2025-01-01T00:00:00Z"))), 422),
    Case("period 2025-Q5", post("/events", js(sales(period="2025-Q5"))), 422),
    Case("country not ISO", post("/events", js(registration("gamma", country="Germany"))), 422),
    Case("language not BCP 47", post("/events", js(launch(sources=[{**SRC, "language": "english!"}]))), 422),
    Case("url javascript:", post("/events", js(launch(sources=[{**SRC, "url": "javascript:alert(1)"}]))), 422),
    Case("certainty unknown", post("/events", js(launch(certainty="sure"))), 422),
    # -- sizes over the documented maxima --------------------------------------------------------------
    Case("name of 201 chars", post("/events", js(registration("gamma", name="n" * 201))), 422),
    Case("string of 100,000 chars", post("/events", js(launch(product="x" * 100_000))), 422),
    Case("note of 2,001 chars", post("/events", js(launch(note="x" * 2001))), 422),
    Case("51 aliases", post("/events", js(registration("gamma", aliases=["a"] * 51))), 422),
    Case("21 sources", post("/events", js(launch(sources=[SRC] * 21))), 422),
    Case("no sources", post("/events", js(launch(sources=[]))), 422),
    Case("10,000 topics", post("/events", js(meeting(topics=["t"] * 10_000))), 422),
    Case("51 participants", post("/events", js(meeting(participants=[{"company_id": "acme"}] * 51))), 422),
    Case("body over 1 MiB", post("/events", js(launch(note="x" * (2 * MB)))), 413),
    Case("Content-Length of 10 GB", post("/events", b"{}", extra=[("Content-Length", str(10**10))]), 413),
    # -- the shape and the types of events ----------------------------------------------------------
    Case("unknown event type", post("/events", js(launch(type="company_merged"))), 422),
    Case("missing type", post("/events", js({k: v for k, v in launch().items() if k != "type"})), 422),
    Case("type is a number", post("/events", js(launch(type=1))), 422),
    Case("type is null", post("/events", js(launch(type=None))), 422),
    Case("server-owned position", post("/events", js(launch(position=7))), 422),
    Case("server-owned recorded_at", post("/events", js(launch(recorded_at="2025-01-01T00:00:00Z"))), 422),
    Case(
        "stored envelope as the body",
        post("/events", js({"position": 1, "recorded_at": "2025-01-01T00:00:00Z", "event": launch()})),
        422,
    ),
    Case("unknown field", post("/events", js(launch(colour="red"))), 422),
    Case("id not a UUID", post("/events", js(launch(id="not-a-uuid"))), 422),
    Case("id a number", post("/events", js(launch(id=5))), 422),
    Case("NUL in a company id", post("/events", js(registration("ga\u0000mma"))), 422),
    Case("control character in a name", post("/events", js(registration("gamma", name="Ga\u0007mma"))), 422),
    Case("company id upper case", post("/events", js(registration("GAMMA"))), 422),
    Case("company id of 65 chars", post("/events", js(registration("g" * 65))), 422),
    Case("unregistered company", post("/events", js(launch(company_id="nobody"))), 422),
    Case("body is an array", post("/events", js([launch()])), 422),
    Case("body is a string", post("/events", js("launch")), 422),
    Case("body is a number", post("/events", b"42"), 422),
    Case("body is null", post("/events", b"null"), 422),
    Case(
        "duplicate key",
        post("/events", VALID[:-1] + b',"product":"Other"}'),
        (400, 422),
    ),
    Case("duplicate type key", post("/events", VALID[:-1] + b',"type":"company_registered"}'), (400, 422)),
    Case("sales without units or revenue", post("/events", js(sales(units=None))), 422),
    Case("meeting with one participant", post("/events", js(meeting(participants=[{"company_id": "acme"}]))), 422),
    Case("meeting on 2025-02-30", post("/events", js(meeting(occurred_on="2025-02-30"))), 422),
    Case(
        "relationship with itself",
        post(
            "/events",
            js(
                {
                    "type": "relationship_reported",
                    "from_company_id": "acme",
                    "to_company_id": "acme",
                    "kind": "supplies",
                    "status": "active",
                    "sources": [SRC],
                }
            ),
        ),
        422,
    ),
    Case("own parent", post("/events", js(registration("acme", parent_id="acme"))), 422),
    Case(
        "evidence for an unknown event",
        post("/events", js({"type": "evidence_added", "event_id": str(uuid.uuid4()), "sources": [SRC]})),
        422,
    ),
    Case(
        "retraction of an unknown event",
        post(
            "/events", js({"type": "event_retracted", "event_id": str(uuid.uuid4()), "reason": "r", "sources": [SRC]})
        ),
        422,
    ),
    Case(
        "retraction of a registration",
        post(
            "/events", js({"type": "event_retracted", "event_id": ACME_REGISTRATION, "reason": "r", "sources": [SRC]})
        ),
        422,
    ),
    Case(
        "revenue target without currency",
        post(
            "/events",
            js(
                {
                    "type": "plan_announced",
                    "plan_id": "p",
                    "company_id": "acme",
                    "kind": "production",
                    "description": "d",
                    "metric": "revenue",
                    "target": {"value": "1"},
                    "due": "2026",
                    "sources": [SRC],
                }
            ),
        ),
        422,
    ),
    Case("same id, other content", post("/events", js(launch(id=LAUNCH, product="Something else"))), 409),
    # -- content types: 415 --------------------------------------------------------------------------
    Case("no content type", post("/events", VALID, content_type=None), 415),
    Case("text/plain", post("/events", VALID, content_type="text/plain"), 415),
    Case(
        "form-urlencoded",
        post("/events", b"type=product_launched", content_type="application/x-www-form-urlencoded"),
        415,
    ),
    Case(
        "multipart",
        post("/events", b"--x\r\n\r\n" + VALID + b"\r\n--x--", content_type="multipart/form-data; boundary=x"),
        415,
    ),
    Case("charset latin-1", post("/events", VALID, content_type="application/json; charset=latin-1"), 415),
    Case("application/jsonx", post("/events", VALID, content_type="application/jsonx"), 415),
    Case("application/xml", post("/events", b"<event/>", content_type="application/xml"), 415),
    Case("batch as text/plain", post("/events/batch", js({"events": [launch()]}), content_type="text/plain"), 415),
    # -- batches -------------------------------------------------------------------------------------
    Case("batch of 1,001 events", post("/events/batch", js({"events": [launch()] * 1001})), 422),
    Case("empty batch", post("/events/batch", js({"events": []})), 422),
    Case("batch events not a list", post("/events/batch", js({"events": launch()})), 422),
    Case("batch as a bare array", post("/events/batch", js([launch()])), 422),
    Case("batch with an unknown field", post("/events/batch", js({"events": [launch()], "atomic": False})), 422),
    Case(
        "batch with a duplicate id",
        post("/events/batch", js({"events": [launch(id="0195bb26-0000-7000-8000-0000000000aa")] * 2})),
        422,
    ),
    Case(
        "batch with one bad event among good ones",
        post("/events/batch", js({"events": [launch(), launch(), launch(launched_on="2025-02-30")]})),
        422,
    ),
    Case(
        "batch naming a company registered later",
        post("/events/batch", js({"events": [launch(company_id="delta"), registration("delta")]})),
        422,
    ),
    # -- conditional appends -------------------------------------------------------------------------
    Case("If-Match missing", post("/companies/acme/events", VALID), 428),
    Case("If-Match unquoted", post("/companies/acme/events", VALID, extra=[("If-Match", "1")]), 422),
    Case("If-Match weak", post("/companies/acme/events", VALID, extra=[("If-Match", 'W/"1"')]), 422),
    Case(
        "If-Match of 16 digits", post("/companies/acme/events", VALID, extra=[("If-Match", '"1234567890123456"')]), 422
    ),
    Case("If-Match *", post("/companies/acme/events", VALID, extra=[("If-Match", "*")]), 422),
    Case("If-Match stale", post("/companies/acme/events", VALID, extra=[("If-Match", '"99"')]), 412),
    Case("event not naming the company", post("/companies/beta/events", VALID, extra=[("If-Match", '"1"')]), 422),
    Case(
        "company path not a slug", post("/companies/ACME/events", VALID, extra=[("If-Match", '"1"')]), (404, 412, 422)
    ),
    # -- paths and queries ---------------------------------------------------------------------------
    Case("/companies/..%2F..", get("/companies/..%2F.."), 404),
    Case("/companies/../../etc/passwd", get("/companies/../../etc/passwd"), 404),
    Case("/companies/%00", get("/companies/%00"), (404, 422)),
    Case("/companies/%ff", get("/companies/%ff"), (404, 422)),
    Case("/events/not-a-uuid", get("/events/not-a-uuid"), 404),
    Case("/events/unknown uuid", get(f"/events/{uuid.uuid4()}"), 404),
    Case("unknown path", get("/nope"), 404),
    Case("limit=-1", get("/events?limit=-1"), 422),
    Case("limit=0", get("/events?limit=0"), 422),
    Case("limit=1001", get("/events?limit=1001"), 422),
    Case("limit=abc", get("/events?limit=abc"), 422),
    Case("limit=1.5", get("/events?limit=1.5"), 422),
    Case("limit of 60,000 digits", get("/events?limit=" + "9" * 60_000), 422),
    Case("after=1e99", get("/events?after=1e99"), 422),
    Case("after=-1", get("/events?after=-1"), 422),
    Case("after=2**63", get(f"/events?after={2**63}"), 422),
    Case("after=2**53", get(f"/events?after={2**53}"), 422),
    Case("after=%ff", get("/events?after=%ff"), 422),
    Case("type=unknown", get("/events?type=company_merged"), 422),
    Case("company=NOT_A_SLUG", get("/events?company=NOT_A_SLUG"), 422),
    Case("timeline from=2025-02-30", get("/companies/acme/timeline?from=2025-02-30"), 422),
    Case("companies country=xx", get("/companies?country=xx"), 422),
    Case("as_of and at_position", get("/companies/acme?as_of=2025-01-01T00:00:00Z&at_position=1"), 422),
    Case("as_of without offset", get("/companies/acme?as_of=2025-01-01T00:00:00"), 422),
    Case("as_of garbage", get("/companies/acme?as_of=yesterday"), 422),
    Case("at_position=-1", get("/companies/acme?at_position=-1"), 422),
    Case("at_position=2**63", get(f"/companies/acme?at_position={2**63}"), 422),
    Case("timeline cursor garbage", get("/companies/acme/timeline?cursor=zz"), 422),
    Case("q of 201 chars", get("/companies?q=" + "q" * 201), 422),
    Case("PUT /events", request("PUT", "/events", VALID), 405),
    Case("DELETE /events/{id}", get(f"/events/{LAUNCH}").replace(b"GET", b"DELETE", 1), 405),
    Case("PATCH /companies/acme", request("PATCH", "/companies/acme", VALID), 405),
    # -- headers ---------------------------------------------------------------------------------------
    Case("60 KB header on a malformed body", post("/events", b"{", extra=LONG_HEADER), 400),
    Case("60 KB header on a bad query", get("/events?limit=0", extra=LONG_HEADER), 422),
    Case("100 KB header", get("/health", extra=[("X-Padding", "a" * 100_000)]), 431),
    Case(
        "70 KB of small headers on an append",
        post("/events", VALID, extra=[(f"X-H{i}", "v" * 60) for i in range(1000)]),
        431,
    ),
    Case("5,000 headers on a bad query", get("/events?limit=0", extra=[(f"X-H{i}", "v") for i in range(5000)]), 422),
    Case("1 MB header", get("/health", extra=[("X-Padding", "a" * MB)]), 431),
    Case("10 MB header", get("/health", extra=[("X-Padding", "a" * 10 * MB)]), 431),
    # -- HTTP that only uvicorn's parser sees -------------------------------------------------------------
    Case("query string over 64 KB", get("/events?limit=" + "9" * 70_000), 431),
    Case("NUL in a header value", get("/health", extra=[("X-A", "a\x00b")]), 400, transport=True),
    Case("space in a header name", get("/health", extra=[("X A", "b")]), 400, transport=True),
    Case("obsolete line folding", get("/health", extra=[("X-A", "b\r\n c")]), 400, transport=True),
    Case("garbage request line", b"GARBAGE\r\n\r\n", 400, transport=True),
    Case("HTTP/2 preface", b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 400, transport=True),
    Case("unknown method", request("BREW", "/events"), 400, transport=True),
    Case("raw non-ASCII path", get("/companies/ü".encode()), 400, transport=True),
    Case("bare LF line ends", b"GET /health HTTP/1.1\nHost: a\n\n", 400, transport=True),
    Case(
        "Content-Length and Transfer-Encoding",
        post("/events", VALID, extra=[("Content-Length", str(len(VALID))), ("Transfer-Encoding", "chunked")]),
        400,
        transport=True,
    ),
    Case(
        "two different Content-Lengths",
        post("/events", VALID, extra=[("Content-Length", str(len(VALID))), ("Content-Length", "5")]),
        400,
        transport=True,
    ),
    Case("negative Content-Length", post("/events", VALID, extra=[("Content-Length", "-1")]), 400, transport=True),
    Case(
        "bad chunk size",
        post("/events", b"ZZ\r\n" + VALID + b"\r\n0\r\n\r\n", extra=[("Transfer-Encoding", "chunked")]),
        400,
        transport=True,
    ),
    Case(
        "chunked body over 1 MiB",
        post(
            "/events",
            b"".join(b"10000\r\n" + b"a" * 0x10000 + b"\r\n" for _ in range(20)) + b"0\r\n\r\n",
            extra=[("Transfer-Encoding", "chunked")],
        ),
        413,
    ),
    Case(
        "Expect: 100-continue over 1 MiB",
        request(
            "POST",
            "/events",
            headers=[("Content-Type", "application/json"), ("Content-Length", str(5 * MB)), ("Expect", "100-continue")],
        ),
        413,
    ),
]


# -- sending raw bytes ---------------------------------------------------------------------------


@dataclass
class Answer:
    status: int | None
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    timed_out: bool = False


def exchange(port: int, data: bytes, *, timeout: float = 15) -> Answer:
    """Send the bytes (stopping early if the server already answered) and read until the server closes."""
    deadline = time.monotonic() + timeout
    received = b""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        try:
            for start in range(0, len(data), 65536):
                sock.sendall(data[start : start + 65536])
                if select.select([sock], [], [], 0)[0]:
                    break  # an early answer (413, 400): stop sending and read it
        except (BrokenPipeError, ConnectionResetError):
            pass
        timed_out = False
        try:
            while True:
                sock.settimeout(max(0.01, deadline - time.monotonic()))
                chunk = sock.recv(65536)
                if not chunk:
                    break
                received += chunk
        except TimeoutError:
            timed_out = True
        except ConnectionResetError:
            pass
    head, _, body = received.partition(b"\r\n\r\n")
    match = re.match(rb"HTTP/1\.[01] (\d{3})", head)
    headers = {}
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        headers[name.strip().lower().decode("latin-1")] = value.strip().decode("latin-1")
    return Answer(int(match.group(1)) if match else None, headers, body, timed_out)


@dataclass(frozen=True)
class GranianAnswer:
    """What Granian answers a case where it differs from uvicorn (api/http/serving.py says why)."""

    statuses: tuple[int | None, ...]
    kept_open: bool = False
    """A valid request without ``Connection: close``: answered, the connection kept for the next one."""


GRANIAN = {
    # Over hyper's 100 headers, or over its read buffer: a bare 431 (or 414 for a long request line).
    # Where the buffer ends depends on how the head arrives in reads: between 64 KiB and a few
    # hundred KiB, so a head of 100 KB may be taken as valid.
    "70 KB of small headers on an append": GranianAnswer((431,)),
    "5,000 headers on a bad query": GranianAnswer((431,)),
    "100 KB header": GranianAnswer((200, 431)),
    "1 MB header": GranianAnswer((431,)),
    "10 MB header": GranianAnswer((431,)),
    "query string over 64 KB": GranianAnswer((414, 431)),
    "NUL in a header value": GranianAnswer((400,)),
    "space in a header name": GranianAnswer((400,)),
    "obsolete line folding": GranianAnswer((400,)),
    "garbage request line": GranianAnswer((400,)),
    "HTTP/2 preface": GranianAnswer((None,)),  # HTTP/1.1 only: the connection is closed
    "two different Content-Lengths": GranianAnswer((400,)),
    "negative Content-Length": GranianAnswer((400,)),
    # Handed to the app, which answers its own problem (or takes the request as valid).
    "unknown method": GranianAnswer((405,)),
    "raw non-ASCII path": GranianAnswer((422,)),
    "bare LF line ends": GranianAnswer((200,), kept_open=True),  # RFC 9112 2.2 allows a bare LF
}
"""Cases Granian answers otherwise than uvicorn; every other case gets the same problem from both."""


# -- the server, its log, and the cases ---------------------------------------------------------

TALLY: Counter[str] = Counter()


@pytest.fixture(scope="module", params=SERVERS)
def server(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> Iterator[Server]:
    db: Path = tmp_path_factory.mktemp("hostile") / "hostile.db"
    with serve(db, server=request.param) as server:
        with httpx.Client(base_url=server.url, timeout=30) as client:
            setup = {
                "events": [
                    registration("acme", ACME_REGISTRATION),
                    registration("beta"),
                    launch(id=LAUNCH),
                ]
            }
            assert client.post("/events/batch", json=setup).status_code == 201
        yield server
        assert server.process.poll() is None, "the server died during the corpus"
    figures(
        f"hostile ({request.param})",
        cases_tried=TALLY["tried"],
        problem_json_answers=TALLY["problem+json"],
        other_answers=TALLY["other answer"],
        transport_level_cases=sum(c.transport for c in CASES),
        answers_5xx=TALLY["5xx"],
        log_changed=TALLY["log changed"],
    )


def snapshot(server: Server) -> tuple[bytes, int]:
    with httpx.Client(base_url=server.url, timeout=30) as client:
        log = client.get("/events", params={"limit": 1000})
        ready = client.get("/ready")
    assert log.status_code == 200 and ready.status_code == 200
    return log.content, ready.json()["last_position"]


def test_the_corpus_is_large_enough() -> None:
    assert len(CASES) >= 60
    assert len({c.name for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", [pytest.param(c, id=c.name) for c in CASES])
def test_bad_request_gets_its_4xx_and_changes_nothing(server: Server, case: Case) -> None:
    port = int(server.url.rsplit(":", 1)[1])
    granian = GRANIAN.get(case.name) if server.server == "granian" else None
    before = snapshot(server)
    answer = exchange(port, case.data, timeout=2 if granian is not None and granian.kept_open else 15)
    after = snapshot(server)
    content_type = answer.headers.get("content-type", "")
    TALLY["tried"] += 1
    if answer.status is not None and answer.status >= 500:
        TALLY["5xx"] += 1
    TALLY["log changed"] += before != after
    TALLY["problem+json" if content_type.startswith("application/problem+json") else "other answer"] += 1
    if granian is not None:
        assert answer.status in granian.statuses, f"{answer.status}: {answer.body[:300]!r}"
        assert answer.timed_out == granian.kept_open
        if answer.body:  # the app answered: its request id, and a problem unless the request was valid
            assert answer.headers.get("x-request-id"), answer.headers
            assert content_type.startswith("application/problem+json") or answer.status == 200, answer.headers
        assert before == after, "the log changed"
        return
    assert not answer.timed_out, "no answer: the server kept the connection open"
    assert answer.status in case.statuses, f"{answer.status}: {answer.body[:300]!r}"
    assert content_type.startswith("application/problem+json"), answer.headers
    problem = json.loads(answer.body)
    assert problem["status"] == answer.status and problem["type"] and problem["title"], problem
    assert "Traceback" not in problem["detail"]
    assert problem["request_id"] and problem["request_id"] == answer.headers.get("x-request-id"), problem
    assert before == after, "the log changed"


def test_a_body_that_never_arrives_blocks_no_one_else(server: Server) -> None:
    """Clients that announce a body and stall hold only their own connection (uvicorn has no body timeout)."""
    port = int(server.url.rsplit(":", 1)[1])
    before = snapshot(server)
    stalled = []
    try:
        for _ in range(20):
            sock = socket.create_connection(("127.0.0.1", port), timeout=5)
            sock.sendall(post("/events", VALID, extra=[("Content-Length", str(len(VALID) + 100))]))
            stalled.append(sock)
        with httpx.Client(base_url=server.url, timeout=10) as client:
            for _ in range(20):
                assert client.get("/events", params={"limit": 1}).status_code == 200
            fresh = client.post("/events", json=launch())
            assert fresh.status_code == 201, fresh.text
        before = (before[0], before[1] + 1)  # the one append above
    finally:
        for sock in stalled:
            sock.close()
    time.sleep(0.2)
    after = snapshot(server)
    assert after[1] == before[1], "a stalled body was stored"
    assert server.process.poll() is None


@pytest.mark.parametrize("http_server", SERVERS)
def test_a_client_hanging_up_mid_body_is_not_a_server_error(tmp_path: Path, http_server: str) -> None:
    with serve(tmp_path / "hangup.db", server=http_server) as server:
        port = int(server.url.rsplit(":", 1)[1])
        with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
            sock.sendall(post("/events", VALID, extra=[("Content-Length", str(len(VALID) + 100))]))
            sock.shutdown(socket.SHUT_WR)
            answer = sock.recv(65536)
        if http_server == "granian":  # the app is told the body ended short, and says so to the half-closed socket
            assert answer.startswith(b"HTTP/1.1 400 ") and b"application/problem+json" in answer, answer[:300]
        else:
            assert answer == b""  # nobody to answer
        with httpx.Client(base_url=server.url, timeout=10) as client:
            assert client.get("/health").status_code == 200
        time.sleep(0.2)
        assert "unhandled error" not in server.output()
