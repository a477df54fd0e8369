"""A company's identity after its registration: identifiers (tickers, ISIN, LEI, Wikidata, names in
other languages), renames and profile updates."""

from __future__ import annotations

import re
from typing import Annotated, ClassVar, Literal

from msgspec import Meta

from schema.base import (
    END,
    CompanyId,
    CountryCode,
    LanguageTag,
    Name,
    PartialDate,
)
from schema.event_base import EventBase, Labels
from schema.rules import Rule, Ruled, absent, all_of, given

__all__ = ["CompanyRenamed", "IdentifierAdded", "IdentifierScheme", "ProfileUpdated"]


IdentifierScheme = Literal["ticker", "isin", "lei", "wikidata", "name"]
"""ticker: a listing's symbol on ``exchange``; isin: ISO 6166; lei: ISO 17442; wikidata: a Q-id; name:
the company's name in another language (``language``)."""

_SCHEME_PATTERNS = {
    "isin": r"^[A-Z]{2}[A-Z0-9]{9}[0-9]$",
    "lei": r"^[A-Z0-9]{18}[0-9]{2}$",
    "wikidata": r"^Q[1-9][0-9]{0,11}$",
    "ticker": r"^[A-Za-z0-9][A-Za-z0-9.:-]{0,19}$",
}
_SCHEME_WORDS = {
    "isin": "an ISIN is 12 characters: two letters, nine letters or digits and a check digit (KR7005930003)",
    "lei": "an LEI is 20 characters: 18 letters or digits and two check digits",
    "wikidata": "a Wikidata id is Q and a number (Q20718)",
    "ticker": "a ticker is letters, digits, dots, colons and hyphens, at most 20 (005930, BRK.B)",
}


def _digits(value: str) -> str:
    """Letters as numbers (A=10 … Z=35), as ISIN and LEI check digits read them."""
    return "".join(str(int(char, 36)) for char in value)


def _isin_checked(value: str) -> bool:
    """The Luhn check of an ISIN's digits (letters expanded) holds."""
    total = 0
    for index, char in enumerate(reversed(_digits(value))):
        digit = int(char) * (2 if index % 2 else 1)
        total += digit - 9 if digit > 9 else digit
    return total % 10 == 0


_COMPILED = {scheme: re.compile(pattern.removesuffix("$") + END) for scheme, pattern in _SCHEME_PATTERNS.items()}


def _formed(scheme: str, value: str) -> bool:
    """Whether ``value`` has the form of an identifier of ``scheme``."""
    return _COMPILED[scheme].match(value) is not None


def _scheme_rule(scheme: str) -> Rule:
    return Rule(
        "identifier_format",
        "value",
        _SCHEME_WORDS[scheme],
        lambda i: i.scheme == scheme and not _formed(scheme, i.value),
        (
            {
                "not": {
                    "required": ["scheme", "value"],
                    "properties": {
                        "scheme": {"const": scheme},
                        "value": {"not": {"pattern": _SCHEME_PATTERNS[scheme]}},
                    },
                }
            },
        ),
    )


def _only_with(field_name: str, scheme: str, what: str) -> tuple[Rule, Rule]:
    """``field_name`` is given for ``scheme`` and for no other."""
    is_scheme = {"required": ["scheme"], "properties": {"scheme": {"const": scheme}}}
    other = {"required": ["scheme"], "properties": {"scheme": {"not": {"const": scheme}}}}
    return (
        Rule(
            "identifier_needs",
            field_name,
            f"a {scheme} identifier needs its {what}",
            lambda i: i.scheme == scheme and getattr(i, field_name) is None,
            ({"not": all_of(is_scheme, absent(field_name))},),
        ),
        Rule(
            "identifier_needs",
            field_name,
            f"only a {scheme} identifier has a {field_name}",
            lambda i: i.scheme != scheme and getattr(i, field_name) is not None,
            ({"not": all_of(other, given(field_name))},),
        ),
    )


class IdentifierAdded(Ruled, EventBase, frozen=True, kw_only=True, tag="identifier_added"):
    """A company is known by an identifier: a ticker on an exchange, an ISIN, an LEI, a Wikidata id, or its
    name in another language. Shown on its profile; names in other languages are searched like aliases."""

    summary: ClassVar[str] = "A ticker, ISIN, LEI, Wikidata id or other-language name of a company"
    names = ("company_id",)

    company_id: CompanyId
    scheme: IdentifierScheme
    value: Annotated[Name, Meta(examples=["005930"])]
    """The identifier as written: a ticker as the exchange lists it ("005930"), an ISIN, a name."""
    exchange: Name | None = None
    """For a ticker: the exchange that lists it (KRX, HKEX)."""
    language: LanguageTag | None = None
    """For a name: the language it is in (ko, zh-Hans)."""

    rules = (
        *(_scheme_rule(scheme) for scheme in _SCHEME_PATTERNS),
        Rule(
            "check_digit",
            "value",
            "the ISIN's check digit does not match its first eleven characters",
            lambda i: i.scheme == "isin" and _formed("isin", i.value) and not _isin_checked(i.value),
        ),
        Rule(
            "check_digit",
            "value",
            "the LEI's check digits do not match (ISO 17442: the number it reads as leaves 1 divided by 97)",
            lambda i: i.scheme == "lei" and _formed("lei", i.value) and int(_digits(i.value)) % 97 != 1,
        ),
        *_only_with("exchange", "ticker", "exchange"),
        *_only_with("language", "name", "language"),
    )


class CompanyRenamed(EventBase, frozen=True, kw_only=True, tag="company_renamed"):
    """A company took a new name from a date; the old one becomes a former name. A profile read at a point
    shows the name in effect then."""

    summary: ClassVar[str] = "A company's new name from a date"
    names = ("company_id",)
    dated_by = "effective_on"

    company_id: CompanyId
    name: Name
    """The new name."""
    effective_on: PartialDate
    previous_name: Name | None = None
    """The name before, as the news gives it (else the name in effect before ``effective_on``)."""


class ProfileUpdated(Ruled, EventBase, frozen=True, kw_only=True, tag="profile_updated"):
    """What changed in a company's profile, without restating the rest: sectors and aliases added or
    removed, a new country. Unnamed fields keep their values."""

    summary: ClassVar[str] = "Sectors, aliases or country of a company changed"
    names = ("company_id",)

    company_id: CompanyId
    sectors_added: Labels = []
    sectors_removed: Labels = []
    aliases_added: Labels = []
    aliases_removed: Labels = []
    country: CountryCode | None = None
    """The new country, when it changed."""

    rules = (
        Rule(
            "empty_update",
            "",
            "a profile update changes something: sectors or aliases added or removed, or the country",
            lambda p: not (p.sectors_added or p.sectors_removed or p.aliases_added or p.aliases_removed or p.country),
            (
                {
                    "anyOf": [
                        *(
                            {"required": [name], "properties": {name: {"minItems": 1}}}
                            for name in ("sectors_added", "sectors_removed", "aliases_added", "aliases_removed")
                        ),
                        given("country"),
                    ]
                },
            ),
        ),
    )
