"""The ``tidings`` command: serve, seed, import, export, rebuild, check, verify, keys, openapi."""

from __future__ import annotations

import argparse
import asyncio
import ipaddress
import json
import sys
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from dataclasses import fields
from pathlib import Path
from typing import Any, BinaryIO

from api import collector
from api.errors import DomainError
from api.http.logs import setup_logging
from api.settings import Settings, SettingsError, flag
from api.store.base import EventStore
from api.store.factory import make_store

__all__ = ["main"]


def _settings(args: argparse.Namespace, **extra: Any) -> Settings:
    return Settings.from_env(db=getattr(args, "db", None), **extra)


@asynccontextmanager
async def _open(settings: Settings, *, bulk_processes: int = 0) -> AsyncIterator[EventStore]:
    store = make_store(settings, bulk_processes=bulk_processes)
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
    from api.app import create_app

    settings = Settings.from_env(**{f.name: getattr(args, f.name, None) for f in fields(Settings)})
    if not _is_loopback(settings.host) and not settings.keys_file and not settings.insecure_open:
        print(
            f"tidings serve: refusing to serve {settings.host} without API keys: anyone could append. "
            "Pass --keys-file (see `tidings keys create`), or --insecure-open to accept that.",
            file=sys.stderr,
        )
        return 2
    from api.http.serving import serve

    setup_logging(settings.log_level, settings.log_format)
    app = create_app(settings)
    started = serve(
        app,
        server=settings.server,
        host=settings.host,
        port=settings.port,
        log_level=settings.log_level,
        feed=app.state.feed,  # streams end first when shutdown begins (api/http/serving.py)
    )
    return 0 if started else 3  # 3: the app failed to start, as uvicorn.run exits


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:  # a host name: it may resolve anywhere
        return False


def cmd_seed(args: argparse.Namespace) -> int:
    from api.seeds import load_seeds

    async def run() -> tuple[int, int, list[str]]:
        async with _open(_settings(args)) as store:
            return await load_seeds(store)

    new, present, kept = asyncio.run(run())
    print(f"seeded {new} new events ({present} already present)")
    if kept:
        print(f"kept {len(kept)} event(s) as this store has them, from an earlier release's seeds: {', '.join(kept)}")
    return 0


def _lines(stream: BinaryIO) -> Iterator[bytes]:
    yield from stream


def cmd_import(args: argparse.Namespace) -> int:
    from api.seeds import NdjsonError, load_ndjson, read_ndjson

    source: BinaryIO = sys.stdin.buffer if args.file == "-" else open(args.file, "rb")  # noqa: SIM115
    name = "<stdin>" if args.file == "-" else args.file

    async def run() -> tuple[int, int]:
        async with _open(_settings(args), bulk_processes=args.fold_processes) as store:
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
    import msgspec

    from schema.cloudevents import cloud_event
    from schema.codec import encode_event

    out = sys.stdout.buffer
    settings = _settings(args, cloudevents_source=args.cloudevents_source, signing_key_file=args.signing_key_file)
    if args.format == "stored":
        return _export_stored(args, settings)
    cloud = args.format == "cloudevents"
    encoder = msgspec.json.Encoder()

    async def run() -> int:
        count = 0
        async with _open(settings) as store:
            after = args.after
            while True:
                page = await store.read(after=after, limit=1000, types=args.type or (), annotated=cloud)
                if not page:
                    return count
                if cloud:
                    lines = [encoder.encode(cloud_event(s, settings.cloudevents_source)) for s in page]
                else:
                    lines = [encode_event(s.event) for s in page]
                out.write(b"".join(line + b"\n" for line in lines))
                count += len(page)
                after = page[-1].position

    asyncio.run(run())
    out.flush()
    return 0


def _export_stored(args: argparse.Namespace, settings: Settings) -> int:
    from api.signing import HeadSigner
    from api.stored_export import write_stored

    if args.after or args.type:
        print(
            "tidings export: --format stored writes the whole log (its head covers every event from position 1); "
            "leave out --after and --type",
            file=sys.stderr,
        )
        return 2
    try:
        signer = HeadSigner.load(settings.signing_key_file) if settings.signing_key_file else None
    except (OSError, ValueError) as error:
        print(f"tidings export: the signing key cannot be read: {error}", file=sys.stderr)
        return 2

    async def run() -> int:
        async with _open(settings) as store:
            return await write_stored(store, sys.stdout.buffer.write, signer)

    asyncio.run(run())
    sys.stdout.buffer.flush()
    return 0


