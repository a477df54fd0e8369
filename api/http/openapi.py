"""The OpenAPI document: Litestar's, finished in one place so that served and committed copies agree.

``document(app)`` is the one way to the finished document: ``/schema/openapi.{json,yaml}``,
the docs page and ``tidings openapi`` all go through it. ``finish`` fixes what Litestar's
generator leaves out or gets wrong (see STACK-NOTES.md): components come from msgspec,
parameter schemas from the handlers' own annotations, error responses are problems only,
headers are documented on every response that sends them, links chain the operations, and
request examples are the seed events.
"""

from __future__ import annotations

import copy
import functools
import inspect
import json
import types
from collections.abc import Callable
from typing import Annotated, Any, Union, get_args, get_origin

import msgspec
import yaml
from litestar import Litestar, MediaType, Request, Router
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin, OpenAPIRenderPlugin, YamlRenderPlugin
from litestar.openapi.spec import Tag
from litestar.params import KwargDefinition
from litestar.routes import HTTPRoute
from litestar.static_files import create_static_files_router
from litestar.typing import FieldDefinition

from api.http.routes.parameters import meta_constraints, parameter_fields
from api.http.routes.stream import EVENT_STREAM, FRAME_SCHEMA, STREAM_SCHEMA
from api.seeds import seed_events, seed_examples
from schema import base, dossiers, events, problems, views

__all__ = ["DOCS_PATH", "document", "finish", "openapi_config", "render"]

DESCRIPTION = """\
An append-only, typed event store of company news. Facts reported in news are appended
as typed events with their sources; per-company read models (dossiers) are derived from
them in the same transaction. Errors are RFC 9457 problem documents.
"""

SCHEMA_PATH = "/schema"
DOCS_PATH = f"{SCHEMA_PATH}/docs"
"""The interactive docs page (Swagger UI, served with its assets by the app: no CDN, works offline)."""

_REF = "#/components/schemas/{name}"
_ParameterTypes = dict[str, dict[str, FieldDefinition]]
"""operationId -> wire name of each path, query and header parameter -> its field in the handler."""


# -- components: msgspec's own schemas ------------------------------------------------------------


def _struct_types() -> dict[str, type[msgspec.Struct]]:
    """Every Struct the API speaks, by the component name Litestar and msgspec both give it."""
    found: dict[str, type[msgspec.Struct]] = {}
    for module in (base, events, views, dossiers, problems):
        for name in module.__all__:
            value = getattr(module, name)
            if isinstance(value, type) and issubclass(value, msgspec.Struct):
                found[value.__name__] = value
    return found


def _components(names: set[str]) -> dict[str, Any]:
    """msgspec's own JSON Schema of the named Structs: every Meta constraint, list items included."""
    types_ = _struct_types()
    _, components = msgspec.json.schema_components(
        [types_[n] for n in sorted(names) if n in types_] + [events.Event], ref_template=_REF
    )
    (event_union,), _ = msgspec.json.schema_components([events.Event], ref_template=_REF)
    event_union["oneOf"] = event_union.pop("anyOf")
    event_union["description"] = "One event of the catalogue; `type` says which."
    for name, schema in components.items():
        if name in types_ and schema.get("type") == "object":
            # Every Struct derives from Base(forbid_unknown_fields=True).
            schema["additionalProperties"] = False
        if isinstance(schema.get("description"), str):
            # msgspec 0.23 cleans docstrings, older releases keep their indentation: one form for both.
            schema["description"] = inspect.cleandoc(schema["description"])
    components = _walk(components, lambda node: _event_ref(node, event_union))
    components["Event"] = event_union
    return dict(sorted(components.items()))


def _event_ref(node: Any, union: dict[str, Any]) -> Any:
    """An inline union of every event type becomes a reference to the ``Event`` component."""
    if isinstance(node, dict):
        refs = node.get("anyOf") or node.get("oneOf")
        if isinstance(refs, list) and refs == union["oneOf"]:
            return {"$ref": _REF.format(name="Event")}
    return node


def _integers(node: Any) -> Any:
    """Litestar writes integer bounds as floats (9007199254740991.0); write them as integers."""
    if isinstance(node, dict):
        for key in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
            value = node.get(key)
            if isinstance(value, float) and value.is_integer():
                node[key] = int(value)
    return node


def _walk(node: Any, fn: Callable[[Any], Any]) -> Any:
    node = fn(node)
    if isinstance(node, dict):
        return {key: _walk(value, fn) for key, value in node.items()}
    if isinstance(node, list):
        return [_walk(value, fn) for value in node]
    return node


