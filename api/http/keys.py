"""API keys: generation, the keys file of hashes, constant-time lookup, scopes.

A key reads ``tid_<key id>_<secret>``. The keys file holds one line per key —
``<key id> <scope> sha256:<hex of SHA-256 of the whole key>`` — never the key itself.
Secrets are 256 random bits, so a fast hash is enough (nothing to brute-force); the
comparison is constant-time. Scopes are ordered: ``admin`` can do what ``append`` can,
and ``append`` what ``read`` can. Removing a line revokes the key; the file is re-read
when it changes.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

__all__ = ["SCOPES", "ApiKey", "KeyRing", "KeysFileError", "Scope", "generate", "grants"]

Scope = Literal["read", "append", "admin"]
SCOPES: tuple[Scope, ...] = ("read", "append", "admin")

_TOKEN = re.compile(r"^tid_(?P<id>[a-z0-9]{8,32})_(?P<secret>[A-Za-z0-9_-]{20,128})$")
_LINE = re.compile(r"^(?P<id>[a-z0-9]{8,32})\s+(?P<scope>read|append|admin)\s+sha256:(?P<hash>[0-9a-f]{64})\s*$")


class KeysFileError(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class ApiKey:
    key_id: str
    scope: Scope
    digest: bytes


def grants(held: Scope, needed: Scope) -> bool:
    return SCOPES.index(held) >= SCOPES.index(needed)


def _digest(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


def generate(scope: Scope) -> tuple[str, str]:
    """A new key and its keys-file line."""
    key_id = secrets.token_hex(6)
    token = f"tid_{key_id}_{secrets.token_urlsafe(32)}"
    return token, f"{key_id} {scope} sha256:{_digest(token).hex()}"


def parse(text: str, name: str = "keys file") -> dict[str, ApiKey]:
    keys: dict[str, ApiKey] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        match = _LINE.match(line)
        if match is None:
            raise KeysFileError(f"{name}:{number}: expected '<key id> <read|append|admin> sha256:<64 hex digits>'")
        scope: Scope = match["scope"]  # type: ignore[assignment]
        keys[match["id"]] = ApiKey(match["id"], scope, bytes.fromhex(match["hash"]))
    return keys


class KeyRing:
    """The configured keys; ``None`` path means no keys: the server runs open."""

    def __init__(self, path: str | None) -> None:
        self.path = Path(path) if path else None
        self._keys: dict[str, ApiKey] = {}
        self._stamp: tuple[int, int] | None = None
        self.reload()

    @property
    def open(self) -> bool:
        return self.path is None

    def __len__(self) -> int:
        return len(self._keys)

    def reload(self) -> None:
        """Re-read the file when it changed (a removed line revokes its key at once)."""
        if self.path is None:
            return
        try:
            stat = os.stat(self.path)
        except OSError as error:
            raise KeysFileError(f"cannot read the keys file: {error.strerror}") from None
        stamp = (stat.st_mtime_ns, stat.st_size)
        if stamp != self._stamp:
            self._keys = parse(self.path.read_text(), str(self.path))
            self._stamp = stamp

    def authenticate(self, token: str) -> ApiKey | None:
        """The key a bearer token belongs to, or None (unknown, revoked or malformed)."""
        match = _TOKEN.match(token)
        if match is None:
            return None
        key = self._keys.get(match["id"])
        if key is None:
            hmac.compare_digest(_digest(token), bytes(32))  # same work whether or not the id exists
            return None
        return key if hmac.compare_digest(_digest(token), key.digest) else None
