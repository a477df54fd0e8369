"""Items this store wrote decode without their constraints checked again, and to what they were."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import msgspec
import pytest

import schema
from api.seeds import seed_events
from schema import stored
from schema.base import Source
from schema.events import Event

CONFIG = ("array_like", "eq", "forbid_unknown_fields", "frozen", "omit_defaults", "order", "tag", "tag_field")


def _structs() -> list[type[msgspec.Struct]]:
    found = []
    for module in pkgutil.iter_modules(schema.__path__):
        loaded = importlib.import_module(f"schema.{module.name}")
        found += [
            kind
            for kind in vars(loaded).values()
            if inspect.isclass(kind) and issubclass(kind, msgspec.Struct) and kind.__module__ == loaded.__name__
        ]
    return found


@pytest.mark.parametrize("kind", _structs(), ids=lambda kind: kind.__name__)
def test_every_struct_has_an_unchecked_form_laid_out_as_it_is(kind: type[msgspec.Struct]) -> None:
    made = stored.unchecked(kind)
    assert issubclass(made, kind)
    assert made.__struct_fields__ == kind.__struct_fields__
    assert made.__struct_encode_fields__ == kind.__struct_encode_fields__
    assert repr(made.__struct_defaults__) == repr(kind.__struct_defaults__)
    for name in CONFIG:
        assert getattr(made.__struct_config__, name) == getattr(kind.__struct_config__, name), name


def test_most_structs_shed_their_checks() -> None:
    kinds = _structs()
    assert sum(stored.unchecked(kind) is not kind for kind in kinds) > len(kinds) * 0.9


def test_every_seed_event_decodes_unchecked_to_what_it_was() -> None:
    unchecked = stored.decoder(Event)
    for event in seed_events():
        body = msgspec.json.encode(event)
        again = unchecked.decode(body)
        assert isinstance(again, type(event))
        assert again == event and event == again
        assert (again != event, event != again) == (False, False)
        assert msgspec.json.encode(again) == body
        for source in event.sources:  # events hold lists, so only their parts hash
            again_source = stored.decoder(Source).decode(msgspec.json.encode(source))
            assert hash(again_source) == hash(source)
            assert {source, again_source} == {source}


def test_constraints_are_not_checked_again_but_client_input_still_is() -> None:
    body = msgspec.json.encode({"title": "a\x01b", "publisher": "A paper", "language": "english"})
    with pytest.raises(msgspec.ValidationError):
        msgspec.json.decode(body, type=Source)
    assert stored.decoder(Source).decode(body).language == "english"
    assert stored.decoder(list[Source]).decode(b"[" + body + b"]")[0].title == "a\x01b"