# -- parameters: schemas from the handlers' annotations -------------------------------------------


def _parameter_types(app: Litestar) -> _ParameterTypes:
    """Every documented operation's parameters, found in its handler and the dependencies it uses."""
    found: _ParameterTypes = {}
    for route in app.routes:
        if not isinstance(route, HTTPRoute):
            continue
        for handler in route.route_handlers:
            if isinstance(handler.operation_id, str) and handler.resolve_include_in_schema():
                found[handler.operation_id] = parameter_fields(handler)
    return found


def _declared_type(field: FieldDefinition) -> Any:
    """The parameter's type as msgspec sees it: its own Meta kept, Litestar's markers and ``None`` dropped."""
    annotation = field.raw
    metas: tuple[Any, ...] = ()
    if get_origin(annotation) is Annotated:
        annotation, *extra = get_args(annotation)
        metas = tuple(m for m in extra if isinstance(m, msgspec.Meta))
    if get_origin(annotation) in (Union, types.UnionType):
        kept = [arg for arg in get_args(annotation) if arg is not type(None)]
        annotation = functools.reduce(lambda a, b: a | b, kept)
    typed = Annotated[(annotation, *metas)] if metas else annotation  # type: ignore[valid-type]
    kwarg = field.kwarg_definition
    if not isinstance(kwarg, KwargDefinition):
        return typed
    # Constraints given on the QueryParameter(...) (or Path/Header) marker only; those the type has
    # already are the same (parameters.py).
    # On a list, Litestar validates the items by their own type and the list by min_items/max_items.
    own = meta_constraints(typed)
    scalar = get_origin(annotation) not in (list, tuple, set, frozenset)
    declared = {
        key: value
        for key in ("gt", "ge", "lt", "le", "multiple_of", "pattern", "min_length", "max_length")
        if scalar and (value := getattr(kwarg, key)) is not None and key not in own
    }
    if kwarg.min_items is not None:
        declared["min_length"] = kwarg.min_items
    if kwarg.max_items is not None:
        declared["max_length"] = kwarg.max_items
    return Annotated[typed, msgspec.Meta(**declared)] if declared else typed


def _parameter_schema(field: FieldDefinition, litestar: dict[str, Any]) -> dict[str, Any]:
    """msgspec's schema of the declared type: Litestar loses a type's Meta (patterns, bounds) on parameters."""
    schema: dict[str, Any] = msgspec.json.schema(_declared_type(field))
    if "$defs" in schema or "$ref" in schema:
        return litestar  # a Struct as a parameter: keep Litestar's reference
    if "default" in litestar:
        schema["default"] = litestar["default"]
    return schema


def _optional_parameter(node: dict[str, Any]) -> dict[str, Any]:
    """A parameter cannot be null: drop the null branch Litestar adds for optional ones."""
    one_of = node.get("oneOf")
    if isinstance(one_of, list) and {"type": "null"} in one_of and len(one_of) == 2:
        rest = dict(node)
        (kept,) = [branch for branch in one_of if branch != {"type": "null"}]
        del rest["oneOf"]
        return {**kept, **rest}
    return node


# -- responses: problems only, headers everywhere they are sent, links -----------------------------


def _is_framework_error(response: dict[str, Any]) -> bool:
    """Litestar's own error shape ({status_code, detail, extra}): the app never sends it (problems.py)."""
    schema = response.get("content", {}).get("application/json", {}).get("schema", {})
    return bool(schema.get("required") == ["detail", "status_code"])


_SOURCE_COMPANY = "$response.body#/event/company_id"

