"""The one Base Struct and the constrained aliases every other type is built from.

Constraints sit on the types as ``msgspec.Meta`` so that decoding, storage and the
OpenAPI document all enforce and show the same rules. Patterns use only ASCII
classes (``[0-9]``, never ``\\d``) so that Python and ECMA-262 regexes agree.
"""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

import msgspec
from msgspec import Meta

__all__ = [
    "MAX_SAFE_INT",
    "END",
    "Base",
    "Certainty",
    "CompanyId",
    "Count",
    "CountryCode",
    "CurrencyCode",
    "DecimalAmount",
    "EventId",
    "LanguageTag",
    "Label",
    "Money",
    "Name",
    "Note",
    "PartialDate",
    "Period",
    "PersonId",
    "Percent",
    "PlanId",
    "Position",
    "SignedAmount",
    "SignedMoney",
    "Slug",
    "Source",
    "Ticker",
    "Url",
]

MAX_SAFE_INT = 2**53 - 1
"""Largest integer a JSON client (JavaScript) can hold exactly; every integer bound stays at or below it."""


class Base(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Immutable, keyword-only, and strict: an unknown field is an error, never dropped."""


_NO_CONTROL = r"[^\x00-\x1f\x7f]"
END = r"$(?!\n)"
"""End of the value. Python's ``$`` also matches before a final newline; ECMA-262's does not;
the lookahead makes both refuse ``"xiaomi\n"``."""

Slug = Annotated[
    str,
    Meta(
        min_length=1,
        max_length=64,
        pattern=rf"^[a-z0-9]+(-[a-z0-9]+)*{END}",
        description="A lower-case slug: letters, digits and single hyphens, at most 64 characters.",
    ),
]
CompanyId = Annotated[Slug, Meta(examples=["xiaomi"])]
PersonId = Annotated[Slug, Meta(examples=["lei-jun"])]
PlanId = Annotated[Slug, Meta(examples=["ev-production-2025"])]

Name = Annotated[
    str,
    Meta(
        min_length=1,
        max_length=200,
        pattern=rf"^{_NO_CONTROL}+{END}",
        description="A name or title: 1 to 200 characters, no control characters.",
    ),
]
Label = Annotated[
    str,
    Meta(
        min_length=1,
        max_length=200,
        pattern=rf"^{_NO_CONTROL}+{END}",
        description="A short label (topic, component, sector): 1 to 200 characters, no control characters.",
    ),
]
Note = Annotated[
    str,
    Meta(
        max_length=2000,
        pattern=r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$",
        description="Free text up to 2,000 characters; line breaks and tabs allowed, other control characters not.",
    ),
]
CountryCode = Annotated[
    str,
    Meta(
        min_length=2,
        max_length=2,
        pattern=rf"^[A-Z]{{2}}{END}",
        description="An ISO 3166-1 alpha-2 country code: two capital letters, such as CN.",
        examples=["CN"],
    ),
]
CurrencyCode = Annotated[
    str,
    Meta(
        min_length=3,
        max_length=3,
        pattern=rf"^[A-Z]{{3}}{END}",
        description="An ISO 4217 currency code: three capital letters, such as USD.",
        examples=["USD"],
    ),
]
LanguageTag = Annotated[
    str,
    Meta(
        min_length=2,
        max_length=35,
        pattern=rf"^[a-zA-Z]{{2,3}}(-[a-zA-Z0-9]{{1,8}})*{END}",
        description="A BCP 47 language tag, such as de, en or zh-Hant.",
        examples=["de"],
    ),
]
Url = Annotated[
    str,
    Meta(
        max_length=2048,
        pattern=rf"^https?://[^\x00-\x20\x7f]+{END}",
        description="An absolute http(s) URL, at most 2,048 characters.",
    ),
]

# Years 0001 to 9999, the calendar dates can do arithmetic in (a plan due "0000" cannot end).
_Y = r"(?!0000)[0-9]{4}"
_LEAP_YEAR = r"(?:[0-9]{2}(?:0[48]|[2468][048]|[13579][26])|(?:0[48]|[2468][048]|[13579][26])00)"
_MONTH_DAY = (
    r"(?:(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])"
    r"|(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)"
    r"|02-(?:0[1-9]|1[0-9]|2[0-8]))"
)
PartialDate = Annotated[
    str,
    Meta(
        min_length=4,
        max_length=10,
        pattern=(rf"^(?:{_Y}(?:-(?:0[1-9]|1[0-2]))?|{_Y}-{_MONTH_DAY}|{_LEAP_YEAR}-02-29){END}"),
        description=("A date as precise as the news is: YYYY, YYYY-MM or YYYY-MM-DD (a real calendar day)."),
        examples=["2025-03-22"],
    ),
]
Period = Annotated[
    str,
    Meta(
        min_length=4,
        max_length=7,
        pattern=rf"^{_Y}(?:-(?:Q[1-4]|0[1-9]|1[0-2]))?{END}",
        description="A reporting period: a year YYYY, a quarter YYYY-Qn or a month YYYY-MM.",
        examples=["2024"],
    ),
]
DecimalAmount = Annotated[
    str,
    Meta(
        min_length=1,
        max_length=25,
        pattern=rf"^(?:0|[1-9][0-9]{{0,17}})(?:\.[0-9]{{1,6}})?{END}",
        description=("A non-negative decimal as a string: at most 18 digits before the point and 6 after."),
        examples=["4500000000"],
    ),
]
SignedAmount = Annotated[
    str,
    Meta(
        min_length=1,
        max_length=26,
        pattern=rf"^-?(?:0|[1-9][0-9]{{0,17}})(?:\.[0-9]{{1,6}})?{END}",
        description=(
            "A decimal as a string, negative with a leading minus (a loss): at most 18 digits before the point and 6 after."
        ),
        examples=["-1200000000"],
    ),
]
Percent = Annotated[
    str,
    Meta(
        min_length=1,
        max_length=13,
        pattern=rf"^-?(?:0|[1-9][0-9]{{0,5}})(?:\.[0-9]{{1,4}})?{END}",
        description=(
            "A percentage as a decimal string, negative for a fall: 31.8 is +31.8 %, -12.5 is -12.5 % "
            "(at most 6 digits before the point and 4 after)."
        ),
        examples=["31.8"],
    ),
]
Ticker = Annotated[
    str,
    Meta(
        min_length=1,
        max_length=20,
        pattern=rf"^[A-Za-z0-9][A-Za-z0-9.:-]{{0,19}}{END}",
        description="A ticker symbol or stock code as the exchange lists it: letters, digits, dots, colons and hyphens, such as 1810 or BRK.B.",
        examples=["1810"],
    ),
]
EventId = Annotated[
    UUID,
    Meta(
        description="An event's id: a UUID, 36 characters with hyphens (or 32 hex digits).",
        extra_json_schema={"maxLength": 36},
    ),
]
"""The text form of a UUID is at most 36 characters; the decoder takes nothing longer, and the schema says so."""

Position = Annotated[int, Meta(ge=1, le=MAX_SAFE_INT, description="Place in the global log: 1, 2, 3, … gap-free.")]

Certainty = Literal["confirmed", "reported", "speculative"]


class Money(Base, frozen=True):
    """An amount of money; ``approximate`` when the news gives a rounded figure."""

    amount: DecimalAmount
    currency: CurrencyCode
    approximate: bool = False


class SignedMoney(Base, frozen=True):
    """An amount of money that may be negative (a loss); ``approximate`` when the news gives a rounded figure."""

    amount: SignedAmount
    currency: CurrencyCode
    approximate: bool = False


class Count(Base, frozen=True):
    """A count of things; ``approximate`` when the news says "nearly" or "about"."""

    value: Annotated[int, Meta(ge=0, le=MAX_SAFE_INT)]
    approximate: bool = False


class Source(Base, frozen=True):
    """An article that reports a fact."""

    title: Name
    publisher: Name
    language: LanguageTag
    url: Url | None = None
    published_on: PartialDate | None = None
