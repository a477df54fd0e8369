"""The relationship graph as JSON: companies and people as nodes, what links them as edges."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from msgspec import Meta

from schema.base import Base, Certainty, CompanyId, Position, Slug
from schema.dossiers import RelationshipStatus
from schema.facts import Tally

__all__ = ["EdgeKind", "Graph", "GraphEdge", "GraphNode", "NodeKind"]

NodeKind = Literal["company", "person"]
EdgeKind = Literal["supplies", "partners_with", "competes_with", "parent_of", "met", "visited", "executive_of"]
"""``supplies`` runs from supplier to customer, ``parent_of`` from parent to subsidiary, ``visited``
from the visitor to the host, ``executive_of`` from a person to the company; ``partners_with``,
``competes_with`` and ``met`` go both ways (their source is the smaller id)."""
NodeId = Annotated[str, Meta(pattern=r"^(company|person):[a-z0-9]+(-[a-z0-9]+)*$", examples=["company:xiaomi"])]


class GraphNode(Base, frozen=True):
    id: NodeId
    """``company:<company_id>`` or ``person:<person_id>``: unique across both kinds."""
    kind: NodeKind
    key: Slug
    """The company id or person id."""
    name: str | None
    """The company's registered name, the person's name where a role gives it; else null."""


class GraphEdge(Base, frozen=True):
    """One link between two nodes, made of every fact of its kind between them."""

    source: NodeId
    target: NodeId
    kind: EdgeKind
    status: RelationshipStatus | None
    """For supplies, partners_with and competes_with: the status the claim rule chose."""
    role: str | None
    """For executive_of: the role the claim rule chose."""
    certainty: Certainty
    """The best certainty among its facts (for a relationship or role: the chosen claim's)."""
    facts: Tally
    """How many facts make the edge (meetings between two companies count one each)."""
    source_count: Tally
    """Sources behind its facts, evidence included."""
    positions: list[Position]
    """The positions of its facts (for a relationship or role: of every claim), ascending."""


class Graph(Base, frozen=True):
    """Nodes by id; edges by source, target and kind."""

    company: CompanyId | None
    """The company the graph is around; null for the whole store."""
    depth: Annotated[int, Meta(ge=1, le=3)] | None
    nodes: list[GraphNode]
    edges: list[GraphEdge]
    known_on: date | None = None
    """The day of publication the answer is as known on (the ``known_on`` parameter); null without it."""
