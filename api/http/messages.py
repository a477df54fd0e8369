"""What a decoder's complaint means to a person: a stable code, the value received, and what is expected.

msgspec and Litestar word validation errors for programmers (``Expected `str` matching regex
'^(?:(?!0000)[0-9]{4}…'``). ``explain`` rewrites one into words taken from the type the value was
decoded into — the ``Meta(description=...)`` of schema/base.py that the OpenAPI document shows,
the values of a ``Literal``, the tags of the event union — and never quotes a pattern.

The codes are part of the API (``ERROR_CODES`` in schema/problems.py); a message may be reworded, a code not.
"""

from __future__ import annotations

import calendar
import functools
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, Any, get_args, get_origin

import msgspec
import msgspec.inspect as mi

from schema import base

__all__ = ["Explained", "convertible", "explain", "received", "segments", "type_info"]


_MAX_SHOWN = 60
"""Characters of a received string quoted back (a 2,000 character note is not echoed whole)."""

_JSON_NAMES = {
    "str": "a string",
    "int": "a whole number",
    "float": "a number",
    "bool": "true or false",
    "object": "an object",
    "array": "an array",
    "null": "null",
    "uuid": "a UUID",
    "datetime": "a date-time",
}
_EXPECTED_TYPE = re.compile(r"^Expected `(?P<expected>[^`]+)`, got `(?P<got>[^`]+)`$")
_PATTERN = re.compile(r"^Expected `str` matching regex '(?P<pattern>.*)'$", re.S)
_LENGTH = re.compile(r"^Expected `(?P<kind>str|array|object)` of length (?P<op>[<>]=?) (?P<bound>\d+)$")
_RANGE = re.compile(r"^Expected `(?P<kind>int|float|number)` (?P<op>[<>]=?) (?P<bound>-?[0-9.e+]+)$")
_MISSING = re.compile(r"^Object missing required field `(?P<name>[^`]+)`$")
_UNKNOWN_FIELD = re.compile(r"^Object contains unknown field `(?P<name>[^`]+)`$")
_INVALID_VALUE = re.compile(r"^Invalid (?:enum )?value (?P<value>.+)$", re.S)
_INVALID_FORMAT = re.compile(r"^Invalid (?P<what>UUID|RFC3339 encoded (?:datetime|date|time)|.+)$")
_DAY = re.compile(r"^(?P<year>[0-9]{4})-(?P<month>0[1-9]|1[0-2])-(?P<day>0[1-9]|[12][0-9]|3[01])$")
_WORDS = {"<": "less than", "<=": "at most", ">": "more than", ">=": "at least"}


@dataclass(frozen=True)
class Explained:
    code: str
    message: str
    field: str | None = None
    """A field of the object the error was reported at (a missing or unknown one), to add to its path."""


def segments(path: str) -> list[str | int]:
    """``$.sources[0].url`` → ``["sources", 0, "url"]``."""
    parts: list[str | int] = []
    for name, index in re.findall(r"\.([^.\[]+)|\[(\d+)\]", path.removeprefix("$")):
        parts.append(int(index) if index else name)
    return parts


def type_info(annotation: Any) -> mi.Type | None:
    try:
        return mi.type_info(annotation)
    except Exception:  # a type msgspec cannot describe: explain without it
        return None


def received(value: Any) -> str:
    """The value a client sent, quoted as JSON and cut to a readable length."""
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return f"an array of {len(value)} item{'s' * (len(value) != 1)}"
    if isinstance(value, str) and len(value) > _MAX_SHOWN:
        return f'{json.dumps(value[:_MAX_SHOWN], ensure_ascii=False)[:-1]}…" ({len(value)} characters)'
    return json.dumps(value, ensure_ascii=False)


_MISSING_VALUE = object()


def _value_at(value: Any, path: Sequence[str | int]) -> Any:
    for part in path:
        inside_list = isinstance(part, int) and isinstance(value, list) and 0 <= part < len(value)
        if inside_list or (isinstance(part, str) and isinstance(value, dict) and part in value):
            value = value[part]
        else:
            return _MISSING_VALUE
    return value


