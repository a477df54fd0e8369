"""What a client sends and what it gets back are stated apart where they differ (api/http/openapi/directions.py).

A field with a default may be left out of a request, and is always in a response: request bodies
refer to components without ``default`` on any property, responses to components that require
every field of their Struct; the shapes used both ways come in two components, ``X`` and ``XOutput``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from api.http.openapi.components import REF, struct_names, walk

SPEC = yaml.safe_load((Path(__file__).resolve().parents[1] / "openapi.yaml").read_text())
SCHEMAS: dict[str, Any] = SPEC["components"]["schemas"]
OPERATIONS = [op for item in SPEC["paths"].values() for op in item.values()]


def _reachable(roots: list[Any]) -> set[str]:
    found: set[str] = set()

    def visit(node: Any) -> Any:
        if isinstance(node, dict) and isinstance(node.get("$ref"), str):
            name = node["$ref"].removeprefix(REF.format(name=""))
            if name not in found:
                found.add(name)
                walk(SCHEMAS[name], visit)
        return node

    walk(roots, visit)
    return found


SENT = _reachable([op["requestBody"] for op in OPERATIONS if "requestBody" in op])
RECEIVED = _reachable([op["responses"] for op in OPERATIONS])


def test_request_bodies_refer_to_no_output_component_and_responses_to_no_split_input() -> None:
    assert not {name for name in SENT if name.endswith("Output")}
    split = {name.removesuffix("Output") for name in SCHEMAS if name.endswith("Output")}
    assert {"Event", "SalesReported", "Source", "Count", "Money"} <= split
    assert not RECEIVED & split


def test_no_property_of_a_request_component_has_a_default_and_each_says_it_in_words() -> None:
    for name in SENT:
        for field, prop in SCHEMAS[name].get("properties", {}).items():
            assert "default" not in prop, f"{name}.{field}: openapi-typescript would type it as present"
            if field not in SCHEMAS[name].get("required", []):
                assert "Default when left out" in prop.get("description", ""), f"{name}.{field}"


def test_every_field_of_a_response_struct_is_required() -> None:
    structs = struct_names()
    for name in RECEIVED:
        schema = SCHEMAS[name]
        if name.removesuffix("Output") in structs and "properties" in schema:
            assert set(schema["required"]) == set(schema["properties"]), name


def test_the_request_form_leaves_out_what_the_readme_leaves_out() -> None:
    sales = set(SCHEMAS["SalesReported"]["required"])
    assert {"type", "sources", "company_id", "period"} <= sales
    assert sales.isdisjoint({"id", "certainty", "note", "product"})
    assert SCHEMAS["Source"]["required"] == ["title", "publisher", "language"]
    assert SCHEMAS["Count"]["required"] == ["value"]
    assert {"id", "certainty", "note"} <= set(SCHEMAS["SalesReportedOutput"]["required"])
