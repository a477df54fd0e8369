"""App-level checks that run before any handler: OPTIONS answers, and query parameters given twice.

- Litestar 2 builds the automatic OPTIONS handler with the first handler registered on a path, so
  ``OPTIONS /events`` would say ``Allow: OPTIONS, POST`` although ``GET /events`` exists
  (litestar#4169, fixed in 3.x). The 405 answer already lists them all; OPTIONS is made to agree.
- Litestar keeps the last value of a single-valued query parameter sent several times
  (``?at_position=x&at_position=6`` reads as 6). Which one the client meant is a guess: 422.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, Response
from litestar.exceptions import ValidationException
from litestar.handlers import HTTPRouteHandler
from litestar.routes import HTTPRoute
from litestar.status_codes import HTTP_204_NO_CONTENT

from api.http.routes.parameters import is_repeatable, parameter_fields

__all__ = ["before_every_request"]


async def before_every_request(request: Request[Any, Any, Any]) -> Response[None] | None:
    """The app's ``before_request`` (a handler's own ``before_request``, such as require_json, replaces it)."""
    if request.method == "OPTIONS":
        return _options(request)
    _refuse_repeated_parameters(request)
    return None


def _options(request: Request[Any, Any, Any]) -> Response[None] | None:
    template = request.scope.get("path_template")
    for route in request.app.routes:
        if isinstance(route, HTTPRoute) and route.path == template:
            return Response(None, status_code=HTTP_204_NO_CONTENT, headers={"Allow": ", ".join(sorted(route.methods))})
    return None


def _refuse_repeated_parameters(request: Request[Any, Any, Any]) -> None:
    handler = request.route_handler
    if not isinstance(handler, HTTPRouteHandler):
        return
    repeated = [name for name in request.query_params if len(request.query_params.getall(name)) > 1]
    if not repeated:
        return
    fields = parameter_fields(handler)
    errors = [
        {
            "message": f"given {len(request.query_params.getall(name))} times; give it once",
            "key": name,
            "source": "query",
            "code": "repeated_parameter",
        }
        for name in repeated
        if name in fields and not is_repeatable(fields[name])
    ]
    if errors:
        raise ValidationException(detail="A query parameter was given more than once.", extra=errors)
