"""Headers every response carries, whatever produced it (a handler, a problem, the router); the Host check.

Where a request was counted against a key's rate (api/http/auth.py puts the figures in the scope's
state), its answer carries the ``RateLimit-*`` headers too, whatever layer answered it."""

from __future__ import annotations

from typing import Any

from litestar.datastructures import MutableScopeHeaders
from litestar.exceptions import HTTPException
from litestar.middleware.allowed_hosts import AllowedHostsMiddleware

__all__ = ["HostCheck", "SecurityHeaders"]

_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
]


class SecurityHeaders:
    """An ASGI wrapper adding the headers that keep browsers from guessing types or framing answers."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Any) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                rates = [
                    (name.lower().encode(), value.encode())
                    for name, value in (scope.get("state") or {}).get("ratelimit_headers", {}).items()
                ]
                added = [h for h in (*_HEADERS, *rates) if h[0] not in present]
                message["headers"] = [*message.get("headers", []), *added]
            await send(message)

        await self.app(scope, receive, send_with_headers)


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
