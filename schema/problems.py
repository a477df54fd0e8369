"""The RFC 9457 problem document every error response carries."""

from __future__ import annotations

from typing import Annotated

from msgspec import Meta

from schema import rules
from schema.base import Base
from schema.declarations import tag
from schema.events import CATALOGUE, EventBase

__all__ = ["ERROR_CODES", "FieldError", "Problem"]


ERROR_CODES = {
    "type": "the value has the wrong JSON type (a string where a number belongs, ...)",
    "required": "a required field or parameter is missing",
    "unknown_field": "the body has a field the type does not declare (refused, never dropped)",
    "pattern": "a string is not in the documented format (a slug, a period, a country code, ...)",
    "invalid_date": "a date that is not in the calendar (2025-02-30)",
    "length": "a string or a list is shorter or longer than its limits",
    "range": "a number is below or above its limits",
    "enum": "a value is not one of the listed ones",
    "unknown_event_type": "the event type is not in the catalogue; the message lists the known ones",
    "format": "a UUID or a date-time that cannot be read as one",
    "unknown_company": "the event names a company no earlier event registered",
    "unknown_event": "the event points at an event that is not stored",
    "invalid_target": "the event points at an event it cannot apply to (a retraction of a registration, ...)",
    "retracted_event": "the event points at an event that was retracted",
    "already_registered": "a company_registered for a company already registered (409): use profile_updated, "
    "company_renamed or identifier_added",
    "duplicate_id": "the same event id twice in one batch",
    "company_mismatch": "the event does not name the company of the URL",
    "exclusive": "two parameters that cannot be given together",
    "contradictory": "parameters that ask two things that cannot both hold (known_on after as_of)",
    "requires": "a parameter that means something only with another one (depth without company)",
    "too_large": "the answer asked for is larger than the server draws at once; the message says how to narrow it",
    "beyond_head": "at_position is past the last position of the log; the message names the head",
    "repeated_parameter": "a parameter that takes one value was given several times",
    "unknown_parameter": "a query parameter the operation does not take",
    "not_acceptable": "the Accept header admits none of the media types the operation answers with (406)",
    "no_words": "a search query without a word to search for (only spaces or punctuation)",
    "invalid": "anything else that is not valid",
}
"""Every ``errors[].code``, with what it means (the OpenAPI document lists them); the rules across fields
(schema/rules.py) add theirs below."""


def _rule_codes() -> dict[str, str]:
    found: dict[str, str] = {}
    for kind, rule in rules.rules_of(CATALOGUE.types):
        meaning = f"{tag(kind) if issubclass(kind, EventBase) else kind.__name__}: {rule.message}"
        found[rule.code] = f"{found[rule.code]}; {meaning}" if rule.code in found else meaning
    return {code: f"a rule across fields is broken ({meaning})" for code, meaning in found.items()}


ERROR_CODES.update(_rule_codes())


class FieldError(Base, frozen=True):
    """One invalid field: a JSON path into the request (``$.events[2].company_id``), what is wrong, and its kind."""

    path: Annotated[
        str,
        Meta(
            description=(
                "Where: a JSON path into the body (`$.events[2].company_id`), or `query.<name>`, "
                "`header.<Name>`, `path.<name>` for parameters."
            )
        ),
    ]
    message: Annotated[
        str,
        Meta(description="For a person: the value received (cut short) and what is expected, in words."),
    ]
    code: Annotated[
        str,
        Meta(
            description=(
                "For a program: the kind of error, stable across versions (a message may be reworded, a code not). "
                "One of: " + "; ".join(f"`{code}`: {meaning}" for code, meaning in ERROR_CODES.items()) + "."
            ),
            examples=["pattern"],
        ),
    ] = "invalid"


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
