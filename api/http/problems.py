"""The HTTP edge of errors: every failure leaves as an ``application/problem+json`` response.

Domain errors map through ``api.errors.PROBLEMS``; Litestar's own exceptions
(validation, routing, body size) are translated here so that a client never sees
Litestar's default shapes, and nothing unexpected leaves as more than a bare 500.
"""

from __future__ import annotations

import logging
import re
from typing import Any, get_args

import msgspec
from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.utils.scope.state import ScopeState

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
from api.http.logs import request_id_of
from api.http.messages import Explained, convertible, explain, segments
from schema import rules
from schema.problems import FieldError, Problem

__all__ = ["EXCEPTION_HANDLERS", "UnsupportedMediaType", "problem_response"]

log = logging.getLogger("tidings.errors")

PROBLEM_MEDIA_TYPE = "application/problem+json"
_CLIENT_GONE = "client disconnected prematurely"
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
    request: Request[Any, Any, Any] | None = None,
) -> Response[Problem]:
    status = status or kind.status
    body = Problem(
        type=kind.type,
        title=kind.title,
        status=status,
        detail=detail,
        instance=request.url.path if request is not None else None,
        errors=errors,
        request_id=request_id_of(request.scope) if request is not None else None,
    )
    return Response(
        body,
        status_code=status,
        media_type=PROBLEM_MEDIA_TYPE,
        headers={"Cache-Control": "no-store", **(headers or {})},
    )


def _domain(request: Request[Any, Any, Any], error: DomainError) -> Response[Problem]:
    kind = problem_kind(error)
    return problem_response(kind, error.detail(), errors=error.field_errors(), request=request)


def _parameter(request: Request[Any, Any, Any], key: str) -> Any:
    try:
        return request.route_handler.parsed_fn_signature.parameters[key]
    except (AttributeError, KeyError):
        return None


def _wire_name(request: Request[Any, Any, Any], key: str) -> str:
    """The name a client sent a parameter under (``type``, ``from``, ``If-Match``), not the Python one."""
    definition = getattr(_parameter(request, key), "kwarg_definition", None)
    alias = getattr(definition, "name", None)  # QueryParameter(name=...) and HeaderParameter(name=...) set it
    return str(alias or key)


def _path(request: Request[Any, Any, Any], key: str, source: Any) -> str:
    source = str(getattr(source, "value", source))
    if source in ("query", "header", "path", "cookie"):
        return f"{source}.{_wire_name(request, key)}"
    if key in ("", "data"):
        return "$"
    return "$" + ("" if key.startswith("[") else ".") + key


def _body_sent(request: Request[Any, Any, Any]) -> Any:
    """The body as plain JSON, to quote the value of a bad field (require_json read it before)."""
    body = ScopeState.from_scope(request.scope).body
    if not isinstance(body, bytes):
        return None
    try:
        return msgspec.json.decode(body)
    except (msgspec.DecodeError, RecursionError, ValueError):
        return None


def _parameter_sent(request: Request[Any, Any, Any], key: str, source: str, annotation: Any) -> Any:
    """The text a parameter was sent as; of several values, the first that does not read as one."""
    name = _wire_name(request, key)
    if source == "query":
        values = request.query_params.getall(name, [])
        if len(values) > 1:
            item = get_args(annotation)[0] if get_args(annotation) else annotation
            return next((v for v in values if not convertible(v, item)), values[0])
        return values[0] if values else None
    if source == "header":
        return request.headers.get(name)
    if source == "path":
        return request.path_params.get(key)
    return None


def _field_errors(request: Request[Any, Any, Any], extra: Any) -> list[FieldError]:
    errors = []
    body: Any = None
    for item in extra if isinstance(extra, list) else []:
        if not isinstance(item, dict):
            continue
        message = str(item.get("message", "invalid"))
        key = str(item.get("key", ""))
        source = str(getattr(item.get("source"), "value", item.get("source")))
        if code := item.get("code"):  # the app's own checks (guards.py) give the code
            errors.append(FieldError(_path(request, key, source), message, code=str(code)))
            continue
        hint = None
        if source in ("query", "header", "path", "cookie"):
            parameter = _parameter(request, key)
            declared = getattr(parameter, "annotation", None)
            hint = getattr(getattr(parameter, "kwarg_definition", None), "description", None)
            where: list[str | int] = []
            sent = _parameter_sent(request, key, source, declared)
        else:
            # msgspec puts the path of nested errors into the message ("... - at `$.sources[0]`").
            if match := _AT_PATH.search(message):
                message = message[: match.start()]
                key = match["path"].removeprefix("$").lstrip(".")
            data = _parameter(request, "data")
            declared = getattr(data, "annotation", None)
            body = _body_sent(request) if body is None else body
            sent = body
            where = segments("$" + ("" if key.startswith("[") or not key else ".") + key) if key != "data" else []
        if (rule := rules.find(message)) is not None:  # a rule across fields (schema/rules.py), with its own code
            if rule.path:
                key = f"{key}.{rule.path}" if key not in ("", "data") else rule.path
            errors.append(FieldError(_path(request, key, source), rule.message, code=rule.code))
            continue
        try:
            explained = explain(message, declared, where, sent, hint=hint)
        except Exception:  # a message it cannot rewrite must not turn a 422 into a 500
            log.exception("could not explain %r at %s", message, key)
            explained = Explained("invalid", message)
        if explained.field is not None:  # msgspec names the object, not the field
            key = f"{key}.{explained.field}" if key not in ("", "data") else explained.field
        errors.append(FieldError(_path(request, key, source), explained.message, code=explained.code))
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
                request=request,
            )
        errors = [FieldError(f"{missing['source']}.{missing['name']}", "is required", code="required")]
    if not errors:
        # Litestar raises ValidationException without field errors for undecodable JSON.
        return problem_response(MALFORMED, detail, request=request)
    detail = "; ".join(f"{e.path}: {e.message}" for e in errors)
    return problem_response(VALIDATION, detail, errors=errors, request=request)


def _http(request: Request[Any, Any, Any], error: HTTPException) -> Response[Problem]:
    status = error.status_code
    if error.detail == _CLIENT_GONE:  # Litestar raises it as a 500; nobody will read the answer
        log.info("client closed the connection during the body of %s %s", request.method, request.url.path)
        return problem_response(MALFORMED, "The body ended before its announced length.", request=request)
    if status >= 500:
        return _internal(request, error)
    kind = KINDS_BY_STATUS.get(status) or ProblemKind(status, _slug(status), _title(status))
    detail = str(error.detail) if error.detail != _title(status) else (kind.description or kind.title)
    headers = dict(error.headers or {})
    return problem_response(kind, detail, headers=headers, request=request)


def _internal(request: Request[Any, Any, Any], error: Exception) -> Response[Problem]:
    log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=error)
    return problem_response(INTERNAL, "The server failed to handle the request.", request=request)


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
