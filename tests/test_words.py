"""Folding for full-text search: the fast paths (ASCII, cached words) index exactly what the general one does."""

from __future__ import annotations

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from api.projections import words


def _folded_the_long_way(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@given(st.text())
def test_fold_is_casefold_and_decomposition_without_marks_for_any_text(text: str) -> None:
    assert words.fold(text) == _folded_the_long_way(text)


@given(st.text(alphabet=st.characters(codec="ascii")))
def test_ascii_text_folds_as_any_other(text: str) -> None:
    assert words.fold(text) == _folded_the_long_way(text)


def test_accents_and_umlauts_are_found_either_way() -> None:
    assert words.tokens("Vehículos") == words.tokens("vehiculos") == ["vehiculos"]
    assert words.spellings("Präsident") == ["prasident", "praesident"]
    assert words.spellings("Praesident") == ["praesident"]


def test_a_caller_changing_the_spellings_it_got_changes_no_later_answer() -> None:
    first = words.spellings("Müller")
    first.append("changed")
    assert words.spellings("Müller") == ["muller", "mueller"]


def test_compound_parts_are_the_same_on_every_call() -> None:
    assert list(words.parts("elektroautofabrik")) == list(words.parts("elektroautofabrik"))
    assert "fabrik" in words.parts("elektroautofabrik")
    assert list(words.parts("x" * (words.LONGEST_COMPOUND + 1))) == []
