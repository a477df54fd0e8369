"""Every problem carries its request id, whichever layer refused the request.

The id in the body is the one in the ``X-Request-ID`` header, so a client can quote either
to find the request in the server's log. Layers, outermost first: uvicorn's parser (invalid
HTTP, a head over the limit: a real server), the Host check, routing, auth and the rate
limit, the body limit and content type, validation, the store.
"""

from __future__ import annotations

import contextlib
import json
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from litestar.testing import TestClient

from api.app import create_app
from api.http.keys import generate
from api.settings import Settings
from tests.server import Server, serve

_JSON = {"content-type": "application/json"}
_SALES = {
    "type": "sales_reported",
    "sources": [{"title": "t", "publisher": "p", "language": "en"}],
    "company_id": "xiaomi",
    "period": "2025",
    "units": {"value": 1},
}


def assert_problem_with_request_id(response: httpx.Response, status: int) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == status
    assert body["request_id"], body
    assert body["request_id"] == response.headers["x-request-id"]


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:  # type: ignore[type-arg]
    settings = Settings(db=str(tmp_path / "ids.db"), seed=True, max_body_bytes=1024, allowed_hosts="testserver.local")
    with TestClient(create_app(settings), base_url="http://testserver.local") as client:
        yield client


@pytest.mark.parametrize(
    ("status", "method", "url", "kwargs"),
    [
        (400, "GET", "/events", {"headers": {"host": "evil.example"}}),
        (400, "POST", "/events", {"content": b"{", "headers": _JSON}),
        (404, "GET", "/news", {}),
        (404, "GET", "/companies/tesla", {}),
        (405, "DELETE", "/events", {}),
        (413, "POST", "/events", {"content": json.dumps({**_SALES, "note": "x" * 2000}), "headers": _JSON}),
        (415, "POST", "/events", {"content": json.dumps(_SALES), "headers": {"content-type": "text/plain"}}),
        (422, "POST", "/events", {"content": json.dumps({**_SALES, "period": "2025-13"}), "headers": _JSON}),
        (422, "GET", "/events?limit=0", {}),
        (428, "POST", "/companies/xiaomi/events", {"content": json.dumps(_SALES), "headers": _JSON}),
    ],
    ids=["host", "malformed", "route", "company", "method", "body size", "content type", "field", "query", "if-match"],
)
def test_a_problem_from_the_app_carries_the_request_id(
    client: TestClient,  # type: ignore[type-arg]
    status: int,
    method: str,
    url: str,
    kwargs: dict[str, Any],
) -> None:
    assert_problem_with_request_id(client.request(method, url, **kwargs), status)


def test_auth_and_rate_limit_problems_carry_the_request_id(tmp_path: Path) -> None:
    read, read_line = generate("read")
    keys = tmp_path / "keys"
    keys.write_text(read_line + "\n")
    settings = Settings(db=str(tmp_path / "auth.db"), keys_file=str(keys), rate_limit=1, rate_burst=2)
    with TestClient(create_app(settings)) as client:
        assert_problem_with_request_id(client.get("/events"), 401)
        assert_problem_with_request_id(client.get("/events", headers={"Authorization": "Bearer nope"}), 401)
        bearer = {"Authorization": f"Bearer {read}", **_JSON}
        assert_problem_with_request_id(client.post("/events", content=json.dumps(_SALES), headers=bearer), 403)
        answers = [client.get("/events", headers=bearer) for _ in range(4)]
        assert_problem_with_request_id(answers[-1], 429)


def _raw(server: Server, data: bytes) -> httpx.Response:
    """Send bytes no client library would, and read the answer up to the close."""
    host, port = server.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        with contextlib.suppress(OSError):  # the server may close before it read everything
            sock.sendall(data)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    head, _, body = b"".join(chunks).partition(b"\r\n\r\n")
    status_line, *lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines)
    return httpx.Response(int(status_line.split()[1]), headers=headers, content=body)


def test_a_problem_from_the_http_parser_carries_the_request_id_and_is_logged(tmp_path: Path) -> None:
    with serve(tmp_path / "parser.db", "--log-format", "json") as server:
        too_large = _raw(server, b"GET /health HTTP/1.1\r\nHost: a\r\nX-Padding: " + b"a" * 100_000 + b"\r\n\r\n")
        not_http = _raw(server, b"GARBAGE\r\n\r\n")
    assert_problem_with_request_id(too_large, 431)
    assert_problem_with_request_id(not_http, 400)
    assert too_large.json()["request_id"] != not_http.json()["request_id"]
    logged = [json.loads(line) for line in server.output().splitlines() if line.startswith("{")]
    ids = {line.get("request_id"): line.get("status") for line in logged if line["logger"] == "tidings.access"}
    assert ids[too_large.json()["request_id"]] == 431
    assert ids[not_http.json()["request_id"]] == 400
