"""Who may do what: bearer keys with scopes, checked by one middleware, and a rate limit per key.

Each route declares the scope it needs in ``opt={"scope": ...}`` (``None``: public);
``Authorize``, the one middleware every route runs through, enforces it before the
handler's hooks run. Appending an ``event_retracted`` needs ``admin`` as well, checked by
``require`` in the route once the body is decoded. Tokens are never logged: only the key
id reaches ``scope["state"]``.

It is a middleware rather than a Litestar guard because Litestar copies the route handler
object for every guard call (a few per cent of a cached read); the check itself is the same.

What the middleware can answer is documented here too (``SECURITY_SCHEME``, ``auth_responses``):
the OpenAPI document gives every operation the problems its scope can cause.
"""

from __future__ import annotations

import copy
from typing import Any

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException, TooManyRequestsException
from litestar.handlers import BaseRouteHandler, HTTPRouteHandler

from api.http.keys import KeyRing, Scope, grants
from api.http.ratelimit import TokenBuckets

__all__ = [
    "RATE_LIMIT_HEADERS",
    "SECURITY_SCHEME",
    "Access",
    "Authorize",
    "auth_responses",
    "needed_scope",
    "rate_limit_headers",
    "require",
]

_REALM = 'Bearer realm="tidings"'


class Access:
    """The keys and the buckets of one app, kept in ``app.state.access``."""

    def __init__(self, keys: KeyRing, buckets: TokenBuckets | None) -> None:
        self.keys = keys
        self.buckets = buckets


def _challenge(error: str, description: str) -> dict[str, str]:
    return {"WWW-Authenticate": f'{_REALM}, error="{error}", error_description="{description}"'}


def needed_scope(handler: BaseRouteHandler) -> Scope | None:
    """The scope a route asks for. Routes left out of the API document (the docs page, the schema
    files) are public; a handler inherits include_in_schema=False from the schema router, so it
    is resolved, not read off the attribute."""
    documented = handler.resolve_include_in_schema() if isinstance(handler, HTTPRouteHandler) else True
    needed: Scope | None = handler.opt.get("scope", "read" if documented else None)
    return needed


class Authorize:
    """ASGI middleware (inside routing, so the route is known): the key, its scope, its rate."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self._needed: dict[int, Scope | None] = {}

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        handler = scope.get("route_handler")
        if handler is not None and scope["type"] == "http":
            key = id(handler)
            if key not in self._needed:
                self._needed[key] = needed_scope(handler)
            needed = self._needed[key]
            if needed is not None:
                authorize(scope, needed)
        await self.app(scope, receive, send)


def authorize(scope: Any, needed: Scope) -> None:
    access: Access = scope["app"].state.access
    state = scope["state"]
    if access.keys.open:
        # An open server (no keys file) limits no one: there is no key to count requests against.
        state["scope"], state["key_id"] = "admin", None
    else:
        header = next((value for name, value in scope["headers"] if name == b"authorization"), b"").decode("latin-1")
        scheme, _, token = header.partition(" ")
        if not header:
            raise NotAuthorizedException(
                detail="Send Authorization: Bearer <key>.", headers={"WWW-Authenticate": _REALM}
            )
        access.keys.reload()
        key = access.keys.authenticate(token.strip()) if scheme.lower() == "bearer" else None
        if key is None:
            raise NotAuthorizedException(
                detail="The bearer token is malformed, unknown or revoked.",
                headers=_challenge("invalid_token", "unknown or revoked key"),
            )
        state["scope"], state["key_id"] = key.scope, key.key_id
        if access.buckets is not None:
            # Every request of a known key counts, those it lacks the scope for too; the answer, whatever
            # it is, says where the key stands (api/http/hardening.py adds the headers to it).
            decision = access.buckets.take(f"key:{key.key_id}")
            state["ratelimit"] = decision
            state["ratelimit_headers"] = rate_limit_headers(access.buckets, decision)
            if not decision.allowed:
                raise TooManyRequestsException(
                    detail=f"Over {access.buckets.rate:g} requests a second; retry in {decision.retry_after} s.",
                    headers={"Retry-After": str(decision.retry_after), **state["ratelimit_headers"]},
                )
        if not grants(key.scope, needed):
            raise PermissionDeniedException(
                detail=f"This needs the {needed} scope; key {key.key_id} has {key.scope}.",
                headers=_challenge("insufficient_scope", f"needs {needed}"),
            )


def require(connection: ASGIConnection[Any, Any, Any, Any], needed: Scope, what: str) -> None:
    """A check that depends on the body (retracting needs admin)."""
    held: Scope = connection.scope["state"].get("scope", "read")
    if not grants(held, needed):
        key_id = connection.scope["state"].get("key_id")
        raise PermissionDeniedException(
            detail=f"{what} needs the {needed} scope; key {key_id} has {held}.",
            headers=_challenge("insufficient_scope", f"needs {needed}"),
        )


def rate_limit_headers(buckets: TokenBuckets, decision: Any) -> dict[str, str]:
    """IETF draft RateLimit headers (draft-ietf-httpapi-ratelimit-headers, its earlier form with three fields)."""
    return {
        "RateLimit-Limit": str(buckets.burst),
        "RateLimit-Remaining": str(decision.remaining),
        "RateLimit-Reset": str(decision.reset),
    }


SECURITY_SCHEME = {
    "type": "http",
    "scheme": "bearer",
    "description": (
        "An API key from `tidings keys create --scope read|append|admin`. Scopes are ordered: admin can do "
        "what append can, append what read can. A server started without a keys file is open and needs none."
    ),
}
"""The OpenAPI security scheme of the bearer keys."""

_CHALLENGE_HEADER = {"WWW-Authenticate": {"description": "Bearer challenge.", "schema": {"type": "string"}}}
_SECONDS_OR_COUNT = {"type": "string", "maxLength": 16, "pattern": "^[0-9]{1,16}$"}
_RATE_HEADERS = {
    name: {"description": description, "schema": dict(_SECONDS_OR_COUNT)}
    for name, description in (
        ("Retry-After", "Seconds until the key may send again."),
        ("RateLimit-Limit", "Requests the key may send at once (the bucket size)."),
        ("RateLimit-Remaining", "Requests left in the bucket."),
        ("RateLimit-Reset", "Seconds until the bucket is full again."),
    )
}
_COUNTED = (
    " Sent on every answer to a request counted against a key's rate: by a server with a keys file "
    "and `--rate-limit` above 0, once the key is known (not on a 401)."
)
RATE_LIMIT_HEADERS = {
    name: {"description": str(header["description"]) + _COUNTED, "required": False, "schema": dict(_SECONDS_OR_COUNT)}
    for name, header in _RATE_HEADERS.items()
    if name != "Retry-After"
}
"""The OpenAPI headers of the rate limit, on every 2xx and 4xx answer of an operation with a scope (but its 401)."""

_ANSWERS = {
    "401": ("A bearer key is missing, malformed, unknown or revoked.", _CHALLENGE_HEADER),
    "403": ("The key's scope does not allow this (retracting needs admin).", _CHALLENGE_HEADER),
    "429": ("The key sent more than its rate allows.", _RATE_HEADERS),
}


def auth_responses(needed: Scope) -> dict[str, Any]:
    """The OpenAPI responses ``authorize`` can give an operation that needs ``needed``: problems with their headers."""
    return {
        status: {
            "description": description,
            "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}},
            "headers": copy.deepcopy(headers),
        }
        for status, (description, headers) in _ANSWERS.items()
        if not (status == "403" and needed == "read")  # every key can read
    }
