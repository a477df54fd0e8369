"""The document's components from msgspec, and the schema fixes applied to the whole document.

Litestar's schemas of the Structs lose what STACK-NOTES.md lists (list-item constraints,
``additionalProperties: false``, integer bounds written as floats); msgspec's own JSON Schema of
the same Structs keeps them, so the components are msgspec's, with the rules across fields that
JSON Schema can state (schema/rules.py), and every inline union of all event types becomes a
reference to the one ``Event`` component.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import msgspec

from schema import base, changes, cloudevents, dossiers, events, graph, people, problems, search, subscriptions, views
from schema.rules import with_rules

__all__ = ["REF", "components", "event_ref", "integer_format", "integers", "struct_names", "walk"]

REF = "#/components/schemas/{name}"


def _struct_types() -> dict[str, type[msgspec.Struct]]:
    """Every Struct the API speaks, by the component name Litestar and msgspec both give it."""
    found: dict[str, type[msgspec.Struct]] = {}
    for module in (base, events, views, dossiers, people, graph, changes, search, problems, cloudevents, subscriptions):
        for name in module.__all__:
            value = getattr(module, name)
            if isinstance(value, type) and issubclass(value, msgspec.Struct):
                found[value.__name__] = value
    return found


def struct_names() -> set[str]:
    """The component names of Structs the server encodes every field of: those that omit no defaults
    (a Struct with ``omit_defaults``, such as StoredEvent's ``retracted``, leaves out the field at its default)."""
    return {name for name, kind in _struct_types().items() if not kind.__struct_config__.omit_defaults}


def components(names: set[str]) -> dict[str, Any]:
    """msgspec's own JSON Schema of the named Structs: every Meta constraint, list items included."""
    types_ = _struct_types()
    _, found = msgspec.json.schema_components(
        [types_[n] for n in sorted(names) if n in types_] + [events.Event], ref_template=REF
    )
    (event_union,), _ = msgspec.json.schema_components([events.Event], ref_template=REF)
    event_union["oneOf"] = event_union.pop("anyOf")
    event_union["description"] = "One event of the catalogue; `type` says which."
    for name, schema in found.items():
        if name in types_ and schema.get("type") == "object":
            # Every Struct derives from Base(forbid_unknown_fields=True).
            schema["additionalProperties"] = False
        if isinstance(schema.get("description"), str):
            # msgspec 0.23 cleans docstrings, older releases keep their indentation: one form for both.
            schema["description"] = inspect.cleandoc(schema["description"])
    found = walk(with_rules(found), lambda node: event_ref(node, event_union))
    found["Event"] = event_union
    return dict(sorted(found.items()))


def event_ref(node: Any, union: dict[str, Any]) -> Any:
    """An inline union of every event type becomes a reference to the ``Event`` component."""
    if isinstance(node, dict):
        refs = node.get("anyOf") or node.get("oneOf")
        if isinstance(refs, list) and refs == union["oneOf"]:
            return {"$ref": REF.format(name="Event")}
    return node


def integers(node: Any) -> Any:
    """Litestar writes integer bounds as floats (9007199254740991.0); write them as integers."""
    if isinstance(node, dict):
        for key in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
            value = node.get(key)
            if isinstance(value, float) and value.is_integer():
                node[key] = int(value)
    return node


_INT32 = (-(2**31), 2**31 - 1)


def integer_format(node: Any) -> Any:
    """Every integer says its width (OpenAPI's ``int32`` or ``int64``), the narrowest its bounds fit.

    Generators pick the integer type from it; an integer without bounds is an int64."""
    if isinstance(node, dict) and node.get("type") == "integer" and "format" not in node:
        low = node.get("minimum", node.get("exclusiveMinimum"))
        high = node.get("maximum", node.get("exclusiveMaximum"))
        narrow = low is not None and high is not None and _INT32[0] <= low and high <= _INT32[1]
        return {**node, "format": "int32" if narrow else "int64"}
    return node


def walk(node: Any, fn: Callable[[Any], Any]) -> Any:
    """``fn`` applied to every node of a JSON document, parents before children."""
    node = fn(node)
    if isinstance(node, dict):
        return {key: walk(value, fn) for key, value in node.items()}
    if isinstance(node, list):
        return [walk(value, fn) for value in node]
    return node