def _plain(t: mi.Type | None) -> tuple[mi.Type | None, str | None]:
    """The type without its Metadata, and the first description found on the way."""
    description = None
    while isinstance(t, mi.Metadata):
        description = description or (t.extra_json_schema or {}).get("description")
        t = t.type
    return t, description


def _choose(t: mi.Type | None, value: Any) -> tuple[mi.Type | None, str | None]:
    """Out of a union, the member a value was meant for (by its tag; else the one that is not null)."""
    t, description = _plain(t)
    if not isinstance(t, mi.UnionType):
        return t, description
    members = [m for m in t.types if not isinstance(_plain(m)[0], mi.NoneType)]
    for member in members:
        inner, _ = _plain(member)
        tagged = isinstance(inner, mi.StructType) and inner.tag_field and isinstance(value, dict)
        if tagged and value.get(inner.tag_field) == inner.tag:  # type: ignore[union-attr]
            return inner, None
    if len(members) == 1:
        inner, own = _plain(members[0])
        return inner, own or description
    return t, description


def _walk(t: mi.Type | None, root: Any, path: Sequence[str | int]) -> tuple[mi.Type | None, str | None]:
    """The type (and description) at ``path`` inside ``t``, following the value sent."""
    value = root
    t, description = _choose(t, value)
    for part in path:
        if isinstance(t, mi.StructType) and isinstance(part, str):
            field = next((f for f in t.fields if f.encode_name == part), None)
            if field is None:
                return None, None
            t = field.type
        elif isinstance(t, mi.ListType | mi.SetType | mi.FrozenSetType | mi.VarTupleType) and isinstance(part, int):
            t = t.item_type
        elif isinstance(t, mi.DictType):
            t = t.value_type
        else:
            return None, None
        value = _value_at(value, [part])
        t, description = _choose(t, value)
    return t, description


def _expected(description: str | None, fallback: str) -> str:
    if not description:
        return fallback
    text = description.rstrip(".")
    first = text.split(" ", 1)[0]
    if first[:1].isupper() and (len(first) == 1 or first[1:].islower()):  # "A date", not "ISO 4217"
        text = text[0].lower() + text[1:]
    return text


@functools.cache
def _described_patterns() -> dict[str, str]:
    """Pattern → description of every constrained alias in schema/base.py, for a value whose type at
    hand lost its description (a path or query parameter spelled out for Litestar)."""
    found: dict[str, str] = {}
    for alias in vars(base).values():
        if get_origin(alias) is not Annotated:
            continue
        metas = [m for m in get_args(alias)[1:] if isinstance(m, msgspec.Meta)]
        pattern = next((m.pattern for m in metas if m.pattern), None)
        description = next((m.description for m in metas if m.description), None)
        if pattern and description:
            found.setdefault(pattern, description)
    return found


def _type_words(spelled: str) -> str:
    return " or ".join(_JSON_NAMES.get(part.strip(), part.strip()) for part in spelled.split("|"))


def _impossible_day(value: Any) -> str | None:
    if not isinstance(value, str) or not (day := _DAY.match(value)):
        return None
    year, month = int(day["year"]), int(day["month"])
    if year == 0:
        return None
    days = calendar.monthrange(year, month)[1]
    if int(day["day"]) <= days:
        return None
    return f"{value} is not a day of the calendar: {calendar.month_name[month]} {year} has {days} days"


