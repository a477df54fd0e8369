"""The OpenAPI document: Litestar's, finished in one place so that served and committed copies agree."""

from __future__ import annotations

import copy
import functools
import json
from collections.abc import Callable
from typing import Any

import msgspec
import yaml
from litestar import Request
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin, YamlRenderPlugin
from litestar.openapi.spec import Tag

from schema import base, dossiers, events, problems, views

__all__ = ["document", "finish", "openapi_config", "render"]

DESCRIPTION = """\
An append-only, typed event store of company news. Facts reported in news are appended
as typed events with their sources; per-company read models (dossiers) are derived from
them in the same transaction. Errors are RFC 9457 problem documents.
"""


_REF = "#/components/schemas/{name}"


def _struct_types() -> dict[str, type[msgspec.Struct]]:
    """Every Struct the API speaks, by the component name Litestar and msgspec both give it."""
    found: dict[str, type[msgspec.Struct]] = {}
    for module in (base, events, views, dossiers, problems):
        for name in module.__all__:
            value = getattr(module, name)
            if isinstance(value, type) and issubclass(value, msgspec.Struct):
                found[value.__name__] = value
    return found


def _components(names: set[str]) -> dict[str, Any]:
    """msgspec's own JSON Schema of the named Structs: every Meta constraint, list items included."""
    types = _struct_types()
    _, components = msgspec.json.schema_components(
        [types[n] for n in sorted(names) if n in types] + [events.Event], ref_template=_REF
    )
    (event_union,), _ = msgspec.json.schema_components([events.Event], ref_template=_REF)
    event_union["oneOf"] = event_union.pop("anyOf")
    event_union["description"] = "One event of the catalogue; `type` says which."
    for name, schema in components.items():
        if name in types and schema.get("type") == "object":
            # Every Struct derives from Base(forbid_unknown_fields=True).
            schema["additionalProperties"] = False
    components = _walk(components, lambda node: _event_ref(node, event_union))
    components["Event"] = event_union
    return dict(sorted(components.items()))


def _event_ref(node: Any, union: dict[str, Any]) -> Any:
    """An inline union of every event type becomes a reference to the ``Event`` component."""
    if isinstance(node, dict):
        refs = node.get("anyOf") or node.get("oneOf")
        if isinstance(refs, list) and refs == union["oneOf"]:
            return {"$ref": _REF.format(name="Event")}
    return node


def _parameter_schema(node: Any) -> Any:
    """A query parameter cannot be null: drop the null branch Litestar adds for optional ones."""
    if isinstance(node, dict):
        one_of = node.get("oneOf")
        if isinstance(one_of, list) and {"type": "null"} in one_of and len(one_of) == 2:
            rest = dict(node)
            (kept,) = [branch for branch in one_of if branch != {"type": "null"}]
            del rest["oneOf"]
            return {**kept, **rest}
    return node


def _integers(node: Any) -> Any:
    """Litestar writes integer bounds as floats (9007199254740991.0); write them as integers."""
    if isinstance(node, dict):
        for key in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
            value = node.get(key)
            if isinstance(value, float) and value.is_integer():
                node[key] = int(value)
    return node


def _walk(node: Any, fn: Callable[[Any], Any]) -> Any:
    node = fn(node)
    if isinstance(node, dict):
        return {key: _walk(value, fn) for key, value in node.items()}
    if isinstance(node, list):
        return [_walk(value, fn) for value in node]
    return node


def finish(schema: dict[str, Any]) -> dict[str, Any]:
    """Everything Litestar's generator leaves out or gets wrong, fixed once."""
    doc = copy.deepcopy(schema)
    schemas = doc.setdefault("components", {}).setdefault("schemas", {})
    schemas.update(_components(set(schemas)))
    doc["components"]["schemas"] = dict(sorted(schemas.items()))
    event_union = schemas["Event"]
    doc["paths"] = _walk(doc["paths"], lambda node: _integers(_event_ref(node, event_union)))
    for item in doc["paths"].values():
        for operation in item.values():
            for parameter in operation.get("parameters", []):
                parameter["schema"] = _parameter_schema(parameter["schema"])
            for response in operation.get("responses", {}).values():
                for header in response.get("headers", {}).values():
                    # Litestar's ResponseHeader has no schema field; every header we send is a string.
                    header.setdefault("schema", {"type": "string"})
    first: tuple[str, ...] = ("openapi", "info", "servers", "tags", "paths", "components")
    ordered: dict[str, Any] = {key: doc[key] for key in first if key in doc}
    return {**ordered, **doc}


def document(raw: dict[str, Any]) -> dict[str, Any]:
    """The finished document for Litestar's generated ``raw`` one."""
    return finish(raw)


def render(doc: dict[str, Any], fmt: str) -> bytes:
    if fmt == "json":
        return json.dumps(doc, indent=2, ensure_ascii=False).encode() + b"\n"
    return yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=100).encode()


class _Json(JsonRenderPlugin):
    @functools.cached_property
    def _cache(self) -> dict[str, bytes]:
        return {}

    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
        if "doc" not in self._cache:
            self._cache["doc"] = render(document(openapi_schema), "json")
        return self._cache["doc"]


class _Yaml(YamlRenderPlugin):
    @functools.cached_property
    def _cache(self) -> dict[str, bytes]:
        return {}

    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
        if "doc" not in self._cache:
            self._cache["doc"] = render(document(openapi_schema), "yaml")
        return self._cache["doc"]


def openapi_config(version: str) -> OpenAPIConfig:
    return OpenAPIConfig(
        title="Tidings",
        version=version,
        description=DESCRIPTION,
        path="/schema",
        render_plugins=[_Json(), _Yaml()],
        tags=[
            Tag(name="events", description="The append-only log."),
            Tag(name="companies", description="Read models derived per company."),
            Tag(name="catalogue", description="The event types and their schemas."),
            Tag(name="ops", description="Health and readiness."),
        ],
        use_handler_docstrings=False,
    )
