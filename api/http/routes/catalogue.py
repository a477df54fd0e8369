"""The event catalogue: every type's JSON Schema (from the same Structs) and an example from the seeds."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import get
from litestar.di import NamedDependency
from litestar.params import PathParameter

from api.errors import UnknownEventType
from api.http.openapi.examples import seeded_event_type
from api.http.openapi.extras import Extras, Link
from api.http.routes.responses import problems
from api.seeds import seed_examples
from schema.events import EVENT_TYPES
from schema.rules import with_rules
from schema.views import EventTypeInfo, EventTypeList

__all__ = ["Catalogue", "catalogue_handlers"]


class Catalogue:
    """Built once per app (schemas and seed examples do not change while it runs)."""

    def __init__(self) -> None:
        examples = seed_examples()
        self.items = [
            EventTypeInfo(
                type=tag,
                summary=str(kind.summary),
                json_schema=_json_schema(kind),
                example=msgspec.to_builtins(examples[tag]) if tag in examples else None,
            )
            for tag, kind in EVENT_TYPES.items()
        ]
        self.by_type: dict[str, EventTypeInfo] = {item.type: item for item in self.items}


def _json_schema(kind: type[Any]) -> dict[str, Any]:
    """msgspec's schema of the type, with the rules across fields that JSON Schema states."""
    schema: dict[str, Any] = msgspec.json.schema(kind)
    with_rules(schema.get("$defs", {}))
    return schema


@get(
    "/event-types/{event_type:str}",
    operation_id="getEventType",
    tags=["catalogue"],
    summary="One event type: its JSON Schema and an example",
    description=(
        "The JSON Schema of one event type, made from the same Struct the server decodes it with (its rules "
        "across fields included), and an example from the seed events where they have one. 404 for a type "
        "not in the catalogue."
    ),
    opt={"openapi": Extras(parameter_examples={"event_type": seeded_event_type})},
    responses=problems(404, 422),
    sync_to_thread=False,
)
def get_event_type(
    event_type: Annotated[str, PathParameter(max_length=64, pattern=r"^[a-z][a-z0-9_]*$")],
    catalogue: NamedDependency[Catalogue],
) -> EventTypeInfo:
    info = catalogue.by_type.get(event_type)
    if info is None:
        raise UnknownEventType(event_type)
    return info


@get(
    "/event-types",
    operation_id="listEventTypes",
    tags=["catalogue"],
    summary="The event catalogue",
    description="Every event type the log takes, in the order of the catalogue, each with its JSON Schema and an example.",
    opt={
        "openapi": Extras(
            links={
                "GetFirstEventType": Link(to=get_event_type, parameters={"event_type": "$response.body#/items/0/type"})
            }
        )
    },
    sync_to_thread=False,
)
def list_event_types(catalogue: NamedDependency[Catalogue]) -> EventTypeList:
    return EventTypeList(items=catalogue.items)


catalogue_handlers = [list_event_types, get_event_type]
