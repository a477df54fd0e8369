"""What an event type declares of itself, and the catalogue derived from those declarations.

An event type is a Struct that says, as class variables beside its fields, what the rest of
Tidings must know of it:

* ``names``: the paths of the company ids it names, in order (``"company_id"``,
  ``"visitor.company_id"``, ``"participants[].company_id"``, ``"company_ids[]"``); each must
  be registered before the event is stored, and each named company's version counts it.
* ``persons``: the paths of the person ids it names, in the same form (``"person_id"``,
  ``"participants[].person_id"``, ``"visitor.person_id"``): the people the event is about, whom
  ``GET /events?person=`` finds it by. Persons need not be registered.
* ``registers``: the field holding the company it registers (``company_registered``).
* ``dated_by``: the field saying when the reported thing happened (a partial date or a period).
* ``targets``: the field holding the id of an earlier event it adds evidence to or retracts;
  ``retracts`` says which of the two. Such events touch the companies their target touches.
* ``links``: (field, tag): the field holding the id of an earlier event of type ``tag`` it belongs
  to (a completion's announcement); the id, when given, must name such an event, and the event
  touches the companies that one touches.
* ``retractable``: False where correcting means appending the type again (registrations).

``Catalogue`` turns a list of such types into everything derived from them: the tagged union,
the tags, the decoders, the lookup of a type by tag. Company references are compiled once per
class (the planner asks for them of every event, several times).
"""

from __future__ import annotations

import typing
from collections.abc import Callable, Iterable, Iterator, Sequence
from types import ModuleType
from typing import Any, ClassVar, cast
from uuid import UUID

import msgspec

from schema import stored

__all__ = ["Catalogue", "Declared", "compile_names", "tag"]

Refs = Callable[[Any], list[tuple[str, str]]]


def compile_names(paths: Sequence[str]) -> Refs:
    """A function giving ``(JSON path below the event, company id)`` for every declared path.

    ``a.b`` follows fields, ``a[]`` every item of a list; a None on the way names nothing."""
    steps = [_compile(path) for path in paths]
    if len(steps) == 1:
        return steps[0]

    def refs(event: Any) -> list[tuple[str, str]]:
        found: list[tuple[str, str]] = []
        for step in steps:
            found.extend(step(event))
        return found

    return refs


def _compile(path: str) -> Refs:
    head, sep, rest = path.partition("[]")
    fields = head.split(".")
    if not sep:
        if len(fields) == 1:
            name = fields[0]

            def plain(event: Any) -> list[tuple[str, str]]:
                value = getattr(event, name)
                return [] if value is None else [(name, value)]

            return plain
        return lambda event: [] if (value := _follow(event, fields)) is None else [(path, value)]
    tail = [part for part in rest.split(".") if part]

    def each(event: Any) -> list[tuple[str, str]]:
        items = _follow(event, fields) or ()
        suffix = "." + ".".join(tail) if tail else ""
        return [
            (f"{head}[{index}]{suffix}", value)
            for index, item in enumerate(items)
            if (value := _follow(item, tail)) is not None
        ]

    return each


def _follow(value: Any, fields: Sequence[str]) -> Any:
    for name in fields:
        if value is None:
            return None
        value = getattr(value, name)
    return value


_REFS: dict[type, Refs] = {}
"""Each declared class's compiled ``names``."""
_PERSONS: dict[type, Refs] = {}
"""Each declared class's compiled ``persons``."""


