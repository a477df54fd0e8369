"""The dossier answer cache (api.http.answers) never serves a stale dossier, nor one a request may not have.

Every check goes through HTTP twice or more, so the second read is a cache hit unless
something it depends on changed: an event of the company, a rename of a company it
names, or a commit by another app (another process) on the same SQLite file or PostgreSQL
schema. A plain hit is sent by the route's middleware (``Recalled``) before the handler; it
answers what the handler would, header for header, and only to requests the app lets through.
The checks run on both backends; those of SQLite's probe without a query (its WAL index) on SQLite alone.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest
import zstandard
from litestar.testing import TestClient

from api.app import create_app
from api.http import answers as answers_module
from api.http.keys import generate
from api.settings import Settings
from tests.postgres import drop_schemas, pg_dsn, skip_reason

Client = TestClient  # type: ignore[type-arg]
SOURCE = [{"title": "A report", "publisher": "Example News", "language": "en"}]


@pytest.fixture(params=["sqlite", "postgresql"])
def settings_for(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Callable[..., Settings]]:
    """``settings_for(**more)``: the settings of an app on this test's one SQLite file or PostgreSQL schema."""
    dsn = pg_dsn()
    if request.param == "postgresql" and not dsn:
        pytest.skip(skip_reason())
    schema = f"tidings_answers_{uuid.uuid4().hex}"

    def settings(**more: Any) -> Settings:
        if request.param == "sqlite":
            return Settings(db=str(tmp_path / "one.db"), **more)
        return Settings(db=str(dsn), pg_schema=schema, **more)

    yield settings
    if request.param == "postgresql":
        asyncio.run(drop_schemas(str(dsn), [schema]))


@pytest.fixture
def make(settings_for: Callable[..., Settings]) -> Iterator[Callable[[], Any]]:
    """Apps on one database, each with its own store, writer and cache (as separate processes, or
    instances, have)."""
    with ExitStack() as stack:

        def start() -> Any:
            return stack.enter_context(TestClient(create_app(settings_for())))

        yield start


def register(client: Any, company: str, name: str) -> None:
    event = {"type": "company_registered", "sources": SOURCE, "company_id": company, "name": name, "country": "DE"}
    assert client.post("/events", json=event).status_code == 201


def rename(client: Any, company: str, name: str) -> None:
    event = {
        "type": "company_renamed",
        "sources": SOURCE,
        "company_id": company,
        "name": name,
        "effective_on": "2025-01",
    }
    assert client.post("/events", json=event).status_code == 201


def relate(client: Any, a: str, b: str) -> None:
    event = {
        "type": "relationship_reported",
        "sources": SOURCE,
        "from_company_id": a,
        "to_company_id": b,
        "kind": "supplies",
        "status": "active",
    }
    assert client.post("/events", json=event).status_code == 201


def headers(response: Any) -> list[tuple[str, str]]:
    """A response's headers but those that differ between any two answers (the date, the request id)."""
    return [(k, v) for k, v in response.headers.multi_items() if k not in {"date", "x-request-id"}]


def dossier(client: Any, company: str) -> Any:
    response = client.get(f"/companies/{company}")
    assert response.status_code == 200
    return response


def test_a_repeated_read_is_answered_from_the_cache_with_the_same_bytes_and_etag(make: Callable[[], Any]) -> None:
    client = make()
    register(client, "acme", "Acme")
    first, second = dossier(client, "acme"), dossier(client, "acme")
    assert first.content == second.content and first.headers["etag"] == second.headers["etag"]
    answers = client.app.state.answers
    assert answers.hits >= 1
    assert client.get("/companies/acme", headers={"If-None-Match": first.headers["etag"]}).status_code == 304


def test_an_event_of_the_company_changes_the_answer(make: Callable[[], Any]) -> None:
    client = make()
    register(client, "acme", "Acme")
    register(client, "globex", "Globex")
    before = dossier(client, "acme").json()
    relate(client, "acme", "globex")
    after = dossier(client, "acme").json()
    assert after["version"] == before["version"] + 1
    assert [c["name"] for c in after["counterparties"]] == ["Globex"]


