"""Words as full-text search sees them: folded the same way for the index and for a query, on every backend.

Folding happens here, in Python, not in the database, so SQLite and PostgreSQL index the same
tokens and a query matches the same documents on both (PostgreSQL's ``unaccent`` is an extension
a server may not offer, and not immutable for an index). A word is a run of letters and digits;
folding casefolds it and drops diacritics (``Vehículos`` -> ``vehiculos``, ``Straße`` -> ``strasse``),
and a German umlaut is indexed spelt both ways (``Präsident`` -> ``prasident`` and ``praesident``).

German compounds: a hyphen splits words (``EV-Fabrik`` -> ``ev``, ``fabrik``); inside a word
written as one (``Elektroautofabrik``), each *part* — a suffix of four or more letters that starts
at the fourth letter or later, in words of at most 48 letters — is indexed in a second column, so ``fabrik`` (or ``auto``) is
found where a query term starts such a part. Query terms of three letters or more match word
prefixes (``vehiculo`` finds ``vehiculos``); terms of four or more also match parts; shorter
terms match whole words only (``ev`` never finds ``every``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from functools import lru_cache
from itertools import chain
from typing import NamedTuple

__all__ = [
    "LONGEST_COMPOUND",
    "PART_FROM",
    "PREFIX_FROM",
    "Term",
    "fold",
    "indexed",
    "matches",
    "parts",
    "query_terms",
    "spellings",
    "tokens",
]

PREFIX_FROM = 3
"""Query terms this long or longer match the start of a word."""
PART_FROM = 4
"""Query terms this long or longer also match a part inside a compound; the shortest part indexed."""
_MODIFIER = 3
"""A part starts at this offset or later: the compound's first element has at least this many letters."""
LONGEST_COMPOUND = 48
"""Longer words are not split into parts: they are hashes, codes or padding, not compounds, and their
suffixes would cost the index the square of their length (a 1,400-letter word, 1 MB)."""

_WORD = re.compile(r"[^\W_]+")
_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue"})


def fold(text: str) -> str:
    """Casefolded, compatibility-decomposed, without combining marks."""
    if text.isascii():  # the common case, and already decomposed: casefold is lower there
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def tokens(text: str) -> list[str]:
    """The folded words of ``text``."""
    return _WORD.findall(fold(text))


def spellings(word: str) -> list[str]:
    """The folded forms of one original word: more than one where an umlaut has a second spelling (ä -> ae)."""
    return list(_spellings(word) if len(word) <= LONGEST_COMPOUND else _spell(word))


def _spell(word: str) -> tuple[str, ...]:
    folded = tokens(word)
    if not word.isascii():
        cased = unicodedata.normalize("NFC", word.casefold())
        if cased.translate(_UMLAUTS) != cased:
            folded += [w for w in tokens(cased.translate(_UMLAUTS)) if w not in folded]
    return tuple(folded)


_spellings = lru_cache(maxsize=1 << 15)(_spell)


def parts(word: str) -> Iterator[str]:
    """The parts of a folded word that the second column indexes: its suffixes of PART_FROM letters or
    more, starting at the fourth letter or later; none for a word longer than LONGEST_COMPOUND."""
    yield from _parts(word)


@lru_cache(maxsize=1 << 12)  # a part list holds up to 41 suffixes of a word
def _parts(word: str) -> tuple[str, ...]:
    if len(word) > LONGEST_COMPOUND:
        return ()
    return tuple(word[start:] for start in range(_MODIFIER, len(word) - PART_FROM + 1))


def indexed(texts: Iterable[str]) -> tuple[list[str], list[str]]:
    """The words and the (distinct) compound parts a document of ``texts`` is indexed under."""
    words: list[str] = []
    for text in texts:
        words += _short_text_words(text) if len(text) <= _CACHED_TEXT else _text_words(text)
    inner = dict.fromkeys(chain.from_iterable(map(_parts, dict.fromkeys(words))))  # no Python loop: C all through
    return words, list(inner)


def _text_words(text: str) -> tuple[str, ...]:
    found: list[str] = []
    for original in _WORD.findall(text if text.isascii() else unicodedata.normalize("NFC", text)):
        found += _spellings(original) if len(original) <= LONGEST_COMPOUND else _spell(original)
    return tuple(found)


# Publishers, source titles, names and words recur across a log's events, and folding them is most of
# what indexing costs: short texts and words are folded once. Only short ones, so that the caches stay
# small (a few MB at most) whatever the texts.
_CACHED_TEXT = 200
_short_text_words = lru_cache(maxsize=1 << 13)(_text_words)


class Term(NamedTuple):
    """A query term and how it matches (see the module's doc)."""

    text: str
    prefix: bool
    """Matches the start of a word, not only the whole word."""
    inner: bool
    """Matches parts of compounds too."""


def query_terms(q: str) -> list[Term]:
    """The distinct terms of a query as plain words (every one must match); punctuation is no syntax."""
    return [Term(word, len(word) >= PREFIX_FROM, len(word) >= PART_FROM) for word in dict.fromkeys(tokens(q))]


def matches(word: str, term: Term) -> bool:
    """Whether one folded word matches ``term`` as the index does (used to highlight)."""
    if word == term.text or (term.prefix and word.startswith(term.text)):
        return True
    return term.inner and any(part.startswith(term.text) for part in parts(word))
