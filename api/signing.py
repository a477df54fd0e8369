"""Ed25519 signed heads of the log's Merkle tree: the server's signing key, made by
``tidings keys signing create`` and named by the ``signing_key_file`` setting.

What is signed is the canonical form of the head (docs/hashes.md): the JSON object of the head's
``root_hash``, ``timestamp`` and ``tree_size`` as ``GET /log/head`` serves them, keys sorted, no
white space, UTF-8; a client drops ``signature`` from the head it read and checks the rest with the
public key of ``GET /log/public-key`` (raw 32 bytes, base64).
"""

from __future__ import annotations

import base64
import hashlib
import os
from pathlib import Path

import msgspec
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from schema.transparency import LogHead

__all__ = ["HeadSigner", "create_key", "signed_bytes"]

_encode = msgspec.json.Encoder(order="sorted").encode


def signed_bytes(head: LogHead) -> bytes:
    """The bytes a head's signature is over: the head without its signature, in canonical form."""
    return _encode({"root_hash": head.root_hash, "timestamp": head.timestamp, "tree_size": head.tree_size})


class HeadSigner:
    """Signs heads with one Ed25519 key."""

    def __init__(self, key: Ed25519PrivateKey) -> None:
        self._key = key
        self.public_key = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        self.key_id = hashlib.sha256(self.public_key).hexdigest()[:16]

    @classmethod
    def load(cls, path: str | Path) -> HeadSigner:
        """The key of a PEM file ``create_key`` wrote; ValueError when it holds no Ed25519 private key."""
        key = serialization.load_pem_private_key(Path(path).read_bytes(), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise ValueError(f"{path} holds no Ed25519 private key")
        return cls(key)

    def sign(self, head: LogHead) -> LogHead:
        signature = base64.b64encode(self._key.sign(signed_bytes(head))).decode()
        return msgspec.structs.replace(head, signature=signature, key_id=self.key_id)


def create_key(path: str | Path) -> HeadSigner:
    """Write a new Ed25519 private key to ``path`` (PEM, readable by its owner only); never overwrites."""
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        file.write(pem)
    return HeadSigner(key)
