"""The committed explorer build is what its sources build, and the sources type-check against openapi.yaml.

So a change of the API's shape that the page does not follow fails here (``tsc`` over types generated
from the committed document), and so does a source changed without ``make explorer``.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXPLORER = ROOT / "explorer"
BUILT = ROOT / "api" / "http" / "explorer_static"


def _npm(*args: str) -> str:
    if shutil.which("node") is None:
        pytest.skip("node not found: checking the explorer's build needs Node.js >= 20.19 and npm (then `make test`)")
    if not (EXPLORER / "node_modules" / ".bin" / "esbuild").exists():
        pytest.skip("explorer/node_modules is missing: run `make explorer` (or `npm ci --prefix explorer`)")
    result = subprocess.run(
        ["npm", "run", "--silent", *args], cwd=EXPLORER, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, f"npm run {' '.join(args)}:\n{result.stdout}{result.stderr}"
    return result.stdout


def test_the_page_type_checks_against_the_committed_api_document() -> None:
    _npm("types")
    _npm("check")


def test_the_committed_build_is_what_the_sources_build(tmp_path: Path) -> None:
    _npm("bundle", "--", str(tmp_path))
    built = sorted(path.name for path in tmp_path.iterdir())
    assert built == sorted(path.name for path in BUILT.iterdir())
    for name in built:
        assert (tmp_path / name).read_bytes() == (BUILT / name).read_bytes(), f"{name} is stale: run `make explorer`"
