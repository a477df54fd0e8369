"""Items this store wrote decode without their constraints checked again, and to what they were."""

from __future__ import annotations

import importlib
import inspect
import pickle
import pkgutil

import msgspec
import pytest

import schema
from api.seeds import seed_events
from schema import stored
from schema.base import Source
from schema.events import Event
from schema.facts import Attribution

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


@pytest.mark.parametrize("kind", _structs(), ids=lambda kind: kind.__name__)
def test_a_struct_keeps_its_checks_only_when_it_has_none(kind: type[msgspec.Struct]) -> None:
    constrained = [f.name for f in msgspec.structs.fields(kind) if stored.unchecked(f.type) != f.type]
    assert (stored.unchecked(kind) is not kind) == bool(constrained)


def test_an_unchecked_item_pickles_as_the_schema_type_and_hashes_as_it_nested() -> None:
    sources = [Source(title="A report", publisher="A paper", language="de", published_on="2025-03")]
    attribution = Attribution(person_id="lei-jun")
    body = msgspec.json.encode(attribution)
    again = stored.decoder(Attribution).decode(body)
    assert type(pickle.loads(pickle.dumps(again))) is Attribution
    assert pickle.loads(pickle.dumps(again)) == attribution
    listed = stored.decoder(list[Source]).decode(msgspec.json.encode(sources))
    assert hash(tuple(listed)) == hash(tuple(sources))


def test_two_unchecked_forms_of_one_struct_are_equal_as_the_struct() -> None:
    source = Source(title="A report", publisher="A paper", language="de")
    body = msgspec.json.encode(source)
    first = stored.decoder(Source).decode(body)
    stored.unchecked.cache_clear()  # as if the form were derived a second time
    try:
        second = msgspec.json.decode(body, type=stored.unchecked(Source))
    finally:
        stored.unchecked.cache_clear()
    assert type(first) is not type(second)
    assert first == second and second == first and hash(first) == hash(second) == hash(source)


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
