"""Every integer of the OpenAPI document says its width: ``int32`` where its bounds fit, else ``int64``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

DOC = yaml.safe_load((Path(__file__).resolve().parents[1] / "openapi.yaml").read_text())


def _integers(node: Any, where: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    if isinstance(node, dict):
        if node.get("type") == "integer":
            yield where, node
        for key, value in node.items():
            yield from _integers(value, f"{where}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _integers(value, f"{where}/{index}")


def test_every_integer_has_the_format_its_bounds_fit() -> None:
    found = list(_integers(DOC))
    assert len(found) > 50
    for where, schema in found:
        fits_int32 = schema.get("minimum", -(2**63)) >= -(2**31) and schema.get("maximum", 2**63) <= 2**31 - 1
        assert schema.get("format") == ("int32" if fits_int32 else "int64"), where


def test_the_limits_are_int32_and_positions_int64() -> None:
    parameters = {p["name"]: p["schema"] for p in DOC["paths"]["/events"]["get"]["parameters"]}
    assert parameters["limit"]["format"] == "int32"
    assert parameters["after"]["format"] == "int64"
    assert DOC["components"]["schemas"]["Count"]["properties"]["value"]["format"] == "int64"
