"""YAML that reads the same under YAML 1.1 (PyYAML) and YAML 1.2 (most other tools).

PyYAML writes the string ``005930`` (a ticker) without quotes: under YAML 1.1 a number with a leading
zero and a digit 8 or 9 is no number. YAML 1.2's core schema reads it as the integer 5930, and the
SDK generators and linters that read the spec follow 1.2. ``dump`` quotes every string that a 1.2
reader would take for a number, a boolean or null.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

__all__ = ["YAML12_PLAIN_NOT_STR", "dump"]

YAML12_PLAIN_NOT_STR = re.compile(
    r"""^(?:
        [-+]?[0-9]+                                   # int
      | 0o[0-7]+ | 0x[0-9a-fA-F]+                     # octal, hexadecimal int
      | [-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?   # float
      | [-+]?\.(?:inf|Inf|INF) | \.(?:nan|NaN|NAN)    # infinity, not a number
      | true|True|TRUE|false|False|FALSE              # bool
      | null|Null|NULL|~|                             # null
    )$""",
    re.VERBOSE,
)
"""Plain scalars the YAML 1.2 core schema resolves to something other than a string."""


class _Dumper(yaml.SafeDumper):
    pass


def _string(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    if YAML12_PLAIN_NOT_STR.match(value):
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="'")
    return dumper.represent_str(value)


_Dumper.add_representer(str, _string)


def dump(document: Any) -> bytes:
    """``document`` as YAML whose strings stay strings for 1.1 and 1.2 readers alike."""
    return yaml.dump(document, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100).encode()
