"""Decoders for JSON this store wrote itself: the schema's Structs, without checking their constraints again.

Every item a read model stores was a validated Struct when it was encoded, so decoding it
again need not run the ``Meta`` constraints (patterns, lengths, bounds) on every string and
number: those are regular expressions in Python's ``re``, and they are most of the cost of a
decode (a dossier decodes some 130 stored items; about 7 µs an item checked, 1.7 unchecked,
bench/RESULTS.md). ``unchecked(T)`` is ``T`` with each Struct replaced by a subclass of it made
here whose constrained fields are declared without their ``Annotated`` metadata: the same fields
in the same order, the same tag, defaults, methods, equality, hashes and ``isinstance`` answers, so an item
decodes to what the code expects and encodes byte for byte as before. Nothing here is written
twice: the subclasses are derived from the schema's own types, which stay the one source of
the constraints (and of the OpenAPI document). Input from clients is never decoded this way.
The rules that compare fields (schema.rules, run by ``__post_init__``) still run: they are
code, not constraints, and cheap.
"""

from __future__ import annotations

import functools
import types
from collections.abc import Callable
from typing import Annotated, Any, TypeVar, Union, get_args, get_origin, overload

import msgspec

__all__ = ["decoder", "unchecked"]

T = TypeVar("T")

_MAKING: set[type[msgspec.Struct]] = set()
"""Structs being derived just now: a type that refers to itself keeps its checks where it does."""


@functools.cache
def unchecked(kind: Any) -> Any:
    """``kind`` with no ``Meta`` constraints at any depth: Annotated dropped, Structs replaced by
    unconstrained subclasses (``kind`` itself where nothing in it is constrained)."""
    origin = get_origin(kind)
    if origin is Annotated:
        return unchecked(get_args(kind)[0])
    if isinstance(kind, type) and issubclass(kind, msgspec.Struct):
        return _struct(kind)
    if origin is Union or origin is types.UnionType:
        members = tuple(unchecked(arg) for arg in get_args(kind))
        return Union[members]  # noqa: UP007 (members is a tuple made at run time)
    args = get_args(kind)
    if origin is None or not args or origin is Callable:
        return kind  # a plain type, a Literal's values, or nothing to descend into
    if origin.__module__ == "typing":
        return kind  # Literal and the like: their arguments are values, not types
    made = tuple(arg if arg is Ellipsis else unchecked(arg) for arg in args)
    return kind if made == args else origin[made if len(made) > 1 else made[0]]


@overload
def decoder(kind: type[T]) -> msgspec.json.Decoder[T]: ...
@overload
def decoder(kind: Any) -> msgspec.json.Decoder[Any]: ...
def decoder(kind: Any) -> msgspec.json.Decoder[Any]:
    """A JSON decoder of ``unchecked(kind)``, made once: for items this store encoded from a ``kind``."""
    return _decoders(kind)


@functools.cache
def _decoders(kind: Any) -> msgspec.json.Decoder[Any]:
    return msgspec.json.Decoder(unchecked(kind))


def _struct(kind: type[msgspec.Struct]) -> type[msgspec.Struct]:
    if kind in _MAKING:
        return kind
    _MAKING.add(kind)
    try:
        changed = [_field(field) for field in msgspec.structs.fields(kind) if unchecked(field.type) != field.type]
    finally:
        _MAKING.discard(kind)
    if not changed:
        return kind
    config = kind.__struct_config__
    # msgspec puts fields without a default of a subclass that is not kw_only before the rest;
    # whichever of the two keeps the base's order is the one that encodes as the base does.
    for kw_only in (False, True):
        try:
            made = msgspec.defstruct(
                kind.__name__,
                changed,
                bases=(kind,),
                module=kind.__module__,
                kw_only=kw_only,
                tag=config.tag,  # the rest of the configuration is inherited
                tag_field=config.tag_field,
                namespace=_as_base(kind),
            )
        except TypeError:
            continue
        if (made.__struct_fields__, made.__struct_encode_fields__) == (
            kind.__struct_fields__,
            kind.__struct_encode_fields__,
        ):
            return made
    return kind  # no subclass lays the fields out as the base does: decode with the checks


def _as_base(kind: type[msgspec.Struct]) -> dict[str, Any]:
    """What makes the subclass stand for ``kind``: equality and hashing as the base's (msgspec's
    compare the type too, and an item read back must equal the one it was made from: an attribution,
    a source, a registration), and pickling as the base (pickle finds classes by name)."""

    def __reduce__(self: msgspec.Struct) -> tuple[Any, ...]:
        return _made, (kind, msgspec.structs.asdict(self))

    found: dict[str, Any] = {"__stored_base__": kind, "__reduce__": __reduce__}
    if not kind.__struct_config__.eq:
        return found
    names = kind.__struct_fields__

    def __eq__(self: msgspec.Struct, other: object) -> bool:
        if type(other) is not kind and getattr(type(other), "__stored_base__", None) is not kind:
            return NotImplemented
        return all(getattr(self, name) == getattr(other, name) for name in names)

    def __ne__(self: msgspec.Struct, other: object) -> bool:
        equal = __eq__(self, other)
        return equal if equal is NotImplemented else not equal

    found |= {"__eq__": __eq__, "__ne__": __ne__}
    if kind.__struct_config__.frozen:
        # msgspec's hash mixes in the type: the base's hash is that of the base made from the same fields
        found["__hash__"] = lambda self: hash(_made(kind, msgspec.structs.asdict(self)))
    return found


def _made(kind: type[msgspec.Struct], fields: dict[str, Any]) -> msgspec.Struct:
    """An instance of ``kind`` itself with these fields (its rules, if any, were met by the decode)."""
    return kind(**fields)


def _field(field: msgspec.structs.FieldInfo) -> tuple[str, Any, Any]:
    kind = unchecked(field.type)
    name = field.encode_name if field.encode_name != field.name else None
    if field.default_factory is not msgspec.NODEFAULT:
        return field.name, kind, msgspec.field(default_factory=field.default_factory, name=name)
    return field.name, kind, msgspec.field(default=field.default, name=name)