_LINKS: dict[str, dict[str, dict[str, Any]]] = {
    "appendEvent": {
        "GetEvent": {"operationId": "getEvent", "parameters": {"event_id": "$response.body#/event/id"}},
        "GetCompany": {"operationId": "getCompany", "parameters": {"company_id": _SOURCE_COMPANY}},
        "GetCompanyTimeline": {"operationId": "getCompanyTimeline", "parameters": {"company_id": _SOURCE_COMPANY}},
        "GetCompanyPlans": {"operationId": "getCompanyPlans", "parameters": {"company_id": _SOURCE_COMPANY}},
    },
    "appendCompanyEvent": {
        "GetEvent": {"operationId": "getEvent", "parameters": {"event_id": "$response.body#/event/id"}},
        "GetCompany": {"operationId": "getCompany", "parameters": {"company_id": "$request.path.company_id"}},
    },
    "appendBatch": {
        "GetFirstEvent": {"operationId": "getEvent", "parameters": {"event_id": "$response.body#/items/0/event/id"}},
    },
    "listEvents": {
        "NextPage": {"operationId": "listEvents", "parameters": {"after": "$response.body#/next_after"}},
    },
    "listCompanies": {
        "NextPage": {"operationId": "listCompanies", "parameters": {"cursor": "$response.body#/next_cursor"}},
    },
    "getCompany": {
        **{
            name: {"operationId": operation, "parameters": {"company_id": "$request.path.company_id"}}
            for name, operation in (
                ("GetTimeline", "getCompanyTimeline"),
                ("GetMeetings", "getCompanyMeetings"),
                ("GetSales", "getCompanySales"),
                ("GetPlans", "getCompanyPlans"),
                ("GetRelationships", "getCompanyRelationships"),
            )
        },
        "AppendCompanyEvent": {
            "operationId": "appendCompanyEvent",
            "parameters": {"company_id": "$request.path.company_id", "header.If-Match": '"{$response.body#/version}"'},
        },
    },
    "getCompanyTimeline": {
        "NextPage": {
            "operationId": "getCompanyTimeline",
            "parameters": {"company_id": "$request.path.company_id", "cursor": "$response.body#/next_cursor"},
        },
    },
    "listEventTypes": {
        "GetFirstEventType": {
            "operationId": "getEventType",
            "parameters": {"event_type": "$response.body#/items/0/type"},
        },
    },
}
"""The stateful chain: what a client (and schemathesis) can call next with values from a success response."""


_IF_NONE_MATCH = {
    "name": "If-None-Match",
    "in": "header",
    "required": False,
    "description": "ETags of a copy the client holds (or `*`): when one is current the answer is 304 without a body.",
    "schema": {"type": "string"},
}


def _conditional(operation: dict[str, Any]) -> dict[str, Any]:
    """An operation that can answer 304 reads If-None-Match (from the request, not a handler argument).

    Documented here so that clients can send it, with a link that revalidates the copy just received.
    """
    if "304" not in operation.get("responses", {}):
        return {}
    parameters = operation.setdefault("parameters", [])
    if not any(p["name"].lower() == "if-none-match" for p in parameters):
        parameters.append(copy.deepcopy(_IF_NONE_MATCH))
    revalidate = {
        "operationId": operation["operationId"],
        "parameters": {
            **{p["name"]: f"$request.path.{p['name']}" for p in parameters if p["in"] == "path"},
            "header.If-None-Match": "$response.header.ETag",
        },
        "description": "Ask again with the ETag received: 304 while nothing changed.",
    }
    return {"Revalidate": revalidate}


def _finish_responses(operation: dict[str, Any], extra_links: dict[str, Any]) -> None:
    responses: dict[str, Any] = operation.get("responses", {})
    for status in [s for s, r in responses.items() if _is_framework_error(r)]:
        del responses[status]
    success = [r for s, r in responses.items() if s.startswith("2")]
    headers = {name: h for r in success for name, h in r.get("headers", {}).items()}
    links = {**_LINKS.get(operation.get("operationId", ""), {}), **extra_links}
    for status, response in responses.items():
        if int(status) < 400:
            # Route-level headers reach only the default status; the app sends them on every success.
            if merged := {**headers, **response.get("headers", {})}:
                response["headers"] = merged
            else:
                response.pop("headers", None)
        if status.startswith("2") and links:
            response["links"] = copy.deepcopy(links)
        for header in response.get("headers", {}).values():
            # Litestar's ResponseHeader has no schema field; every header we send is a string.
            header.setdefault("schema", {"type": "string"})
    operation["responses"] = dict(sorted(responses.items()))


# -- examples: the seed events ------------------------------------------------------------------


def _request_examples() -> dict[str, dict[str, Any]]:
    """Named request examples per request schema: real events from seeds/, one per type, and a real batch."""
    by_type = {
        tag: {"summary": events.EVENT_TYPES[tag].summary, "value": _wire(event)}
        for tag, event in seed_examples().items()
    }
    registrations = [event for event in seed_events() if isinstance(event, events.CompanyRegistered)]
    batch = {
        "companies": {
            "summary": "Register the companies of the seed article",
            "value": {"events": [_wire(event) for event in registrations]},
        }
    }
    return {_REF.format(name="Event"): by_type, _REF.format(name="Batch"): batch}


