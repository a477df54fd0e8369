"""The ``tidings`` commands keep the log and the read models: seed, export | import, rebuild.

Commands run as a client runs them (``python -m api.cli`` in the repository); the read
models are then read over HTTP from the in-process app over each database.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import msgspec
import pytest
from litestar.testing import TestClient

from api.app import create_app
from api.settings import Settings
from tests.api.wire import SEED, SOURCE

ROOT = Path(__file__).resolve().parents[2]
VIEWS = ["", "/timeline?limit=1000", "/meetings", "/sales", "/plans", "/relationships"]


def tidings(*args: str, stdin: bytes | None = None) -> bytes:
    done = subprocess.run(
        [sys.executable, "-m", "api.cli", *args], cwd=ROOT, input=stdin, capture_output=True, timeout=60
    )
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    return done.stdout


def _read_models(db: Path, *, dossiers_only: bool = False, at_position: int | None = None) -> dict[str, Any]:
    """Every read model of every company, as JSON, read through the app over ``db``."""
    query = "" if at_position is None else f"at_position={at_position}"
    models: dict[str, Any] = {}
    with TestClient(create_app(Settings(db=str(db)))) as client:
        companies = client.get(f"/companies?limit=1000&{query}").json()
        models["companies"] = companies
        for company in companies["items"]:
            for view in [""] if dossiers_only else VIEWS:
                url = f"/companies/{company['company_id']}{view}"
                response = client.get(url + ("&" if "?" in url else "?") + query)
                assert response.status_code == 200, response.text
                models[url] = response.json()
    return models


def _add_corrections(db: Path, *, seed: bool = False) -> None:
    """Events beyond the seeds: a figure, more evidence for it, and a retraction of another figure."""
    with TestClient(create_app(Settings(db=str(db), seed=seed))) as client:
        figure = client.post(
            "/events",
            json={
                "type": "sales_reported",
                "sources": [SOURCE],
                "company_id": "xiaomi",
                "period": "2025",
                "units": {"value": 400000},
            },
        ).json()
        wrong = client.post(
            "/events",
            json={
                "type": "sales_reported",
                "sources": [SOURCE],
                "company_id": "byd",
                "period": "2025",
                "units": {"value": 1},
            },
        ).json()
        for body in (
            {"type": "evidence_added", "sources": [SOURCE], "event_id": figure["event"]["id"]},
            {"type": "event_retracted", "sources": [SOURCE], "event_id": wrong["event"]["id"], "reason": "A typo."},
        ):
            assert client.post("/events", json=body).status_code == 201


def test_seeding_twice_leaves_the_same_log(tmp_path: Path) -> None:
    db = str(tmp_path / "seeded.db")
    tidings("seed", "--db", db)
    once = tidings("export", "--db", db)

    tidings("seed", "--db", db)

    assert tidings("export", "--db", db) == once
    assert once.count(b"\n") == SEED["all_events"]


def test_a_store_seeded_by_an_earlier_release_keeps_its_events(tmp_path: Path) -> None:
    db = str(tmp_path / "older.db")
    # The seeds as release 0.1 wrote them: the first article alone, no previous_meeting, no attribution.
    older = []
    for line in tidings("export", "--db", _seeded(tmp_path)).splitlines()[: SEED["events"]]:
        event = msgspec.json.decode(line)
        event.pop("previous_meeting", None)
        event["attributed_to"] = None
        older.append(msgspec.json.encode(event))
    tidings("import", "--db", db, "-", stdin=b"\n".join(older))

    said = tidings("seed", "--db", db).decode()

    assert f"seeded {SEED['all_events'] - SEED['events']} new events (21 already present)" in said
    assert "kept 2 event(s) as this store has them" in said
    assert "0195bb26-3c00-7009-8a1d-5e3d00000009" in said, "the meeting"


def _seeded(tmp_path: Path) -> str:
    db = str(tmp_path / "seeded.db")
    tidings("seed", "--db", db)
    return db


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, bytes]:
    """A store with the seeds and the corrections, and its export."""
    source = tmp_path_factory.mktemp("export") / "source.db"
    tidings("seed", "--db", str(source))
    _add_corrections(source)
    return source, tidings("export", "--db", str(source))


def test_export_then_import_gives_the_same_log_and_the_same_dossiers(
    tmp_path: Path, exported: tuple[Path, bytes]
) -> None:
    source, ndjson = exported
    copy = tmp_path / "copy.db"

    tidings("import", "-", "--db", str(copy), stdin=ndjson)

    assert tidings("export", "--db", str(copy)) == ndjson
    assert _read_models(copy, dossiers_only=True) == _read_models(source, dossiers_only=True)


def test_importing_the_same_export_again_adds_nothing(tmp_path: Path, exported: tuple[Path, bytes]) -> None:
    _, ndjson = exported
    copy = tmp_path / "twice.db"
    tidings("import", "-", "--db", str(copy), stdin=ndjson)

    tidings("import", "-", "--db", str(copy), stdin=ndjson)

    assert tidings("export", "--db", str(copy)) == ndjson


def test_rebuild_leaves_every_read_model_identical(tmp_path: Path) -> None:
    db = tmp_path / "rebuilt.db"
    _add_corrections(db, seed=True)
    before = _read_models(db)
    before_retraction = _read_models(db, at_position=SEED["events"] + 2)

    tidings("rebuild", "--db", str(db))

    assert _read_models(db) == before
    assert _read_models(db, at_position=SEED["events"] + 2) == before_retraction


@pytest.mark.parametrize("command", ["serve", "seed", "export", "rebuild"])
def test_a_postgresql_dsn_without_the_postgres_extra_is_one_line_naming_the_install(
    command: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import api.cli.commands
    import api.http.serving

    # As on a machine where `pip install tidings` left out the extra: asyncpg cannot be imported,
    # nor anything that imports it (earlier tests may have imported the PostgreSQL backend).
    for name in [n for n in sys.modules if n.startswith(("asyncpg.", "api.store.postgres"))]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "asyncpg", None)
    monkeypatch.setattr(api.cli.commands, "setup_logging", lambda *_: None)

    def never(*_: Any, **__: Any) -> None:
        raise AssertionError("the command got as far as serving")

    monkeypatch.setattr(api.http.serving, "serve", never)

    # A DSN where nothing listens: should the import succeed after all, no database is touched.
    code = api.cli.commands.main([command, "--db", "postgresql://postgres@127.0.0.1:9/none"])

    out, err = capsys.readouterr()
    assert code == 2
    assert out == ""
    assert len(err.splitlines()) == 1, err
    assert "pip install 'tidings[postgres]'" in err
    assert "Traceback" not in err
