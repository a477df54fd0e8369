"""A random but reproducible history of company news, and what the read models must show after it.

``random_history(seed, size)`` draws registrations (some with parents), profile updates of registered companies,
executives, products, sales, plans, meetings, site visits, relationships, market positions,
evidence and retractions from one ``random.Random(seed)``. Alongside the events it keeps its
own model of the outcome (which company each event touches, which facts are retracted, how
many sources each fact has), so tests can check the store against it rather than against itself.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from uuid import UUID

import msgspec

from api.store.base import EventStore
from schema.base import Source
from schema.events import Event
from tests.factories import (
    company_registered,
    event_retracted,
    evidence_added,
    executive_reported,
    market_position_reported,
    meeting_held,
    plan_announced,
    product_launched,
    profile_updated,
    relationship_reported,
    sales_reported,
    site_visited,
)

__all__ = ["Fact", "History", "random_history"]

_COMPANIES = [f"company-{n:02d}" for n in range(1, 15)]
_PEOPLE = [f"person-{n}" for n in range(1, 13)]
_PRODUCTS = [None, None, "Model A", "Model B", "Model C"]
_LANGUAGES = ["de", "en", "es", "zh"]


@dataclass(slots=True)
class Fact:
    """An event that is a fact (not evidence, not a retraction), as the model sees it."""

    type: str
    companies: tuple[str, ...]
    sources: int
    retracted: bool = False


@dataclass(slots=True)
class History:
    seed: int
    events: list[Event] = field(default_factory=list)
    facts: dict[UUID, Fact] = field(default_factory=dict)
    versions: dict[str, int] = field(default_factory=dict)
    """Events touching each company: its facts, and evidence for and retractions of them."""

    def live_facts(self, company_id: str) -> dict[UUID, Fact]:
        return {i: f for i, f in self.facts.items() if company_id in f.companies and not f.retracted}

    async def append_to(self, store: EventStore, rng: random.Random) -> None:
        """Append the events in chunks of random size, single appends and batches, resending some."""
        start = 0
        sent: list[list[Event]] = []
        while start < len(self.events):
            chunk = self.events[start : start + rng.choice([1, 1, 2, 5, 20, 60])]
            start += len(chunk)
            result = await (store.append(chunk) if len(chunk) == 1 else store.append_batch(chunk))
            assert result.new == len(chunk), f"seed {self.seed}: chunk at {start - len(chunk)} was not stored whole"
            sent.append(chunk)
            if rng.random() < 0.05:
                replay = await store.append_batch(rng.choice(sent))
                assert replay.new == 0, f"seed {self.seed}: a resent chunk stored new events"


def random_history(seed: int, size: int) -> History:
    """About ``size`` events, every one of them valid when appended in order."""
    return _Generator(seed).run(size)


class _Generator:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.history = History(seed)
        self.registered: list[str] = []

    def run(self, size: int) -> History:
        for company in _COMPANIES[:3]:
            self._register(company)
        kinds: list[tuple[Callable[[], None], int]] = [
            (self._registration, 5),
            (self._executive, 6),
            (self._product, 4),
            (self._sales, 14),
            (self._plan, 8),
            (self._meeting, 8),
            (self._visit, 5),
            (self._relationship, 8),
            (self._market, 4),
            (self._evidence, 8),
            (self._retraction, 6),
        ]
        actions = [action for action, _ in kinds]
        weights = [weight for _, weight in kinds]
        while len(self.history.events) < size:
            self.rng.choices(actions, weights)[0]()
        return self.history

    # -- drawing values ------------------------------------------------------------------

    def _id(self) -> UUID:
        return UUID(int=self.rng.getrandbits(128), version=4)

    def _company(self) -> str:
        return self.rng.choice(self.registered)

    def _companies(self, count: int) -> list[str]:
        return self.rng.sample(self.registered, count)

    def _sources(self) -> list[Source]:
        return [
            Source(
                title=f"Article {self.rng.randrange(1000)}",
                publisher=self.rng.choice(["Daily", "Weekly", "Wire"]),
                language=self.rng.choice(_LANGUAGES),
            )
            for _ in range(self.rng.choice([1, 1, 1, 2, 3]))
        ]

    def _year(self) -> int:
        return self.rng.randrange(2017, 2032)

    def _date(self) -> str:
        year, precision = self._year(), self.rng.randrange(3)
        month, day = self.rng.randrange(1, 13), self.rng.randrange(1, 29)
        return [f"{year}", f"{year}-{month:02d}", f"{year}-{month:02d}-{day:02d}"][precision]

    def _period(self) -> str:
        year, precision = self._year(), self.rng.randrange(3)
        return [f"{year}", f"{year}-Q{self.rng.randrange(1, 5)}", f"{year}-{self.rng.randrange(1, 13):02d}"][precision]

    # -- recording -----------------------------------------------------------------------

    def _add(self, event: Event, companies: list[str]) -> None:
        """Record a fact; ``event`` must carry its id and sources."""
        assert event.id is not None
        touched = tuple(dict.fromkeys(companies))
        self.history.events.append(event)
        self.history.facts[event.id] = Fact(str(event.__struct_config__.tag), touched, len(event.sources))
        for company in touched:
            self.history.versions[company] = self.history.versions.get(company, 0) + 1

    def _about(self, event: Event, target: UUID) -> None:
        """Record evidence for or a retraction of ``target``: it touches the target's companies."""
        self.history.events.append(event)
        for company in self.history.facts[target].companies:
            self.history.versions[company] += 1

    # -- the events ----------------------------------------------------------------------

    def _register(self, company: str, parent: str | None = None) -> None:
        if company in self.registered:
            # A registered company is never registered again (409): what changed is a profile update.
            country = self.rng.choice(["CN", "KR", "DE"])
            update = profile_updated(company, country=country, sectors_added=["batteries"], id=self._id())
            self._add(_with_sources(update, self._sources()), [company])
            return
        event = company_registered(
            company, parent_id=parent, country=self.rng.choice(["CN", "KR", "DE"]), id=self._id()
        )
        self._add(_with_sources(event, self._sources()), [company] + ([parent] if parent else []))
        if company not in self.registered:
            self.registered.append(company)

    def _registration(self) -> None:
        unregistered = [c for c in _COMPANIES if c not in self.registered]
        company = unregistered[0] if unregistered and self.rng.random() < 0.6 else self._company()
        others = [c for c in self.registered if c != company]
        parent = self.rng.choice(others) if others and self.rng.random() < 0.3 else None
        self._register(company, parent)

    def _executive(self) -> None:
        company = self._company()
        role = self.rng.choice(["CEO", "CFO", "President", "Chairman"])
        event = executive_reported(company, self.rng.choice(_PEOPLE), role=role, id=self._id())
        self._add(_with_sources(event, self._sources()), [company])

    def _product(self) -> None:
        company = self._company()
        event = product_launched(company, self.rng.choice(["Model A", "Model B", "Phone X"]), launched_on=self._date())
        self._add(_with_sources(event, self._sources(), self._id()), [company])

    def _sales(self) -> None:
        company = self._company()
        units = self.rng.randrange(0, 500_000) if self.rng.random() < 0.8 else None
        revenue = None if units is not None and self.rng.random() < 0.5 else str(self.rng.randrange(1, 10**10))
        event = sales_reported(
            company,
            self._period(),
            units=units,
            revenue=revenue,
            currency=self.rng.choice(["USD", "USD", "EUR"]),
            approximate=self.rng.random() < 0.3,
            product=self.rng.choice(_PRODUCTS),
            id=self._id(),
            sources=self._sources(),
        )
        self._add(event, [company])

    def _plan(self) -> None:
        company = self._company()
        target = str(self.rng.randrange(1, 1_000_000)) if self.rng.random() < 0.8 else None
        currency = self.rng.choice([None, None, "USD"]) if target else None
        # Dues are years or months, not quarters: a quarter plan next to a year figure makes plans.build
        # raise (test_plans.py::test_quarter_plan_is_not_measured_by_a_figure_for_the_whole_year).
        due = self._period().replace("-Q", "-0")
        event = plan_announced(
            company,
            f"plan-{self.rng.randrange(1, 5)}",
            due=due,
            target=target,
            currency=currency,
            id=self._id(),
        )
        self._add(_with_sources(event, self._sources()), [company])

    def _meeting(self) -> None:
        if len(self.registered) < 2:
            return
        companies = self._companies(self.rng.choice([2, 2, 3]))
        event = meeting_held(
            *companies, occurred_on=self._date(), city=self.rng.choice([None, "Beijing", "Seoul"]), id=self._id()
        )
        self._add(_with_sources(event, self._sources()), companies)

    def _visit(self) -> None:
        if len(self.registered) < 2:
            return
        visitor, host = self._companies(2)
        event = site_visited(visitor, host, occurred_on=self._date(), id=self._id())
        self._add(_with_sources(event, self._sources()), [visitor, host])

    def _relationship(self) -> None:
        if len(self.registered) < 2:
            return
        supplier, customer = self._companies(2)
        event = relationship_reported(
            supplier,
            customer,
            kind=self.rng.choice(["supplies", "supplies", "partners_with", "competes_with"]),
            status=self.rng.choice(["active", "potential", "ended"]),
            components=self.rng.sample(["chips", "batteries", "displays", "NAND"], self.rng.randrange(0, 3)),
            id=self._id(),
        )
        self._add(_with_sources(event, self._sources()), [supplier, customer])

    def _market(self) -> None:
        companies = self._companies(min(len(self.registered), self.rng.choice([1, 2, 3])))
        event = market_position_reported(*companies, region=self.rng.choice(["China", "Europe"]))
        self._add(_with_sources(event, self._sources(), self._id()), companies)

    def _evidence(self) -> None:
        targets = [i for i, f in self.history.facts.items() if not f.retracted]
        target = self.rng.choice(targets)
        sources = self._sources()
        self.history.facts[target].sources += len(sources)
        self._about(evidence_added(target, sources=sources, id=self._id()), target)

    def _retraction(self) -> None:
        targets = [i for i, f in self.history.facts.items() if not f.retracted and f.type != "company_registered"]
        if not targets:
            return
        target = self.rng.choice(targets)
        self.history.facts[target].retracted = True
        self._about(event_retracted(target, id=self._id()), target)


def _with_sources(event: Event, sources: list[Source], id: UUID | None = None) -> Event:
    changes: dict[str, object] = {"sources": sources}
    if id is not None:
        changes["id"] = id
    return msgspec.structs.replace(event, **changes)