def _wire(value: Any) -> Any:
    """An event as a client sends it (and as seeds/ holds it): unset optional fields left out, not null."""
    builtins = msgspec.to_builtins(value)

    def strip(node: Any) -> Any:
        if isinstance(node, dict):
            return {k: strip(v) for k, v in node.items() if v is not None}
        if isinstance(node, list):
            return [strip(v) for v in node]
        return node

    return strip(builtins)


def _path_examples() -> dict[str, Any]:
    """Path parameters of seeded resources, for the same reason."""
    first = next(iter(seed_examples().values()))
    return {"event_id": str(first.id), "event_type": str(first.__struct_config__.tag)}


# -- the document -------------------------------------------------------------------------------


def _event_stream(doc: dict[str, Any]) -> None:
    """Litestar documents a stream as an empty schema: give it the frame schema (api/http/routes/stream.py)."""
    for item in doc["paths"].values():
        for operation in item.values():
            ok = operation.get("responses", {}).get("200", {})
            if EVENT_STREAM in ok.get("content", {}):
                ok["description"] = "The events as Server-Sent Events, each an EventStreamFrame."
                ok["content"][EVENT_STREAM] = {"schema": copy.deepcopy(STREAM_SCHEMA)}
                doc["components"]["schemas"]["EventStreamFrame"] = copy.deepcopy(FRAME_SCHEMA)


def finish(
    schema: dict[str, Any],
    parameter_types: _ParameterTypes | None = None,
    scopes: dict[str, str | None] | None = None,
) -> dict[str, Any]:
    """Everything Litestar's generator leaves out or gets wrong, fixed once."""
    doc = copy.deepcopy(schema)
    parameter_types = parameter_types or {}
    schemas = doc.setdefault("components", {}).setdefault("schemas", {})
    schemas.update(_components(set(schemas)))
    _event_stream(doc)
    doc["components"]["schemas"] = dict(sorted(schemas.items()))
    event_union = schemas["Event"]
    request_examples = _request_examples()
    path_examples = _path_examples()
    doc["paths"] = _walk(doc["paths"], lambda node: _integers(_event_ref(node, event_union)))
    for item in doc["paths"].values():
        for operation in item.values():
            fields = parameter_types.get(operation.get("operationId", ""), {})
            for parameter in operation.get("parameters", []):
                parameter["schema"] = _optional_parameter(parameter["schema"])
                if (field := fields.get(parameter["name"])) is not None:
                    parameter["schema"] = _parameter_schema(field, parameter["schema"])
                if parameter["in"] == "path" and parameter["name"] in path_examples:
                    parameter["example"] = path_examples[parameter["name"]]
            for media in operation.get("requestBody", {}).get("content", {}).values():
                if (examples := request_examples.get(media.get("schema", {}).get("$ref", ""))) is not None:
                    media["examples"] = copy.deepcopy(examples)
            _finish_responses(operation, _conditional(operation))
    doc["paths"] = _walk(doc["paths"], _integers)
    _security(doc, scopes or {})
    first: tuple[str, ...] = ("openapi", "info", "servers", "tags", "paths", "components")
    ordered: dict[str, Any] = {key: doc[key] for key in first if key in doc}
    return {**ordered, **doc}


def document(app: Litestar) -> dict[str, Any]:
    """The finished document of ``app``."""
    return finish(app.openapi_schema.to_schema(), _parameter_types(app), _scopes(app))


# -- security: the bearer scheme and each operation's scope (api/http/auth.py enforces the same opt) ---

_BEARER = "bearerAuth"
_SECURITY_SCHEME = {
    "type": "http",
    "scheme": "bearer",
    "description": (
        "An API key from `tidings keys create --scope read|append|admin`. Scopes are ordered: admin can do "
        "what append can, append what read can. A server started without a keys file is open and needs none."
    ),
}
_RATE_HEADERS = {
    name: {"description": description, "schema": {"type": "string"}}
    for name, description in (
        ("Retry-After", "Seconds until the key may send again."),
        ("RateLimit-Limit", "Requests the key may send at once (the bucket size)."),
        ("RateLimit-Remaining", "Requests left in the bucket."),
        ("RateLimit-Reset", "Seconds until the bucket is full again."),
    )
}
_AUTH_PROBLEMS = {
    "401": ("A bearer key is missing, malformed, unknown or revoked.", {"WWW-Authenticate": "Bearer challenge."}),
    "403": ("The key's scope does not allow this (retracting needs admin).", {"WWW-Authenticate": "Bearer challenge."}),
    "429": ("The key sent more than its rate allows.", {}),
}


