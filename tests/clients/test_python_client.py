"""openapi-python-client: the generated package works without a token on an open server and with one on a keyed one.

Generated (no warnings allowed) from the spec the server serves. ``programs/python_client.py`` makes
the README's calls with a ``Client`` or an ``AuthenticatedClient``; ``mypy --strict`` checks it first,
so a call typed for ``AuthenticatedClient`` only fails the test. The other tests import the package
and round-trip every event type. The stream comes back as text (``response.content``).
"""

from __future__ import annotations

import importlib
import json
import os
import shutil
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import msgspec
import pytest

from api.seeds import seed_examples
from tests.clients.observed import assert_readme_calls
from tests.clients.toolchain import PROGRAMS, run
from tests.server import Server

PACKAGE = "tidings_client"


@pytest.fixture(scope="module")
def generated(live_spec: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The directory holding the generated package ``tidings_client``."""
    out = tmp_path_factory.mktemp("python-client")
    config = out / "config.yaml"
    config.write_text(f"package_name_override: {PACKAGE}\nproject_name_override: tidings-client\n")
    command: list[str | Path] = [sys.executable, "-m", "openapi_python_client", "generate", "--path", live_spec]
    command += ["--meta", "none", "--config", config, "--output-path", out / PACKAGE, "--fail-on-warning"]
    output = run(command, out)
    assert "warning" not in output.lower(), output
    return out


@pytest.fixture(scope="module")
def program(generated: Path) -> Path:
    """``programs/python_client.py`` beside the package, checked by mypy --strict (the generated code is not)."""
    shutil.copy(PROGRAMS / "python_client.py", generated / "python_client.py")
    mypy = [sys.executable, "-m", "mypy", "--strict", "--follow-imports=silent", "--no-incremental"]
    run([*mypy, "--cache-dir", os.devnull, "python_client.py"], generated, {"MYPYPATH": str(generated)})
    return generated / "python_client.py"


def _run(program: Path, server: Server, token: str | None = None) -> dict[str, Any]:
    env = {"TIDINGS_URL": server.url, "TIDINGS_KEY": token or "", "PYTHONPATH": str(program.parent)}
    return dict(json.loads(run([sys.executable, program], program.parent, env).strip().splitlines()[-1]))


def test_readme_calls_work_without_a_token_on_an_open_server(program: Path, open_server: Server) -> None:
    assert_readme_calls(_run(program, open_server))


def test_readme_calls_work_with_a_token_on_a_keyed_server(
    program: Path, keyed_server: Server, append_key: tuple[str, str]
) -> None:
    assert_readme_calls(_run(program, keyed_server, append_key[0]))


@pytest.fixture(scope="module")
def sdk(generated: Path) -> Iterator[ModuleType]:
    sys.path.insert(0, str(generated))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(generated))
        for name in [m for m in sys.modules if m == PACKAGE or m.startswith(f"{PACKAGE}.")]:
            del sys.modules[name]


@pytest.fixture
def client(sdk: ModuleType, open_server: Server) -> Iterator[Any]:
    with sdk.Client(base_url=open_server.url, raise_on_unexpected_status=True) as client:
        yield client


def _model(tag: str, suffix: str = "") -> Any:
    """The generated class of an event type: the Struct's name (the request form) or ``<name>Output``."""
    name = "".join(word.title() for word in tag.split("_")) + suffix
    return getattr(importlib.import_module(f"{PACKAGE}.models"), name)


def test_generated_operations_have_readable_names(sdk: ModuleType) -> None:
    for module in ("events.append_event", "events.append_batch", "events.list_events", "events.get_event"):
        importlib.import_module(f"{PACKAGE}.api.{module}")
    for module in ("companies.get_company", "companies.get_company_timeline", "companies.list_companies"):
        importlib.import_module(f"{PACKAGE}.api.{module}")


def test_a_keyed_server_answers_a_client_without_a_token_with_a_typed_401(
    sdk: ModuleType, keyed_server: Server
) -> None:
    get_company = importlib.import_module(f"{PACKAGE}.api.companies.get_company")
    with sdk.Client(base_url=keyed_server.url) as anonymous:
        answer = get_company.sync_detailed("xiaomi", client=anonymous)
    assert answer.status_code == 401
    assert isinstance(answer.parsed, importlib.import_module(f"{PACKAGE}.models").Problem)


def test_python_client_round_trips_every_event_type(sdk: ModuleType, client: Any) -> None:
    append_event = importlib.import_module(f"{PACKAGE}.api.events.append_event")
    stored_event = importlib.import_module(f"{PACKAGE}.models").StoredEvent
    appended: list[str] = []
    for tag, example in seed_examples().items():
        sent = msgspec.to_builtins(example)
        sent["id"] = str(uuid.uuid4())
        if tag == "event_retracted":
            sent["event_id"] = appended[0]  # a fact of this test, not one of the seeds' already retracted
        if tag == "company_registered":
            sent["company_id"] = f"round-trip-{sent['id'][:8]}"  # the seeds' company is registered already
        response = append_event.sync_detailed(client=client, body=_model(tag).from_dict(sent))
        assert response.status_code == 201, (tag, response.content)
        stored = response.parsed
        assert isinstance(stored, stored_event)
        assert isinstance(stored.event, _model(tag, "Output")), tag
        assert response.headers["location"] == f"/events/{sent['id']}"
        assert stored.event.to_dict() == sent, tag
        appended.append(sent["id"])


def test_python_client_gets_a_typed_problem_for_a_bad_request(sdk: ModuleType, client: Any) -> None:
    append_event = importlib.import_module(f"{PACKAGE}.api.events.append_event")
    get_company = importlib.import_module(f"{PACKAGE}.api.companies.get_company")
    problem = importlib.import_module(f"{PACKAGE}.models").Problem
    source = {"title": "t", "publisher": "p", "language": "en"}
    unknown = {"type": "sales_reported", "company_id": "tesla", "period": "2025", "units": {"value": 1}}
    response = append_event.sync_detailed(
        client=client, body=_model("sales_reported").from_dict({**unknown, "sources": [source]})
    )
    assert response.status_code == 422
    assert isinstance(response.parsed, problem)
    assert [error.path for error in response.parsed.errors] == ["$.company_id"]
    missing = get_company.sync_detailed(client=client, company_id="no-such-company")
    assert missing.status_code == 404
    assert isinstance(missing.parsed, problem)
    assert missing.parsed.status == 404


def test_python_client_makes_a_subscription_claims_and_acks(sdk: ModuleType, client: Any) -> None:
    api = f"{PACKAGE}.api.subscriptions"
    put_subscription = importlib.import_module(f"{api}.put_subscription")
    claim_events = importlib.import_module(f"{api}.claim_events")
    ack_events = importlib.import_module(f"{api}.ack_events")
    get_subscription = importlib.import_module(f"{api}.get_subscription")
    models = importlib.import_module(f"{PACKAGE}.models")
    name = f"client-{uuid.uuid4().hex[:8]}"
    settings = models.SubscriptionSettings.from_dict({"types": ["meeting_held"], "lease_seconds": 60})
    made = put_subscription.sync_detailed(name, client=client, body=settings)
    assert made.status_code == 201, made.content
    lease = claim_events.sync(name, client=client, max_=5, consumer="sdk")
    assert isinstance(lease, models.Lease) and lease.events and isinstance(lease.lease_id, str)
    ids = [stored.event.id for stored in lease.events]
    acked = ack_events.sync(name, client=client, body=models.Acknowledgement(lease_id=lease.lease_id, events=ids))
    assert isinstance(acked, models.AckResult) and acked.acknowledged == len(ids) and acked.not_held == []
    state = get_subscription.sync(name, client=client)
    assert isinstance(state, models.SubscriptionState)
    assert (state.in_flight, state.consumers[0].name) == (0, "sdk")
