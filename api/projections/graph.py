"""The relationship graph read model: edges of one company from its rows, gathered company by company.

A company's rows give its relationships (resolved by the claim rule), its parent and
subsidiaries, its meetings and visits, and its executives. ``GraphBuilder`` gathers them from
every company a read visits; an edge seen from both of its companies is one edge.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field

from api.projections import deals, profile, relationships
from api.projections.company_rows import CompanyRows
from api.projections.registry import ReadModel
from schema.base import Certainty
from schema.dossiers import Fact, MeetingItem, Relationship
from schema.events import CompanyRegistered
from schema.graph import EdgeKind, Graph, GraphEdge, GraphNode

__all__ = ["READ_MODEL", "Filters", "GraphBuilder", "Reader", "around", "of_companies"]

Reader = Callable[[str], Awaitable[tuple[CompanyRows, dict[str, CompanyRegistered]] | None]]
"""Reads the graph read model of one company (None when it is not registered at the read point)."""

_CERTAINTY = {"speculative": 0, "reported": 1, "confirmed": 2}


@dataclass(frozen=True, slots=True)
class Filters:
    """Which facts make edges: of these kinds, relationship statuses and certainties (empty: any)."""

    kinds: frozenset[str] = frozenset()
    statuses: frozenset[str] = frozenset()
    certainties: frozenset[str] = frozenset()

    def keeps(self, kind: EdgeKind, certainty: str, status: str | None) -> bool:
        return (
            (not self.kinds or kind in self.kinds)
            and (not self.certainties or certainty in self.certainties)
            and (not self.statuses or status in self.statuses)
        )


@dataclass(slots=True)
class _Edge:
    kind: EdgeKind
    status: str | None = None
    role: str | None = None
    certainty: str = "speculative"
    sources: dict[int, int] = field(default_factory=dict)
    """Position of each fact -> its source count."""

    def add(self, position: int, certainty: str, source_count: int) -> None:
        self.sources[position] = source_count
        if _CERTAINTY[certainty] > _CERTAINTY[self.certainty]:
            self.certainty = certainty


def _company(company_id: str) -> str:
    return f"company:{company_id}"


def _person(person_id: str) -> str:
    return f"person:{person_id}"


@dataclass(slots=True)
class GraphBuilder:
    filters: Filters = Filters()
    names: dict[str, str | None] = field(default_factory=dict)
    """Node id -> name, for every node an edge reaches (and the companies asked for)."""
    _edges: dict[tuple[str, str, str], _Edge] = field(default_factory=dict)

    def add_company(self, data: CompanyRows, registrations: dict[str, CompanyRegistered]) -> set[str]:
        """The company's edges, as its rows give them; returns the companies they reach."""
        me = data.company_id
        self._name(_company(me), registrations)
        reached: set[str] = set()
        for rel in relationships.relationships(data):
            if rel.direction == "outgoing" or rel.kind != "supplies":
                source, target = me, rel.counterparty
            else:
                source, target = rel.counterparty, me
            if self._link(_company(source), _company(target), rel.kind, rel, status=rel.status, claims=rel.claims):
                reached.add(rel.counterparty)
        reached |= self._parents(data, registrations)
        for meeting in data.facts("meeting", MeetingItem):
            reached |= self._meeting(me, meeting)
        for executive in profile.executives(data):
            person = _person(executive.person_id)
            if self._link(
                person, _company(me), "executive_of", executive, role=executive.role, claims=executive.claims
            ):
                self.names[person] = executive.name
        for company in reached:
            self._name(_company(company), registrations)
        return reached

    def _parents(self, data: CompanyRows, registrations: dict[str, CompanyRegistered]) -> set[str]:
        """parent_of edges: to the company from its parent (its latest registration names it), and from
        it to each company whose latest registration names it as parent."""
        me = data.company_id
        latest: dict[tuple[str, str], int] = {}
        for row in data.rows:
            if row.view == "registration":
                latest[("parent", me)] = row.position
            elif row.view == "subsidiary":
                latest[("child", row.key)] = max(row.position, latest.get(("child", row.key), 0))
        reached = set()
        own = registrations.get(me)
        # (parent, child, certainty, source count, position): by registration, or by a completed acquisition.
        links: list[tuple[str, str, Certainty, int, int]] = []
        acquired = deals.ownership(data, "owned_by")
        if acquired:
            deal = acquired[-1]
            links.append((deal.acquirer_company_id, me, deal.certainty, deal.source_count, deal.position))
        elif own is not None and own.parent_id:
            links.append((own.parent_id, me, own.certainty, len(own.sources), latest.get(("parent", me), 0)))
        registered = {
            child: position
            for (side, child), position in latest.items()
            if side == "child" and (found := registrations.get(child)) is not None and found.parent_id == me
        }
        for child, by in deals.subsidiaries(data, registered).items():
            if by is not None:
                links.append((me, child, by.certainty, by.source_count, by.position))
            else:
                child_registration = registrations[child]
                certainty, count = child_registration.certainty, len(child_registration.sources)
                links.append((me, child, certainty, count, registered[child]))
        for parent, child, certainty, count, position in links:
            if position and self.filters.keeps("parent_of", certainty, None):
                self._edge(_company(parent), _company(child), "parent_of").add(position, certainty, count)
                reached.add(child if parent == me else parent)
        return reached

    def _meeting(self, me: str, meeting: MeetingItem) -> set[str]:
        if meeting.kind == "site_visit":
            kind: EdgeKind = "visited"
            others = meeting.counterparties
            pairs = [
                (_company(me), _company(o)) if meeting.role == "visitor" else (_company(o), _company(me))
                for o in others
            ]
        else:
            kind = "met"
            others = meeting.counterparties
            pairs = [_pair(_company(me), _company(o)) for o in others]
            people = sorted({p.person_id for p in meeting.participants if p.person_id is not None})
            pairs += [_pair(_person(a), _person(b)) for i, a in enumerate(people) for b in people[i + 1 :]]
        if not self.filters.keeps(kind, meeting.certainty, None):
            return set()
        for source, target in pairs:
            self._edge(source, target, kind).add(meeting.position, meeting.certainty, meeting.source_count)
            for node in (source, target):
                self.names.setdefault(node, None)
        return set(others)

    def _link(
        self,
        source: str,
        target: str,
        kind: EdgeKind,
        chosen: Fact,
        *,
        claims: Iterable[Fact],
        status: str | None = None,
        role: str | None = None,
    ) -> bool:
        if not self.filters.keeps(kind, chosen.certainty, status):
            return False
        if kind in ("partners_with", "competes_with"):
            source, target = _pair(source, target)
        edge = self._edge(source, target, kind)
        edge.status, edge.role, edge.certainty = status, role, chosen.certainty
        for claim in claims:
            edge.sources[claim.position] = claim.source_count
        for node in (source, target):
            self.names.setdefault(node, None)
        return True

    def _edge(self, source: str, target: str, kind: EdgeKind) -> _Edge:
        found = self._edges.get((source, target, kind))
        if found is None:
            found = self._edges[(source, target, kind)] = _Edge(kind)
        return found

    def _name(self, node: str, registrations: dict[str, CompanyRegistered]) -> None:
        registered = registrations.get(node.removeprefix("company:"))
        if registered is not None:
            self.names[node] = registered.name
        else:
            self.names.setdefault(node, None)

    def graph(self, company: str | None, depth: int | None, **known: object) -> Graph:
        nodes = [
            GraphNode(
                id=node,
                kind="company" if node.startswith("company:") else "person",
                key=node.partition(":")[2],
                name=name,
            )
            for node, name in sorted(self.names.items())
        ]
        edges = [
            GraphEdge(
                source=source,
                target=target,
                kind=edge.kind,
                status=edge.status,  # type: ignore[arg-type]
                role=edge.role,
                certainty=edge.certainty,  # type: ignore[arg-type]
                facts=len(edge.sources),
                source_count=sum(edge.sources.values()),
                positions=sorted(edge.sources),
            )
            for (source, target, _), edge in sorted(self._edges.items())
        ]
        return Graph(company=company, depth=depth, nodes=nodes, edges=edges, **known)  # type: ignore[arg-type]


