"""The live feed: the writer wakes it after each commit; it wakes SSE streams and long-polls.

The writer calls ``Feed.committed(position)`` after each successful commit (a plain
callback on ``writer.on_commit``: it never blocks and never touches the database).
Long-polls are woken at once and read their page themselves. For event streams one
tail task reads the newly committed events *once* (at most every ``FILL_INTERVAL``
under load) into a window of the most recent ``buffer`` events, each encoded as an
SSE frame once, when a stream first takes it; every stream then takes its frames
from that shared window (filtering by type in memory), so a commit costs one
database read however many streams are open. A caught-up stream filtered by type is
parked under its types and costs nothing until an event of one of them arrives.
Streams filtered by company, and streams still replaying older events, read their
own pages from the store, paced by how fast their client takes them: that is a read
per wake-up, never polling.

A stream's buffer is its stretch of the window: the events committed but not yet
handed to its socket. A live stream that falls more than ``buffer`` events behind
(its client stopped reading or reads slower than events arrive) overflows and is cut
off with a final comment; the client resumes with ``Last-Event-ID`` and replays the
rest from the store. Nothing a stream does can block the writer or another stream.

Commits by other processes on the same database are not announced by this writer. A
store that hears them (PostgreSQL: LISTEN/NOTIFY) calls ``committed`` through its
``on_external_commit`` hooks and says so with ``listening``; otherwise, or while its
listener is down, the tail asks the store for its last position every ``poll`` seconds
while anyone listens (one query per process, not per client) to pick them up.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Sequence

import msgspec

from api.errors import StreamsUnavailable
from api.store.base import EventStore
from schema.cloudevents import cloud_event
from schema.events import StoredEvent

__all__ = ["Feed", "Subscription", "frame"]

log = logging.getLogger("tidings.feed")

_encoder = msgspec.json.Encoder()

TOO_SLOW = b": too slow, the stream fell behind; resume with Last-Event-ID\n\n"
SHUTTING_DOWN = b": server shutting down; resume with Last-Event-ID\n\n"
END_OF_REPLAY = b": end of replay\n\n"
FILL_INTERVAL = 0.02
"""Seconds between two reads of new commits into the window (adds at most this to delivery)."""


def frame(stored: StoredEvent, source: str | None = None) -> bytes:
    """One SSE frame: ``id`` the position, ``event`` the type, ``data`` the stored event as GET /events/{id}
    sends it, or (``source`` given) as a CloudEvent of that source."""
    tag = str(stored.event.__struct_config__.tag)
    data = _encoder.encode(stored if source is None else cloud_event(stored, source))
    return b"id: %d\nevent: %s\ndata: %s\n\n" % (stored.position, tag.encode(), data)


class _Entry:
    """One event of the window; each of its two frames is encoded once, when a stream first takes it."""

    __slots__ = ("_cloud", "_frame", "position", "stored", "type")

    def __init__(self, stored: StoredEvent) -> None:
        self.position = stored.position
        self.type = str(stored.event.__struct_config__.tag)
        self.stored: StoredEvent | None = stored
        self._frame = b""
        self._cloud = b""

    def frame(self, source: str | None) -> bytes:
        """The frame in Tidings' JSON (``source`` None) or as a CloudEvent; the event is let go once both exist."""
        if source is None and not self._frame:
            assert self.stored is not None
            self._frame = frame(self.stored)
        elif source is not None and not self._cloud:
            assert self.stored is not None
            self._cloud = frame(self.stored, source)
        if self._frame and self._cloud:
            self.stored = None
        return self._frame if source is None else self._cloud