def test_a_rename_of_a_named_company_changes_the_answer(make: Callable[[], Any]) -> None:
    client = make()
    register(client, "acme", "Acme")
    register(client, "globex", "Globex")
    relate(client, "acme", "globex")
    first = dossier(client, "acme")
    rename(client, "globex", "Globex Renamed")  # touches globex only, not acme
    second = dossier(client, "acme")
    assert [c["name"] for c in second.json()["counterparties"]] == ["Globex Renamed"]
    assert second.headers["etag"] != first.headers["etag"]


def test_a_commit_by_another_process_on_the_same_database_is_seen(make: Callable[[], Any]) -> None:
    reader, writer = make(), make()
    register(writer, "acme", "Acme")
    register(writer, "globex", "Globex")
    first = dossier(reader, "acme")
    dossier(reader, "acme")  # cached now
    assert reader.app.state.answers.hits == 1
    relate(writer, "acme", "globex")  # the reader's own writer never saw it
    second = dossier(reader, "acme")
    assert second.json()["version"] == first.json()["version"] + 1
    rename(writer, "globex", "Globex Two")
    assert [c["name"] for c in dossier(reader, "acme").json()["counterparties"]] == ["Globex Two"]


def test_a_retraction_through_another_process_changes_the_answer(make: Callable[[], Any]) -> None:
    """A retraction touches the companies of the event it withdraws, whichever instance takes it."""
    reader, writer = make(), make()
    register(writer, "acme", "Acme")
    register(writer, "globex", "Globex")
    relate(writer, "acme", "globex")
    related = writer.get("/events", params={"type": "relationship_reported"}).json()["items"][0]["event"]["id"]
    assert [c["name"] for c in dossier(reader, "acme").json()["counterparties"]] == ["Globex"]
    assert [c["name"] for c in dossier(reader, "acme").json()["counterparties"]] == ["Globex"]  # a hit
    retraction = {"type": "event_retracted", "sources": SOURCE, "event_id": related, "reason": "Not so."}
    assert writer.post("/events", json=retraction).status_code == 201
    assert dossier(reader, "acme").json()["counterparties"] == []


def test_reads_at_a_position_are_never_cached_and_stay_as_of_then(make: Callable[[], Any]) -> None:
    client = make()
    register(client, "acme", "Acme")
    register(client, "globex", "Globex")
    at = client.get("/companies/acme", params={"at_position": 2}).json()
    relate(client, "acme", "globex")
    dossier(client, "acme")
    again = client.get("/companies/acme", params={"at_position": 2}).json()
    assert again == at and again["counterparties"] == []


def test_unrelated_commits_keep_the_answer_and_move_its_position(make: Callable[[], Any]) -> None:
    client = make()
    register(client, "acme", "Acme")
    first = dossier(client, "acme")
    register(client, "initech", "Initech")  # touches neither acme nor anything it names
    answers = client.app.state.answers
    hits = answers.hits
    second = dossier(client, "acme")
    assert second.content == first.content
    assert answers.hits == hits + 1


def test_answers_beyond_the_hot_bytes_are_inflated_again_and_the_same(make: Callable[[], Any]) -> None:
    """The most recently used answers are kept as sent, within ``hot_bytes``; the others only compressed.
    Reading more companies than fit keeps the hot part within its bound, and every answer, hot or not,
    is the bytes the first read sent."""
    client = make()
    companies = [f"company-{n:02}" for n in range(12)]
    for company in companies:
        register(client, company, company.title())
    answers = client.app.state.answers
    first = {company: dossier(client, company).content for company in companies}
    size = max(len(body) for body in first.values())
    answers.hot_bytes = 8 * size  # room for eight answers as sent (one is at most an eighth); all twelve compressed
    answers.clear()
    for _ in range(2):
        for company in companies:
            assert dossier(client, company).content == first[company]
            assert answers._hot_held <= answers.hot_bytes
    assert len(answers) == 12
    assert 1 <= sum(a.plain is not None for a in answers._items.values()) <= 8
    hits = answers.hits
    assert dossier(client, companies[0]).content == first[companies[0]]  # not hot now: inflated again
    assert answers.hits == hits + 1


