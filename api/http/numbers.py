"""Request bodies decoded strictly, except that a whole number written as a float is a whole number.

JSON Schema's ``integer`` admits ``137000.0`` (a number with a zero fractional part), and clients in
many languages (JavaScript, spreadsheets, anything that computes in doubles) write counts that way.
msgspec's strict decoder refuses it (``Expected `int`, got `float```). The Structs stay as they are:
the body is decoded strictly first, and only a body refused for that reason is read again with its
integral floats as integers. ``137000.5`` is still refused, with the path of the field.
"""

from __future__ import annotations

import functools
import re
from typing import Any

import msgspec

__all__ = ["decode_body"]

_INT_GOT_FLOAT = re.compile(r"Expected `(int|int \| str|str \| int)`, got `float`")
"""An integer, or a union of an integer and a word (a subscription's ``start``), written as a float."""
_WHOLE_LIMIT = 2**64
"""An integral float beyond this stays a float (and is refused as one): no integer bound here is near it."""


def _whole(text: str) -> int | float:
    value = float(text)
    return int(value) if value.is_integer() and abs(value) < _WHOLE_LIMIT else value


_plain = msgspec.json.Decoder(float_hook=_whole)


@functools.cache
def _strict(annotation: Any) -> msgspec.json.Decoder[Any]:
    return msgspec.json.Decoder(annotation)


def decode_body(body: bytes, annotation: Any) -> Any:
    """``body`` as ``annotation``, strictly, with integral floats read as integers.

    Raises msgspec's ``ValidationError`` (with the path of the bad field) or ``DecodeError``."""
    try:
        return _strict(annotation).decode(body)
    except msgspec.ValidationError as error:
        if not _INT_GOT_FLOAT.match(str(error)):
            raise
    # The slow path, for bodies that have a float where an integer belongs: the same strict rules
    # (no "5" for 5, no 0 for false), applied to the JSON with its whole floats made integers.
    return msgspec.convert(_plain.decode(body), annotation, strict=True)
