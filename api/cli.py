"""The ``tidings`` command: serve, seed, import, export, rebuild, openapi."""

from __future__ import annotations

import argparse
import asyncio
import ipaddress
import logging
import sys
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from typing import Any, BinaryIO

from api.settings import Settings
from api.store.base import EventStore
from api.store.factory import make_store

__all__ = ["main"]


def _settings(args: argparse.Namespace, **extra: Any) -> Settings:
    return Settings.from_env(db=getattr(args, "db", None), **extra)


@asynccontextmanager
async def _open(settings: Settings) -> AsyncIterator[EventStore]:
    store = make_store(settings)
    await store.open()
    try:
        yield store
    finally:
        await store.close()


class _Progress:
    """A rich progress bar on a terminal; silent when stderr is piped."""

    def __init__(self, label: str, total: int | None) -> None:
        self._bar: Any = None
        if sys.stderr.isatty():
            from rich.progress import Progress

            self._bar = Progress(transient=True)
            self._task = self._bar.add_task(label, total=total)

    def __enter__(self) -> _Progress:
        if self._bar is not None:
            self._bar.start()
        return self

    def __exit__(self, *_: object) -> None:
        if self._bar is not None:
            self._bar.stop()

    def advance(self, n: int) -> None:
        if self._bar is not None:
            self._bar.advance(self._task, n)

    def update(self, done: int, total: int) -> None:
        if self._bar is not None:
            self._bar.update(self._task, completed=done, total=total)


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from api.app import create_app

    settings = _settings(
        args, host=args.host, port=args.port, seed=args.seed or None, synchronous=args.unsafe_synchronous
    )
    if not ipaddress.ip_address(_resolve_host(settings.host)).is_loopback:
        print(f"tidings: serving on {settings.host}, reachable from other machines", file=sys.stderr)
    logging.basicConfig(level=settings.log_level.upper(), format="%(levelname)s %(name)s: %(message)s")
    app = create_app(settings)
    uvicorn.run(app, host=settings.host, port=settings.port, log_level=settings.log_level, access_log=False)
    return 0


def _resolve_host(host: str) -> str:
    return "127.0.0.1" if host == "localhost" else host


def cmd_seed(args: argparse.Namespace) -> int:
    from api.seeding import load_ndjson, seed_events

    async def run() -> tuple[int, int]:
        async with _open(_settings(args)) as store:
            return await load_ndjson(store, seed_events())

    new, present = asyncio.run(run())
    print(f"seeded {new} new events ({present} already present)")
    return 0


def _lines(stream: BinaryIO) -> Iterator[bytes]:
    yield from stream


def cmd_import(args: argparse.Namespace) -> int:
    from api.seeding import NdjsonError, load_ndjson, read_ndjson

    source: BinaryIO = sys.stdin.buffer if args.file == "-" else open(args.file, "rb")  # noqa: SIM115
    name = "<stdin>" if args.file == "-" else args.file

    async def run() -> tuple[int, int]:
        async with _open(_settings(args)) as store:
            with _Progress("importing", None) as bar:
                return await load_ndjson(store, read_ndjson(_lines(source), name), bar.advance)

    try:
        new, present = asyncio.run(run())
    except NdjsonError as error:
        print(f"tidings import: {error}", file=sys.stderr)
        return 1
    finally:
        if source is not sys.stdin.buffer:
            source.close()
    print(f"imported {new} new events ({present} already present)", file=sys.stderr)
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from api.store.codec import encode_event

    out = sys.stdout.buffer

    async def run() -> int:
        count = 0
        async with _open(_settings(args)) as store:
            after = args.after
            while True:
                page = await store.read(after=after, limit=1000, types=args.type or ())
                if not page:
                    return count
                out.write(b"".join(encode_event(s.event) + b"\n" for s in page))
                count += len(page)
                after = page[-1].position

    asyncio.run(run())
    out.flush()
    return 0


def cmd_rebuild(args: argparse.Namespace) -> int:
    async def run() -> int:
        async with _open(_settings(args)) as store:
            with _Progress("rebuilding read models", None) as bar:
                return await store.rebuild(bar.update)

    last = asyncio.run(run())
    print(f"rebuilt read models up to position {last}", file=sys.stderr)
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    async def run() -> list[str]:
        async with _open(_settings(args)) as store:
            with _Progress("checking", None) as bar:
                return await store.check(bar.update)

    faults = asyncio.run(run())
    for fault in faults:
        print(f"FAULT {fault}")
    print("store is sound" if not faults else f"{len(faults)} fault(s) found", file=sys.stderr)
    return 1 if faults else 0


def cmd_openapi(args: argparse.Namespace) -> int:
    from api.app import create_app
    from api.openapi import document, render

    app = create_app(Settings(db=":memory:"))
    sys.stdout.buffer.write(render(document(app.openapi_schema.to_schema()), args.format))
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="tidings", description="An append-only, typed event store of company news.")
    sub = parser.add_subparsers(dest="command", required=True)
    db_help = "SQLite file or postgresql:// DSN (default: $TIDINGS_DB, then ./tidings.db)"

    def command(name: str, fn: Callable[[argparse.Namespace], int], help_: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_, description=help_)
        p.set_defaults(fn=fn)
        return p

    serve = command("serve", cmd_serve, "Run the HTTP API.")
    serve.add_argument("--db", help=db_help)
    serve.add_argument("--host", help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port (default 8000)")
    serve.add_argument("--seed", action="store_true", help="load the seed events into an empty store first")
    serve.add_argument(
        "--unsafe-synchronous",
        choices=["NORMAL", "OFF"],
        help="weaker SQLite durability: acknowledged appends may be lost on power failure",
    )

    seed = command("seed", cmd_seed, "Load the seed events (idempotent).")
    seed.add_argument("--db", help=db_help)

    imp = command("import", cmd_import, "Append events from an NDJSON file (or - for stdin); re-running adds nothing.")
    imp.add_argument("file")
    imp.add_argument("--db", help=db_help)

    exp = command("export", cmd_export, "Write the log as NDJSON, the input format of import.")
    exp.add_argument("--db", help=db_help)
    exp.add_argument("--after", type=int, default=0, help="only events after this position")
    exp.add_argument("--type", action="append", help="only this event type (repeatable)")

    reb = command("rebuild", cmd_rebuild, "Drop and re-derive every read model from the log.")
    reb.add_argument("--db", help=db_help)

    chk = command("check", cmd_check, "Verify a store: integrity, gap-free positions, read models equal a fresh fold.")
    chk.add_argument("--db", help=db_help)

    spec = command("openapi", cmd_openapi, "Print the OpenAPI document.")
    spec.add_argument("--format", choices=["yaml", "json"], default="yaml")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    result: int = args.fn(args)
    return result


if __name__ == "__main__":
    sys.exit(main())
