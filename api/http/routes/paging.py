"""Paging alike on every paged list: the body says where to continue, and so does ``Link: rel="next"`` (RFC 8288).

``GET /events`` continues with ``after=next_after``, the other lists with ``cursor=next_cursor``; each
sends the URL of the next page, the request's own query with the continuation set, while there may
be one. Clients that follow ``Link`` headers (GitHub's style) page every list the same way.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from litestar import Request
from litestar.datastructures import ResponseHeader

__all__ = ["LINK", "next_link"]

LINK = ResponseHeader(
    name="Link",
    description='`<URL of the next page>; rel="next"` while more may follow: this request with its continuation set.',
    documentation_only=True,
)
"""The documentation of the header, for each paged list's ``response_headers``."""


def next_link(request: Request[Any, Any, Any], parameter: str, value: str | int | None) -> dict[str, str]:
    """The ``Link`` header to the next page (none when ``value`` is None): ``parameter`` set to ``value``."""
    if value is None:
        return {}
    query = [(k, v) for k, v in request.query_params.multi_items() if k != parameter]
    return {"Link": f'<{request.url.path}?{urlencode([*query, (parameter, value)])}>; rel="next"'}