def explain(message: str, declared: Any, path: Sequence[str | int], sent: Any, *, hint: str | None = None) -> Explained:
    """Rewrite one msgspec/Litestar ``message`` about ``path`` of a value decoded as ``declared``.

    ``sent`` is what the client sent, decoded as plain JSON (or the query parameter's text);
    ``hint`` what to say is expected when the type has no description (a parameter's own).
    """
    root = type_info(declared) if declared is not None else None
    value = _value_at(sent, path)
    got = received(value) if value is not _MISSING_VALUE else "nothing"
    leaf, description = _walk(root, sent, path) if root is not None else (None, None)
    if (pattern := _PATTERN.match(message)) and not description:
        known = _described_patterns()  # Litestar quotes a parameter's pattern with its backslashes doubled
        source = pattern["pattern"]
        description = known.get(source) or known.get(source.replace("\\\\", "\\")) or hint

    if match := _MISSING.match(message):
        _, wanted = _walk(root, sent, [*path, match["name"]]) if root is not None else (None, None)
        return Explained(
            "required", f"is required: {_expected(wanted, '')}" if wanted else "is required", match["name"]
        )
    if match := _UNKNOWN_FIELD.match(message):
        names = [f.encode_name for f in leaf.fields] if isinstance(leaf, mi.StructType) else []
        fields = f"; the fields here are {', '.join(names)}" if names else ""
        return Explained(
            "unknown_field", f"is not a field of this object (unknown fields are refused){fields}", match["name"]
        )
    if match := _PATTERN.match(message):
        if impossible := _impossible_day(value):
            return Explained("invalid_date", impossible)
        return Explained("pattern", f"got {got}; expected {_expected(description, 'a value in the documented format')}")
    if match := _LENGTH.match(message):
        unit = "character" if match["kind"] == "str" else "item"
        size_bound = int(match["bound"])
        counted = isinstance(value, str) and len(value) <= _MAX_SHOWN  # a longer one is counted by received()
        size = f" ({len(value)} {unit}{'s' * (len(value) != 1)})" if counted else ""
        what = f" — {_expected(description, '')}" if description else ""
        expected = f"{_WORDS[match['op']]} {size_bound} {unit}{'s' * (size_bound != 1)}"
        return Explained("length", f"got {got}{size}; expected {expected}{what}")
    if match := _RANGE.match(message):
        bound = match["bound"].removesuffix(".0")
        noun = "a whole number" if match["kind"] == "int" else "a number"
        return Explained("range", f"got {got}; expected {noun} {_WORDS[match['op']]} {bound}")
    if match := _EXPECTED_TYPE.match(message):
        return Explained("type", f"got {got} ({_type_words(match['got'])}); expected {_type_words(match['expected'])}")
    if match := _INVALID_VALUE.match(message):
        return _invalid_value(root, sent, path, got, leaf)
    if message == "Invalid UUID":
        return Explained("format", f"got {got}; expected a UUID such as 0195bb26-3c00-7001-8a1d-5e3d00000001")
    if message.startswith("Invalid RFC3339"):
        return Explained(
            "format", f"got {got}; expected an RFC 3339 date-time with an offset, such as 2025-03-22T10:00:00Z"
        )
    if match := _INVALID_FORMAT.match(message):
        return Explained("format", f"got {got}; expected {_expected(description, 'a valid ' + match['what'])}")
    return Explained("invalid", message)


def _invalid_value(
    root: mi.Type | None, sent: Any, path: Sequence[str | int], got: str, leaf: mi.Type | None
) -> Explained:
    if path and root is not None:
        parent, _ = _walk(root, sent, path[:-1])
        if isinstance(parent, mi.UnionType):
            tags = [
                str(inner.tag)
                for member in parent.types
                if isinstance(inner := _plain(member)[0], mi.StructType) and inner.tag_field == path[-1]
            ]
            if tags:
                return Explained("unknown_event_type", f"got {got}; expected one of the event types: {', '.join(tags)}")
    values = _values(leaf)
    if values:
        return Explained("enum", f"got {got}; expected one of: {', '.join(values)}")
    return Explained("enum", f"got {got}; expected one of the documented values")


def _values(t: mi.Type | None) -> list[str]:
    t, _ = _plain(t)
    if isinstance(t, mi.ListType | mi.SetType | mi.FrozenSetType | mi.VarTupleType):
        t, _ = _plain(t.item_type)
    if isinstance(t, mi.LiteralType):
        return [str(v) for v in t.values]
    if isinstance(t, mi.EnumType):
        return [str(m.value) for m in t.cls]
    if isinstance(t, mi.UnionType):
        return [v for member in t.types for v in _values(member)]
    return []


def convertible(value: Any, annotation: Any) -> bool:
    """Whether a query parameter's text reads as ``annotation`` (leniently, as Litestar reads it)."""
    try:
        msgspec.convert(value, annotation, strict=False)
    except (msgspec.ValidationError, TypeError):
        return False
    return True
