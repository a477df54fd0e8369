"""Servers for the generated clients, and the spec they are generated from: the one the open server serves."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from api.http.keys import generate
from tests.server import Server, serve


@pytest.fixture(scope="session")
def open_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """``tidings serve --seed`` without a keys file: open, on 127.0.0.1."""
    with serve(tmp_path_factory.mktemp("clients-open") / "open.db", "--seed") as server:
        yield server


@pytest.fixture(scope="session")
def append_key() -> tuple[str, str]:
    """An ``append`` key and its keys-file line."""
    return generate("append")


@pytest.fixture(scope="session")
def keyed_server(tmp_path_factory: pytest.TempPathFactory, append_key: tuple[str, str]) -> Iterator[Server]:
    """``tidings serve --seed --keys-file``: every call but /health needs a key."""
    workdir = tmp_path_factory.mktemp("clients-keyed")
    keys = workdir / "keys"
    keys.write_text(append_key[1] + "\n")
    with serve(workdir / "keyed.db", "--seed", "--keys-file", str(keys)) as server:
        yield server


@pytest.fixture(scope="session")
def live_spec(open_server: Server, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The document the server serves now (not a committed copy): what a user would generate from."""
    answer = httpx.get(f"{open_server.url}/schema/openapi.json", timeout=10)
    assert answer.status_code == 200
    spec = tmp_path_factory.mktemp("spec") / "openapi.json"
    spec.write_bytes(answer.content)
    return spec
