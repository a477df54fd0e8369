"""openapi-generator's typescript-fetch client (default options): it compiles and the README's calls work.

The generator is the jar the PyPI package openapi-generator-cli bundles (the npm wrapper would
download it from Maven Central), run on the Java found on PATH. Its models use camelCase properties
with JSON converters, so ``programs/typescript_fetch.ts`` passes the README's bodies, as JSON,
through the generated ``EventFromJSON``. It returns the stream's body as a string.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

import pytest

from tests.clients.observed import assert_readme_calls
from tests.clients.toolchain import compile_program, java, node_bin, run, run_program, typescript_project
from tests.server import Server

# The README's bodies are plain JSON here: they go through EventFromJSON.
EVENT = "export type Event = { [field: string]: unknown };"


@pytest.fixture(scope="module")
def program(live_spec: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    node_bin()
    reason = "openapi-generator-cli is not installed: pip install -e '.[test]' (make test does)"
    pytest.importorskip("openapi_generator_cli", reason=reason)
    jar = files("openapi_generator_cli") / "openapi-generator.jar"
    workdir = tmp_path_factory.mktemp("openapi-generator")
    typescript_project(workdir, EVENT)
    run([java(), "-jar", str(jar), "generate", "-g", "typescript-fetch", "-i", live_spec, "-o", "api"], workdir)
    return compile_program(workdir, "typescript_fetch.ts")


def test_readme_calls_work_through_typescript_fetch_on_an_open_server(program: Path, open_server: Server) -> None:
    assert_readme_calls(run_program(program, open_server.url))


def test_readme_calls_work_through_typescript_fetch_with_a_key(
    program: Path, keyed_server: Server, append_key: tuple[str, str]
) -> None:
    assert_readme_calls(run_program(program, keyed_server.url, append_key[0]))
