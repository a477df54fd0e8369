"""Who may do what: every operation with no key, a bad key, a revoked key and each scope."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from litestar.testing import TestClient

from api.app import create_app
from api.http.keys import generate
from api.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
SPEC = yaml.safe_load((ROOT / "openapi.yaml").read_text())
PATH_VALUES = {
    "company_id": "xiaomi",
    "event_id": "0195bb26-3c00-7001-8a1d-5e3d00000001",
    "event_type": "meeting_held",
    "person_id": "jay-y-lee",
    "name": "mailer",
}
OPERATIONS = [
    (method.upper(), path, operation) for path, item in SPEC["paths"].items() for method, operation in item.items()
]
RETRACTION = {
    "type": "event_retracted",
    "event_id": "0195bb26-3c00-700c-8a1d-5e3d0000000c",
    "reason": "the figure was wrong",
    "sources": [{"title": "t", "publisher": "p", "language": "en"}],
}


class Keys:
    def __init__(self, folder: Path) -> None:
        self.file = folder / "keys"
        self.tokens: dict[str, str] = {}
        lines = []
        for scope in ("read", "append", "admin"):
            token, line = generate(scope)  # type: ignore[arg-type]
            self.tokens[scope] = token
            lines.append(line)
        self.file.write_text("\n".join(lines) + "\n")

    def revoke(self, scope: str) -> None:
        key_id = self.tokens[scope].split("_")[1]
        kept = [line for line in self.file.read_text().splitlines() if not line.startswith(key_id)]
        self.file.write_text("\n".join(kept) + "\n")


@pytest.fixture
def keys(tmp_path: Path) -> Keys:
    return Keys(tmp_path)


@pytest.fixture
def client(tmp_path: Path, keys: Keys) -> Iterator[TestClient]:  # type: ignore[type-arg]
    settings = Settings(db=str(tmp_path / "auth.db"), seed=True, keys_file=str(keys.file), rate_limit=0)
    with TestClient(create_app(settings)) as client:
        yield client


def call(client: TestClient, method: str, path: str, token: str | None = None, **kwargs: Any) -> Any:  # type: ignore[type-arg]
    url = path.format(**PATH_VALUES)
    headers = {"content-type": "application/json", **kwargs.pop("headers", {})}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    if "stream" in path:
        url += "?limit=1"
    return client.request(method, url, headers=headers, content=kwargs.pop("content", b"{}"), **kwargs)


def scope_of(operation: dict[str, Any]) -> str | None:
    return operation.get("x-required-scope")


def test_the_document_says_a_bearer_key_is_optional_where_the_server_is_open() -> None:
    assert SPEC["security"] == [{}, {"bearerAuth": []}]
    assert "without a keys file is open" in SPEC["components"]["securitySchemes"]["bearerAuth"]["description"]


@pytest.mark.parametrize(("method", "path", "operation"), OPERATIONS, ids=[f"{m} {p}" for m, p, _ in OPERATIONS])
def test_each_operation_answers_as_its_spec_declares(
    client: TestClient,  # type: ignore[type-arg]
    keys: Keys,
    method: str,
    path: str,
    operation: dict[str, Any],
) -> None:
    scope = scope_of(operation)
    if scope is None:
        assert operation["security"] == []
        assert call(client, method, path).status_code not in (401, 403)
        return
    # The document's security, [{}, {bearerAuth: []}]: what the server behind it decides (keys file or not).
    assert "security" not in operation
    declared = set(operation["responses"])
    assert {"401", "429"} <= declared

    missing = call(client, method, path)
    assert missing.status_code == 401, missing.text
    assert missing.headers["www-authenticate"].startswith("Bearer")
    assert missing.headers["content-type"].startswith("application/problem+json")

    for bad in ("not-a-key", "tid_abcdefgh_" + "x" * 40, keys.tokens["read"] + "x"):
        answer = call(client, method, path, bad)
        assert answer.status_code == 401, (bad, answer.text)
        assert 'error="invalid_token"' in answer.headers["www-authenticate"]

    for held in ("read", "append", "admin"):
        answer = call(client, method, path, keys.tokens[held])
        allowed = ("read", "append", "admin").index(held) >= ("read", "append", "admin").index(scope)
        if allowed:
            assert answer.status_code not in (401, 403), (held, answer.text)
        else:
            assert answer.status_code == 403, (held, answer.text)
            assert "403" in declared
            assert 'error="insufficient_scope"' in answer.headers["www-authenticate"]


def test_a_read_key_reads_but_cannot_append(client: TestClient, keys: Keys) -> None:  # type: ignore[type-arg]
    assert call(client, "GET", "/companies/xiaomi", keys.tokens["read"], content=b"").status_code == 200
    body = b'{"type":"product_launched","company_id":"xiaomi","product":"YU7","category":"ev","launched_on":"2025",'
    body += b'"sources":[{"title":"t","publisher":"p","language":"en"}]}'
    assert call(client, "POST", "/events", keys.tokens["read"], content=body).status_code == 403
    assert call(client, "POST", "/events", keys.tokens["append"], content=body).status_code == 201


def test_only_an_admin_key_retracts(client: TestClient, keys: Keys) -> None:  # type: ignore[type-arg]
    import json

    body = json.dumps(RETRACTION).encode()
    refused = call(client, "POST", "/events", keys.tokens["append"], content=body)
    assert refused.status_code == 403 and "admin" in refused.json()["detail"]
    assert call(client, "POST", "/events", keys.tokens["admin"], content=body).status_code == 201


def test_a_revoked_key_is_refused_at_once(client: TestClient, keys: Keys) -> None:  # type: ignore[type-arg]
    assert call(client, "GET", "/events", keys.tokens["append"], content=b"").status_code == 200
    keys.revoke("append")
    assert call(client, "GET", "/events", keys.tokens["append"], content=b"").status_code == 401
    assert call(client, "GET", "/events", keys.tokens["read"], content=b"").status_code == 200


def test_a_burst_over_the_rate_is_429_while_another_key_is_unaffected(tmp_path: Path, keys: Keys) -> None:
    settings = Settings(db=str(tmp_path / "rate.db"), keys_file=str(keys.file), rate_limit=1, rate_burst=5)
    with TestClient(create_app(settings)) as client:
        answers = [call(client, "GET", "/events", keys.tokens["read"], content=b"") for _ in range(12)]
        limited = [a for a in answers if a.status_code == 429]
        assert [a.status_code for a in answers[:5]] == [200] * 5
        assert len(limited) >= 6
        assert int(limited[0].headers["retry-after"]) >= 1
        assert {"ratelimit-limit", "ratelimit-remaining", "ratelimit-reset"} <= set(limited[0].headers)
        assert limited[0].headers["content-type"].startswith("application/problem+json")
        assert call(client, "GET", "/events", keys.tokens["append"], content=b"").status_code == 200


def test_every_answer_to_a_counted_request_says_where_the_key_stands(tmp_path: Path, keys: Keys) -> None:
    settings = Settings(db=str(tmp_path / "rate.db"), keys_file=str(keys.file), rate_limit=1, rate_burst=5)
    body = b'{"type": "sales_reported"}'
    with TestClient(create_app(settings)) as client:
        answers = [
            call(client, "GET", "/events", keys.tokens["read"], content=b""),  # 200
            call(client, "GET", "/companies/nobody", keys.tokens["read"], content=b""),  # 404
            call(client, "GET", "/events?period=2025", keys.tokens["read"], content=b""),  # 400
            call(client, "POST", "/events", keys.tokens["read"], content=body),  # 403: counted too
            call(client, "POST", "/events", keys.tokens["append"], content=body),  # 422
        ]
        assert [a.status_code for a in answers] == [200, 404, 400, 403, 422]
        for answer in answers:
            assert answer.headers["ratelimit-limit"] == "5"
            assert int(answer.headers["ratelimit-reset"]) >= 0
        assert [int(a.headers["ratelimit-remaining"]) for a in answers[:4]] == [4, 3, 2, 1]
        # No key, nothing counted: a 401 says nothing of a rate, and neither does an open server.
        assert "ratelimit-limit" not in call(client, "GET", "/events", content=b"").headers
    with TestClient(create_app(Settings(db=str(tmp_path / "open.db"), rate_limit=1, rate_burst=5))) as client:
        assert "ratelimit-limit" not in client.get("/events").headers


def test_the_rate_limit_headers_are_documented_on_every_counted_answer() -> None:
    for path, item in SPEC["paths"].items():
        for method, operation in item.items():
            if scope_of(operation) is None:
                continue
            for status, response in operation["responses"].items():
                if status[0] in "24" and status != "401":
                    assert {"RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset"} <= set(
                        response.get("headers", {})
                    ), (method, path, status)


def test_every_response_carries_the_security_headers(client: TestClient, keys: Keys) -> None:  # type: ignore[type-arg]
    for answer in (
        call(client, "GET", "/events", keys.tokens["read"], content=b""),
        call(client, "GET", "/events", content=b""),
        call(client, "GET", "/nowhere", content=b""),
        call(client, "GET", "/health", content=b""),
    ):
        assert answer.headers["x-content-type-options"] == "nosniff"
        assert "server" not in answer.headers or "uvicorn" not in answer.headers["server"]
    assert call(client, "GET", "/nowhere", content=b"").headers["cache-control"] == "no-store"


def test_keys_create_prints_the_key_then_the_keys_file_line() -> None:
    printed = subprocess.run(
        [sys.executable, "-m", "api.cli", "keys", "create", "--scope", "append"],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    ).stdout.splitlines()
    assert len(printed) == 2
    token, line = printed
    assert token.startswith("tid_") and token not in line
    assert line.split()[1] == "append" and line.split()[2].startswith("sha256:")


def test_serving_without_keys_beyond_loopback_is_refused_unless_insecure_open() -> None:
    refused = subprocess.run(
        [sys.executable, "-m", "api.cli", "serve", "--host", "0.0.0.0", "--port", "9"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=30,
    )
    assert refused.returncode == 2
    assert "--keys-file" in refused.stderr


def test_one_key_holds_at_most_its_share_of_event_streams(tmp_path: Path, keys: Keys) -> None:
    from api.errors import StreamsUnavailable

    settings = Settings(db=str(tmp_path / "s.db"), keys_file=str(keys.file), rate_limit=0, stream_max_per_key=2)
    with TestClient(create_app(settings)) as client:
        feed = client.app.state.feed
        held = [feed.subscribe(after=0, owner="key-a") for _ in range(2)]
        with pytest.raises(StreamsUnavailable, match="key-a"):
            feed.subscribe(after=0, owner="key-a")
        other = feed.subscribe(after=0, owner="key-b")  # another key is unaffected
        feed._release(held[0])
        held.append(feed.subscribe(after=0, owner="key-a"))  # a closed stream frees its slot
        for stream in [*held[1:], other]:
            feed._release(stream)
