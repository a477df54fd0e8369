"""Encoded read-model answers, reused while nothing they were built from has changed.

A dossier is built from one company's rows, the registrations of the companies it names,
and the day its plan status is evaluated on. ``remember`` keeps the encoded answer with
the log position it was read at and those companies; ``recall`` hands it out again only
after the store has confirmed, in the database itself, that no event after that position
touches any of them. Commits of other processes on the same database (or of other
instances) are therefore seen; nothing relies on this process's writer having announced
them. Only reads of the latest state are kept, keyed by view, company, day and query.

The cache lives here, above the store, and asks it ``unchanged(position, companies)``: the head
position when nothing touched ``companies`` after ``position``. SQLite answers that without waiting
(``probes``: the WAL index and two index seeks on the event loop's thread). PostgreSQL cannot answer
without a round trip to its server: there a hit first asks the database in one statement
(``confirm_unchanged``), where a build takes several queries and the fold.

What neither sees is a ``tidings rebuild`` run beside the servers: it rewrites read-model rows without
an event. The rows it makes are those the servers' own code made, so their answers hold; after a
rebuild that repaired rows (``tidings check`` found faults), restart the servers to drop answers made
from the faulty ones (README, "Commands").

A hit is sent by ``Recalled``, a middleware of the route, before Litestar resolves the handler's
parameters and dependencies: in a cached read those cost more than the rest of the app.

An answer is kept packed with Zstandard, and a client whose ``Accept-Encoding`` takes ``zstd`` (RFC 8878;
httpx with zstandard installed, browsers, ``curl --compressed`` where built with it) is sent the packed
bytes as they are, with ``Content-Encoding: zstd``: 4 to 14 times fewer bytes, and nothing inflated. Every
answer that can be sent either way varies on ``Accept-Encoding`` (``hardening.vary``; ``conditional.coded``
says why the ETag is the same).
"""

from __future__ import annotations

import sys
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Collection, Hashable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import zstandard
from litestar import Request
from litestar.serialization import encode_json

from api.http.hardening import vary
from api.http.routes.negotiation import weighted
from api.store.readpoint import ReadPoint

__all__ = ["Answer", "Answers", "Recalled", "key", "of", "remember", "takes_zstd"]

Probe = Callable[[int, Collection[str]], int | None]
"""The store's ``unchanged``: the head position when no event after a position touches any of the companies."""
Check = Callable[[int, Collection[str]], Awaitable[int | None]]
"""The same after a read of the database: the store's ``confirm_unchanged``."""


_HELD = 320
"""What an answer holds beside its packed body and its companies (sys.getsizeof of a dossier's): the Answer
and its ETag about 70 bytes, its key 150, its entry in the map about 100."""


@dataclass(slots=True)
class Answer:
    packed: bytes
    """The encoded body, compressed with Zstandard (level 1): a dossier shrinks 4-fold (the seed's, 3.9 KB)
    to 14-fold (the benchmark's, 47 KB); one of 19 KB inflates in 6-8 µs (zlib: 24-28 µs, 10-fold)."""
    etag: str
    position: int
    """The log position the answer is known to hold at (moved on by each successful check)."""
    companies: tuple[str, ...]
    """Every company an event would have to touch to change the answer, each id interned: the answers
    naming a company share one string (a frozenset of 16 ids of their own held 2 KB an answer)."""
    plain: bytes | None = None
    """The encoded body as sent, while the answer is among the most recently used (``Answers.hot_bytes``)."""

    @property
    def held(self) -> int:
        """The bytes the cache holds for this answer, its packed body and companies and the rest."""
        return len(self.packed) + 8 * len(self.companies) + _HELD

    def head(self, length: int, zstd: bool) -> list[tuple[bytes, bytes]]:
        """The headers of a 200 with this answer, as Litestar writes those of ``conditional.coded``:
        with ``zstd`` the packed body is sent as it is."""
        return [
            (b"etag", self.etag.encode()),
            (b"cache-control", b"no-cache"),
            *([(b"content-encoding", b"zstd")] if zstd else []),
            (b"content-type", b"application/json"),
            (b"content-length", str(length).encode()),
        ]


