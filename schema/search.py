"""Full-text search as JSON shapes: typed, ranked hits with a highlighted snippet and a link."""

from __future__ import annotations

from typing import Annotated, Literal

from msgspec import Meta

from schema.base import MAX_SAFE_INT, Base, Position

__all__ = ["SearchHit", "SearchKind", "SearchPage"]

SearchKind = Literal["company", "person", "event"]
"""What a hit is: a company (name, aliases), a person (name, role) or an event (everything it says)."""


class SearchHit(Base, frozen=True):
    """One document that matches every word of the query, at the read point."""

    kind: SearchKind
    id: Annotated[
        str,
        Meta(
            max_length=64,
            description="The company id, the person id or the event id (a UUID), by `kind`.",
            examples=["0195bb26-3c00-7009-8a1d-5e3d00000009"],
        ),
    ]
    title: Annotated[str, Meta(description="What the hit is, in a line: a name, or the event said in brief.")]
    snippet: Annotated[
        str,
        Meta(
            description=(
                "The text that matched, cut to about 200 characters around the first match, as HTML: each "
                "matching word is wrapped in `<mark>` and `</mark>`, and `&`, `<` and `>` of the text are "
                "escaped (`&amp;`, `&lt;`, `&gt;`). `…` marks where the text was cut."
            ),
            examples=["… held within the <mark>China</mark> <mark>Development</mark> <mark>Forum</mark>, an annual …"],
        ),
    ]
    link: Annotated[
        str,
        Meta(
            description="The resource's path: /companies/{id}, /people/{id} or /events/{id}.",
            examples=["/events/0195bb26-3c00-7009-8a1d-5e3d00000009"],
        ),
    ]
    score: Annotated[
        float,
        Meta(
            ge=0,
            description=(
                "Relevance, higher first: BM25 on SQLite, ts_rank on PostgreSQL, so compare scores within one "
                "answer only (the two backends may order close hits differently)."
            ),
        ),
    ]
    position: Position
    """The position of the event the hit comes from (for a company or person, the best-matching report)."""


class SearchPage(Base, frozen=True):
    """Hits, most relevant first. Pass ``next_offset`` as ``offset`` (with ``at_position``) for the next page."""

    items: list[SearchHit]
    at_position: Annotated[
        int,
        Meta(ge=0, le=MAX_SAFE_INT, description="The position the search read at: pass it on to page consistently."),
    ]
    next_offset: Annotated[int, Meta(ge=0, le=MAX_SAFE_INT)] | None
    """Null when no more hits follow."""
