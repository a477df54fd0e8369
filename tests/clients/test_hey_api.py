"""@hey-api/openapi-ts (default plugins: types, SDK functions, its fetch client): the README's calls work.

Generated from the served spec, checked by ``tsc --strict`` with ``programs/hey_api.ts``, and run
against an open server and a keyed one. Its SSE client follows ``GET /events/stream``: it parses each
frame's ``data`` as JSON (a StoredEvent) though the schema, which in OpenAPI 3.1 describes the whole
body, types it as a string.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.clients.observed import assert_readme_calls
from tests.clients.toolchain import compile_program, node_bin, run, run_program, typescript_project
from tests.server import Server


@pytest.fixture(scope="module")
def program(live_spec: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    workdir = tmp_path_factory.mktemp("hey-api")
    typescript_project(workdir, 'export type { Event } from "./sdk";')
    run([node_bin() / "openapi-ts", "--input", live_spec, "--output", "sdk"], workdir)
    return compile_program(workdir, "hey_api.ts")


def test_readme_calls_work_through_the_hey_api_sdk_on_an_open_server(program: Path, open_server: Server) -> None:
    assert_readme_calls(run_program(program, open_server.url))


def test_readme_calls_work_through_the_hey_api_sdk_with_a_key(
    program: Path, keyed_server: Server, append_key: tuple[str, str]
) -> None:
    assert_readme_calls(run_program(program, keyed_server.url, append_key[0]))
