"""Schemathesis hooks, for tests/test_fuzz.py and for CLI runs (schemathesis.toml names this file).

Two rules of the API cannot be written into the document, so generated requests are adjusted to
them before they are sent; a value that is invalid by the schema is always sent as drawn, so its
rejection is still checked.

- ``GET /events?wait=N`` and ``POST /subscriptions/{name}/claim?wait=N`` are long-polls: when nothing new matches, the answer comes after N seconds
  (up to 30). A fuzzer that waits that out on every case only gets slow and times out, so a valid
  wait is shortened to a blink, which still takes the waiting path.
- Read models answer as of ``at_position`` or ``as_of``, not both (that is a 422, DESIGN.md). A
  document can say "not both" only in words, so one of them is left out: ``as_of``, unless it is
  the invalid one.
"""

from __future__ import annotations

import json
from typing import Any

import schemathesis

BLINK = 0.01
_LONG_POLLS = ("GET /events", "POST /subscriptions/{name}/claim")


def _value(raw: Any) -> Any:
    """A query value as the API reads it: examples and coverage cases come as wire strings ("0")."""
    if isinstance(raw, str):
        try:
            return json.loads(raw)
        except ValueError:
            return raw
    return raw


def _valid(case: schemathesis.Case, name: str) -> bool:
    assert isinstance(case.query, dict)
    return any(p.name == name and p.is_valid(_value(case.query[name])) for p in case.operation.query)


@schemathesis.hook
def before_call(context: Any, case: schemathesis.Case, kwargs: dict[str, Any]) -> None:
    query = case.query
    if not isinstance(query, dict):
        return
    if case.operation.label in _LONG_POLLS and "wait" in query and _valid(case, "wait"):
        wait = _value(query["wait"])
        if isinstance(wait, int | float) and not isinstance(wait, bool) and wait > BLINK:
            query["wait"] = BLINK
    if "at_position" in query and "as_of" in query:
        # Keep the invalid one, if one is: the case then still tests its rejection.
        del query["at_position" if _valid(case, "at_position") and not _valid(case, "as_of") else "as_of"]
