"""The single writer: groups, answers each request with its own outcome, survives a bad command."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import pytest

from api.errors import DomainError, StoreUnavailable
from api.store.base import AppendResult
from api.store.driver import ConstraintViolated
from api.store.planner import Command
from api.store.writer import GroupWriter
from tests.factories import company_registered


class Poisoned(ConstraintViolated):
    pass


def command(company: str) -> Command:
    return Command([company_registered(company)])


async def test_a_command_that_breaks_a_group_fails_alone() -> None:
    groups: list[list[str]] = []

    async def commit(commands: Sequence[Command]) -> list[AppendResult | DomainError]:
        names = [c.events[0].company_id for c in commands]  # type: ignore[union-attr]
        groups.append(names)
        if "poison" in names:
            raise Poisoned
        return [AppendResult([], 1) for _ in commands]

    writer = GroupWriter(commit)
    writer.start()
    outcomes = await asyncio.gather(
        *(writer.submit(command(name)) for name in ("a", "poison", "b")), return_exceptions=True
    )
    await writer.close()

    assert isinstance(outcomes[0], AppendResult)
    assert isinstance(outcomes[1], StoreUnavailable)
    assert isinstance(outcomes[2], AppendResult)
    assert groups[0] == ["a", "poison", "b"], "concurrent commands are committed as one group first"


async def test_the_writer_keeps_writing_after_a_failed_group() -> None:
    calls = 0

    async def commit(commands: Sequence[Command]) -> list[AppendResult | DomainError]:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise Poisoned
        return [AppendResult([], 1) for _ in commands]

    writer = GroupWriter(commit)
    writer.start()
    with pytest.raises(StoreUnavailable):
        await writer.submit(command("a"))
    assert (await writer.submit(command("b"))).new == 1
    await writer.close()


async def test_submits_after_close_are_refused() -> None:
    async def commit(commands: Sequence[Command]) -> list[AppendResult | DomainError]:
        return [AppendResult([], 1) for _ in commands]

    writer = GroupWriter(commit)
    writer.start()
    await writer.close()
    with pytest.raises(StoreUnavailable):
        await writer.submit(command("a"))


async def test_a_closed_writer_can_be_started_again() -> None:
    async def commit(commands: Sequence[Command]) -> list[AppendResult | DomainError]:
        return [AppendResult([], 1) for _ in commands]

    writer = GroupWriter(commit)
    writer.start()
    await writer.close()
    writer.start()
    assert (await writer.submit(command("a"))).new == 1
    await writer.close()
