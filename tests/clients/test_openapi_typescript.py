"""openapi-typescript (default options) and openapi-fetch: the README's bodies compile and its calls work.

The types are generated from the spec the server serves, the program (``programs/openapi_fetch.ts``)
is checked by ``tsc --strict`` and run with node against an open server and, with a key, a keyed one.
"""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from tests.clients.observed import assert_readme_calls
from tests.clients.toolchain import compile_program, node_bin, run, run_program, typescript_project
from tests.server import Server

EVENT = 'import type { components } from "./tidings";\nexport type Event = components["schemas"]["Event"];'


@pytest.fixture(scope="module")
def program(live_spec: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    workdir = tmp_path_factory.mktemp("openapi-typescript")
    typescript_project(workdir, EVENT)
    run([node_bin() / "openapi-typescript", live_spec, "--output", "tidings.ts"], workdir)
    return compile_program(workdir, "openapi_fetch.ts")


def test_readme_calls_work_through_openapi_fetch_on_an_open_server(program: Path, open_server: Server) -> None:
    assert_readme_calls(run_program(program, open_server.url))


def test_readme_calls_work_through_openapi_fetch_with_a_key(
    program: Path, keyed_server: Server, append_key: tuple[str, str]
) -> None:
    assert httpx.get(f"{keyed_server.url}/events").status_code == 401
    assert_readme_calls(run_program(program, keyed_server.url, append_key[0]))


def test_fields_with_defaults_are_optional_in_requests_and_present_in_responses(program: Path) -> None:
    types = (program.parent.parent / "tidings.ts").read_text()
    sales = types[types.index("        SalesReported: {") :]
    sales = sales[: sales.index("\n        };")]
    for field in ("id", "certainty", "note", "product", "units", "revenue"):
        assert f"\n            {field}?: " in sales, f"{field} must be optional in a request body"
    stored = types[types.index("        SalesReportedOutput: {") :]
    stored = stored[: stored.index("\n        };")]
    for field in ("id", "certainty", "note", "product", "units", "revenue"):
        assert f"\n            {field}: " in stored, f"{field} is always sent, so always typed"


def test_a_switch_over_every_stored_event_type_compiles(program: Path) -> None:
    """``programs/exhaustive.ts`` handles each type of the union: a new type fails tsc until it is handled."""
    compile_program(program.parent.parent, "exhaustive.ts")
