"""The HTTP edge of errors: every failure leaves as an ``application/problem+json`` response.

Domain errors map through ``api.errors.PROBLEMS``; Litestar's own exceptions
(validation, routing, body size) are translated here so that a client never sees
Litestar's default shapes, and nothing unexpected leaves as more than a bare 500.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException

from api.errors import (
    INTERNAL,
    KINDS_BY_STATUS,
    MALFORMED,
    PRECONDITION_REQUIRED,
    VALIDATION,
    DomainError,
    ProblemKind,
    problem_kind,
)
from schema.problems import FieldError, Problem

__all__ = ["EXCEPTION_HANDLERS", "UnsupportedMediaType", "problem_response"]

log = logging.getLogger("tidings.errors")

PROBLEM_MEDIA_TYPE = "application/problem+json"
_AT_PATH = re.compile(r" - at `(?P<path>[^`]*)`$")


class UnsupportedMediaType(HTTPException):
    status_code = 415


class MalformedBody(HTTPException):
    status_code = 400


def problem_response(
    kind: ProblemKind,
    detail: str,
    *,
    status: int | None = None,
    errors: list[FieldError] | None = None,
    headers: dict[str, str] | None = None,
    instance: str | None = None,
) -> Response[Problem]:
    status = status or kind.status
    body = Problem(type=kind.type, title=kind.title, status=status, detail=detail, instance=instance, errors=errors)
    return Response(
        body,
        status_code=status,
        media_type=PROBLEM_MEDIA_TYPE,
        headers={"Cache-Control": "no-store", **(headers or {})},
    )


def _domain(request: Request[Any, Any, Any], error: DomainError) -> Response[Problem]:
    kind = problem_kind(error)
    return problem_response(kind, error.detail(), errors=error.field_errors(), instance=request.url.path)


def _wire_name(request: Request[Any, Any, Any], key: str) -> str:
    """The name a client sent a parameter under (``type``, ``from``, ``If-Match``), not the Python one."""
    try:
        definition = request.route_handler.parsed_fn_signature.parameters[key].kwarg_definition
    except (AttributeError, KeyError):
        return key
    alias = getattr(definition, "query", None) or getattr(definition, "header", None)
    return str(alias or key)


def _path(request: Request[Any, Any, Any], key: str, source: Any) -> str:
    source = str(getattr(source, "value", source))
    if source in ("query", "header", "path", "cookie"):
        return f"{source}.{_wire_name(request, key)}"
    if key in ("", "data"):
        return "$"
    return "$" + ("" if key.startswith("[") else ".") + key


def _field_errors(request: Request[Any, Any, Any], extra: Any) -> list[FieldError]:
    errors = []
    for item in extra if isinstance(extra, list) else []:
        if not isinstance(item, dict):
            continue
        message = str(item.get("message", "invalid"))
        key = str(item.get("key", ""))
        # msgspec puts the path of nested errors into the message ("... - at `$.sources[0]`").
        if match := _AT_PATH.search(message):
            message = message[: match.start()]
            key = match["path"].removeprefix("$").lstrip(".")
        errors.append(FieldError(path=_path(request, key, item.get("source")), message=message))
    return errors


_MISSING = re.compile(r"^Missing required (?P<source>\w+) parameter '(?P<name>[^']+)'")


def _validation(request: Request[Any, Any, Any], error: ValidationException) -> Response[Problem]:
    errors = _field_errors(request, error.extra)
    detail = str(error.detail)
    if not errors and (missing := _MISSING.match(detail)):
        if missing["name"].lower() == "if-match":
            return problem_response(
                PRECONDITION_REQUIRED,
                'Send If-Match with the company\'s current version, e.g. If-Match: "3".',
                instance=request.url.path,
            )
        errors = [FieldError(f"{missing['source']}.{missing['name']}", "is required")]
    if not errors:
        # Litestar raises ValidationException without field errors for undecodable JSON.
        return problem_response(MALFORMED, detail, instance=request.url.path)
    detail = "; ".join(f"{e.path}: {e.message}" for e in errors)
    return problem_response(VALIDATION, detail, errors=errors, instance=request.url.path)


def _http(request: Request[Any, Any, Any], error: HTTPException) -> Response[Problem]:
    status = error.status_code
    if status >= 500:
        return _internal(request, error)
    kind = KINDS_BY_STATUS.get(status) or ProblemKind(status, _slug(status), _title(status))
    detail = str(error.detail) if error.detail != _title(status) else (kind.description or kind.title)
    headers = dict(error.headers or {})
    return problem_response(kind, detail, headers=headers, instance=request.url.path)


def _internal(request: Request[Any, Any, Any], error: Exception) -> Response[Problem]:
    log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=error)
    return problem_response(INTERNAL, "The server failed to handle the request.", instance=request.url.path)


def _slug(status: int) -> str:
    return _title(status).lower().replace(" ", "-")


def _title(status: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


EXCEPTION_HANDLERS: dict[type[Exception], Any] = {
    DomainError: _domain,
    ValidationException: _validation,
    HTTPException: _http,
    Exception: _internal,
}