def _scopes(app: Litestar) -> dict[str, str | None]:
    """Each documented operation's scope, as the handlers declare it for the guard."""
    found: dict[str, str | None] = {}
    for route in app.routes:
        if isinstance(route, HTTPRoute):
            for handler in route.route_handlers:
                if isinstance(handler.operation_id, str):
                    found[handler.operation_id] = handler.opt.get("scope", "read")
    return found


def _security(doc: dict[str, Any], scopes: dict[str, str | None]) -> None:
    doc["components"]["securitySchemes"] = {_BEARER: _SECURITY_SCHEME}
    for item in doc["paths"].values():
        for operation in item.values():
            scope = scopes.get(operation.get("operationId", ""), "read")
            if scope is None:
                operation["security"] = []
                continue
            operation["security"] = [{_BEARER: []}]
            operation["x-required-scope"] = scope
            responses = operation.setdefault("responses", {})
            for status, (description, headers) in _AUTH_PROBLEMS.items():
                if status == "403" and scope == "read":
                    continue  # every key can read
                problem = {"schema": {"$ref": "#/components/schemas/Problem"}}
                response: dict[str, Any] = {
                    "description": description,
                    "content": {"application/problem+json": problem},
                }
                named = {n: {"description": d, "schema": {"type": "string"}} for n, d in headers.items()}
                if status == "429":
                    named = copy.deepcopy(_RATE_HEADERS)
                if named:
                    response["headers"] = named
                responses.setdefault(status, response)
            operation["responses"] = dict(sorted(responses.items()))


def render(doc: dict[str, Any], fmt: str) -> bytes:
    if fmt == "json":
        return json.dumps(doc, indent=2, ensure_ascii=False).encode() + b"\n"
    return yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=100).encode()


# -- serving it ---------------------------------------------------------------------------------


class _Json(JsonRenderPlugin):
    @functools.cached_property
    def _cache(self) -> dict[str, bytes]:
        return {}

    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
        if "doc" not in self._cache:
            self._cache["doc"] = render(document(request.app), "json")
        return self._cache["doc"]


class _Yaml(YamlRenderPlugin):
    @functools.cached_property
    def _cache(self) -> dict[str, bytes]:
        return {}

    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
        if "doc" not in self._cache:
            self._cache["doc"] = render(document(request.app), "yaml")
        return self._cache["doc"]


def _swagger_ui_assets() -> Any:
    # swagger-ui-bundle-v2 ships the Swagger UI 5 dist (OpenAPI 3.1) as package data.
    from swagger_ui_bundle import swagger_ui_path  # type: ignore[import-untyped]

    return swagger_ui_path


class _SwaggerUI(OpenAPIRenderPlugin):
    """Swagger UI whose JS and CSS the app serves itself: the page works with no internet."""

    assets = f"{SCHEMA_PATH}/swagger-ui"

    def __init__(self) -> None:
        super().__init__(path=["/docs"], media_type=MediaType.HTML)

    def receive_router(self, router: Router) -> None:
        router.register(
            create_static_files_router(
                path="/swagger-ui", directories=[_swagger_ui_assets()], name="swagger-ui", include_in_schema=False
            )
        )

    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
        return _SWAGGER_PAGE.format(
            title=openapi_schema["info"]["title"], assets=self.assets, spec=f"{SCHEMA_PATH}/openapi.json"
        ).encode()


_SWAGGER_PAGE = """\
<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>{title} API</title>
    <link rel="icon" type="image/png" href="{assets}/favicon-32x32.png" sizes="32x32">
    <link rel="stylesheet" href="{assets}/swagger-ui.css">
    <style>body {{ margin: 0 }}</style>
  </head>
  <body>
    <div id="swagger-ui"></div>
    <script src="{assets}/swagger-ui-bundle.js" charset="utf-8"></script>
    <script>
      window.ui = SwaggerUIBundle({{
        url: "{spec}",
        dom_id: "#swagger-ui",
        deepLinking: true,
        validatorUrl: null,
        presets: [SwaggerUIBundle.presets.apis],
      }});
    </script>
  </body>
</html>
"""


def openapi_config(version: str) -> OpenAPIConfig:
    return OpenAPIConfig(
        title="Tidings",
        version=version,
        description=DESCRIPTION,
        path=SCHEMA_PATH,
        render_plugins=[_SwaggerUI(), _Json(), _Yaml()],
        tags=[
            Tag(name="events", description="The append-only log."),
            Tag(name="companies", description="Read models derived per company."),
            Tag(name="catalogue", description="The event types and their schemas."),
            Tag(name="ops", description="Health and readiness."),
        ],
        use_handler_docstrings=False,
    )
