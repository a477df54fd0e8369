"""Signed heads: a key made by ``tidings keys signing create`` signs GET /log/head with Ed25519, and a client
checks the signature over the head's canonical form with the key of GET /log/public-key alone."""

from __future__ import annotations

import base64
import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import msgspec
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from tests.api.conftest import MakeClient
from tests.factories import first_article_events

ROOT = Path(__file__).resolve().parents[2]


def _create(path: Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "api.cli", "keys", "signing", "create", "--out", str(path)]
    return subprocess.run(
        command, cwd=ROOT, capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)}
    )


def _verifies(head: dict, public_key: str) -> bool:  # type: ignore[type-arg]
    """What a client does: the head without its signature and key id, keys sorted, no white space, UTF-8."""
    signed = {key: head[key] for key in ("root_hash", "timestamp", "tree_size")}
    text = json.dumps(signed, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    try:
        Ed25519PublicKey.from_public_bytes(base64.b64decode(public_key)).verify(
            base64.b64decode(head["signature"]), text
        )
    except InvalidSignature:
        return False
    return True


def test_a_new_signing_key_signs_every_head_the_public_key_verifies(make_client: MakeClient, tmp_path: Path) -> None:
    key_file = tmp_path / "signing.pem"
    made = _create(key_file)
    assert made.returncode == 0, made.stderr
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    client = make_client("signed.db", signing_key_file=str(key_file))
    public = client.get("/log/public-key").json()
    assert f"public key (Ed25519, base64): {public['public_key']}" in made.stdout
    assert public["algorithm"] == "Ed25519"

    empty = client.get("/log/head").json()
    body = msgspec.json.encode({"events": first_article_events()})
    stored = client.post("/events/batch", content=body, headers={"content-type": "application/json"})
    assert stored.status_code == 201, stored.text
    head = client.get("/log/head").json()

    assert head["tree_size"] > empty["tree_size"] == 0
    assert head["key_id"] == empty["key_id"] == public["key_id"]
    assert _verifies(empty, public["public_key"]) and _verifies(head, public["public_key"])
    assert not _verifies({**head, "tree_size": head["tree_size"] - 1}, public["public_key"])
    assert not _verifies({**head, "signature": empty["signature"]}, public["public_key"])


def test_a_signing_key_is_never_overwritten(tmp_path: Path) -> None:
    key_file = tmp_path / "signing.pem"
    assert _create(key_file).returncode == 0
    before = key_file.read_bytes()

    again = _create(key_file)

    assert again.returncode == 2
    assert "never overwritten" in again.stderr
    assert key_file.read_bytes() == before


def test_without_a_signing_key_heads_are_unsigned_and_there_is_no_public_key(make_client: MakeClient) -> None:
    client = make_client("unsigned.db")

    head = client.get("/log/head").json()
    public = client.get("/log/public-key")

    assert head["signature"] is None and head["key_id"] is None
    assert public.status_code == 404
    assert public.headers["content-type"].startswith("application/problem+json")
