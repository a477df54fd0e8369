"""The single writer: one task per process that commits waiting appends together.

Requests put a command on the queue and wait on a future. The task takes everything
waiting (up to a bound), hands the group to the backend's ``commit`` (one transaction,
one fsync), and resolves each future with that command's own outcome only after the
commit returned. A failed commit fails every command of the group with
StoreUnavailable: nothing of it was acknowledged, so clients retry with the same ids.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence

from api.errors import DomainError, StoreUnavailable, problem_kind
from api.store.base import AppendResult
from api.store.driver import ConstraintViolated
from api.store.metrics import WriterMetrics
from api.store.planner import Command

__all__ = ["GroupWriter"]

log = logging.getLogger("tidings.writer")

Commit = Callable[[Sequence[Command]], Awaitable[list[AppendResult | DomainError]]]


class GroupWriter:
    def __init__(self, commit: Commit, *, max_events: int = 10_000) -> None:
        self._commit = commit
        self._max_events = max_events
        self._queue: asyncio.Queue[tuple[Command, asyncio.Future[AppendResult]]] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None
        self._closing = False
        self.metrics = WriterMetrics()
        self.last_position = 0
        """The last committed position this writer saw (feeds and metrics read it)."""
        self.on_commit: list[Callable[[int], None]] = []
        """Called with the last position after each successful commit (wakes feed readers)."""

    @property
    def depth(self) -> int:
        return self._queue.qsize()

    def start(self) -> None:
        self._closing = False  # a store may be opened again after close()
        self._queue = asyncio.Queue()  # bound to the running loop
        self._task = asyncio.create_task(self._run(), name="tidings-writer")

    async def submit(self, command: Command) -> AppendResult:
        if self._closing or self._task is None or self._task.done():
            raise StoreUnavailable("The server is shutting down.")
        future: asyncio.Future[AppendResult] = asyncio.get_running_loop().create_future()
        self._queue.put_nowait((command, future))
        return await future

    async def close(self) -> None:
        """Stop taking commands, commit those already waiting, then stop."""
        self._closing = True
        if self._task is None:
            return
        await self._queue.join()
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        self._task = None

    async def _run(self) -> None:
        while True:
            group = [await self._queue.get()]
            events = len(group[0][0].events)
            while events < self._max_events and not self._queue.empty():
                item = self._queue.get_nowait()
                group.append(item)
                events += len(item[0].events)
            try:
                await self._commit_group(group, events)
            except Exception:  # a bug of ours: fail what is waiting, keep writing
                log.exception("writer failed on a group of %d appends", len(group))
                for _, future in group:
                    if not future.done():
                        future.set_exception(StoreUnavailable())
            finally:
                for _ in group:
                    self._queue.task_done()

    async def _commit_group(self, group: list[tuple[Command, asyncio.Future[AppendResult]]], events: int) -> None:
        started = time.perf_counter()
        outcomes: list[AppendResult | DomainError]
        try:
            outcomes = await self._commit([command for command, _ in group])
        except DomainError as error:  # StoreUnavailable among them: nothing of the group was stored
            outcomes = [error] * len(group)
        except ConstraintViolated:  # a command the planner let through broke a constraint of the database
            log.exception("commit of %d appends failed", len(group))
            outcomes = await self._one_by_one([command for command, _ in group])
        elapsed = time.perf_counter() - started
        last = 0
        for (_, future), outcome in zip(group, outcomes, strict=True):
            if isinstance(outcome, AppendResult) and outcome.events:
                last = max(last, max(e.position for e in outcome.events))
            if future.done():  # the client went away; its append stands and a retry replays it
                continue
            if isinstance(outcome, DomainError):
                future.set_exception(outcome)
            else:
                future.set_result(outcome)
        # Answers first; nothing below may take the writer down.
        try:
            if last > self.last_position:
                self.last_position = last
                for callback in self.on_commit:
                    callback(last)
            self._count(outcomes, len(group), events, elapsed)
        except Exception:
            log.exception("after-commit work failed")

    async def _one_by_one(self, commands: list[Command]) -> list[AppendResult | DomainError]:
        """Commit each command alone, so that one bad command fails only its own request."""
        if len(commands) == 1:
            return [StoreUnavailable()]
        outcomes: list[AppendResult | DomainError] = []
        for command in commands:
            try:
                outcomes.extend(await self._commit([command]))
            except DomainError as error:
                outcomes.append(error)
            except ConstraintViolated:
                log.exception("commit of one append failed")
                outcomes.append(StoreUnavailable())
        return outcomes

    def _count(self, outcomes: list[AppendResult | DomainError], commands: int, events: int, elapsed: float) -> None:
        metrics = self.metrics
        if any(isinstance(o, AppendResult) for o in outcomes):
            metrics.commit_seconds.observe(elapsed)
            metrics.group_commands.observe(commands)
            metrics.group_events.observe(events)
        appended: Counter[type] = Counter()  # counted per type first: one labels().inc() per type, not per event
        replays: Counter[type] = Counter()
        for outcome in outcomes:
            if isinstance(outcome, DomainError):
                metrics.refusals.labels(problem_kind(outcome).slug).inc()
                continue
            replayed = set(outcome.replayed)
            for index, stored in enumerate(outcome.events):
                (replays if index in replayed else appended)[type(stored.event)] += 1
        for counter, metric in ((appended, metrics.appends), (replays, metrics.replays)):
            for kind, n in counter.items():
                metric.labels(str(kind.__struct_config__.tag)).inc(n)  # type: ignore[attr-defined]