class Feed:
    """Knows the last committed position and wakes whoever waits for a later one."""

    def __init__(
        self,
        store: EventStore,
        *,
        max_streams: int = 500,
        max_streams_per_key: int = 20,
        buffer: int = 4096,
        page: int = 200,
        poll: float = 1.0,
        keepalive: float = 15.0,
        retry_ms: int = 2000,
        source: str = "urn:tidings:local",
    ) -> None:
        self._store = store
        self.source = source
        """The ``source`` of the CloudEvents of streams that ask for them."""
        self.max_streams = max_streams
        self.max_streams_per_key = max_streams_per_key
        self._owners: dict[Subscription, str] = {}
        self.buffer = buffer
        self.page = page
        self.keepalive = keepalive
        """Seconds of silence after which a stream sends a keep-alive comment."""
        self.retry_ms = retry_ms
        """The reconnection delay streams suggest to clients (the ``retry:`` field)."""
        self._poll = poll
        self.head = 0
        """The last committed position known to this process."""
        self._window: deque[_Entry] = deque(maxlen=buffer)
        self._window_last = 0
        self._streams: set[Subscription] = set()
        self._active: set[Subscription] = set()
        """Live streams the tail looks at after each fill."""
        self._parked: dict[str, set[Subscription]] = {}
        """Caught-up streams filtered by type, by each type they want: woken only by a matching event."""
        self._waiters: set[asyncio.Event] = set()
        self._tail_wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self.closing = False

    @property
    def streams(self) -> int:
        """Open streams (the concurrency limit counts these)."""
        return len(self._streams)

    # -- lifecycle ---------------------------------------------------------------------

    async def start(self) -> None:
        self.closing = False
        self.head = self._window_last = await self._store.last_position()
        self._store.on_commit.append(self.committed)
        self._store.on_external_commit.append(self.committed)  # commits of other processes, where the store hears them
        self._task = asyncio.create_task(self._tail(), name="tidings-feed")

    def shutdown(self) -> None:
        """End every stream with a final comment and answer every long-poll now; refuse new streams."""
        self.closing = True
        for stream in list(self._streams):
            stream.end(SHUTTING_DOWN)
        for waiter in self._waiters:
            waiter.set()

    async def close(self) -> None:
        self.shutdown()
        for listeners in (self._store.on_commit, self._store.on_external_commit):
            if self.committed in listeners:
                listeners.remove(self.committed)
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    # -- the writer's side -------------------------------------------------------------

    def committed(self, position: int) -> None:
        """The writer's callback: ``position`` is committed. Never blocks."""
        if position <= self.head:
            return
        self.head = position
        for waiter in self._waiters:
            waiter.set()
        self._tail_wake.set()

    # -- long-poll ---------------------------------------------------------------------

    async def wait(self, seen: int, timeout: float) -> None:
        """Return once a position after ``seen`` is committed, the feed shuts down, or ``timeout`` passes."""
        if self.head > seen or self.closing or timeout <= 0:
            return
        waiter = asyncio.Event()
        self._waiters.add(waiter)
        try:
            async with asyncio.timeout(timeout):
                await waiter.wait()
        except TimeoutError:
            pass
        finally:
            self._waiters.discard(waiter)

    # -- streams -----------------------------------------------------------------------

    def subscribe(
        self,
        *,
        after: int,
        types: Sequence[str] = (),
        companies: Sequence[str] = (),
        until: int | None = None,
        limit: int | None = None,
        owner: str | None = None,
        cloudevents: bool = False,
    ) -> Subscription:
        """A stream of the events after ``after``; bounded (ends) when ``until`` is given; each frame's data
        a CloudEvent when ``cloudevents``.

        Raises StreamsUnavailable when ``max_streams`` are open or the server is shutting down.
        """
        if self.closing:
            raise StreamsUnavailable("The server is shutting down; connect to another instance.")
        if len(self._streams) >= self.max_streams:
            raise StreamsUnavailable(f"{self.max_streams} event streams are open, the most this server holds.")
        if owner is not None and sum(1 for o in self._owners.values() if o == owner) >= self.max_streams_per_key:
            raise StreamsUnavailable(
                f"Key {owner} holds {self.max_streams_per_key} event streams, the most one key may."
            )
        stream = Subscription(self, after, frozenset(types), tuple(dict.fromkeys(companies)), until, limit)
        stream.source = self.source if cloudevents else None
        self._streams.add(stream)
        if owner is not None:
            self._owners[stream] = owner
        if until is None:
            self._active.add(stream)
        return stream

    def _release(self, stream: Subscription) -> None:
        self._owners.pop(stream, None)
        self._unpark(stream)
        self._streams.discard(stream)
        self._active.discard(stream)

    def _park(self, stream: Subscription) -> bool:
        """Set a caught-up, type-filtered stream aside until an event of its types comes."""
        if not stream.types or stream.companies or not stream.live or stream.cursor < self._window_last:
            return False
        self._active.discard(stream)
        for kind in stream.types:
            self._parked.setdefault(kind, set()).add(stream)
        stream.parked = True
        return True

    def _unpark(self, stream: Subscription, *, upto: int | None = None) -> None:
        """Back among the active streams. Every fill while it was parked held nothing it wants, so
        it has seen everything up to ``upto`` (default: the end of the window)."""
        if not stream.parked:
            return
        for kind in stream.types:
            parked = self._parked.get(kind)
            if parked is not None:
                parked.discard(stream)
                if not parked:
                    del self._parked[kind]
        stream.parked = False
        stream.cursor = max(stream.cursor, self._window_last if upto is None else upto)
        if stream in self._streams:
            self._active.add(stream)

    def _covers(self, cursor: int) -> bool:
        """Whether the window holds every event after ``cursor`` that this process knows of."""
        first = self._window_last - len(self._window) + 1
        return cursor >= first - 1

    def _since(self, cursor: int) -> list[_Entry]:
        """Up to ``page`` window entries after ``cursor`` (which the window must cover)."""
        first = self._window_last - len(self._window) + 1
        start = max(cursor - first + 1, 0)
        window = self._window
        return [window[i] for i in range(start, min(start + self.page, len(window)))]

    async def _tail(self) -> None:
        loop = asyncio.get_running_loop()
        last_fill = 0.0
        while True:
            try:
                await self._next_commit()
                # Under a stream of commits, read them a few at a time rather than one read each:
                # at most one fill per FILL_INTERVAL, so a quiet feed still delivers at once.
                if (pause := last_fill + FILL_INTERVAL - loop.time()) > 0:
                    await asyncio.sleep(pause)
                self._tail_wake.clear()
                last_fill = loop.time()
                await self._fill()
            except asyncio.CancelledError:
                raise
            except Exception:  # a failed read must not end the feed: log, back off, go on
                log.exception("the feed could not read new events")
                await asyncio.sleep(0.5)
                self._tail_wake.set()

    async def _next_commit(self) -> None:
        try:
            async with asyncio.timeout(self._poll):
                await self._tail_wake.wait()
        except TimeoutError:
            if (self._streams or self._waiters) and not self._store.listening:
                # Another process on the same database commits without telling this one.
                self.committed(await self._store.last_position())

    async def _fill(self) -> None:
        if not self._active and not self._parked:
            # Nobody streams: keep no window; the first stream catches up from the store.
            self._window.clear()
            self._window_last = self.head
            return
        before = self._window_last
        types: set[str] = set()
        while self._window_last < self.head:
            page = await self._store.read(after=self._window_last, limit=self.page)
            if not page:
                break
            if page[0].position != self._window_last + 1:  # positions are gap-free; never guess past a hole
                self._window.clear()
            for stored in page:
                entry = _Entry(stored)
                self._window.append(entry)
                types.add(entry.type)
            self._window_last = page[-1].position
        if self._window_last == before:
            return
        last = self._window_last
        for kind in types & self._parked.keys():
            for stream in list(self._parked.get(kind, ())):
                self._unpark(stream, upto=before)
                stream._wake.set()
        for stream in list(self._active):
            if stream.live and last - stream.cursor > self.buffer:
                stream.end(TOO_SLOW)
            else:
                stream._wake.set()