def cmd_rebuild(args: argparse.Namespace) -> int:
    only: list[str] | None = args.only

    async def run() -> int:
        async with _open(_settings(args, fold_processes=args.fold_processes)) as store:
            with _Progress("rebuilding read models", None) as bar:
                return await store.rebuild(bar.update, only=only)

    try:
        last = asyncio.run(run())
    except LookupError as error:
        print(f"tidings rebuild: {error.args[0]}", file=sys.stderr)
        return 2
    what = f"the read models of {', '.join(only)}" if only else "read models"
    print(f"rebuilt {what} up to position {last}", file=sys.stderr)
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    async def run() -> list[str]:
        async with _open(_settings(args, fold_processes=args.fold_processes)) as store:
            with _Progress("checking", None) as bar:
                return await store.check(bar.update)

    faults = asyncio.run(run())
    for fault in faults:
        print(f"FAULT {fault}")
    print("store is sound" if not faults else f"{len(faults)} fault(s) found", file=sys.stderr)
    return 1 if faults else 0


def cmd_verify(args: argparse.Namespace) -> int:
    from api.verify import verify_export, verify_served, verify_store

    if args.file and (args.url or args.db):
        print("tidings verify: give a FILE, --url or --db, one of them", file=sys.stderr)
        return 2
    if args.file:
        try:
            source: BinaryIO = sys.stdin.buffer if args.file == "-" else open(args.file, "rb")  # noqa: SIM115
        except OSError as error:
            print(f"tidings verify: {args.file} cannot be read: {error.strerror}", file=sys.stderr)
            return 2
        with source:
            faults = verify_export(_lines(source), args.public_key)
        if not faults and args.public_key is None:
            print("note: the head's signature is checked only with --public-key", file=sys.stderr)
    elif args.url:
        import urllib.request

        def get(path: str) -> Any:
            with urllib.request.urlopen(args.url.rstrip("/") + path, timeout=30) as answer:
                return json.load(answer)

        saved = json.loads(Path(args.head).read_text()) if args.head else None
        faults = verify_served(get, saved, args.public_key)
        if args.save_head and not faults:
            Path(args.save_head).write_text(json.dumps(get("/log/head")) + "\n")
    else:

        async def run() -> list[str]:
            async with _open(_settings(args)) as store:
                return await verify_store(store, args.public_key)  # type: ignore[arg-type]

        faults = asyncio.run(run())
    for fault in faults:
        print(f"FAULT {fault}")
    print("history verified" if not faults else f"{len(faults)} fault(s) found", file=sys.stderr)
    return 1 if faults else 0


def cmd_keys_create(args: argparse.Namespace) -> int:
    from api.http.keys import generate

    token, line = generate(args.scope)
    print(token)
    print(line)
    return 0


def cmd_keys_signing_create(args: argparse.Namespace) -> int:
    import base64

    from api.signing import create_key

    try:
        signer = create_key(args.out)
    except FileExistsError:
        print(f"tidings keys signing create: {args.out} exists; a signing key is never overwritten", file=sys.stderr)
        return 2
    print(f"public key (Ed25519, base64): {base64.b64encode(signer.public_key).decode()}")
    print(f"key id: {signer.key_id}")
    print(f"serve with --signing-key-file {args.out} (or TIDINGS_SIGNING_KEY_FILE)")
    return 0


