"""The ceiling: a minimal Litestar app with no Tidings code, served like ``tidings serve``.

``POST /events`` decodes a ~400-byte msgspec Struct (as an append decodes an event) and
answers 201 with it and a position; ``GET /companies/{company_id}`` answers a small
Struct; ``GET /sized/{n}`` answers n bytes of JSON made once (a body as large as a dossier, to tell
what sending it costs from what making it costs). Run with ``python -m bench.minimal --port P [--server uvicorn|granian]``.
"""

from __future__ import annotations

import argparse
import itertools

import msgspec
from litestar import Litestar, get, post
from litestar.params import FromPath, JSONBody

__all__ = ["Item", "Stored", "app", "main"]


class Source(msgspec.Struct, frozen=True):
    title: str
    publisher: str
    language: str
    published_on: str


class Item(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """About the size and shape of an event: a tag, a few strings, a list of sources."""

    type: str
    company_id: str
    product: str
    category: str
    launched_on: str
    sources: list[Source]
    certainty: str = "reported"
    note: str | None = None


class Stored(msgspec.Struct, frozen=True):
    position: int
    item: Item


class Summary(msgspec.Struct, frozen=True):
    company_id: str
    name: str
    version: int


_positions = itertools.count(1)


@post("/events", status_code=201)
async def append(data: JSONBody[Item]) -> Stored:
    return Stored(position=next(_positions), item=data)


@get("/companies/{company_id:str}")
async def company(company_id: FromPath[str]) -> Summary:
    return Summary(company_id=company_id, name=company_id.title(), version=1)


_SIZED: dict[int, bytes] = {}


@get("/sized/{n:int}", media_type="application/json")
async def sized(n: FromPath[int]) -> bytes:
    body = _SIZED.get(n)
    if body is None:
        body = _SIZED[n] = b'{"pad":"' + b"x" * max(n - 10, 0) + b'"}'
    return body


@get("/health")
async def health() -> dict[str, str]:
    return {"status": "ok"}


app = Litestar(route_handlers=[append, company, sized, health], logging_config=None, debug=False)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.minimal")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8001)
    parser.add_argument("--server", choices=["uvicorn", "granian"], default="uvicorn")
    args = parser.parse_args(argv)
    from api.http.serving import serve  # served as `tidings serve` serves Tidings

    serve(app, server=args.server, host=args.host, port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