async def around(read: Reader, builder: GraphBuilder, company: str, depth: int) -> bool:
    """Gather the companies up to ``depth`` links from ``company``, walking the edges the filters keep;
    False when ``company`` is not registered."""
    frontier, seen = [company], set[str]()
    for _ in range(depth):
        reached: set[str] = set()
        for current in frontier:
            seen.add(current)
            found = await read(current)
            if found is None:
                if current == company:
                    return False
                continue
            reached |= builder.add_company(*found)
        frontier = sorted(reached - seen)
    return True


async def of_companies(read: Reader, builder: GraphBuilder, companies: Iterable[str]) -> None:
    """Gather every edge of these companies."""
    for company in companies:
        found = await read(company)
        if found is not None:
            builder.add_company(*found)


def _pair(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a <= b else (b, a)


def _referenced(data: CompanyRows) -> set[str]:
    """Every company the graph names from these rows, for their names."""
    names = set(profile.referenced(data))
    names |= {r.counterparty for r in data.facts("relationship", Relationship)}
    names |= {c for m in data.facts("meeting", MeetingItem) for c in m.counterparties}
    return names


READ_MODEL = ReadModel(
    "graph",
    reads=("registration", "subsidiary", "relationship", "meeting", "executive", "owned_by", "holding", "divested"),
    referenced=_referenced,
)
