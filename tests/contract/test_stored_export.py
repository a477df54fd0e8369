"""``tidings export --format stored`` carries every event's hash and a signed head at its end, and
``tidings verify FILE`` rejects an edited export, naming the first position that breaks."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from api.signing import HeadSigner, create_key
from api.store.base import EventStore
from api.stored_export import write_stored
from api.verify import verify_export, verify_store
from schema.codec import uuid7
from tests import rfc9162
from tests.contract.test_hashes import readme_functions
from tests.factories import company_registered

ROOT = Path(__file__).resolve().parents[2]
EVENTS = 120

Lines = list[dict[str, Any]]


@pytest.fixture
def signer(tmp_path: Path) -> HeadSigner:
    return create_key(tmp_path / "signing.pem")


def _public(signer: HeadSigner) -> str:
    return base64.b64encode(signer.public_key).decode()


async def _export(store: EventStore, signer: HeadSigner | None) -> Lines:
    out = io.BytesIO()
    await write_stored(store, out.write, signer)
    return [json.loads(line) for line in out.getvalue().splitlines()]


def _file(lines: Lines) -> list[bytes]:
    return [json.dumps(line, ensure_ascii=False).encode() for line in lines]


def _rehashed(line: dict[str, Any]) -> dict[str, Any]:
    """The line with its hash recomputed, as someone covering an edit would."""
    canonical = {key: line[key] for key in ("event", "position", "recorded_at")}
    text = json.dumps(canonical, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return {**line, "hash": hashlib.sha256(text.encode()).hexdigest()}


async def test_a_stored_export_holds_every_hash_and_ends_with_the_signed_head(
    store: EventStore, signer: HeadSigner
) -> None:
    await store.append_batch([company_registered(f"c-{n}", id=uuid7()) for n in range(EVENTS)])

    lines = await _export(store, signer)

    size, root, _ = await store.log_head()
    *events, last = lines
    assert [line["position"] for line in events] == list(range(1, EVENTS + 1))
    assert [line["hash"] for line in events] == [stored.hash for stored in await store.read(limit=EVENTS)]
    assert set(events[0]) == {"position", "recorded_at", "event", "hash"}
    head = last["log_head"]
    assert (head["tree_size"], head["root_hash"], head["key_id"]) == (size, root.hex(), signer.key_id)
    assert head["timestamp"] == events[-1]["recorded_at"]
    assert verify_export(_file(lines), _public(signer)) == []
    assert await verify_store(store, _public(signer)) == []  # type: ignore[arg-type]


async def test_an_unsigned_export_verifies_without_a_key_and_fails_with_one(
    store: EventStore, signer: HeadSigner
) -> None:
    await store.append_batch([company_registered(f"c-{n}", id=uuid7()) for n in range(5)])

    lines = await _export(store, None)

    assert "signature" not in lines[-1]["log_head"] or lines[-1]["log_head"]["signature"] is None
    assert verify_export(_file(lines)) == []
    assert verify_export(_file(lines), _public(signer)) == [
        "log_head: the head is not signed with the public key given"
    ]


async def test_the_export_of_an_empty_log_is_its_head_alone(store: EventStore, signer: HeadSigner) -> None:
    lines = await _export(store, signer)

    assert [line["log_head"]["tree_size"] for line in lines] == [0]
    assert lines[0]["log_head"]["root_hash"] == hashlib.sha256(b"").hexdigest()
    assert verify_export(_file(lines), _public(signer)) == []


def _edit_name(lines: Lines) -> Lines:
    edited = [dict(line) for line in lines]
    edited[76] = {**edited[76], "event": {**edited[76]["event"], "name": "Rewritten"}}
    return edited


def _edit_name_and_hash(lines: Lines) -> Lines:
    edited = _edit_name(lines)
    edited[76] = _rehashed(edited[76])
    return edited


def _retime(lines: Lines) -> Lines:
    return [
        {**line, "recorded_at": "2020-01-01T00:00:00.000000Z"} if line.get("position") == 33 else line for line in lines
    ]


def _remove(lines: Lines) -> Lines:
    return lines[:49] + lines[50:]


def _reorder(lines: Lines) -> Lines:
    return [*lines[:29], lines[30], lines[29], *lines[31:]]


def _renumber(lines: Lines) -> Lines:
    """Line 50 removed and every later position moved down one to hide the gap."""
    return lines[:49] + [
        {**line, "position": line["position"] - 1} if "position" in line else line for line in lines[50:]
    ]


def _remove_last_event(lines: Lines) -> Lines:
    return [*lines[: EVENTS - 1], lines[-1]]


def _cut_short(lines: Lines) -> Lines:
    return lines[:90]


def _head(**changes: Any) -> Callable[[Lines], Lines]:
    def edit(lines: Lines) -> Lines:
        return [*lines[:-1], {"log_head": {**lines[-1]["log_head"], **changes}}]

    return edit


def _after_head(lines: Lines) -> Lines:
    return [*lines, lines[5]]


EDITS: dict[str, tuple[Callable[[Lines], Lines], str]] = {
    "an edited event": (
        _edit_name,
        "hashes: the history breaks first at position 77: the line's hash is not its event's",
    ),
    "an edited time": (_retime, "hashes: the history breaks first at position 33: the line's hash is not its event's"),
    "a removed line": (_remove, "export: the history breaks first at position 50: line 50 holds position 51"),
    "two lines swapped": (_reorder, "export: the history breaks first at position 30: line 30 holds position 31"),
    "a removed line, later positions renumbered": (
        _renumber,
        "hashes: the history breaks first at position 50: the line's hash is not its event's",
    ),
    "the last event removed": (
        _remove_last_event,
        f"export: the history breaks first at position {EVENTS}: the head holds {EVENTS} events, the file {EVENTS - 1}",
    ),
    "the file cut short": (
        _cut_short,
        "export: the file ends after position 90 without its log_head line: it was cut short",
    ),
    "a line after the head": (
        _after_head,
        f"export: line {EVENTS + 2} follows the log_head line, which must end the file",
    ),
    "the head's size lowered": (
        _head(tree_size=EVENTS - 1),
        f"log_head: the head holds {EVENTS - 1} events but the file {EVENTS}: the head was altered",
    ),
}


@pytest.mark.parametrize("edit", EDITS)
async def test_an_edited_export_is_rejected_naming_where_it_breaks(
    store: EventStore, signer: HeadSigner, edit: str
) -> None:
    await store.append_batch([company_registered(f"c-{n}", id=uuid7()) for n in range(EVENTS)])
    change, fault = EDITS[edit]

    faults = verify_export(_file(change(await _export(store, signer))), _public(signer))

    assert faults == [fault]


async def test_an_event_rewritten_with_its_hash_or_an_altered_head_breaks_the_root_and_signature(
    store: EventStore, signer: HeadSigner
) -> None:
    await store.append_batch([company_registered(f"c-{n}", id=uuid7()) for n in range(EVENTS)])
    lines = await _export(store, signer)
    forged_root = hashlib.sha256(b"forged").hexdigest()
    root_fault = (
        f"log_head: the root of the file's {EVENTS} events is not the head's root: the head was altered, "
        "or an event and its hash were rewritten"
    )

    rehashed = verify_export(_file(_edit_name_and_hash(lines)), _public(signer))
    new_root = verify_export(_file(_head(root_hash=forged_root)(lines)), _public(signer))
    new_time = verify_export(_file(_head(timestamp="2030-01-01T00:00:00.000000Z")(lines)), _public(signer))

    assert rehashed == [root_fault]
    assert new_root == [root_fault, "log_head: the signature does not verify with the public key given"]
    assert new_time == [
        f"log_head: its timestamp is not when position {EVENTS} was recorded: the head was altered",
        "log_head: the signature does not verify with the public key given",
    ]


def test_tidings_export_and_verify_a_file_from_the_command_line(tmp_path: Path) -> None:
    db, key, exported = tmp_path / "tidings.db", tmp_path / "signing.pem", tmp_path / "log.ndjson"
    command = [sys.executable, "-m", "api.cli"]
    subprocess.run([*command, "seed", "--db", str(db)], cwd=ROOT, check=True, capture_output=True)
    made = subprocess.run(
        [*command, "keys", "signing", "create", "--out", str(key)], cwd=ROOT, capture_output=True, text=True
    )
    public = made.stdout.split("base64): ", 1)[1].split()[0]
    with exported.open("wb") as out:
        done = subprocess.run(
            [*command, "export", "--db", str(db), "--format", "stored", "--signing-key-file", str(key)],
            cwd=ROOT,
            stdout=out,
        )
    assert done.returncode == 0
    sound = subprocess.run(
        [*command, "verify", str(exported), "--public-key", public], cwd=ROOT, capture_output=True, text=True
    )
    lines = exported.read_text().splitlines()
    fifth = json.loads(lines[4])
    lines[4] = json.dumps({**fifth, "event": {**fifth["event"], "sources": []}})
    (tmp_path / "edited.ndjson").write_text("\n".join(lines) + "\n")
    broken = subprocess.run(
        [*command, "verify", str(tmp_path / "edited.ndjson")], cwd=ROOT, capture_output=True, text=True
    )
    refused = subprocess.run(
        [*command, "export", "--db", str(db), "--format", "stored", "--after", "3"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )

    assert (sound.returncode, sound.stdout, sound.stderr.strip()) == (0, "", "history verified")
    assert broken.returncode == 1
    assert broken.stdout.startswith("FAULT ") and "the history breaks first at position 5" in broken.stdout
    assert refused.returncode == 2 and "--format stored writes the whole log" in refused.stderr
    missing = subprocess.run(
        [*command, "verify", str(tmp_path / "none.ndjson")], cwd=ROOT, capture_output=True, text=True
    )
    assert (missing.returncode, missing.stderr.strip()) == (
        2,
        f"tidings verify: {tmp_path / 'none.ndjson'} cannot be read: No such file or directory",
    )


def test_a_stored_export_imports_into_a_fresh_store_with_new_positions_and_hashes(tmp_path: Path) -> None:
    db, fresh, exported = tmp_path / "tidings.db", tmp_path / "fresh.db", tmp_path / "log.ndjson"
    command = [sys.executable, "-m", "api.cli"]
    subprocess.run([*command, "seed", "--db", str(db)], cwd=ROOT, check=True, capture_output=True)
    with exported.open("wb") as out:
        subprocess.run([*command, "export", "--db", str(db), "--format", "stored"], cwd=ROOT, stdout=out, check=True)
    plain = subprocess.run([*command, "export", "--db", str(db)], cwd=ROOT, capture_output=True, check=True).stdout

    done = subprocess.run(
        [*command, "import", str(exported), "--db", str(fresh)], cwd=ROOT, capture_output=True, text=True
    )
    again = subprocess.run([*command, "export", "--db", str(fresh)], cwd=ROOT, capture_output=True, check=True).stdout
    stored_again = subprocess.run(
        [*command, "export", "--db", str(fresh), "--format", "stored"], cwd=ROOT, capture_output=True, check=True
    ).stdout

    assert done.returncode == 0, done.stderr
    assert again == plain, "the same events, in the same order"
    before = [json.loads(line) for line in exported.read_bytes().splitlines()]
    after = [json.loads(line) for line in stored_again.splitlines()]
    assert [line.get("event") for line in after] == [line.get("event") for line in before]
    assert [line.get("hash") for line in after[:-1]] != [line.get("hash") for line in before[:-1]], (
        "new recorded_at times: new hashes"
    )


async def test_the_readme_functions_check_an_export_with_the_standard_library(
    store: EventStore, signer: HeadSigner
) -> None:
    await store.append_batch([company_registered(f"c-{n}", id=uuid7()) for n in range(EVENTS)])
    *events, last = await _export(store, signer)
    readme = readme_functions()

    assert readme["first_broken"](events) is None
    assert readme["root_hash"]([line["hash"] for line in events]) == last["log_head"]["root_hash"]
    assert readme["first_broken"](_edit_name(events)) == 77


def test_the_readme_root_is_rfc_9162s_for_every_size_up_to_300() -> None:
    root_hash = readme_functions()["root_hash"]
    leaves = [hashlib.sha256(str(n).encode()).digest() for n in range(300)]

    for n in range(301):
        assert root_hash([leaf.hex() for leaf in leaves[:n]]) == rfc9162.mth(leaves[:n]).hex()
