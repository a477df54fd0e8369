"""Rules that span fields: declared once beside their Struct, enforced on decoding, stated in the schema.

A field's own type says what one value may be (a slug, a period, 1 to 20 sources). A rule says what
values of several fields may be together (a sales report needs units or revenue). Each is a ``Rule``
in the ``rules`` of its Struct, and everything else is derived from that one declaration:

- the check: ``Ruled.__post_init__`` raises the rule's message when it is broken, so that every
  decoder (HTTP bodies, ``tidings import``, stored events) enforces it;
- the 422: the message leads with the field it names, and ``find`` gives the HTTP edge the rule,
  so the problem's ``errors[]`` has its path and the rule's own ``code`` (schema/problems.py lists them);
- the JSON Schema: where JSON Schema 2020-12 can say the rule, ``schema`` is added to the Struct's
  component (``with_rules``) as entries of its ``allOf``; where it cannot (two fields compared with
  each other), the rule is listed in words in the description of the operations that take events.

A rule's JSON Schema must be exact, neither looser nor stricter than the check: a fuzzer sends what
the schema calls valid and expects it taken, and what it calls invalid and expects it refused. Optional
fields are nullable (``"units": null`` is the same as leaving it out), hence ``given`` and ``absent``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

__all__ = [
    "RULED",
    "Rule",
    "Ruled",
    "absent",
    "all_of",
    "at_least_one",
    "find",
    "given",
    "rules_of",
    "stated",
    "unstated",
    "with_rules",
]


@dataclass(frozen=True)
class Rule:
    """One rule across fields of a Struct."""

    code: str
    """The stable ``errors[].code`` of a 422 for it."""
    path: str
    """The field a 422 names, below the object the rule is on (``metric``, ``target.currency``)."""
    message: str
    """What is expected, in words: the 422's message and, where the schema cannot say it, the documentation."""
    broken: Callable[[Any], bool] = field(repr=False, compare=False)
    """Whether an instance breaks the rule."""
    schema: tuple[Mapping[str, Any], ...] = ()
    """The rule in JSON Schema 2020-12 (entries of the component's ``allOf``); empty where it cannot be said."""

    @property
    def text(self) -> str:
        """The ValueError's text: the field first, as a person reads it in a log (``find`` reads it back)."""
        return f"{self.path}: {self.message}" if self.path else self.message


_BY_TEXT: dict[str, Rule] = {}
RULED: dict[str, type[Any]] = {}
"""Every Struct with rules, by its name (the name of its component in the OpenAPI document)."""


class Ruled:
    """Mixed into a Struct that declares ``rules``: checks them after decoding (msgspec calls ``__post_init__``)."""

    rules: ClassVar[tuple[Rule, ...]] = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "__stored_base__" in cls.__dict__:
            return  # schema.stored's unchecked form of a Struct is no component of its own
        if cls.rules:
            RULED[cls.__name__] = cls
            for rule in cls.rules:
                _BY_TEXT[rule.text] = rule

    def __post_init__(self) -> None:
        for rule in self.rules:
            if rule.broken(self):
                raise ValueError(rule.text)


def find(text: str) -> Rule | None:
    """The rule whose ValueError reads ``text`` (msgspec passes it on as the message of its ValidationError)."""
    return _BY_TEXT.get(text)


def rules_of(kinds: Iterable[type[Any]]) -> list[tuple[type[Any], Rule]]:
    """Each rule of ``kinds`` and of the Structs with rules (``RULED``), with the Struct it is on."""
    found = []
    for kind in dict.fromkeys([*kinds, *RULED.values()]):
        found += [(kind, rule) for rule in getattr(kind, "rules", ())]
    return found


def stated() -> list[Rule]:
    """The rules the JSON Schema states."""
    return [rule for _, rule in rules_of(()) if rule.schema]


def unstated(kinds: Iterable[type[Any]] = ()) -> list[tuple[type[Any], Rule]]:
    """The rules JSON Schema cannot state (they compare two fields): said in words in the operations' descriptions."""
    return [(kind, rule) for kind, rule in rules_of(kinds) if not rule.schema]


def with_rules(schemas: dict[str, Any]) -> dict[str, Any]:
    """``schemas`` (components or ``$defs`` by Struct name) with each Struct's stated rules in its ``allOf``."""
    for name, kind in RULED.items():
        schema = schemas.get(name)
        if isinstance(schema, dict):
            entries = [dict(entry) for rule in kind.rules for entry in rule.schema]
            if entries:
                schema["allOf"] = [*schema.get("allOf", []), *entries]
    return schemas


# -- building blocks of the rules' schemas ---------------------------------------------------------

_NULL = {"type": "null"}


def given(name: str) -> dict[str, Any]:
    """``name`` is sent and not null."""
    return {"required": [name], "properties": {name: {"not": _NULL}}}


def absent(*names: str) -> dict[str, Any]:
    """Each of ``names`` is left out or null (``properties`` holds for a property that is not there)."""
    return {"properties": {name: _NULL for name in names}}


def all_of(*schemas: Mapping[str, Any]) -> dict[str, Any]:
    """One schema that holds where each of ``schemas`` holds (their ``required`` and ``properties`` merged)."""
    merged: dict[str, Any] = {}
    for schema in schemas:
        for key, value in schema.items():
            if key == "required":
                merged["required"] = [*merged.get("required", []), *value]
            elif key == "properties":
                merged["properties"] = {**merged.get("properties", {}), **value}
            else:
                merged[key] = value
    return merged


def at_least_one(*names: str) -> tuple[dict[str, Any], ...]:
    """At least one of ``names`` is sent and not null (a property sent as null is there for ``required``).

    Wrapped in the ``allOf``: an ``anyOf`` at the top of a component makes some SDK generators build a
    union type of it."""
    return ({"anyOf": [given(name) for name in names]},)
