"""The ``store`` fixture: an opened store on each backend, closed (and its data dropped) after the test;
and the run's summary: which PostgreSQL it used, and the figures the stress proofs collected.

SQLite runs on ``tmp_path``. PostgreSQL runs against the server in ``TIDINGS_TEST_PG_DSN``,
or, when that is unset, at ``postgresql://postgres@127.0.0.1:5432/test`` if it answers there
(tests/postgres.py), each test in a schema of its own that ``PostgresStore.open()`` creates
and the fixture drops. Both are real databases; the store is never mocked.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Generator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from api.store.base import EventStore
from api.store.sqlite import SQLiteStore
from tests.postgres import PG_DSN_VARIABLE, pg_dsn, postgres_store, skip_reason
from tests.stress.support import FIGURES, FULL

_FIGURES = "stress figures"


def pytest_configure(config: pytest.Config) -> None:
    # Decided before collection, so that the modules reading TIDINGS_TEST_PG_DSN see the default too.
    dsn = pg_dsn()
    if dsn is not None:
        os.environ[PG_DSN_VARIABLE] = dsn


def pytest_report_header(config: pytest.Config) -> str:
    return skip_reason()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """A stress test's figures travel on its report, so that they reach the summary from pytest-xdist's
    workers as well as from a run in one process (this file is the one conftest both load)."""
    report = yield
    # Whatever phase recorded them: some are recorded in a fixture's teardown.
    report.user_properties.extend((_FIGURES, figures) for figures in FIGURES.items())
    FIGURES.clear()
    return report


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    found: dict[str, str] = {}
    for reports in terminalreporter.stats.values():
        for report in reports:
            if isinstance(report, pytest.TestReport):
                found.update(figures for key, figures in report.user_properties if key == _FIGURES)
    if found:
        terminalreporter.section(f"stress figures ({'full' if FULL else 'CI'} counts)")
        for name, line in found.items():
            terminalreporter.write_line(f"{name}: {line}")
    terminalreporter.write_line(f"tidings: {skip_reason()}")


@pytest.fixture(params=["sqlite", "postgresql"])
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[EventStore]:
    opened = _sqlite(tmp_path) if request.param == "sqlite" else _postgres()
    async with opened as store:
        yield store


@asynccontextmanager
async def _sqlite(tmp_path: Path) -> AsyncIterator[EventStore]:
    store = SQLiteStore(tmp_path / "tidings.db")
    await store.open()
    try:
        yield store
    finally:
        await store.close()


@asynccontextmanager
async def _postgres() -> AsyncIterator[EventStore]:
    dsn = pg_dsn()
    if not dsn:
        pytest.skip(skip_reason())
    try:
        import api.store.postgres  # noqa: F401
    except ImportError as error:
        pytest.skip(f"api.store.postgres cannot be imported ({error}); PostgreSQL contract tests skipped")
    async with postgres_store(dsn) as store:
        yield store
