"""What a route handler adds to its operation in the OpenAPI document, declared on the handler.

Litestar derives an operation from the handler's signature and decorator; what it cannot derive
is declared next to it, in ``opt={"openapi": Extras(...)}``: the links that chain a success
response to the next call, parameters the handler reads from the request itself, a success body
Litestar cannot describe (an event stream) and request and parameter examples. A link names
its target by the handler, not by an operationId string, so renaming an operation renames its
links; ``api/http/openapi/document.py`` applies the declarations and fails on a link to an
operation the app does not serve.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from litestar.handlers import BaseRouteHandler, HTTPRouteHandler

__all__ = ["OPT_KEY", "Extras", "Link", "Target", "extras_of"]

OPT_KEY = "openapi"
"""The key of a handler's ``opt`` that holds its ``Extras``."""

Target = HTTPRouteHandler | Callable[[], HTTPRouteHandler]
"""The operation a link leads to: its handler, or a function returning it where importing the
handler's module would be an import cycle (two modules whose operations link to each other)."""


@dataclass(frozen=True, kw_only=True)
class Link:
    """An OpenAPI link: the next call a client can make with values from this success response.

    ``parameters`` maps the target's parameter (``company_id``, ``header.If-Match``) to a runtime
    expression (``$response.body#/event/id``). ``to=None`` links the operation to itself: the next
    page, a revalidation.
    """

    to: Target | None = None
    parameters: Mapping[str, str]
    description: str | None = None

    def target(self, source: HTTPRouteHandler) -> HTTPRouteHandler:
        """The handler the link leads to (``source`` itself when ``to`` is None)."""
        if self.to is None:
            return source
        if isinstance(self.to, HTTPRouteHandler):
            return self.to
        return self.to()


@dataclass(frozen=True, kw_only=True)
class Extras:
    """A handler's additions to its operation, each where Litestar's generator has nothing to say."""

    links: Mapping[str, Link] = field(default_factory=dict)
    """Added to every success response, in this order."""
    parameters: Sequence[Mapping[str, Any]] = ()
    """Parameters the handler reads from the request rather than its signature (``If-None-Match``)."""
    content: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    """Media type -> media object of the success response, where Litestar documents it as an empty schema."""
    schemas: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    """Components the ``content`` refers to, by name."""
    request_examples: Callable[[], Mapping[str, Any]] | None = None
    """Named examples of the request body (called when the document is built: they come from the seeds)."""
    parameter_examples: Mapping[str, Callable[[], Any]] = field(default_factory=dict)
    """Parameter name -> a function giving its example (a seeded resource, so that it exists)."""


_NONE = Extras()


def extras_of(handler: BaseRouteHandler) -> Extras:
    """What ``handler`` declares in ``opt["openapi"]`` (nothing when it declares nothing)."""
    found = handler.opt.get(OPT_KEY, _NONE)
    if not isinstance(found, Extras):
        raise TypeError(f"{handler}: opt[{OPT_KEY!r}] must be an Extras, not {type(found).__name__}")
    return found