def test_what_an_answer_holds_for_the_companies_it_names_counts_against_the_bound() -> None:
    """The cache is bounded by all it holds: ten answers of 100-byte bodies, each naming 200 companies,
    do not fit in 20,000 bytes, though their bodies would; the most recently kept stay."""
    answers = answers_module.Answers(lambda position, _: position, max_bytes=20_000, hot_bytes=0)
    companies = tuple(f"company-{n:03}" for n in range(200))
    keys = [("dossier", f"company-{n}", 0) for n in range(10)]
    for key in keys:
        answers.put(key, answers_module.Answer(b"x" * 100, '"1"', 1, companies))
    assert 1 <= len(answers) < 10
    assert answers._bytes <= answers.max_bytes
    assert answers.recall(keys[-1]) is not None and answers.recall(keys[0]) is None

    # One answer that holds more than the whole bound is not kept, as sent or packed.
    small = answers_module.Answers(lambda position, _: position, max_bytes=1_000, hot_bytes=10_000)
    small.put(keys[0], answers_module.Answer(b"x" * 100, '"1"', 1, companies), b"y" * 100)
    assert len(small) == 0 and small._hot_held == 0 and small.recall(keys[0]) is None


async def test_a_check_that_waits_neither_evicts_nor_reorders_an_answer_kept_meanwhile() -> None:
    """Where the store confirms after a read (PostgreSQL), another request can keep a newer answer under
    the same key while a check waits: the check's outcome is about the answer it checked, the newer one
    stays kept either way, and the older one's body, sent once more, is not kept as sent in its place."""
    verdicts: list[int | None] = []
    answers: answers_module.Answers

    async def check(position: int, companies: Any) -> int | None:
        answers.put(key, newer, b"2" * 500)  # another request builds and keeps a newer answer meanwhile
        await asyncio.sleep(0)
        return verdicts.pop(0)

    answers = answers_module.Answers(check=check, hot_bytes=8_000)
    key = ("dossier", "acme", 0)
    pack = zstandard.ZstdCompressor().compress
    older, newer = (answers_module.Answer(pack(b"%d" % v * 500), f'"{v}"', v, ("acme",)) for v in (1, 2))
    for verdict, found in ((None, None), (7, older)):
        answers.put(key, older, b"1" * 500)
        verdicts.append(verdict)
        assert await answers.recall_checked(key) is found
        assert answers._items[key] is newer and answers._hot[key] is newer
    assert answers.body(key, older) == b"1" * 500
    assert answers._hot[key] is newer and older.plain is None
    assert answers._hot_held == 500 == len(newer.plain or b"")
    assert older.position == 7 and newer.position == 2
    with pytest.raises(ValueError, match="a probe or a check"):
        answers_module.Answers()


