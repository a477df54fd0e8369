"""Where the generators and compilers are, and running them: a missing one is a skip that names what to install.

The npm tools live in ``tests/clients/node_modules`` (``npm ci`` there, run by ``make test``); the Python ones
(openapi-python-client, openapi-generator-cli with its bundled jar) in the virtualenv of the test run.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

__all__ = ["CLIENTS", "compile_program", "java", "node_bin", "run", "run_program", "typescript_project"]

CLIENTS = Path(__file__).resolve().parent
PROGRAMS = CLIENTS / "programs"
_NODE_MODULES = CLIENTS / "node_modules"


def run(command: list[str | Path], cwd: Path, env: dict[str, str] | None = None) -> str:
    """Run ``command``; its output, or a failed test quoting it."""
    # openapi-python-client formats its output with ruff, found on PATH next to this interpreter.
    path = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    result = subprocess.run(
        [str(part) for part in command],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**os.environ, "PATH": path, **(env or {})},
        timeout=300,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, f"{' '.join(map(str, command))} exited with {result.returncode}:\n{output}"
    return result.stdout


NODE_AT_LEAST = (20, 19)
"""@hey-api/openapi-ts 0.95 needs Node.js 20.19 or later."""


def node_bin() -> Path:
    """``tests/clients/node_modules/.bin``, or a skip saying what is missing."""
    node = shutil.which("node")
    if node is None:
        pytest.skip("node not found: the TypeScript client tests need Node.js >= 20.19 and npm (then `make test`)")
    version = subprocess.run([node, "--version"], capture_output=True, text=True).stdout.strip()
    if tuple(int(part) for part in version.lstrip("v").split(".")[:2]) < NODE_AT_LEAST:
        pytest.skip(f"node {version} is too old: the TypeScript client tests need Node.js >= 20.19")
    if not (_NODE_MODULES / ".bin" / "tsc").exists():
        pytest.skip("tests/clients/node_modules is missing: run `make test` (or `npm ci --prefix tests/clients`)")
    return _NODE_MODULES / ".bin"


def java() -> str:
    """The java command, or a skip saying what is missing (openapi-generator runs on Java >= 11)."""
    found = shutil.which("java")
    if found is None:
        pytest.skip("java not found: the openapi-generator test needs a Java runtime >= 11 (e.g. openjdk-17-jre)")
    return found


def typescript_project(workdir: Path, event_type: str) -> None:
    """Prepare ``workdir`` for a smoke program: the shared README bodies typed with the generator's ``Event``.

    ``event_type`` is the TypeScript of the module ``event.ts`` (one line re-exporting the generated type).
    The npm packages resolve through a link to ``tests/clients/node_modules``.
    """
    (workdir / "node_modules").symlink_to(_NODE_MODULES, target_is_directory=True)
    (workdir / "event.ts").write_text(event_type + "\n")
    shutil.copy(PROGRAMS / "readme.ts", workdir / "readme.ts")


def compile_program(workdir: Path, program: str) -> Path:
    """``tsc --strict`` over ``program`` and all it imports (generated code included), to CommonJS in ``out/``."""
    bin_ = node_bin()
    shutil.copy(PROGRAMS / program, workdir / program)
    options = ["--strict", "--target", "es2022", "--lib", "es2022,dom", "--types", "node"]
    # skipLibCheck skips only .d.ts files of node_modules: the generated .ts files are checked in full.
    options += ["--module", "commonjs", "--moduleResolution", "node10", "--esModuleInterop", "--skipLibCheck"]
    run([bin_ / "tsc", *options, "--outDir", "out", program], workdir)
    (workdir / "out" / "package.json").write_text('{"type": "commonjs"}\n')
    return workdir / "out" / program.replace(".ts", ".js")


def run_program(script: Path, base_url: str, token: str | None = None) -> dict[str, Any]:
    """Run a compiled smoke program against ``base_url``; the JSON line it printed."""
    output = run(["node", script], script.parent, {"TIDINGS_URL": base_url, "TIDINGS_KEY": token or ""})
    return dict(json.loads(output.strip().splitlines()[-1]))