class Declared:
    """The class variables an event type declares (mixed into the events' base Struct)."""

    names: ClassVar[tuple[str, ...]] = ()
    persons: ClassVar[tuple[str, ...]] = ()
    registers: ClassVar[str | None] = None
    dated_by: ClassVar[str | None] = None
    targets: ClassVar[str | None] = None
    retracts: ClassVar[bool] = False
    retractable: ClassVar[bool] = True
    links: ClassVar[tuple[str, str] | None] = None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        _REFS[cls] = compile_names(cls.names)
        _PERSONS[cls] = compile_names(cls.persons)

    def company_refs(self) -> list[tuple[str, str]]:
        """(JSON path below the event, company id) of every company id the event names."""
        return _REFS[type(self)](self)

    def companies_named(self) -> list[str]:
        """Company ids the event names directly, in order of appearance, without repeats."""
        refs = _REFS[type(self)](self)
        if len(refs) == 1:
            return [refs[0][1]]
        return list(dict.fromkeys(company for _, company in refs))

    def persons_named(self) -> list[str]:
        """Person ids the event names (``persons``), in order of appearance, without repeats."""
        return list(dict.fromkeys(person for _, person in _PERSONS[type(self)](self)))

    def target_id(self) -> UUID | None:
        """The id of the event this one adds evidence to or retracts, if it is such an event."""
        return None if self.targets is None else getattr(self, self.targets)  # type: ignore[no-any-return]

    def linked_id(self) -> UUID | None:
        """The id of the earlier event this one belongs to (``links``), if it names one."""
        return None if self.links is None else getattr(self, self.links[0])  # type: ignore[no-any-return]

    def dated(self) -> str | None:
        """The partial date or period the event says the thing happened in, if it says one."""
        return None if self.dated_by is None else getattr(self, self.dated_by)  # type: ignore[no-any-return]


class Catalogue:
    """Event types, and everything derived from their declarations: union, tags, decoders."""

    def __init__(self, kinds: Iterable[type[msgspec.Struct]]) -> None:
        self.types: tuple[type[Any], ...] = tuple(kinds)
        self.by_tag: dict[str, type[Any]] = {tag(kind): kind for kind in self.types}
        if len(self.by_tag) != len(self.types):
            raise ValueError("two event types share a tag")
        self.union: Any = typing.Union[self.types]  # noqa: UP007 (a union built from a tuple at run time)
        self.tags: Any = typing.Literal[tuple(self.by_tag)]  # type: ignore[valid-type]
        self._decoder: msgspec.json.Decoder[Any] = msgspec.json.Decoder(self.union)
        self._stored: msgspec.json.Decoder[Any] = stored.decoder(self.union)

    @classmethod
    def of_module(cls, namespace: dict[str, Any], base: type) -> Catalogue:
        """Every subclass of ``base`` defined in the module ``namespace``, in the order written."""
        return cls(_defined(namespace, base))

    @classmethod
    def of_modules(cls, base: type, *modules: ModuleType) -> Catalogue:
        """Every subclass of ``base`` defined in each of ``modules``: module by module, in the order written."""
        return cls(kind for module in modules for kind in _defined(vars(module), base))

    def extended(self, *kinds: type[msgspec.Struct]) -> Catalogue:
        """This catalogue with more types (a test's, a plug-in's)."""
        return Catalogue((*self.types, *kinds))

    def decode(self, body: bytes | str) -> Any:
        """One event from its JSON form (an NDJSON line, a body to check), every constraint checked."""
        return self._decoder.decode(body)

    def decode_unchecked(self, body: bytes | str) -> Any:
        """One event from a body the log holds: checked when it was appended, so not again (schema.stored)."""
        return self._stored.decode(body)

    def __contains__(self, event_type: object) -> bool:
        return event_type in self.by_tag


def _defined(namespace: dict[str, Any], base: type) -> Iterator[type[msgspec.Struct]]:
    """The subclasses of ``base`` the module ``namespace`` defines (not imports), in the order written."""
    return (
        cast(type[msgspec.Struct], value)
        for value in namespace.values()
        if isinstance(value, type)
        and issubclass(value, base)
        and value is not base
        and value.__module__ == namespace["__name__"]
    )


def tag(kind: type[Any] | Any) -> str:
    """The stored ``type`` of an event type or event: its msgspec tag."""
    cls: Any = kind if isinstance(kind, type) else type(kind)
    return str(cls.__struct_config__.tag)
