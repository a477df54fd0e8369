"""The finished OpenAPI document: Litestar's, with what each handler declares applied to its operation.

``document(app)`` is the one way to it: ``/schema/openapi.{json,yaml}``, the docs page and
``tidings openapi`` all go through it, so the served and committed copies agree. Each operation
is found by its handler (the route's path and the handler's methods), never by an operationId
string; then, per operation:

- parameters get msgspec's schema of the handler's own annotation (``routes/parameters.py``);
- what the handler declares in ``opt["openapi"]`` (``extras.py``) is added: links, parameters it
  reads from the request itself, stream content, examples;
- error responses are problems only, and headers are documented on every success that sends them;
- every operation documents the 400 for a query parameter it does not take (or takes once, given twice),
  and the 406 for an Accept it cannot answer;
- every integer carries its ``format`` (``int32`` or ``int64``, as its bounds fit);
- its scope (``opt["scope"]``, which ``api/http/auth.py`` enforces) gives the problems authorization
  can answer, and the rate limit's headers on its answers; an operation with a scope has the document's
  security, "anonymous or a bearer key"
  (a server with a keys file wants the key, one without is open), one without a scope ``[]``.

The components come in an input and an output form where a Struct reads differently in a request
and a response (``directions.py``).

A link to an operation the app does not serve, or naming a parameter its target does not take,
raises ``BrokenLink`` (``check_links`` runs when the app is built).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from typing import Any

from litestar import Litestar
from litestar.handlers import HTTPRouteHandler
from litestar.routes import HTTPRoute

from api.http.auth import RATE_LIMIT_HEADERS, SECURITY_SCHEME, auth_responses, needed_scope
from api.http.openapi import yaml12
from api.http.openapi.components import components, event_ref, integer_format, integers, struct_names, walk
from api.http.openapi.directions import split_directions
from api.http.openapi.extras import Extras, Link, extras_of
from api.http.routes.parameters import parameter_fields, parameter_schema

__all__ = ["BrokenLink", "check_links", "document", "render"]

_BEARER = "bearerAuth"


class BrokenLink(LookupError):
    """A declared link leads to no operation of the app, or names a parameter its target lacks."""


def _handlers(app: Litestar) -> Iterator[tuple[str, HTTPRouteHandler]]:
    """Every documented handler with the path of its operation in the document."""
    for route in app.routes:
        if isinstance(route, HTTPRoute):
            for handler in route.route_handlers:
                if handler.resolve_include_in_schema():
                    yield route.path_format or "/", handler


def _operations(app: Litestar, doc: dict[str, Any]) -> list[tuple[HTTPRouteHandler, dict[str, Any]]]:
    """Each documented handler with its operation (one per HTTP method it answers)."""
    return [
        (handler, doc["paths"][path][method.lower()])
        for path, handler in _handlers(app)
        for method in sorted(handler.http_methods)
        if method.lower() in doc["paths"].get(path, {})
    ]


def _operation_id(link: Link, source: HTTPRouteHandler, served: dict[Any, HTTPRouteHandler]) -> str:
    """The operationId of the link's target, which must be a documented handler of the app."""
    target = link.target(source)
    found = served.get(target.fn)
    if found is None or not isinstance(found.operation_id, str):
        name = f"{target.fn.__module__}.{target.fn.__qualname__}"
        raise BrokenLink(
            f"{source.operation_id} links to {name} ({target.operation_id}), which the app does not document"
        )
    return found.operation_id


def check_links(app: Litestar) -> None:
    """Every declared link leads to an operation the app documents (its parameters are checked by ``document``)."""
    served = {handler.fn: handler for _, handler in _handlers(app)}
    for handler in served.values():
        for link in extras_of(handler).links.values():
            _operation_id(link, handler, served)


