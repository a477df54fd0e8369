"""README's configuration reference is generated from the Settings fields and every one is a serve flag."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import fields
from pathlib import Path

from api.settings import Settings, flag, reference

ROOT = Path(__file__).resolve().parents[1]


def test_readme_lists_every_setting_as_generated() -> None:
    readme = (ROOT / "README.md").read_text()
    table = readme.split("<!-- settings:begin -->\n", 1)[1].split("<!-- settings:end -->", 1)[0]
    assert table == reference(), "paste the output of api.settings.reference() into README.md"


def test_every_setting_is_a_serve_flag() -> None:
    usage = subprocess.run(
        [sys.executable, "-m", "api.cli", "serve", "--help"], capture_output=True, text=True, check=True, cwd=ROOT
    ).stdout
    for setting in fields(Settings):
        assert flag(setting.name) in usage


def test_environment_variables_set_each_setting() -> None:
    settings = Settings.from_env({"TIDINGS_PORT": "9001", "TIDINGS_SEED": "true", "TIDINGS_DB": "x.db"})
    assert (settings.port, settings.seed, settings.db) == (9001, True, "x.db")


def test_flags_win_over_environment_variables() -> None:
    assert Settings.from_env({"TIDINGS_PORT": "9001"}, port=9002).port == 9002


def test_a_setting_that_cannot_be_taken_is_named_and_the_command_exits_2(tmp_path: Path) -> None:
    db = str(tmp_path / "never.db")
    for environ, args, said in (
        ({}, ["check", "--db", db, "--fold-processes", "-1"], "fold_processes must be 0 or more, not -1"),
        ({"TIDINGS_BUSY_TIMEOUT_MS": "soon"}, ["rebuild", "--db", db], "TIDINGS_BUSY_TIMEOUT_MS='soon' is not"),
        ({"TIDINGS_PG_SCHEMA": "s" * 64}, ["seed", "--db", db], "pg_schema must be at most 63 bytes"),
        ({}, ["serve", "--db", db, "--server", "gunicorn"], "server must be uvicorn or granian, not 'gunicorn'"),
    ):
        done = subprocess.run(
            [sys.executable, "-m", "api.cli", *args],
            capture_output=True,
            text=True,
            cwd=ROOT,
            env={**os.environ, **environ},
        )
        assert done.returncode == 2
        assert done.stderr.startswith(f"tidings {args[0]}: {said}"), done.stderr
        assert "Traceback" not in done.stderr
    assert not Path(db).exists()
