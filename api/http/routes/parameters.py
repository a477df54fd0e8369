"""Path, query and header parameters that keep the constraints of their type.

Litestar validates and documents a parameter with what its ``QueryParameter(...)``,
``PathParameter(...)`` or ``HeaderParameter(...)`` (or an ``annotated_types`` marker) says, and
ignores ``msgspec.Meta``: ``company: CompanyId`` would take "NOT A SLUG" and document a bare
string. ``constrained(QueryParameter, CompanyId, ...)`` spells the type's Meta out as arguments of
the marker, so the alias in ``schema/`` stays the one source of the rule.

Every parameter names where it comes from with one of those markers (or ``FromPath[...]``):
Litestar 2.25 deprecates inferring it and ``Parameter(query=..., header=...)``, which Litestar 3 drops.
"""

from __future__ import annotations

import types
from collections.abc import Iterator
from typing import Annotated, Any, TypeVar, Union, get_args, get_origin

from litestar.handlers import HTTPRouteHandler
from litestar.params import ParameterKwarg
from litestar.typing import FieldDefinition
from msgspec import Meta

__all__ = ["constrained", "is_repeatable", "meta_constraints", "parameter_fields"]

P = TypeVar("P")

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
