"""App-level checks that run before any handler: OPTIONS answers, and strict query parameters.

- Litestar 2 builds the automatic OPTIONS handler with the first handler registered on a path, so
  ``OPTIONS /events`` would say ``Allow: OPTIONS, POST`` although ``GET /events`` exists
  (litestar#4169, fixed in 3.x). The 405 answer already lists them all; OPTIONS is made to agree.
- Litestar ignores a query parameter the handler does not declare: ``GET /events?period=2025``
  answered the whole log, and the client believed it had filtered. And it keeps the last value of
  a single-valued one sent several times (``?at_position=x&at_position=6`` reads as 6): which one
  the client meant is a guess. Both are a 400 naming the parameter and those the operation takes
  (``StrictParameters``, a middleware, so that it also runs where a handler has its own
  ``before_request``).
- Litestar reads the string ``null`` as "not given" for an optional parameter: ``?kind=null`` answered
  as if no filter had been asked for. It is a 422 naming the parameter, like any value of the wrong type.
"""

from __future__ import annotations

from typing import Any, NamedTuple
from urllib.parse import parse_qsl

from litestar import Request, Response
from litestar.handlers import HTTPRouteHandler
from litestar.params import QueryParameter
from litestar.routes import HTTPRoute
from litestar.status_codes import HTTP_204_NO_CONTENT

from api.errors import InvalidInput, InvalidParameters
from api.http.routes.parameters import is_repeatable, parameter_fields
from schema.problems import FieldError

__all__ = ["StrictParameters", "before_every_request"]


async def before_every_request(request: Request[Any, Any, Any]) -> Response[None] | None:
    """The app's ``before_request`` (a handler's own ``before_request``, such as require_json, replaces it)."""
    if request.method == "OPTIONS":
        return _options(request)
    return None


def _options(request: Request[Any, Any, Any]) -> Response[None] | None:
    template = request.scope.get("path_template")
    for route in request.app.routes:
        # The template names a path parameter without its type ({name}), as path_format does ({name:str} in path).
        if isinstance(route, HTTPRoute) and route.path_format == template:
            return Response(None, status_code=HTTP_204_NO_CONTENT, headers={"Allow": ", ".join(sorted(route.methods))})
    return None


class _Takes(NamedTuple):
    repeatable: bool
    optional: bool


class StrictParameters:
    """ASGI middleware (inside routing, after Authorize): unknown and repeated query parameters are a
    400, ``null`` for an optional one a 422."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self._accepted: dict[int, dict[str, _Takes] | None] = {}

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        handler = scope.get("route_handler")
        if scope["type"] == "http" and isinstance(handler, HTTPRouteHandler) and scope.get("query_string"):
            key = id(handler)
            if key not in self._accepted:
                self._accepted[key] = _query_parameters(handler)
            if (accepted := self._accepted[key]) is not None:
                _refuse_unknown_or_repeated(scope, accepted)
        await self.app(scope, receive, send)


def _query_parameters(handler: HTTPRouteHandler) -> dict[str, _Takes] | None:
    """The query parameters a handler takes, by wire name: whether each takes several values, and None.
    None for a route left out of the API document (the docs page, the OPTIONS answer): it takes anything."""
    if not handler.resolve_include_in_schema():
        return None
    return {
        name: _Takes(is_repeatable(field), field.is_optional)
        for name, field in parameter_fields(handler).items()
        if isinstance(field.kwarg_definition, QueryParameter)
    }


def _refuse_unknown_or_repeated(scope: Any, accepted: dict[str, _Takes]) -> None:
    sent: dict[str, int] = {}
    nulls: set[str] = set()
    for name, value in parse_qsl(scope["query_string"].decode("utf-8", "replace"), keep_blank_values=True):
        sent[name] = sent.get(name, 0) + 1
        if value == "null" and name in accepted and accepted[name].optional:
            nulls.add(name)
    operation = f"{scope.get('method', 'GET')} {scope.get('path_template') or scope['path']}"
    takes = f"it takes {', '.join(sorted(accepted))}" if accepted else "it takes none"
    errors = [
        FieldError(f"query.{name[:64]}", f"{operation} has no such parameter; {takes}", code="unknown_parameter")
        for name in sent
        if name not in accepted
    ]
    errors += [
        FieldError(f"query.{name}", f"given {count} times; it takes one value", code="repeated_parameter")
        for name, count in sent.items()
        if count > 1 and name in accepted and not accepted[name].repeatable
    ]
    if errors:
        raise InvalidParameters(errors[:20])
    if nulls:
        raise InvalidInput(
            [
                FieldError(f"query.{name}", 'got "null"; leave the parameter out instead', code="type")
                for name in sorted(nulls)
            ]
        )
