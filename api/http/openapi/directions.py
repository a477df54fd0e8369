"""One component per direction where a Struct reads differently in a request and in a response.

msgspec gives one schema per Struct, and it is right for what a client sends: a field with a
default (``id``, ``certainty``, ``note``, ``url``, ``published_on``, ...) may be left out. What
the server sends is another statement: it writes every field of every Struct, defaults included.
Generators read one schema both ways and guess; openapi-typescript, by default, types every
property that has a ``default`` as present, so the README's minimal bodies did not compile against
its types.

So each component reachable from a request body gets its *input* form: no property carries a
``default`` (the default moves into the property's description, and the server applies it), and
``required`` lists only what msgspec requires. Each component reachable from a response gets its
*output* form: where it is a Struct, every property is required, because msgspec sends every field
(a schema a handler declares by hand, such as the stream's frame, says itself what is required). A component whose two forms
differ (itself or through the components it refers to) and that is used both ways is split: the
input keeps the Struct's name (``SalesReported``, ``Event``: what a client builds), the output is
``<name>Output``; references under request bodies point to the one, under responses to the other.
Both come from the same msgspec schema here; nothing is written twice by hand.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterable
from typing import Any

from api.http.openapi.components import REF, walk

__all__ = ["OUTPUT_SUFFIX", "split_directions"]

OUTPUT_SUFFIX = "Output"
_PREFIX = REF.format(name="")


def _refs(node: Any) -> set[str]:
    """The component names ``node`` refers to, at any depth (``$ref`` and discriminator mappings)."""
    found: set[str] = set()

    def visit(value: Any) -> Any:
        if isinstance(value, dict):
            ref = value.get("$ref")
            if isinstance(ref, str) and ref.startswith(_PREFIX):
                found.add(ref.removeprefix(_PREFIX))
            mapping = value.get("mapping")
            if isinstance(mapping, dict):
                found.update(v.removeprefix(_PREFIX) for v in mapping.values() if isinstance(v, str))
        return value

    walk(node, visit)
    return found


def _closure(roots: Iterable[str], schemas: dict[str, Any]) -> set[str]:
    seen: set[str] = set()
    todo = [r for r in roots if r in schemas]
    while todo:
        name = todo.pop()
        if name not in seen:
            seen.add(name)
            todo += [r for r in _refs(schemas[name]) if r in schemas]
    return seen


def _input_form(schema: dict[str, Any]) -> dict[str, Any]:
    """Optional stays optional: a property's ``default`` becomes words in its description."""
    form = copy.deepcopy(schema)
    for prop in (form.get("properties") or {}).values():
        if isinstance(prop, dict) and "default" in prop:
            value = prop.pop("default")
            said = f"Default when left out: `{json.dumps(value)}`."
            prop["description"] = f"{prop['description']} {said}" if prop.get("description") else said
    return form


def _output_form(schema: dict[str, Any], struct: bool) -> dict[str, Any]:
    """Every field of a Struct is sent: every property is required."""
    form = copy.deepcopy(schema)
    properties = form.get("properties") if struct else None
    if isinstance(properties, dict) and set(form.get("required", ())) != set(properties):
        form["required"] = list(properties)
    return form


def _renamed(node: Any, rename: Callable[[str], str]) -> Any:
    """``node`` with each reference to a component ``n`` pointing to ``rename(n)``."""

    def visit(value: Any) -> Any:
        if isinstance(value, dict):
            ref = value.get("$ref")
            if isinstance(ref, str) and ref.startswith(_PREFIX):
                value = {**value, "$ref": REF.format(name=rename(ref.removeprefix(_PREFIX)))}
            mapping = value.get("mapping")
            if isinstance(mapping, dict):
                renamed = {k: REF.format(name=rename(v.removeprefix(_PREFIX))) for k, v in mapping.items()}
                value = {**value, "mapping": renamed}
        return value

    return walk(node, visit)


def split_directions(schemas: dict[str, Any], operations: list[dict[str, Any]], structs: set[str]) -> dict[str, Any]:
    """The components in their input and output forms; the operations' references are rewritten in place.

    ``structs`` names the components that are msgspec Structs (every field sent).
    """
    bodies = [op["requestBody"] for op in operations if "requestBody" in op]
    responses = [op["responses"] for op in operations if "responses" in op]
    reach_in = _closure(set().union(*map(_refs, bodies)), schemas)
    reach_out = _closure(set().union(*map(_refs, responses)), schemas)

    def differs(name: str, seen: frozenset[str] = frozenset()) -> bool:
        if name in seen or name not in schemas:
            return False
        schema = schemas[name]
        own = _input_form(schema) != _output_form(schema, name in structs)
        return own or any(differs(r, seen | {name}) for r in _refs(schema))

    split = {name for name in reach_in & reach_out if differs(name)}

    def as_input(name: str) -> str:
        return name

    def as_output(name: str) -> str:
        return f"{name}{OUTPUT_SUFFIX}" if name in split else name

    found: dict[str, Any] = {}
    for name, schema in schemas.items():
        if name in reach_in:
            found[name] = _renamed(_input_form(schema), as_input)
        if name in reach_out:
            output = _renamed(_output_form(schema, name in structs), as_output)
            if "title" in output and name in split:
                output["title"] = as_output(name)
            found[as_output(name)] = output
        if name not in reach_in and name not in reach_out:
            found[name] = schema
    for op in operations:
        if "requestBody" in op:
            op["requestBody"] = _renamed(op["requestBody"], as_input)
        if "responses" in op:
            op["responses"] = _renamed(op["responses"], as_output)
    return dict(sorted(found.items()))
