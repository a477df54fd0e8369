"""Headers every response carries, whatever produced it (a handler, a problem, the router); the Host check.

Where a request was counted against a key's rate (api/http/auth.py puts the figures in the scope's
state), its answer carries the ``RateLimit-*`` headers too, whatever layer answered it."""

from __future__ import annotations

from typing import Any

from litestar.datastructures import MutableScopeHeaders
from litestar.exceptions import HTTPException
from litestar.middleware.allowed_hosts import AllowedHostsMiddleware

__all__ = ["HostCheck", "security_headers"]

_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
]


_NAMES = frozenset(name for name, _ in _HEADERS)


def security_headers(scope: Any, headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    """The headers to add to an answer that has ``headers``: those that keep browsers from guessing
    types or framing answers, and the key's rate where it was counted; none the answer already has.

    Called by api.http.logs.RequestLog as the answer starts, in the one wrapper of ``send`` it
    installs anyway (a second wrapper per request cost more than the headers themselves).
    """
    rates = (scope.get("state") or {}).get("ratelimit_headers")
    if not rates and not any(name.lower() in _NAMES for name, _ in headers):
        return _HEADERS
    present = {name.lower() for name, _ in headers}
    added = [(name.lower().encode(), value.encode()) for name, value in (rates or {}).items()]
    return [h for h in (*_HEADERS, *added) if h[0] not in present]


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
