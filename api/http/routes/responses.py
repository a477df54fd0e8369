"""OpenAPI response declarations shared by the routes: problems and headers, written once."""

from __future__ import annotations

from litestar.openapi import ResponseSpec

from api.errors import PROBLEMS, ProblemKind
from schema.problems import Problem

__all__ = ["problems", "WRITE_PROBLEMS"]

_DESCRIPTIONS = {
    400: "Malformed JSON or a body that is not UTF-8.",
    404: "No such resource.",
    406: "The Accept header admits none of the media types the operation answers with; errors[] has code `not_acceptable`.",
    409: (
        "Conflicts with what is stored (an id reused with other content, an event already retracted, a company "
        "registered again: type `already-registered`, use profile_updated, company_renamed or identifier_added; "
        "a subscription's filters or start changed; the most subscriptions or leases held: type `limit-reached`)."
    ),
    412: "If-Match does not match the company's current version; the problem names the current version.",
    413: "The request body is larger than the server accepts.",
    415: "The body is not sent as application/json.",
    422: "A field is missing, malformed or breaks a rule; errors[] names each one by its JSON path.",
    428: "If-Match is required on this operation.",
    503: "The store cannot take or serve requests right now; nothing was stored.",
}

assert all(kind.status in _DESCRIPTIONS for kind in PROBLEMS.values())


def problems(*statuses: int) -> dict[int, ResponseSpec]:
    """Declare each status as an ``application/problem+json`` response with the Problem schema."""
    return {
        status: ResponseSpec(
            data_container=Problem,
            description=_DESCRIPTIONS.get(status, ProblemKind(status, "", "").title or "Error"),
            media_type="application/problem+json",
            generate_examples=False,
        )
        for status in statuses
    }


WRITE_PROBLEMS = (400, 413, 415, 422, 503)