def cmd_openapi(args: argparse.Namespace) -> int:
    from api.app import create_app
    from api.http.openapi import document, render

    app = create_app(Settings(db=":memory:"))
    sys.stdout.buffer.write(render(document(app), args.format))
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
    for setting in fields(Settings):
        help_ = f"{setting.metadata.get('help', '')} (env TIDINGS_{setting.name.upper()}, default {setting.default})"
        if isinstance(setting.default, bool):
            serve.add_argument(flag(setting.name), action="store_true", default=None, help=help_)
        else:
            serve.add_argument(flag(setting.name), type=type(setting.default), help=help_)

    seed = command("seed", cmd_seed, "Load the seed events (idempotent).")
    seed.add_argument("--db", help=db_help)

    imp = command("import", cmd_import, "Append events from an NDJSON file (or - for stdin); re-running adds nothing.")
    imp.add_argument("file")
    imp.add_argument("--db", help=db_help)
    imp.add_argument(
        "--fold-processes",
        type=int,
        default=0,
        help=(
            "most worker processes a batch's read-model rows fold on, one per core (default 0: this process "
            "folds them while the database writes, which measured faster where the cores are shared)"
        ),
    )

    exp = command("export", cmd_export, "Write the log as NDJSON, the input format of import.")
    exp.add_argument("--db", help=db_help)
    exp.add_argument("--after", type=int, default=0, help="only events after this position")
    exp.add_argument("--type", action="append", help="only this event type (repeatable)")
    exp.add_argument(
        "--format",
        choices=["json", "cloudevents", "stored"],
        default="json",
        help=(
            "json: the events as import reads them; cloudevents: one CloudEvent 1.0 (structured mode) a line; "
            "stored: the whole log as stored (position, recorded_at, event, hash), then a log_head line (the "
            "Merkle tree's size and root, signed with --signing-key-file): `tidings verify FILE` checks it"
        ),
    )
    for name in ("cloudevents_source", "signing_key_file"):
        setting = next(f for f in fields(Settings) if f.name == name)
        exp.add_argument(flag(setting.name), help=setting.metadata["help"])

    reb = command("rebuild", cmd_rebuild, "Drop and re-derive every read model from the log.")
    reb.add_argument(
        "--only", action="append", metavar="PROJECTION", help="rebuild only this projection's read models (repeatable)"
    )
    chk = command("check", cmd_check, "Verify a store: integrity, gap-free positions, read models equal a fresh fold.")
    processes = next(f for f in fields(Settings) if f.name == "fold_processes")
    for folding in (reb, chk):
        folding.add_argument("--db", help=db_help)
        folding.add_argument(flag(processes.name), type=int, help=processes.metadata["help"])

    verify = sub.add_parser(
        "verify",
        help="Verify the log's history: every event's hash and the Merkle tree; names the first position that breaks.",
        description=(
            "Verify a store (--db: every stored hash against its event, the Merkle tree against the hashes, every "
            "signed head the store kept against the tree), a server over its API (--url: each served event's hash, "
            "the head's root, and a head saved earlier), or a file of `tidings export --format stored` (FILE, or - "
            "for stdin: each line's hash, the positions in order, the root against the file's closing head). "
            "Exits 1 when something breaks."
        ),
    )
    verify.add_argument("file", nargs="?", metavar="FILE", help="a file of `tidings export --format stored`")
    verify.add_argument("--db", help=db_help)
    verify.add_argument("--url", help="verify the server at this base URL over its API instead of a store")
    verify.add_argument("--head", help="with --url: a head saved earlier (JSON of GET /log/head) the log must extend")
    verify.add_argument("--save-head", help="with --url: save the verified head to this file")
    verify.add_argument(
        "--public-key",
        help="the heads must be signed by this Ed25519 key (base64, as GET /log/public-key serves it): the served "
        "head (--url), the file's head (FILE), or the heads the store kept that carry its key id (--db)",
    )
    verify.set_defaults(fn=cmd_verify)

    keys = sub.add_parser("keys", help="Manage API keys.", description="Manage API keys.")
    keys_sub = keys.add_subparsers(dest="keys_command", required=True)
    create = keys_sub.add_parser(
        "create",
        help="Print a new key (shown once), then the line to append to the keys file.",
        description="Print a new key (shown once), then the line to append to the keys file.",
    )
    create.add_argument("--scope", choices=["read", "append", "admin"], required=True)
    create.set_defaults(fn=cmd_keys_create)
    signing = keys_sub.add_parser(
        "signing",
        help="Manage the key that signs the log's heads.",
        description="Manage the key that signs the log's heads.",
    )
    signing_sub = signing.add_subparsers(dest="signing_command", required=True)
    signing_create = signing_sub.add_parser(
        "create",
        help="Write a new Ed25519 signing key (PEM, owner-only) and print its public key.",
        description="Write a new Ed25519 signing key (PEM, owner-only) and print its public key.",
    )
    signing_create.add_argument("--out", required=True, help="the key file to write (never overwritten)")
    signing_create.set_defaults(fn=cmd_keys_signing_create)

    spec = command("openapi", cmd_openapi, "Print the OpenAPI document.")
    spec.add_argument("--format", choices=["yaml", "json"], default="yaml")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    collector.tune()
    try:
        result: int = args.fn(args)
    except SettingsError as error:
        print(f"tidings {args.command}: {error}", file=sys.stderr)
        return 2
    except ModuleNotFoundError as error:
        if error.name != "asyncpg":
            raise
        # The PostgreSQL driver is an extra; a postgresql:// DSN without it is a setup step, not a crash.
        print(
            f"tidings {args.command}: a postgresql:// database needs the PostgreSQL driver (asyncpg), "
            f"which is not installed: pip install 'tidings[postgres]'",
            file=sys.stderr,
        )
        return 2
    except DomainError as error:  # a refused import batch: nothing of it was stored
        problems = "; ".join(f"{e.path}: {e.message}" for e in error.field_errors() or [])
        print(f"tidings {args.command}: {error.detail()}{f' ({problems})' if problems else ''}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:  # a rebuild or an import stopped this way rolls back what it had not committed
        print(f"tidings {args.command}: stopped", file=sys.stderr)
        return 130
    return result


if __name__ == "__main__":
    sys.exit(main())
