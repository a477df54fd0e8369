"""Every curl command of README.md works as written against a real ``tidings serve --seed``.

The commands run in README order (later ones may read what earlier ones stored), with
only the server's address changed. The answer each shows must be JSON; where README
shows an answer (the problem after "Bad input"), the real one must be it, word for word
(but its request id); and the walkthrough reads back the very event it appended.
"""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.server import serve

README = Path(__file__).resolve().parents[2] / "README.md"
README_URL = "http://127.0.0.1:8000"
_FENCE = re.compile(r"^```(?P<lang>\w*)\n(?P<body>.*?)^```$", re.M | re.S)
_STATUS = "\n__status__ %{http_code}"


@dataclass
class Command:
    text: str
    shown: dict[str, Any] | None
    """The answer README prints right after this command's block, if any."""


def _split(block: str) -> Iterator[str]:
    """Shell commands of a block: lines joined while a quote is open or a line ends in a backslash."""
    pending = ""
    for line in block.splitlines():
        pending += line + "\n"
        try:
            shlex.split(pending, comments=True)
        except ValueError:
            continue
        if line.rstrip().endswith("\\"):
            continue
        if pending.strip():
            yield pending.strip()
        pending = ""
    assert not pending.strip(), f"unterminated command in README: {pending}"


def readme_commands() -> list[Command]:
    blocks = list(_FENCE.finditer(README.read_text()))
    commands: list[Command] = []
    for index, block in enumerate(blocks):
        if block["lang"] != "sh" or "curl" not in block["body"]:
            continue
        after = blocks[index + 1] if index + 1 < len(blocks) else None
        shown = None
        if (
            after is not None
            and after["lang"] == "json"
            and not README.read_text()[block.end() : after.start()].strip()
        ):
            shown = json.loads(after["body"])
        found = [Command(text, None) for text in _split(block["body"]) if text.startswith("curl")]
        if found and shown is not None:
            found[-1].shown = shown
        commands.extend(found)
    return commands


def _body(command: str) -> dict[str, Any] | None:
    words = shlex.split(command, comments=True)
    return json.loads(words[words.index("-d") + 1]) if "-d" in words else None


def _within(sent: Any, stored: Any) -> bool:
    """Whether everything sent is in what is stored (which adds the defaults)."""
    if isinstance(sent, dict):
        return isinstance(stored, dict) and all(k in stored and _within(v, stored[k]) for k, v in sent.items())
    if isinstance(sent, list):
        return isinstance(stored, list) and len(sent) == len(stored) and all(map(_within, sent, stored))
    return bool(sent == stored)


def _read_back(commands: list[Command]) -> tuple[Command, Command]:
    """The first append of the walkthrough, and the GET of the id it sends."""
    append = next(c for c in commands if " -X POST " in c.text and "/events " in c.text.replace("\\", " "))
    body = _body(append.text)
    assert body is not None and "id" in body, "the walkthrough's append chooses its id, to read it back"
    read = next(c for c in commands if c.text.split()[-1].endswith(f"/events/{body['id']}"))
    assert commands.index(read) > commands.index(append)
    return append, read


_OTHER_MEDIA = re.compile(r"-H '[Aa]ccept: (?!application/json)")
"""A command asking for another media type than JSON (the graph as GraphML or DOT)."""


def _runs_as_written(command: str, where: Path) -> None:
    """A command that answers another media type: it runs (pipes included) and writes what it says."""
    if "| dot" in command and shutil.which("dot") is None:
        print(f"Graphviz `dot` is not installed: not run: {command}")
        return
    done = subprocess.run(["bash", "-c", "set -eo pipefail\n" + command], capture_output=True, timeout=30, cwd=where)
    assert done.returncode == 0, f"{command}\n{done.stderr!r}"
    if ">" in command:
        written = where / command.rpartition(">")[2].strip()
        assert written.stat().st_size > 0, f"{command} wrote nothing"
        assert b"urn:tidings:problem" not in written.read_bytes(), f"{command} wrote a problem"


def test_readme_has_curl_commands_and_one_shown_answer() -> None:
    commands = readme_commands()

    assert len(commands) >= 5
    assert sum(c.shown is not None for c in commands) == 1
    _read_back(commands)


def test_every_readme_curl_command_answers_json(tmp_path: Path) -> None:
    if shutil.which("curl") is None:
        print("curl is not installed on this machine: README's curl commands were not run")
        pytest.skip("curl is not installed")
    commands = readme_commands()
    append, read = _read_back(commands)
    sent = _body(append.text)
    assert sent is not None

    with serve(tmp_path / "r.db", "--seed") as server:
        for command in commands:
            if _OTHER_MEDIA.search(command.text):
                _runs_as_written(command.text.replace(README_URL, server.url), tmp_path)
                continue
            text = command.text.replace(README_URL, server.url) + f" -w {shlex.quote(_STATUS)}"
            done = subprocess.run(["bash", "-c", "set -e\n" + text], capture_output=True, timeout=30, text=True)

            assert done.returncode == 0, f"{command.text}\n{done.stderr}"
            body, _, status = done.stdout.rpartition("\n__status__ ")
            assert json.loads(body), f"{command.text}\nprinted no JSON: {done.stdout}"
            answer = json.loads(body)
            if command.shown is not None:
                assert int(status) == 422, command.text
                assert int(status) == command.shown["status"]
                assert answer.pop("request_id") and command.shown.pop("request_id")
                assert answer == command.shown
            elif "If-Match" in command.text:
                # README's example sends a fixed version, "1": against the seeds it is stale.
                assert int(status) in (201, 412), f"{command.text}\n{body}"
            else:
                assert 200 <= int(status) < 300, f"{command.text}\n{status} {body}"
            if command is append:
                assert int(status) == 201, body
            if command is read:
                assert _within(sent, answer["event"]), f"not the event appended: {answer['event']}"
