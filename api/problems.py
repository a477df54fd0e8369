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
    MALFORMED,
    PRECONDITION_REQUIRED,
    UNSUPPORTED_MEDIA,
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
    body = Problem(
        type=kind.type, title=kind.title, status=status, detail=detail, instance=instance, errors=errors
    )
    return Response(
        body,
        status_code=status,
        media_type=PROBLEM_MEDIA_TYPE,
        headers={"Cache-Control": "no-store", **(headers or {})},
    )


def _domain(request: Request[Any, Any, Any], error: DomainError) -> Response[Problem]:
    kind = problem_kind(error)
    return problem_response(kind, error.detail(), errors=error.field_errors(), instance=request.url.path)


def _path(key: str, source: str | None) -> str:
    if source in ("query", "header", "path", "cookie"):
        return f"{source}.{key}"
    if key in ("", "data"):
        return "$"
    return "$" + ("" if key.startswith("[") else ".") + key


def _field_errors(extra: Any) -> list[FieldError]:
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
        errors.append(FieldError(path=_path(key, item.get("source")), message=message))
    return errors


def _validation(request: Request[Any, Any, Any], error: ValidationException) -> Response[Problem]:
    errors = _field_errors(error.extra)
    if not errors:
        # Litestar raises ValidationException without field errors for undecodable JSON.
        return problem_response(MALFORMED, str(error.detail), instance=request.url.path)
    if all(e.path == "header.if-match" and "required" in e.message.lower() for e in errors):
        return problem_response(
            PRECONDITION_REQUIRED,
            "Send If-Match with the company's current version, e.g. If-Match: \"3\".",
            instance=request.url.path,
        )
    detail = "; ".join(f"{e.path}: {e.message}" for e in errors)
    return problem_response(VALIDATION, detail, errors=errors, instance=request.url.path)


def _http(request: Request[Any, Any, Any], error: HTTPException) -> Response[Problem]:
    status = error.status_code
    if status >= 500:
        return _internal(request, error)
    kind = ProblemKind(status, _slug(status), _title(status))
    if isinstance(error, UnsupportedMediaType):
        kind = UNSUPPORTED_MEDIA
    elif status == 400:
        kind = MALFORMED
    headers = dict(error.headers or {})
    return problem_response(kind, str(error.detail), headers=headers, instance=request.url.path)


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