def _link(name: str, link: Link, target: str, operations: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The OpenAPI link object, once each parameter it sets is one the target takes."""
    takes = {(p["in"], p["name"]) for p in operations[target].get("parameters", [])}
    for key in link.parameters:
        where, _, parameter = key.rpartition(".")
        if not any(p == parameter and where in ("", place) for place, p in takes):
            raise BrokenLink(f"link {name} sets {key!r}, which {target} does not take")
    found: dict[str, Any] = {"operationId": target, "parameters": dict(link.parameters)}
    if link.description is not None:
        found["description"] = link.description
    return found


def _is_framework_error(response: dict[str, Any]) -> bool:
    """Litestar's own error shape ({status_code, detail, extra}): the app never sends it (problems.py)."""
    schema = response.get("content", {}).get("application/json", {}).get("schema", {})
    return bool(schema.get("required") == ["detail", "status_code"])


def _not_nullable(node: dict[str, Any]) -> dict[str, Any]:
    """A parameter cannot be null: drop the null branch Litestar adds for optional ones."""
    one_of = node.get("oneOf")
    if isinstance(one_of, list) and {"type": "null"} in one_of and len(one_of) == 2:
        rest = dict(node)
        (kept,) = [branch for branch in one_of if branch != {"type": "null"}]
        del rest["oneOf"]
        return {**kept, **rest}
    return node


def _parameters(operation: dict[str, Any], handler: HTTPRouteHandler, extras: Extras) -> None:
    fields = parameter_fields(handler)
    parameters = operation.setdefault("parameters", []) if extras.parameters else operation.get("parameters", [])
    for parameter in parameters:
        parameter["schema"] = _not_nullable(parameter["schema"])
        if (field := fields.get(parameter["name"])) is not None:
            parameter["schema"] = parameter_schema(field, parameter["schema"])
    for name, example in extras.parameter_examples.items():
        named = [p for p in parameters if p["name"] == name]
        if len(named) != 1:
            raise ValueError(f"{handler.operation_id} has an example for {name!r}, which it does not take once")
        named[0]["example"] = example()
    for extra in extras.parameters:
        if not any(p["name"].lower() == str(extra["name"]).lower() for p in parameters):
            parameters.append(copy.deepcopy(dict(extra)))
    if extras.request_examples is not None:
        for media in operation["requestBody"]["content"].values():
            media["examples"] = copy.deepcopy(dict(extras.request_examples()))


def _responses(operation: dict[str, Any], extras: Extras, links: dict[str, Any]) -> None:
    responses: dict[str, Any] = operation.get("responses", {})
    for status in [s for s, r in responses.items() if _is_framework_error(r)]:
        del responses[status]
    success = [r for s, r in responses.items() if s.startswith("2")]
    headers = {name: h for r in success for name, h in r.get("headers", {}).items()}
    for status, response in responses.items():
        if int(status) < 400:
            # Route-level headers reach only the default status; the app sends them on every success.
            merged = {**headers, **response.get("headers", {})}
            if status == "304":  # it has no content for Content-* headers to describe (RFC 9110, 15.4.5)
                merged = {name: h for name, h in merged.items() if not name.lower().startswith("content-")}
            if merged:
                response["headers"] = merged
            else:
                response.pop("headers", None)
        if status.startswith("2"):
            for media, content in extras.content.items():
                response.setdefault("content", {})[media] = copy.deepcopy(dict(content))
            if links:
                response["links"] = copy.deepcopy(links)
        for header in response.get("headers", {}).values():
            # Litestar's ResponseHeader has no schema field; every header we send is a string.
            header.setdefault("schema", {"type": "string"})
    operation["responses"] = dict(sorted(responses.items()))


_PARAMETER_PROBLEM = (
    "A query parameter the operation does not take, or one that takes a single value given several "
    "times: errors[] names it, with code `unknown_parameter` or `repeated_parameter`, and the message "
    "lists the parameters the operation takes."
)


def _strict_parameters(operation: dict[str, Any]) -> None:
    """Every operation refuses query parameters it does not declare (routes/guards.py): its 400 says so."""
    responses = operation.setdefault("responses", {})
    if "400" in responses:
        responses["400"]["description"] += " Or: " + _PARAMETER_PROBLEM[0].lower() + _PARAMETER_PROBLEM[1:]
    else:
        responses["400"] = {
            "description": _PARAMETER_PROBLEM,
            "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
    operation["responses"] = dict(sorted(responses.items()))


_NOT_ACCEPTABLE = (
    "The Accept header admits none of the media types this operation answers with (those of its "
    "responses; `*/*` and no Accept take any): errors[] has code `not_acceptable`."
)


def _not_acceptable(operation: dict[str, Any]) -> None:
    """Every operation refuses an Accept it cannot answer (routes/negotiation.py): its 406 says so."""
    responses = operation.setdefault("responses", {})
    responses["406"] = {
        "description": _NOT_ACCEPTABLE,
        "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}},
    }
    operation["responses"] = dict(sorted(responses.items()))


OPTIONAL_BEARER: list[dict[str, list[str]]] = [{}, {_BEARER: []}]
"""The document's security: anonymous (a server without a keys file) or a bearer key (one with it)."""


def _security(operation: dict[str, Any], handler: HTTPRouteHandler) -> None:
    scope = needed_scope(handler)
    if scope is None:
        operation["security"] = []
        return
    # No security of its own: the operation has the document's, OPTIONAL_BEARER. Said once at the root,
    # because openapi-python-client reads only an operation's own `security` (any entry, `{}` included,
    # types the call with AuthenticatedClient) while every generator tested applies the root's.
    operation["x-required-scope"] = scope
    responses = operation.setdefault("responses", {})
    for status, response in auth_responses(scope).items():
        responses.setdefault(status, response)
    for status, response in responses.items():
        if status[0] in "24" and status != "401":  # a 401 is not counted: no key is known yet
            headers = response.setdefault("headers", {})
            for name, header in RATE_LIMIT_HEADERS.items():
                headers.setdefault(name, copy.deepcopy(header))
    operation["responses"] = dict(sorted(responses.items()))


def _refs_in(node: Any) -> list[str]:
    """Every ``$ref`` in a part of the document."""
    if isinstance(node, dict):
        own = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return own + [ref for value in node.values() for ref in _refs_in(value)]
    if isinstance(node, list):
        return [ref for value in node for ref in _refs_in(value)]
    return []


def document(app: Litestar) -> dict[str, Any]:
    """The finished document of ``app``."""
    doc = copy.deepcopy(app.openapi_schema.to_schema())
    operations = _operations(app, doc)
    served = {handler.fn: handler for handler, _ in operations}
    by_id = {operation["operationId"]: operation for _, operation in operations}

    schemas = doc.setdefault("components", {}).setdefault("schemas", {})
    # Structs that only an extra media type answers with (a CloudEvent) are named by its $ref.
    named = {
        ref.rpartition("/")[2]
        for handler, _ in operations
        for ref in _refs_in([extras_of(handler).content, extras_of(handler).schemas])
    }
    schemas.update(components(set(schemas) | named))
    for handler, _ in operations:
        for name, schema in extras_of(handler).schemas.items():
            if schemas.setdefault(name, copy.deepcopy(dict(schema))) != schema:
                raise ValueError(f"{handler.operation_id} declares the component {name}, which exists otherwise")
    doc["components"]["schemas"] = dict(sorted(schemas.items()))
    event_union = schemas["Event"]
    for _, operation in operations:
        operation.update(walk(operation, lambda node: integers(event_ref(node, event_union))))

    for handler, operation in operations:
        _parameters(operation, handler, extras_of(handler))
    for handler, operation in operations:
        # Once every operation has all its parameters: a link is checked against its target's.
        extras = extras_of(handler)
        links = {
            name: _link(name, link, _operation_id(link, handler, served), by_id) for name, link in extras.links.items()
        }
        _responses(operation, extras, links)
    for _, operation in operations:
        operation.update(walk(operation, integers))
    doc["components"]["schemas"] = split_directions(schemas, [operation for _, operation in operations], struct_names())

    doc["components"]["securitySchemes"] = {_BEARER: SECURITY_SCHEME}
    for handler, operation in operations:
        _strict_parameters(operation)
        _not_acceptable(operation)
        _security(operation, handler)
    doc["security"] = copy.deepcopy(OPTIONAL_BEARER)
    # The API is for other services and people outside the team that runs it (x-internal: documentation
    # tools and the OWASP ruleset read it).
    doc["servers"] = [{**server, "x-internal": False} for server in doc.get("servers", [])]
    for _, operation in operations:
        for response in operation.get("responses", {}).values():
            if "headers" in response:  # Litestar gives a route's headers in no fixed order
                response["headers"] = dict(sorted(response["headers"].items()))
    doc["paths"] = walk(doc["paths"], integer_format)
    doc["components"] = walk(doc["components"], integer_format)
    first: tuple[str, ...] = ("openapi", "info", "servers", "security", "tags", "paths", "components")
    ordered: dict[str, Any] = {key: doc[key] for key in first if key in doc}
    return {**ordered, **doc}


def render(doc: dict[str, Any], fmt: str) -> bytes:
    """The document as the served and committed files spell it."""
    if fmt == "json":
        return json.dumps(doc, indent=2, ensure_ascii=False).encode() + b"\n"
    return yaml12.dump(doc)