class Subscription:
    """One stream's place in the log. ``next()`` gives the bytes to send next."""

    def __init__(
        self,
        feed: Feed,
        after: int,
        types: frozenset[str],
        companies: tuple[str, ...],
        until: int | None,
        limit: int | None,
    ) -> None:
        self._feed = feed
        self.cursor = after
        """Every event at or before this position was sent or filtered out."""
        self.types = types
        self.companies = companies
        self.until = until
        self.remaining = limit
        self.live = False
        """Caught up at least once: from now on it must keep up or be cut off."""
        self.parked = False
        self._wake = asyncio.Event()
        self._final: bytes | None = None
        self.done = False
        self.source: str | None = None
        """The CloudEvents ``source`` when the frames carry CloudEvents; None for Tidings' JSON."""

    def end(self, comment: bytes) -> None:
        """Stop after sending ``comment``; frees the stream's slot at once."""
        if self._final is None:
            self._final = comment
        self._feed._release(self)
        self._wake.set()

    def close(self) -> None:
        self.done = True
        self._feed._release(self)

    async def next(self, keepalive: float) -> bytes | None:
        """Frames to send, or the final comment (then ``done``), or None when ``keepalive`` passed with nothing."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + keepalive
        while True:
            self._wake.clear()
            if self._final is not None:
                self.done = True
                return self._final
            chunk = await self._take()
            if chunk:
                return chunk
            if self._final is not None:
                continue
            self._feed._park(self)
            try:
                async with asyncio.timeout_at(deadline):
                    await self._wake.wait()
            except TimeoutError:
                return None
            finally:
                self._feed._unpark(self)

    async def _take(self) -> bytes:
        if self.until is not None:
            return await self._replay()
        feed = self._feed
        if not self.companies and feed._covers(self.cursor):
            return self._from_window()
        if self.live and not self.companies:
            self.end(TOO_SLOW)  # fell out of the window between two commits
            return b""
        return await self._from_store(feed.head)

    def _from_window(self) -> bytes:
        feed = self._feed
        while True:
            entries = feed._since(self.cursor)
            if not entries:
                self.live = True
                return b""
            self.cursor = entries[-1].position
            frames = [e.frame(self.source) for e in entries if not self.types or e.type in self.types]
            if frames:
                return b"".join(frames)

    async def _replay(self) -> bytes:
        """Bounded mode: pages from the store up to ``until`` (or ``limit`` events), then the end comment."""
        assert self.until is not None
        while self.cursor < self.until and self.remaining != 0:
            chunk = await self._from_store(self.until)
            if chunk:
                return chunk
        self.end(END_OF_REPLAY)
        return b""

    async def _from_store(self, target: int) -> bytes:
        """One page after the cursor, read from the store; every event up to ``target`` is committed."""
        page = self._feed.page
        if self.remaining is not None:
            page = min(page, self.remaining)
        reads = [
            await self._feed._store.read(after=self.cursor, limit=page, types=tuple(self.types), company=company)
            for company in (self.companies or (None,))
        ]
        # A full page covers the log up to its last event; a short one everything its snapshot
        # held, which includes ``target`` (committed before the read began).
        scanned = min(
            items[-1].position if len(items) == page else max(target, items[-1].position if items else 0)
            for items in reads
        )
        seen: dict[int, StoredEvent] = {}
        for items in reads:
            for stored in items:
                if stored.position <= scanned:
                    seen[stored.position] = stored
        events = [seen[p] for p in sorted(seen)][:page]
        if len(events) == page:
            scanned = events[-1].position
        if self.until is not None:
            scanned = min(scanned, self.until)
            events = [e for e in events if e.position <= self.until]
        self.cursor = max(self.cursor, scanned)
        if self.remaining is not None:
            self.remaining -= len(events)
        if self.until is None and self.cursor >= self._feed.head:
            self.live = True
        return b"".join(frame(e, self.source) for e in events)