class Answers:
    """A least-recently-used map of answers, bounded by the bytes they hold.

    Every answer is kept compressed (``max_bytes`` in all, counting what each holds beside its body:
    ``Answer.held``); the most recently used are kept as sent too (``hot_bytes`` of them), so that a hit
    on a company read again and again is a lookup and a write of bytes: inflating a 19 KB dossier costs
    more than the rest of the handler.
    """

    def __init__(
        self,
        probe: Probe | None = None,
        max_bytes: int = 48 * 1024 * 1024,
        max_companies: int = 500,
        hot_bytes: int = 8 * 1024 * 1024,
        *,
        check: Check | None = None,
    ) -> None:
        """``probe`` where the store tells at once, else ``check``: a hit is then confirmed by ``recall_checked``."""
        if (probe is None) == (check is None):
            raise ValueError("an answer cache needs a probe or a check, not both")
        self.probe = probe
        self.check = check
        self.max_bytes = max_bytes
        self.max_companies = max_companies
        self.hot_bytes = hot_bytes
        self._items: OrderedDict[Hashable, Answer] = OrderedDict()
        self._hot: OrderedDict[Hashable, Answer] = OrderedDict()
        self._bytes = 0
        self._hot_held = 0
        self.hits = 0
        self.misses = 0
        # One of each a cache: python-zstandard's are not to be used by two threads at once, and an app's
        # cache is used on its event loop's thread.
        self._deflate = zstandard.ZstdCompressor(level=1)
        self._inflate = zstandard.ZstdDecompressor()

    def __len__(self) -> int:
        return len(self._items)

    def recall(self, key: Hashable, *, count_miss: bool = True) -> Answer | None:
        """The remembered answer when the store confirms it still holds; ``body(key, answer)`` is what
        to send. ``count_miss=False`` where a miss goes on to a handler that will look again.
        Only with a ``probe``: a cache that ``check``s recalls with ``recall_checked``."""
        assert self.probe is not None
        answer = self._items.get(key)
        head = None if answer is None else self.probe(answer.position, answer.companies)
        return self._recalled(key, answer, head, count_miss)

    async def recall_checked(self, key: Hashable, *, count_miss: bool = True) -> Answer | None:
        """As ``recall``, for either kind of cache: with a ``check``, the store confirms after a read."""
        if self.check is None:
            return self.recall(key, count_miss=count_miss)
        answer = self._items.get(key)
        head = None if answer is None else await self.check(answer.position, answer.companies)
        return self._recalled(key, answer, head, count_miss)

    def _recalled(self, key: Hashable, answer: Answer | None, head: int | None, count_miss: bool) -> Answer | None:
        if answer is not None:
            kept = self._items.get(key) is answer  # a check waits: another request may have replaced it
            if head is not None:
                if kept:
                    self._items.move_to_end(key)
                answer.position = max(answer.position, head)
                self.hits += 1
                return answer
            if kept:
                self.drop(key)
        if count_miss:
            self.misses += 1
        return None

    def body(self, key: Hashable, answer: Answer) -> bytes:
        """The answer's body as sent, inflated at most once while it stays among the hot answers. An
        answer replaced under its key while its check waited is inflated and not kept as sent."""
        if answer.plain is not None:
            if self._hot.get(key) is answer:
                self._hot.move_to_end(key)
            return answer.plain
        plain = self._inflate.decompress(answer.packed)
        if self._items.get(key) is answer:
            self._warm(key, answer, plain)
        return plain

    def pack(self, plain: bytes) -> bytes:
        # Zstandard packs into a buffer of the most a body could take and shrinks it where it lies: each answer
        # kept so pinned a hole of a body's size in the heap (40 MB of RSS over 10,000 dossiers). A copy of
        # the exact size is placed among blocks of its own size.
        return memoryview(self._deflate.compress(plain)).tobytes()

    def put(self, key: Hashable, answer: Answer, plain: bytes | None = None) -> None:
        # An answer holding over an eighth of the bound is not kept: it would push out many others.
        if len(answer.companies) > self.max_companies or answer.held > self.max_bytes // 8:
            return
        self.drop(key)
        self._items[key] = answer
        self._bytes += answer.held
        while self._bytes > self.max_bytes and self._items:
            old_key, old = self._items.popitem(last=False)
            self._bytes -= old.held
            self._cool(old_key)
        if plain is not None:
            self._warm(key, answer, plain)

    def drop(self, key: Hashable) -> None:
        old = self._items.pop(key, None)
        if old is not None:
            self._bytes -= old.held
            self._cool(key)

    def clear(self) -> None:
        self._items.clear()
        self._hot.clear()
        self._bytes = self._hot_held = 0

    def _warm(self, key: Hashable, answer: Answer, plain: bytes) -> None:
        if len(plain) > self.hot_bytes // 8:
            return
        answer.plain = plain
        self._hot[key] = answer
        self._hot_held += len(plain)
        while self._hot_held > self.hot_bytes:
            _, cooled = self._hot.popitem(last=False)
            self._hot_held -= len(cooled.plain or b"")
            cooled.plain = None

    def _cool(self, key: Hashable) -> None:
        answer = self._hot.pop(key, None)
        if answer is not None:
            self._hot_held -= len(answer.plain or b"")
            answer.plain = None


