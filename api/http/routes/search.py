"""GET /search: full-text search over companies, people and events, ranked, at a read point."""

from __future__ import annotations

import json
from typing import Annotated, Any
from urllib.parse import urlencode

from litestar import Request, Response, get
from litestar.datastructures import ResponseHeader
from litestar.di import NamedDependency
from litestar.params import QueryParameter

from api.errors import InvalidInput
from api.http.openapi.extras import Extras, Link
from api.http.routes.injected import Store
from api.http.routes.read_point import READ_POINT
from api.http.routes.responses import problems
from api.projections import search, words
from api.store.readpoint import ReadPoint
from schema.base import MAX_SAFE_INT
from schema.problems import FieldError
from schema.search import SearchPage

__all__ = ["search_handlers"]

MOST_HITS = 100


@get(
    "/search",
    operation_id="search",
    tags=["search"],
    summary="Search companies, people and events",
    description=(
        "Full-text search over company names and aliases, people, products, notes, occasions, source titles and "
        "every other text an event holds. `q` is plain words, every one of which must match (punctuation and "
        "quotes are no syntax): case and accents aside (`vehiculos` finds `Vehículos`; `ä`, `ö`, `ü` may be "
        "written `ae`, `oe`, `ue`), a word of three letters or more also matches the start of a longer word "
        "(`vehiculo`), and one of four or more a part inside a compound (`fabrik` in `Autofabrik`; a hyphen "
        "splits words anyway: `EV-Fabrik`). Hits are typed (`company`, `person`, `event`), most relevant first, "
        "with a highlighted snippet and the link to the resource; retracted events are not found. Reads at "
        '`at_position` or `as_of`. Continue with `offset=next_offset` and the answer\'s `at_position`; `Link: rel="next"` '
        "says the same."
    ),
    dependencies=READ_POINT,
    response_headers=[
        ResponseHeader(name="Link", description='`<...>; rel="next"` when more follow.', documentation_only=True)
    ],
    opt={
        "openapi": Extras(
            links={
                "NextPage": Link(
                    parameters={
                        "q": "$request.query.q",
                        "offset": "$response.body#/next_offset",
                        "at_position": "$response.body#/at_position",
                    }
                )
            }
        )
    },
    responses=problems(422, 503),
)
async def search_store(
    request: Request[Any, Any, Any],
    store: Store,
    point: NamedDependency[ReadPoint],
    q: Annotated[
        str,
        QueryParameter(
            min_length=1,
            max_length=200,
            pattern=r"^[^\x00-\x1f\x7f]+$",
            description="Plain words; a hit matches every one of them.",
        ),
    ],
    offset: Annotated[
        int,
        QueryParameter(ge=0, le=MAX_SAFE_INT, description="Skip this many hits (next_offset of the previous page)."),
    ] = 0,
    limit: Annotated[int, QueryParameter(ge=1, le=MOST_HITS, description="At most this many hits.")] = 20,
) -> Response[SearchPage]:
    terms = words.query_terms(q)
    if not terms:
        message = f"got {json.dumps(q[:60])}; expected at least one word (letters or digits) to search for"
        raise InvalidInput([FieldError("query.q", message, code="no_words")])
    at, found, more = await store.search(point, terms, offset=offset, limit=limit)
    items = [search.hit(position, item, score, terms) for position, item, score in found]
    next_offset = offset + len(items) if more else None
    headers = {}
    if next_offset is not None:
        # The next page reads at the same position, so hits appended meanwhile do not shift it.
        kept = [(k, v) for k, v in request.query_params.multi_items() if k not in ("offset", "at_position", "as_of")]
        query = urlencode([*kept, ("at_position", str(at)), ("offset", str(next_offset))])
        headers["Link"] = f'<{request.url.path}?{query}>; rel="next"'
    return Response(SearchPage(items=items, at_position=at, next_offset=next_offset), headers=headers)


search_handlers = [search_store]
