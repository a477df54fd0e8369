"""The RFC 9457 problem document every error response carries."""

from __future__ import annotations

from typing import Annotated

from msgspec import Meta

from schema.base import Base

__all__ = ["FieldError", "Problem"]


class FieldError(Base, frozen=True):
    """One invalid field: a JSON path into the request (``$.events[2].company_id``) and what is wrong."""

    path: str
    message: str


class Problem(Base, frozen=True):
    """RFC 9457 problem details (``application/problem+json``)."""

    type: str
    title: str
    status: Annotated[int, Meta(ge=400, le=599)]
    detail: str
    instance: str | None = None
    errors: list[FieldError] | None = None
    """For validation problems: every bad field with its path."""
    request_id: str | None = None
    """The request's X-Request-ID, to find it in the server's logs."""