def key(view: str, company_id: str, point: ReadPoint, *query: Any) -> Hashable | None:
    """The cache key of a read of the latest state; None for reads at a position, a time or a day of publication (never cached)."""
    if point.at_position is not None or point.as_of is not None or point.known_on is not None:
        return None
    return (view, company_id, _day(time.time()), *query)


def _day(seconds: float) -> int:
    """The UTC day (days since 1970-01-01) of a Unix time: what plan status is evaluated on."""
    return int(seconds // 86400)


def takes_zstd(headers: Iterable[tuple[bytes, bytes]]) -> bool:
    """Whether a request's ``Accept-Encoding`` admits ``zstd``: by its own q, else by that of ``*``
    (RFC 9110, 12.5.3). No ``Accept-Encoding`` takes no coding: the body is sent as it is."""
    value = b", ".join(v for name, v in headers if name == b"accept-encoding").lower()
    if b"zstd" not in value and b"*" not in value:
        return False
    items = weighted(value.decode("latin-1"))
    own = [q for coding, q in items if coding == "zstd"]
    if own:
        return max(own) > 0
    anything = [q for coding, q in items if coding == "*"]
    return bool(anything) and max(anything) > 0


def of(request: Request[Any, Any, Any]) -> Answers | None:
    """The app's answer cache. Not an injected dependency: a handler with two dependencies to resolve
    at one level gets an anyio task group per request from Litestar (a third of a cached read)."""
    found = request.app.state.get("answers")
    return found if isinstance(found, Answers) else None


class Recalled:
    """Route middleware of a company's read model ``view``: a hit is answered here, before the handler.

    A route's own middleware runs inside the app's (Authorize, StrictParameters, Negotiation, the Host
    check), so the key, its rate, ``Accept`` and ``Host`` are checked as for any request, and the request
    log and security headers wrap the answer as any other. What a hit skips is Litestar resolving the
    handler's parameters and dependencies and building a ``Response``: most of the app's own time in a
    cached read. Only a plain read of the latest state is answered here (no query string, no
    ``If-None-Match``); any other goes on to the handler, which recalls from the same cache.

    What Litestar itself puts inside a route's middleware would not see a hit: its compression, CSRF,
    response cache and ``allowed_hosts`` configurations, ``after_request`` hooks, and headers or cookies
    declared on the app. The app sets none of them (its Host check is middleware of its own).
    """

    def __init__(self, app: Any, view: str) -> None:
        self.app = app
        self.view = view

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["method"] == "GET" and not scope["query_string"]:
            cache = scope["app"].state.get("answers")
            headers = scope["headers"]
            if isinstance(cache, Answers) and not any(name == b"if-none-match" for name, _ in headers):
                cache_key = (self.view, scope["path_params"]["company_id"], _day(time.time()))
                hit = await cache.recall_checked(cache_key, count_miss=False)
                if hit is not None:
                    vary(scope, "Accept-Encoding")
                    zstd = takes_zstd(headers)
                    body = hit.packed if zstd else cache.body(cache_key, hit)
                    await send({"type": "http.response.start", "status": 200, "headers": hit.head(len(body), zstd)})
                    await send({"type": "http.response.body", "body": body, "more_body": False})
                    return
        await self.app(scope, receive, send)


def remember(
    answers: Answers | None,
    cache_key: Hashable | None,
    body: Any,
    etag: str,
    position: int,
    at_time: datetime,
    companies: Iterable[str],
) -> tuple[bytes | Any, bytes | None]:
    """Keep ``body`` (encoded once here) for ``cache_key``; returns what to answer with, and the same
    packed when it was (``conditional.coded`` sends either).

    ``at_time`` is the moment the read was evaluated at: an answer built just after
    midnight is not kept under the day before.
    """
    if answers is None or cache_key is None:
        return body, None
    encoded = encode_json(body)
    if isinstance(cache_key, tuple) and cache_key[2] == _day(at_time.timestamp()):
        held = tuple(sorted(map(sys.intern, set(companies))))
        packed = answers.pack(encoded)
        answers.put(cache_key, Answer(packed, etag, position, held), encoded)
        return encoded, packed
    return encoded, None
