"""Content negotiation: an ``Accept`` the operation cannot answer is a 406 problem, on every operation.

Litestar answers JSON whatever ``Accept`` says (``Accept: application/xml`` got JSON and a 200), so a
client that asked for something else cannot tell it was not given it. Each documented operation
answers its own media type (``application/json``; ``text/event-stream`` for the stream, Prometheus
text for the metrics) and ``application/problem+json`` for its errors; an ``Accept`` that admits
neither (RFC 9110, 12.5.1: media ranges with ``*`` wildcards, ``q=0`` for "not this") is refused
before the handler runs. No ``Accept``, or an empty one, takes anything.
"""

from __future__ import annotations

from typing import Any

from litestar.handlers import HTTPRouteHandler

from api.errors import NotAcceptable
from api.http.openapi.extras import extras_of

__all__ = ["Negotiation", "acceptable", "served", "weighted"]

PROBLEM = "application/problem+json"


def served(handler: HTTPRouteHandler) -> tuple[str, ...] | None:
    """The media types a handler answers with, its errors' included; None for a route left out of the
    API document (the docs page, the schema files, the OPTIONS answer): it is not negotiated."""
    if not handler.resolve_include_in_schema():
        return None
    # A handler that returns a Response leaves its media type unset: the app's default, JSON.
    own = str(getattr(handler.media_type, "value", handler.media_type) or "application/json")
    own = own.partition(";")[0].strip().lower()
    extra = [media.lower() for media in extras_of(handler).content]
    return tuple(dict.fromkeys([own, *extra, PROBLEM]))


def weighted(accept: str) -> list[tuple[str, float]]:
    """The items of an ``Accept``-like value (``Accept``, ``Accept-Encoding``), lower-cased, each with its q."""
    found = []
    for part in accept.split(","):
        media, *parameters = (piece.strip() for piece in part.split(";"))
        quality = 1.0
        for parameter in parameters:
            name, _, value = parameter.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value.strip())
                except ValueError:
                    quality = 0.0
        if media:
            found.append((media.lower(), quality))
    return found


def _matches(media_range: str, media: str) -> bool:
    if media_range == "*/*":
        return True
    kind, _, subtype = media_range.partition("/")
    return media_range == media or (subtype == "*" and media.startswith(f"{kind}/"))


def acceptable(accept: str, answers: tuple[str, ...]) -> bool:
    """Whether an ``Accept`` value admits one of ``answers`` (the most specific matching range decides)."""
    ranges = weighted(accept)
    if not ranges:
        return True
    for media in answers:
        matching = [(media_range.count("*"), q) for media_range, q in ranges if _matches(media_range, media)]
        if matching and min(matching)[1] > 0:
            return True
    return False


class Negotiation:
    """ASGI middleware (inside routing): a 406 for an ``Accept`` the operation cannot answer."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self._served: dict[int, tuple[str, ...] | None] = {}

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        handler = scope.get("route_handler")
        if scope["type"] == "http" and isinstance(handler, HTTPRouteHandler):
            key = id(handler)
            if key not in self._served:
                self._served[key] = served(handler)
            answers = self._served[key]
            if answers is not None:
                accept = b", ".join(value for name, value in scope["headers"] if name == b"accept")
                text = accept.decode("latin-1")
                if text.strip() and not acceptable(text, answers):
                    raise NotAcceptable(text, answers)
        await self.app(scope, receive, send)
