"""Clients for the HTTP behaviour tests: the whole app in process, over a fresh SQLite file per test.

``client`` holds the seed data (the Samsung/Xiaomi article), ``empty_client`` nothing;
``make_client`` builds one with other settings (a small body limit, a second database).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import TestClient

from api.app import create_app
from api.settings import Settings

MakeClient = Callable[..., TestClient]  # type: ignore[type-arg]


@pytest.fixture
def make_client(tmp_path: Path) -> Iterator[MakeClient]:
    """``make_client(db_name, **settings)``: a started client; every one is closed after the test."""
    with ExitStack() as stack:

        def make(db_name: str = "api.db", **settings: Any) -> TestClient:  # type: ignore[type-arg]
            app = create_app(Settings(db=str(tmp_path / db_name), **settings))
            return stack.enter_context(TestClient(app))

        yield make


@pytest.fixture
def client(make_client: MakeClient) -> TestClient:  # type: ignore[type-arg]
    return make_client("api.db", seed=True)


@pytest.fixture
def empty_client(make_client: MakeClient) -> TestClient:  # type: ignore[type-arg]
    return make_client("empty.db")