@pytest.fixture
def handler_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The companies whose dossier read reached the handler (it makes a cache key; a hit sent before it does not)."""
    reached: list[str] = []
    make_key = answers_module.key

    def counted(view: str, company_id: str, *rest: Any) -> Any:
        reached.append(company_id)
        return make_key(view, company_id, *rest)

    monkeypatch.setattr(answers_module, "key", counted)
    return reached


def test_a_hit_sent_before_the_handler_is_the_handlers_answer_header_for_header(
    make: Callable[[], Any], handler_reads: list[str]
) -> None:
    client = make()
    register(client, "acme", "Acme")
    first = dossier(client, "acme")
    second = dossier(client, "acme")
    assert handler_reads == ["acme"], "the second read should have been answered before the handler"
    assert headers(second) == headers(first)
    assert second.content == first.content
    assert first.headers["x-request-id"] != second.headers["x-request-id"]


def test_reads_with_a_query_or_a_revalidation_go_to_the_handler_and_agree(
    make: Callable[[], Any], handler_reads: list[str]
) -> None:
    client = make()
    register(client, "acme", "Acme")
    plain = dossier(client, "acme")
    etag = plain.headers["etag"]
    assert client.get("/companies/acme", headers={"If-None-Match": etag}).status_code == 304
    assert client.get("/companies/acme", headers={"If-None-Match": '"other"'}).content == plain.content
    assert client.get("/companies/acme", params={"at_position": 1}).json()["version"] == plain.json()["version"]
    assert client.get("/companies/acme", params={"nonsense": 1}).status_code == 400
    assert client.get("/companies/acme", headers={"Accept": "text/csv"}).status_code == 406
    assert handler_reads == ["acme"] * 4  # the 400 and the 406 are refused before the handler, hit or not


def raw(client: Any, path: str, headers: dict[str, str]) -> tuple[Any, bytes]:
    """A response and its body as sent, not decoded (httpx would undo a Content-Encoding)."""
    with client.stream("GET", path, headers=headers) as response:
        return response, b"".join(response.iter_raw())


@pytest.mark.parametrize(
    ("accept_encoding", "packed"),
    [
        ("zstd", True),
        ("gzip, deflate, br, zstd", True),
        ("*", True),
        ("gzip;q=1.0, ZSTD;q=0.1", True),
        ("", False),
        ("identity", False),
        ("gzip, deflate", False),
        ("zstd;q=0", False),
        ("*, zstd;q=0", False),
        ("zstd;q=nonsense", False),
    ],
)
def test_a_client_that_takes_zstd_is_sent_the_kept_answer_packed_and_others_as_it_is(
    make: Callable[[], Any], handler_reads: list[str], accept_encoding: str, packed: bool
) -> None:
    """Either way the same JSON and ETag: the first read (the handler) and the hit (before it) send the same
    bytes and headers; the packed one says Content-Encoding: zstd, both Vary: Accept-Encoding."""
    client = make()
    register(client, "acme", "Acme")
    asked = {"Accept-Encoding": accept_encoding}
    plain = client.get("/companies/acme", headers={"Accept-Encoding": "identity"})
    client.app.state.answers.clear()
    (first, first_body), (second, second_body) = (raw(client, "/companies/acme", asked) for _ in range(2))
    assert handler_reads == ["acme", "acme"], "the second read should have been a hit before the handler"
    assert second_body == first_body
    assert headers(second) == headers(first)
    assert first.headers["vary"] == "Accept-Encoding"
    assert int(first.headers["content-length"]) == len(first_body)
    assert first.headers["etag"] == plain.headers["etag"]
    if packed:
        assert first.headers["content-encoding"] == "zstd"
        assert zstandard.ZstdDecompressor().decompress(first_body) == plain.content
        assert len(first_body) < len(plain.content)
    else:
        assert "content-encoding" not in first.headers
        assert first_body == plain.content


def test_an_answer_kept_for_one_client_is_sent_to_each_as_it_takes_it(make: Callable[[], Any]) -> None:
    client = make()
    register(client, "acme", "Acme")
    plain = client.get("/companies/acme", headers={"Accept-Encoding": "identity"}).content
    for first, then in (("zstd", "identity"), ("identity", "zstd")):
        client.app.state.answers.clear()
        raw(client, "/companies/acme", {"Accept-Encoding": first})
        hits = client.app.state.answers.hits
        response, body = raw(client, "/companies/acme", {"Accept-Encoding": then})
        assert client.app.state.answers.hits == hits + 1
        assert response.headers.get("content-encoding") == ("zstd" if then == "zstd" else None)
        assert (zstandard.ZstdDecompressor().decompress(body) if then == "zstd" else body) == plain


@pytest.mark.parametrize(
    ("lines", "takes"),
    [
        ([b"gzip", b"zstd"], True),  # several header lines are one list
        ([b"zstd;q=0, zstd"], True),  # the highest q of a coding named twice
        ([b"zstd;Q=0.5"], True),
        ([b"zstd;q=0.000"], False),
        ([b"identity;q=0"], False),  # no coding taken: the body as it is, which RFC 9110 allows
        ([b",, ;"], False),
        ([b"\xff\xfezstd"], False),
    ],
)
def test_which_accept_encoding_values_take_zstd(lines: list[bytes], takes: bool) -> None:
    assert answers_module.takes_zstd([(b"accept-encoding", line) for line in lines]) is takes


def test_the_packed_answers_etag_revalidates_and_is_taken_as_if_match(make: Callable[[], Any]) -> None:
    client = make()
    register(client, "acme", "Acme")
    tag = client.get("/companies/acme", headers={"Accept-Encoding": "zstd"}).headers["etag"]
    for coding in ("zstd", "identity"):
        unchanged = client.get("/companies/acme", headers={"If-None-Match": tag, "Accept-Encoding": coding})
        assert unchanged.status_code == 304 and unchanged.content == b""
        assert unchanged.headers["etag"] == tag and unchanged.headers["vary"] == "Accept-Encoding"
        assert "content-encoding" not in unchanged.headers  # a 304 has no body to code
    event = {"type": "company_renamed", "sources": SOURCE, "company_id": "acme", "name": "Two", "effective_on": "2025"}
    assert client.post("/companies/acme/events", json=event, headers={"If-Match": tag}).status_code == 201


def test_a_read_that_is_not_kept_is_sent_as_it_is(make: Callable[[], Any]) -> None:
    client = make()
    register(client, "acme", "Acme")
    response, body = raw(client, "/companies/acme?at_position=1", {"Accept-Encoding": "zstd"})
    assert response.status_code == 200 and "content-encoding" not in response.headers
    assert "vary" not in response.headers  # the answer at a position is the same for every client
    assert body == client.get("/companies/acme", headers={"Accept-Encoding": "identity"}).content


def test_a_cached_dossier_is_given_only_to_a_request_the_app_lets_through(
    tmp_path: Path, settings_for: Callable[..., Settings]
) -> None:
    token, line = generate("read")
    keys_file = tmp_path / "keys"
    keys_file.write_text(line + "\n")
    settings = settings_for(keys_file=str(keys_file), rate_limit=0.01, rate_burst=3)
    with TestClient(create_app(settings)) as client:
        with TestClient(create_app(settings_for())) as writer:
            register(writer, "acme", "Acme")
        bearer = {"Authorization": f"Bearer {token}"}
        reads = [client.get("/companies/acme", headers=bearer) for _ in range(4)]
        assert [r.status_code for r in reads] == [200, 200, 200, 429]
        assert client.app.state.answers.hits >= 2
        assert [r.headers["ratelimit-remaining"] for r in reads[:3]] == ["2", "1", "0"]
        assert reads[1].content == reads[0].content
        assert client.get("/companies/acme").status_code == 401
        assert client.get("/companies/acme", headers={"Authorization": "Bearer tid_x_y"}).status_code == 401
        keys_file.write_text("")  # revoked
        assert client.get("/companies/acme", headers=bearer).status_code == 401


def test_a_hit_is_answered_under_the_apps_host_check_and_cors(settings_for: Callable[..., Settings]) -> None:
    settings = settings_for(cors_origins="https://app.example", allowed_hosts="tidings.example")
    with TestClient(create_app(settings)) as client:
        here = {"Host": "tidings.example"}
        event = {"type": "company_registered", "sources": SOURCE, "company_id": "acme", "name": "Acme", "country": "DE"}
        assert client.post("/events", json=event, headers=here).status_code == 201
        browser = {**here, "Origin": "https://app.example"}
        reads = [client.get("/companies/acme", headers=browser) for _ in range(2)]
        assert client.app.state.answers.hits == 1
        assert [r.headers.get("access-control-allow-origin") for r in reads] == ["https://app.example"] * 2
        # CORS sets Vary: Origin in place of what was there; the answer still says it varies on Accept-Encoding.
        assert [r.headers.get_list("vary") for r in reads] == [["Origin, Accept-Encoding"]] * 2
        assert client.get("/companies/acme", headers={"Host": "elsewhere.example"}).status_code == 400
        assert client.app.state.answers.hits == 1


@pytest.mark.parametrize("settings_for", ["sqlite"], indirect=True)  # SQLite's WAL index
def test_hits_ask_the_database_nothing_until_some_process_commits(make: Callable[[], Any]) -> None:
    """The probe reads SQLite's WAL-index header first (api.store.sqlite.wal_index) and queries the head
    only when a commit, of any connection in any process, has changed it."""
    reader, writer = make(), make()
    register(writer, "acme", "Acme")
    register(writer, "globex", "Globex")
    first = dossier(reader, "acme")
    dossier(reader, "acme")
    driver = reader.app.state.answers.probe.__self__.driver
    statements: list[str] = []
    driver._probe.set_trace_callback(statements.append)
    for _ in range(3):
        assert dossier(reader, "acme").content == first.content
    assert statements == []
    register(writer, "initech", "Initech")  # another process commits; acme is untouched
    assert dossier(reader, "acme").content == first.content
    assert [s.split()[0] for s in statements] == ["SELECT", "SELECT"]  # the head, then what it touched
    statements.clear()
    assert dossier(reader, "acme").content == first.content
    assert statements == []
    relate(writer, "acme", "globex")
    assert dossier(reader, "acme").json()["version"] == first.json()["version"] + 1


_HOLDER_OF_BYTE_128 = """
import fcntl, os, struct, sys
fd = os.open(sys.argv[1], os.O_RDWR)
asked = struct.pack("hhqqi4x", fcntl.F_WRLCK, os.SEEK_SET, 128, 1, 0)
kind, _, _, _, pid = struct.unpack("hhqqi4x", fcntl.fcntl(fd, fcntl.F_GETLK, asked))
print("read" if kind == fcntl.F_RDLCK else "write" if kind == fcntl.F_WRLCK else "none", pid)
os._exit(0)  # no close: this process holds no lock to lose anyway
"""


@pytest.mark.skipif(sys.platform != "linux", reason="reads a POSIX lock with the layout of Linux's struct flock")
def test_looking_at_the_wal_index_leaves_sqlites_locks_on_the_shm_file(tmp_path: Path) -> None:
    """SQLite marks its -shm file as in use with a read lock on byte 128, and closing any descriptor of
    a file drops every POSIX lock the process holds on it. Were the probe's mapping closed while any
    store of the process still had the file open, another process would reset the WAL index under
    that store's connections."""
    db = str(tmp_path / "one.db")

    def holder() -> str:
        command = [sys.executable, "-c", _HOLDER_OF_BYTE_128, f"{db}-shm"]
        return subprocess.run(command, capture_output=True, text=True, check=True).stdout.strip()

    held = f"read {os.getpid()}"
    with ExitStack() as stores:
        first = stores.enter_context(TestClient(create_app(Settings(db=db))))
        register(first, "acme", "Acme")
        assert holder() == held
        with TestClient(create_app(Settings(db=db))) as second:
            for client in (first, second):
                dossier(client, "acme")
                dossier(client, "acme")  # a hit: the WAL-index header is mapped
                assert client.app.state.answers.hits == 1
            assert holder() == held
        assert holder() == held  # the second store left; the first still has the file open
        with TestClient(create_app(Settings(db=db))) as never_looked:
            stores.close()  # the store that mapped the file closes; one that never looked still has it open
            assert holder() == held
            register(never_looked, "globex", "Globex")
            assert dossier(never_looked, "globex").status_code == 200
            assert holder() == held
