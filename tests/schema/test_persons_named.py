"""``persons`` (schema.declarations) names every person an event is about: ``GET /events?person=`` finds it by them."""

from __future__ import annotations

from typing import Any

import msgspec
from msgspec import inspect

from schema.base import PersonId
from schema.events import Participant
from tests.factories import executive_reported, meeting_held, site_visited
from tests.schema.test_company_refs import _one_of_each

_PERSON_ID = inspect.type_info(PersonId)


def _person_id_paths(info: Any, path: str = "") -> set[str]:
    """Where the type holds a PersonId, as ``a.b[].c``."""
    if isinstance(info, inspect.Metadata):
        return {path} if info == _PERSON_ID else _person_id_paths(info.type, path)
    if isinstance(info, inspect.StructType):
        return {p for f in info.fields for p in _person_id_paths(f.type, f"{path}.{f.encode_name}".lstrip("."))}
    if isinstance(info, inspect.ListType):
        return _person_id_paths(info.item_type, f"{path}[]")
    if isinstance(info, inspect.UnionType):
        return {p for t in info.types for p in _person_id_paths(t, path)}
    return set()


def test_every_person_id_field_of_every_event_type_is_declared() -> None:
    for event in _one_of_each():
        # Whom a claim is attributed to is not whom it is about: attribution is left out.
        fields = _person_id_paths(inspect.type_info(type(event))) - {"attributed_to.person_id"}
        assert set(type(event).persons) == fields, type(event).__name__


def test_persons_named_are_the_persons_in_order_without_repeats() -> None:
    meeting = msgspec.structs.replace(
        meeting_held("xiaomi", "samsung-electronics", "byd"),
        participants=[
            Participant(company_id="xiaomi", person_id="lei-jun"),
            Participant(company_id="samsung-electronics", person_id="jay-y-lee"),
            Participant(company_id="byd", person_id="lei-jun"),
        ],
    )
    visit = site_visited("samsung-electronics", "byd")

    assert meeting.persons_named() == ["lei-jun", "jay-y-lee"]
    assert visit.persons_named() == [], "a visitor without a person names none"
    assert executive_reported("xiaomi", "lei-jun").persons_named() == ["lei-jun"]
