"""Path, query and header parameters that keep the constraints of their type.

Litestar validates and documents a parameter with what its ``QueryParameter(...)``,
``PathParameter(...)`` or ``HeaderParameter(...)`` (or an ``annotated_types`` marker) says, and
ignores ``msgspec.Meta``: ``company: CompanyId`` would take "NOT A SLUG" and document a bare
string. ``constrained(QueryParameter, CompanyId, ...)`` spells the type's Meta out as arguments of
the marker, so the alias in ``schema/`` stays the one source of the rule.

Every parameter names where it comes from with one of those markers (or ``FromPath[...]``):
Litestar 2.25 deprecates inferring it and ``Parameter(query=..., header=...)``, which Litestar 3 drops.

The OpenAPI document takes a parameter's schema from the same declaration (``parameter_schema``):
msgspec's schema of the type with the marker's constraints, which Litestar's generator loses.
"""

from __future__ import annotations

import functools
import types
from collections.abc import Iterator
from typing import Annotated, Any, TypeVar, Union, get_args, get_origin

import msgspec
from litestar.handlers import HTTPRouteHandler
from litestar.params import KwargDefinition, ParameterKwarg, QueryParameter
from litestar.typing import FieldDefinition
from msgspec import Meta

from schema.base import CompanyId
from schema.events import EventType

__all__ = [
    "MAX_COMPANIES",
    "MAX_TYPES",
    "Companies",
    "EventTypes",
    "constrained",
    "is_repeatable",
    "meta_constraints",
    "parameter_fields",
    "parameter_schema",
]

P = TypeVar("P")

MAX_TYPES = 50
"""Most values of the repeatable ``type`` filter (the catalogue has fewer types; repeats are no error)."""

EventTypes = Annotated[
    list[EventType] | None,
    QueryParameter(name="type", max_items=MAX_TYPES, description="Only these event types (repeatable)."),
]
"""The ``type`` filter, the same on every operation that takes it: repeatable, each value a type of the catalogue."""

MAX_COMPANIES = 20
"""Most values of the repeatable ``company`` filter of the log and the stream."""

Companies = Annotated[
    list[CompanyId] | None,
    QueryParameter(max_items=MAX_COMPANIES, description="Only events that touch one of these companies (repeatable)."),
]
"""The ``company`` filter of the log and the stream: repeatable, each value a company id."""

_CONSTRAINTS = ("gt", "ge", "lt", "le", "multiple_of", "pattern", "min_length", "max_length")


def meta_constraints(annotation: Any) -> dict[str, Any]:
    """The validation constraints of every ``msgspec.Meta`` on ``annotation`` (later ones win, as in msgspec)."""
    found: dict[str, Any] = {}
    if get_origin(annotation) is Annotated:
        for meta in get_args(annotation)[1:]:
            if isinstance(meta, Meta):
                found.update({key: value for key in _CONSTRAINTS if (value := getattr(meta, key)) is not None})
    return found


def constrained(kind: type[P], annotation: Any, **kwargs: Any) -> P:
    """``kind(...)`` (``QueryParameter``, ``PathParameter``, ``HeaderParameter``) with the Meta constraints of ``annotation``."""
    return kind(**meta_constraints(annotation), **kwargs)


def parameter_fields(handler: HTTPRouteHandler) -> dict[str, FieldDefinition]:
    """A handler's path, query and header parameters by wire name, those of its dependencies included."""
    return dict(_fields(handler.parsed_fn_signature.parameters, handler.resolve_dependencies()))


def _fields(fields: dict[str, FieldDefinition], providers: dict[str, Any]) -> Iterator[tuple[str, FieldDefinition]]:
    for name, field in fields.items():
        if name in providers:
            yield from _fields(providers[name].parsed_fn_signature.parameters, providers)
        elif isinstance(field.kwarg_definition, ParameterKwarg):
            yield field.kwarg_definition.name or name, field
        else:
            yield name, field


def is_repeatable(field: FieldDefinition) -> bool:
    """Whether a query parameter takes several values (``?type=a&type=b``): a list, optional or not."""
    annotation = field.annotation
    if get_origin(annotation) in (Union, types.UnionType):
        annotation = next((a for a in get_args(annotation) if a is not type(None)), annotation)
    if get_origin(annotation) is Annotated:
        annotation = get_args(annotation)[0]
    return get_origin(annotation) in (list, tuple, set, frozenset)


def parameter_schema(field: FieldDefinition, litestar: dict[str, Any]) -> dict[str, Any]:
    """msgspec's schema of the declared type: Litestar loses a type's Meta (patterns, bounds) on parameters.

    ``litestar`` is the schema Litestar wrote; its default is kept, and it is kept whole for a Struct.
    """
    schema: dict[str, Any] = msgspec.json.schema(_declared_type(field))
    if "$defs" in schema or "$ref" in schema:
        return litestar  # a Struct as a parameter: keep Litestar's reference
    if "default" in litestar:
        schema["default"] = litestar["default"]
    return schema


def _declared_type(field: FieldDefinition) -> Any:
    """The parameter's type as msgspec sees it: its own Meta kept, Litestar's markers and ``None`` dropped."""
    annotation = field.raw
    metas: tuple[Any, ...] = ()
    if get_origin(annotation) is Annotated:
        annotation, *extra = get_args(annotation)
        metas = tuple(m for m in extra if isinstance(m, Meta))
    if get_origin(annotation) in (Union, types.UnionType):
        kept = [arg for arg in get_args(annotation) if arg is not type(None)]
        annotation = functools.reduce(lambda a, b: a | b, kept)
    typed = Annotated[(annotation, *metas)] if metas else annotation  # type: ignore[valid-type]
    kwarg = field.kwarg_definition
    if not isinstance(kwarg, KwargDefinition):
        return typed
    # Constraints given on the QueryParameter(...) (or Path/Header) marker only; those the type has
    # already are the same (``constrained``).
    # On a list, Litestar validates the items by their own type and the list by min_items/max_items.
    own = meta_constraints(typed)
    scalar = get_origin(annotation) not in (list, tuple, set, frozenset)
    declared = {
        key: value for key in _CONSTRAINTS if scalar and (value := getattr(kwarg, key)) is not None and key not in own
    }
    if kwarg.min_items is not None:
        declared["min_length"] = kwarg.min_items
    if kwarg.max_items is not None:
        declared["max_length"] = kwarg.max_items
    return Annotated[typed, Meta(**declared)] if declared else typed
