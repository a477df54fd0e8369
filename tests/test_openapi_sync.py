"""The committed openapi.yaml is exactly what the app serves and what `tidings openapi` prints."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from litestar.testing import TestClient
from openapi_spec_validator import validate

from api.app import create_app
from api.settings import Settings
from schema.events import CATALOGUE

ROOT = Path(__file__).resolve().parents[1]
COMMITTED = ROOT / "openapi.yaml"


@pytest.fixture
def client(tmp_path: Path) -> TestClient:  # type: ignore[type-arg]
    with TestClient(create_app(Settings(db=str(tmp_path / "spec.db")))) as client:
        yield client


def test_served_yaml_is_the_committed_file(client: TestClient) -> None:  # type: ignore[type-arg]
    served = client.get("/schema/openapi.yaml")
    assert served.status_code == 200
    assert served.content == COMMITTED.read_bytes(), "run `tidings openapi > openapi.yaml` and commit it"


def test_served_json_is_the_same_document(client: TestClient) -> None:  # type: ignore[type-arg]
    served = client.get("/schema/openapi.json")
    assert served.status_code == 200
    assert json.loads(served.content) == yaml.safe_load(COMMITTED.read_text())


def test_cli_prints_the_committed_file() -> None:
    printed = subprocess.run(
        [sys.executable, "-m", "api.cli", "openapi", "--format", "yaml"], capture_output=True, check=True, cwd=ROOT
    ).stdout
    assert printed == COMMITTED.read_bytes()


def test_committed_document_is_valid_openapi_31() -> None:
    document = yaml.safe_load(COMMITTED.read_text())
    assert document["openapi"].startswith("3.1")
    validate(document)


def test_every_operation_has_a_camel_case_id_and_a_tag() -> None:
    document = yaml.safe_load(COMMITTED.read_text())
    for path, item in document["paths"].items():
        for method, operation in item.items():
            assert operation.get("operationId", "")[:1].islower(), (method, path)
            assert "_" not in operation["operationId"], (method, path)
            assert operation.get("tags"), (method, path)


def test_event_schema_keeps_every_constraint_of_the_structs() -> None:
    schemas = yaml.safe_load(COMMITTED.read_text())["components"]["schemas"]
    event = schemas["Event"]
    assert event["discriminator"]["propertyName"] == "type"
    assert [ref["$ref"].rsplit("/", 1)[1] for ref in event["oneOf"]] == [kind.__name__ for kind in CATALOGUE.types]
    aliases = schemas["CompanyRegistered"]["properties"]["aliases"]
    assert aliases["items"]["maxLength"] == 200, "list-item constraints must reach the schema"
    assert schemas["CompanyRegistered"]["additionalProperties"] is False
    assert schemas["Count"]["properties"]["value"]["maximum"] == 2**53 - 1
