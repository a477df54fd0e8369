"""Headers every response carries, whatever produced it (a handler, a problem, the router); the Host check.

Where a request was counted against a key's rate (api/http/auth.py puts the figures in the scope's
state), its answer carries the ``RateLimit-*`` headers too, whatever layer answered it. Where an answer
depends on a request header (``vary``), its ``Vary`` names it beside what any layer put there: Litestar's
CORS sets ``Vary: Origin`` in place of the header's values, and only this, the outermost layer, comes after."""

from __future__ import annotations

from typing import Any

from litestar.datastructures import MutableScopeHeaders
from litestar.exceptions import HTTPException
from litestar.middleware.allowed_hosts import AllowedHostsMiddleware

__all__ = ["HostCheck", "security_headers", "vary"]

_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
]


_NAMES = frozenset(name for name, _ in _HEADERS)


def vary(scope: Any, name: str) -> None:
    """Say that the answer to this request depends on the request header ``name``: its ``Vary`` will name it."""
    scope.setdefault("state", {}).setdefault("vary", []).append(name)


def security_headers(scope: Any, headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    """An answer's ``headers`` with those that keep browsers from guessing types or framing answers, the
    key's rate where it was counted, and what it varies on; none the answer already has is sent twice.

    Called by api.http.logs.RequestLog as the answer starts, in the one wrapper of ``send`` it
    installs anyway (a second wrapper per request cost more than the headers themselves).
    """
    state = scope.get("state") or {}
    rates, varies = state.get("ratelimit_headers"), state.get("vary")
    if varies:
        headers = _varied(headers, varies)
    if not rates and not any(name.lower() in _NAMES for name, _ in headers):
        return [*headers, *_HEADERS]
    present = {name.lower() for name, _ in headers}
    added = [(name.lower().encode(), value.encode()) for name, value in (rates or {}).items()]
    return [*headers, *(h for h in (*_HEADERS, *added) if h[0] not in present)]


def _varied(headers: list[tuple[bytes, bytes]], names: list[str]) -> list[tuple[bytes, bytes]]:
    """``headers`` with one ``Vary`` naming what theirs did and ``names``, each once (in any case)."""
    said = [
        part.strip()
        for name, value in headers
        if name.lower() == b"vary"
        for part in value.decode("latin-1").split(",")
        if part.strip()
    ]
    merged: dict[str, str] = {}
    for part in (*said, *names):
        merged.setdefault(part.lower(), part)
    kept = [h for h in headers if h[0].lower() != b"vary"]
    return [*kept, (b"vary", ", ".join(merged.values()).encode("latin-1"))]


class HostCheck(AllowedHostsMiddleware):
    """Litestar's allowed-hosts check, refusing with a problem (and so a request id) like every other layer.

    Litestar's own middleware writes ``{"message": "invalid host header"}`` itself; raising instead
    lets the app's exception handlers answer. Hosts match as in Litestar (``*.example.com`` wildcards).
    """

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if self.allowed_hosts_regex is not None:
            host = MutableScopeHeaders(scope=scope).get("host")
            if host is None or not host.split(":")[0] or not self.allowed_hosts_regex.fullmatch(host):
                raise HTTPException(
                    status_code=400,
                    detail=f"This server does not answer to the Host {(host or '')[:100]!r} (see --allowed-hosts).",
                )
        await self.app(scope, receive, send)
