"""Clients for the HTTP behaviour tests: the whole app in process, over a fresh SQLite file per test.

``client`` holds the first seed article's events (the Samsung/Xiaomi article), ``seeded_client`` every
seed file, ``empty_client`` nothing;
``make_client`` builds one with other settings (a small body limit, a second database).
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import msgspec
import pytest
from litestar.testing import TestClient

from api.app import create_app
from api.settings import Settings
from tests.factories import first_article_events
from tests.postgres import drop_schemas, pg_dsn, skip_reason

MakeClient = Callable[..., TestClient]  # type: ignore[type-arg]


@pytest.fixture(params=["sqlite", "postgresql"])
def make_client(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[MakeClient]:
    """``make_client(db_name, **settings)``: a started client; every one is closed after the test.

    Each test runs on both backends: a SQLite file per db name, or a PostgreSQL schema per db name.
    """
    dsn = pg_dsn()
    if request.param == "postgresql" and not dsn:
        pytest.skip(skip_reason())
    schemas: list[str] = []
    with ExitStack() as stack:

        def make(db_name: str = "api.db", **settings: Any) -> TestClient:  # type: ignore[type-arg]
            if request.param == "sqlite":
                app = create_app(Settings(db=str(tmp_path / db_name), **settings))
            else:
                schemas.append(f"tidings_api_{uuid.uuid4().hex}")
                app = create_app(Settings(db=str(dsn), pg_schema=schemas[-1], **settings))
            return stack.enter_context(TestClient(app))

        yield make
    if schemas:
        asyncio.run(drop_schemas(str(dsn), schemas))


@pytest.fixture
def client(make_client: MakeClient) -> TestClient:  # type: ignore[type-arg]
    """The first seed article's events, stored as ``--seed`` stores them (one batch): later seed files
    have tests of their own, so positions and counts here stay those of the article."""
    client = make_client("api.db")
    body = msgspec.json.encode({"events": first_article_events()})
    stored = client.post("/events/batch", content=body, headers={"content-type": "application/json"})
    assert stored.status_code == 201, stored.text
    return client


@pytest.fixture
def seeded_client(make_client: MakeClient) -> TestClient:  # type: ignore[type-arg]
    """Every seed file, as ``tidings serve --seed`` stores them."""
    return make_client("seeded.db", seed=True)


@pytest.fixture
def empty_client(make_client: MakeClient) -> TestClient:  # type: ignore[type-arg]
    return make_client("empty.db")
