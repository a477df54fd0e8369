"""Clients generated from openapi.yaml work without hand edits.

Python: openapi-python-client generates a package (no warnings allowed) that is imported and used
against a real ``tidings serve`` on 127.0.0.1. TypeScript: openapi-typescript generates types and
``tsc --noEmit`` (TypeScript 5) checks tests/ts/client.ts, which switches exhaustively over the
event union; it needs Node and the npm registry, and is skipped with the reason when Node is absent.
"""

from __future__ import annotations

import importlib
import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import msgspec
import pytest

from api.seeds import seed_examples
from tests.server import Server, serve

ROOT = Path(__file__).resolve().parents[1]
OPENAPI = ROOT / "openapi.yaml"
PACKAGE = "tidings_client"

# openapi-typescript 7 crashes with TypeScript 7 (STACK-NOTES.md): TypeScript stays on 5.
NPM_PACKAGES = {"openapi-typescript": "7.13.0", "typescript": "~5.9.0"}
TS_MODULES = ["--module", "esnext", "--moduleResolution", "bundler", "client.ts"]


def _run(command: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    # The generator formats its output with ruff, found on PATH next to this interpreter.
    path = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, env={**os.environ, "PATH": path})


@pytest.fixture(scope="module")
def sdk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    out = tmp_path_factory.mktemp("python-sdk")
    config = out / "config.yaml"
    config.write_text(f"package_name_override: {PACKAGE}\nproject_name_override: tidings-client\n")
    generate = [sys.executable, "-m", "openapi_python_client", "generate", "--path", str(OPENAPI)]
    generate += ["--meta", "none", "--config", str(config), "--output-path", str(out / PACKAGE), "--fail-on-warning"]
    result = _run(generate, out)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "warning" not in output.lower(), output
    sys.path.insert(0, str(out))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(out))
        for name in [m for m in sys.modules if m == PACKAGE or m.startswith(f"{PACKAGE}.")]:
            del sys.modules[name]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with serve(tmp_path_factory.mktemp("sdk-server") / "sdk.db", "--seed") as server:
        yield server


@pytest.fixture
def client(sdk: ModuleType, server: Server) -> Iterator[Any]:
    with sdk.Client(base_url=server.url, raise_on_unexpected_status=True) as client:
        yield client


def _model(sdk: ModuleType, tag: str, suffix: str = "") -> Any:
    """The generated class of an event type: the Struct's name (as sent) or ``<name>Output`` (as stored)."""
    name = "".join(w.title() for w in tag.split("_")) + suffix
    return getattr(importlib.import_module(f"{PACKAGE}.models"), name)


def test_generated_operations_have_readable_names(sdk: ModuleType) -> None:
    for module in ("events.append_event", "events.append_batch", "events.list_events", "events.get_event"):
        importlib.import_module(f"{PACKAGE}.api.{module}")
    for module in ("companies.get_company", "companies.get_company_timeline", "companies.list_companies"):
        importlib.import_module(f"{PACKAGE}.api.{module}")


def test_python_client_round_trips_every_event_type(sdk: ModuleType, client: Any) -> None:
    append_event = importlib.import_module(f"{PACKAGE}.api.events.append_event")
    stored_event = importlib.import_module(f"{PACKAGE}.models").StoredEvent
    appended: list[str] = []
    for tag, example in seed_examples().items():
        sent = msgspec.to_builtins(example)
        sent["id"] = str(uuid.uuid4())
        if tag == "event_retracted":
            sent["event_id"] = appended[0]  # a fact of this test, not one of the seeds' already retracted
        body = _model(sdk, tag).from_dict(sent)
        response = append_event.sync_detailed(client=client, body=body)
        assert response.status_code == 201, (tag, response.content)
        stored = response.parsed
        assert isinstance(stored, stored_event)
        assert isinstance(stored.event, _model(sdk, tag, "Output")), tag
        assert response.headers["location"] == f"/events/{sent['id']}"
        assert stored.event.to_dict() == sent, tag
        appended.append(sent["id"])


def test_python_client_pages_through_the_log(sdk: ModuleType, client: Any) -> None:
    list_events = importlib.import_module(f"{PACKAGE}.api.events.list_events")
    positions: list[int] = []
    after = 0
    while page := list_events.sync(client=client, after=after, limit=7):
        if not page.items:
            break
        positions += [stored.position for stored in page.items]
        after = page.next_after
    assert len(positions) >= len(seed_examples())
    assert positions == list(range(1, len(positions) + 1))


def test_python_client_reads_a_dossier(sdk: ModuleType, client: Any) -> None:
    get_company = importlib.import_module(f"{PACKAGE}.api.companies.get_company")
    dossier = get_company.sync(client=client, company_id="xiaomi")
    assert isinstance(dossier, importlib.import_module(f"{PACKAGE}.models").Dossier)
    assert dossier.profile.name == "Xiaomi"
    assert dossier.version >= 1


def test_python_client_gets_a_typed_problem_for_a_bad_request(sdk: ModuleType, client: Any) -> None:
    append_event = importlib.import_module(f"{PACKAGE}.api.events.append_event")
    get_company = importlib.import_module(f"{PACKAGE}.api.companies.get_company")
    problem = importlib.import_module(f"{PACKAGE}.models").Problem
    source = {"title": "t", "publisher": "p", "language": "en"}
    unknown = {"type": "sales_reported", "company_id": "tesla", "period": "2025", "units": {"value": 1}}
    response = append_event.sync_detailed(
        client=client, body=_model(sdk, "sales_reported").from_dict({**unknown, "sources": [source]})
    )
    assert response.status_code == 422
    assert isinstance(response.parsed, problem)
    assert [error.path for error in response.parsed.errors] == ["$.company_id"]
    missing = get_company.sync_detailed(client=client, company_id="no-such-company")
    assert missing.status_code == 404
    assert isinstance(missing.parsed, problem)
    assert missing.parsed.status == 404


def test_typescript_types_check_an_exhaustive_client(tmp_path: Path) -> None:
    npm = shutil.which("npm")
    if shutil.which("node") is None or npm is None:
        pytest.skip("node/npm not found: the TypeScript check needs Node.js")
    workdir = tmp_path / "ts"
    workdir.mkdir()
    (workdir / "package.json").write_text(
        msgspec.json.encode({"private": True, "devDependencies": NPM_PACKAGES}).decode()
    )
    shutil.copy(ROOT / "tests" / "ts" / "client.ts", workdir / "client.ts")
    steps = [
        [npm, "install", "--no-audit", "--no-fund", "--loglevel=error"],
        [npm, "exec", "--", "openapi-typescript", str(OPENAPI), "--output", "tidings.ts"],
        [npm, "exec", "--", "tsc", "--noEmit", "--strict", "--target", "es2022", "--lib", "es2022,dom", *TS_MODULES],
    ]
    for step in steps:
        result = _run(step, workdir)
        assert result.returncode == 0, f"{' '.join(step[1:])}:\n{result.stdout}{result.stderr}"
