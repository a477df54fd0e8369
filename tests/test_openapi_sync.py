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
from api.http.openapi.document import render
from api.http.openapi.yaml12 import YAML12_PLAIN_NOT_STR
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


def _plain_scalars(node: yaml.Node) -> list[str]:
    """Every plain (unquoted) scalar of a composed YAML document that PyYAML read as a string."""
    if isinstance(node, yaml.ScalarNode):
        return [node.value] if node.style is None and node.tag == "tag:yaml.org,2002:str" else []
    if isinstance(node, yaml.MappingNode):
        return [value for pair in node.value for item in pair for value in _plain_scalars(item)]
    if isinstance(node, yaml.SequenceNode):
        return [value for item in node.value for value in _plain_scalars(item)]
    return []


def test_no_string_of_the_committed_yaml_reads_as_a_number_under_yaml_1_2() -> None:
    # A ticker such as 005930 is a string to PyYAML (YAML 1.1) but the integer 5930 to a YAML 1.2 reader.
    plain = _plain_scalars(yaml.compose(COMMITTED.read_text()))
    misread = sorted({value for value in plain if YAML12_PLAIN_NOT_STR.match(value)})

    assert misread == []
    assert (
        "005930"
        in yaml.safe_load(COMMITTED.read_text())["components"]["schemas"]["IdentifierAdded"]["properties"]["value"][
            "examples"
        ]
    ), "the example this test is about is in the document"


def test_strings_that_look_like_numbers_are_quoted_in_the_yaml_written() -> None:
    written = render({"values": ["005930", "1810", "1e3", "null", "true", "0x1F", "BRK.B"]}, "yaml").decode()

    assert yaml.safe_load(written) == {"values": ["005930", "1810", "1e3", "null", "true", "0x1F", "BRK.B"]}
    assert "'005930'" in written and "'1e3'" in written and "'0x1F'" in written and "- BRK.B" in written
