"""Decides, in memory, what a group of append commands does — the same rules for every backend.

A backend opens a write transaction, fetches the ``Snapshot`` that ``needs()`` asks
for, lets ``plan()`` decide each command's outcome (stored, replayed or refused with
a DomainError), then writes the plan's rows and commits. A refused command leaves no
row behind, so no savepoints are needed, and every command sees the ones accepted
before it in the same group (an id, a registration, a version).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

import msgspec

from api.errors import AlreadyRegistered, AlreadyRetracted, DomainError, IdConflict, InvalidInput, VersionMismatch
from api.projections.registry import Fold
from api.projections.row import Row
from api.store.base import AppendResult, Expectation
from api.store.hashing import event_hash
from schema.codec import encode_event, uuid7
from schema.declarations import tag
from schema.events import Event, StoredEvent
from schema.problems import FieldError

__all__ = ["Command", "Known", "Needs", "Plan", "Snapshot", "needs", "plan", "versioned"]


@dataclass(slots=True)
class Command:
    """One append request: its events, an optional precondition, and how its paths read in errors."""

    events: Sequence[Event]
    expected: Expectation | None = None
    batch: bool = False

    def path(self, index: int, field_name: str) -> str:
        root = f"$.events[{index}]" if self.batch else "$"
        return f"{root}.{field_name}"


@dataclass(frozen=True, slots=True)
class Known:
    """An event already in the log, as far as the rules need it."""

    stored: StoredEvent
    companies: tuple[str, ...]
    retracted_by: int | None


@dataclass(slots=True)
class Needs:
    """What a group must look up: event ids (own and targets) and company ids."""

    event_ids: set[UUID] = field(default_factory=set)
    company_ids: set[str] = field(default_factory=set)


@dataclass(slots=True)
class Snapshot:
    """The state ``plan()`` starts from, read inside the write transaction."""

    last_position: int
    last_recorded_at: datetime | None
    known: dict[UUID, Known]
    versions: dict[str, int]
    """Registered companies among those needed, with their versions; absent means not registered."""


@dataclass(slots=True)
class Plan:
    outcomes: list[AppendResult | DomainError] = field(default_factory=list)
    stored: list[StoredEvent] = field(default_factory=list)
    bodies: list[bytes] = field(default_factory=list)
    touches: list[tuple[str, int]] = field(default_factory=list)
    """(company_id, position) for every company each new event touches."""
    versions: dict[str, tuple[int, int]] = field(default_factory=dict)
    """company_id -> (version, last_position) after the group."""
    retractions: list[tuple[int, int]] = field(default_factory=list)
    """(retracted position, retracting position)."""
    rows: list[Row] = field(default_factory=list)
    """Read-model rows of the new events (none when ``plan`` was given no fold: see ``pending``)."""
    pending: list[tuple[StoredEvent, tuple[str, ...], int | None]] = field(default_factory=list)
    """The new events as a fold takes them (stored without the hash, touched companies, target's
    position), when ``plan`` was given no fold: the caller folds them (api.store.bulk_fold)."""


def needs(commands: Sequence[Command]) -> Needs:
    result = Needs()
    for command in commands:
        if command.expected is not None:
            result.company_ids.add(command.expected.company_id)
        for event in command.events:
            if event.id is not None:
                result.event_ids.add(event.id)
            if (target := event.target_id()) is not None:
                result.event_ids.add(target)
            if (linked := event.linked_id()) is not None:
                result.event_ids.add(linked)
            result.company_ids.update(event.companies_named())
    return result


def versioned(need: Needs, known: dict[UUID, Known]) -> set[str]:
    """Companies whose versions a group needs: those it names, and those its evidence and retraction targets touch."""
    return need.company_ids | {company for target in known.values() for company in target.companies}


def plan(commands: Sequence[Command], snapshot: Snapshot, now: datetime, project: Fold | None) -> Plan:
    """Decide every command in order; accepted ones become events and their read-model rows (``project``;
    without it, ``pending`` folds), refused ones an error each."""
    # Transaction time never runs backwards, so as_of reads agree with position order.
    recorded_at = now if snapshot.last_recorded_at is None else max(now, snapshot.last_recorded_at)
    state = _State(snapshot, recorded_at)
    result = Plan()
    for command in commands:
        try:
            result.outcomes.append(state.apply(command))
        except DomainError as error:
            state.rollback()
            result.outcomes.append(error)
        else:
            state.commit()
    return state.write_into(result, project)


class _State:
    """Working state of one group; ``apply`` stages a command, ``commit``/``rollback`` settle it."""

    def __init__(self, snapshot: Snapshot, recorded_at: datetime) -> None:
        self.recorded_at = recorded_at
        self.position = snapshot.last_position
        self.known = snapshot.known
        self.versions: dict[str, int] = dict(snapshot.versions)
        self.last_positions: dict[str, int] = {}
        self.accepted: list[tuple[StoredEvent, bytes, tuple[str, ...], int | None]] = []
        self.retractions: list[tuple[int, int]] = []
        self._staged: list[tuple[StoredEvent, bytes, tuple[str, ...], int | None]] = []
        self._staged_retractions: list[tuple[int, int]] = []
        self._saved: tuple[int, dict[str, int], dict[str, int]] = (0, {}, {})

    def apply(self, command: Command) -> AppendResult:
        self._saved = (self.position, dict(self.versions), dict(self.last_positions))
        self._staged, self._staged_retractions = [], []
        staged_ids: dict[UUID, Known] = {}
        results: list[StoredEvent] = []
        replayed: list[int] = []
        new = 0
        errors: list[FieldError] = []
        if command.expected is not None:
            if self._all_replays(command):
                # A retry of a stored append gets the original even though the version has
                # moved on since: idempotency comes before the precondition.
                originals = [self.known[e.id].stored for e in command.events if e.id is not None]
                return AppendResult(originals, 0, tuple(range(len(originals))))
            self._check_expected(command)
        for index, event in enumerate(command.events):
            if event.id is not None:
                if event.id in staged_ids:
                    errors.append(FieldError(command.path(index, "id"), "the same id appears twice in this batch"))
                    continue
                prior = self.known.get(event.id)
                if prior is not None:
                    if prior.stored.event != event:
                        raise IdConflict(str(event.id))
                    results.append(prior.stored)
                    replayed.append(index)
                    continue
            else:
                event = msgspec.structs.replace(event, id=uuid7())
            touched, target = self._check(command, index, event, staged_ids, errors)
            if errors:
                continue
            self.position += 1
            digest = event_hash(self.position, self.recorded_at, event).hex()
            stored = StoredEvent(position=self.position, recorded_at=self.recorded_at, event=event, hash=digest)
            known = Known(stored, touched, None)
            assert event.id is not None
            staged_ids[event.id] = known
            for company in touched:
                self.versions[company] = self.versions.get(company, 0) + 1
                self.last_positions[company] = self.position
            if event.retracts and target is not None:
                self._staged_retractions.append((target, self.position))
            self._staged.append((stored, encode_event(event), touched, target))
            results.append(stored)
            new += 1
        if errors:
            raise InvalidInput(errors)
        if command.expected is not None and not any(command.expected.company_id in item[2] for item in self._staged):
            raise InvalidInput([FieldError("$", f"the event does not name company {command.expected.company_id}")])
        self.known.update(staged_ids)
        return AppendResult(results, new, tuple(replayed))

    def commit(self) -> None:
        self.accepted.extend(self._staged)
        self.retractions.extend(self._staged_retractions)
        for target, by in self._staged_retractions:
            for event_id, known in self.known.items():
                if known.stored.position == target:
                    self.known[event_id] = Known(known.stored, known.companies, by)
                    break

    def rollback(self) -> None:
        for stored, _, _, _ in self._staged:
            assert stored.event.id is not None
            self.known.pop(stored.event.id, None)
        self.position, self.versions, self.last_positions = self._saved

    def _all_replays(self, command: Command) -> bool:
        return all(
            event.id is not None and (known := self.known.get(event.id)) is not None and known.stored.event == event
            for event in command.events
        )

    def _check_expected(self, command: Command) -> None:
        assert command.expected is not None
        actual = self.versions.get(command.expected.company_id, 0)
        if actual != command.expected.version:
            raise VersionMismatch(command.expected.company_id, command.expected.version, actual)

    def _check(
        self,
        command: Command,
        index: int,
        event: Event,
        staged: dict[UUID, Known],
        errors: list[FieldError],
    ) -> tuple[tuple[str, ...], int | None]:
        """Rules that need the log: registered companies, and a valid target for evidence or retraction."""
        named = event.companies_named()
        registering = None if event.registers is None else getattr(event, event.registers)
        for field_name, company in event.company_refs():
            if company != registering and company not in self.versions:
                errors.append(FieldError(command.path(index, field_name), f"company {company} is not registered"))
        if registering is not None:
            if registering in self.versions:
                # New appends only: a store that already holds a second registration still reads it (the latest wins).
                raise AlreadyRegistered(registering, command.path(index, event.registers or ""))
            self.versions[registering] = 0
        target_id = event.target_id()
        if target_id is None:
            return self._linked(command, index, event, staged, named, errors), None
        target = staged.get(target_id) or self.known.get(target_id)
        path = command.path(index, "event_id")
        if target is None:
            errors.append(FieldError(path, f"no event with id {target_id} is stored"))
            return (), None
        kind = type(target.stored.event)
        if kind.targets is not None:
            errors.append(FieldError(path, f"a {tag(kind)} event cannot be the target"))
            return (), None
        if event.retracts and not kind.retractable:
            errors.append(
                FieldError(
                    path,
                    "a registration cannot be retracted; correct the profile with profile_updated, company_renamed or identifier_added",
                )
            )
            return (), None
        retracted_by = target.retracted_by or next(
            (by for pos, by in self._staged_retractions if pos == target.stored.position), None
        )
        if retracted_by is not None:
            if event.retracts:
                raise AlreadyRetracted(str(target_id), retracted_by)
            errors.append(FieldError(path, f"event {target_id} was retracted"))
            return (), None
        return target.companies, target.stored.position

    def _linked(
        self,
        command: Command,
        index: int,
        event: Event,
        staged: dict[UUID, Known],
        named: list[str],
        errors: list[FieldError],
    ) -> tuple[str, ...]:
        """The companies an event touches: those it names and, when it links to an earlier event
        (``links``: a completion to its announcement), that event's, which must be stored, of the
        declared type and not retracted."""
        linked_id = event.linked_id()
        if linked_id is None or event.links is None:
            return tuple(named)
        field_name, wanted = event.links
        path = command.path(index, field_name)
        linked = staged.get(linked_id) or self.known.get(linked_id)
        if linked is None:
            errors.append(FieldError(path, f"no event with id {linked_id} is stored"))
            return ()
        kind = tag(linked.stored.event)
        if kind != wanted:
            errors.append(FieldError(path, f"event {linked_id} is not {_a(wanted)} but {_a(kind)}"))
            return ()
        retracted = linked.retracted_by or next(
            (by for pos, by in self._staged_retractions if pos == linked.stored.position), None
        )
        if retracted is not None:
            errors.append(FieldError(path, f"event {linked_id} was retracted"))
            return ()
        return tuple(dict.fromkeys((*named, *linked.companies)))

    def write_into(self, result: Plan, project: Fold | None) -> Plan:
        for stored, body, touched, target in self.accepted:
            result.stored.append(stored)
            result.bodies.append(body)
            result.touches.extend((company, stored.position) for company in touched)
            # Read models hold events as a fold reads them from the log: without their hash.
            unhashed = msgspec.structs.replace(stored, hash=None)
            if project is None:
                result.pending.append((unhashed, touched, target))
            else:
                result.rows.extend(project(unhashed, touched, target))
        result.retractions = self.retractions
        for company, last in self.last_positions.items():
            result.versions[company] = (self.versions[company], last)
        return result


def _a(word: str) -> str:
    return f"{'an' if word[0] in 'aeiou' else 'a'} {word}"
