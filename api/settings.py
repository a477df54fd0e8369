"""Settings from flags and ``TIDINGS_*`` environment variables; the database URL picks the backend."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field, fields
from typing import Any

__all__ = ["Settings", "SettingsError", "reference"]

_ABSOLUTE_URI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[!-~]{1,2000}")
"""RFC 3986's scheme, then printable ASCII without spaces (CloudEvents' ``source`` is a URI-reference)."""


class SettingsError(ValueError):
    """A setting with a value it cannot take (the command says so and exits 2)."""


@dataclass(frozen=True, slots=True)
class Settings:
    """Every setting of a Tidings server. Each field ``name`` is read from ``TIDINGS_NAME``."""

    db: str = field(default="./tidings.db", metadata={"help": "SQLite file path, or a postgresql:// DSN"})
    host: str = field(default="127.0.0.1", metadata={"help": "address to listen on"})
    port: int = field(default=8000, metadata={"help": "port to listen on"})
    server: str = field(
        default="uvicorn",
        metadata={"help": "HTTP server: uvicorn or granian (a Rust HTTP/1.1 front end; see bench/RESULTS.md)"},
    )
    max_body_bytes: int = field(default=1024 * 1024, metadata={"help": "largest request body accepted (413 above)"})
    synchronous: str = field(
        default="FULL",
        metadata={"help": "SQLite synchronous mode: FULL or EXTRA; NORMAL or OFF can lose acknowledged appends"},
    )
    busy_timeout_ms: int = field(default=5000, metadata={"help": "how long SQLite waits for a lock held elsewhere"})
    fold_processes: int = field(
        default=4,
        metadata={
            "help": "most worker processes `rebuild` and `check` fold a large SQLite log on, one per core; 0: none"
        },
    )
    pg_schema: str = field(
        default="public",
        metadata={"help": "PostgreSQL schema of the tables, created if missing (empty: the DSN's search_path)"},
    )
    seed: bool = field(default=False, metadata={"help": "load the seed events into an empty store at start"})
    log_level: str = field(default="info", metadata={"help": "log level: debug, info, warning, error"})
    log_format: str = field(default="auto", metadata={"help": "log lines as json or text; auto: text on a terminal"})
    stream_max: int = field(default=500, metadata={"help": "most open event streams; more are refused with 503"})
    stream_max_per_key: int = field(default=20, metadata={"help": "most open event streams of one API key"})
    stream_buffer_events: int = field(
        default=4096, metadata={"help": "how far (events) a live stream may fall behind before it is cut off"}
    )
    stream_keepalive_ms: int = field(default=15_000, metadata={"help": "silence before a stream sends a keep-alive"})
    stream_retry_ms: int = field(default=2000, metadata={"help": "reconnection delay streams suggest (retry:)"})
    keys_file: str = field(
        default="", metadata={"help": "file of API key hashes (`tidings keys create`); empty: open, loopback only"}
    )
    signing_key_file: str = field(
        default="",
        metadata={
            "help": "Ed25519 key (PEM) that signs GET /log/head (`tidings keys signing create`); empty: unsigned"
        },
    )
    insecure_open: bool = field(
        default=False, metadata={"help": "allow serving without keys on a non-loopback address (anyone may append)"}
    )
    rate_limit: float = field(
        default=50.0, metadata={"help": "requests a second per key on average (token bucket; 0: no limit)"}
    )
    rate_burst: int = field(default=200, metadata={"help": "requests one key may send at once before it is slowed"})
    allowed_hosts: str = field(
        default="", metadata={"help": "comma-separated Host names served (others get 400); empty: any"}
    )
    cors_origins: str = field(default="", metadata={"help": "comma-separated origins allowed by CORS; empty: CORS off"})
    subscriptions_max: int = field(
        default=100, metadata={"help": "most durable subscriptions the store holds; more are refused with 409"}
    )
    leases_max: int = field(
        default=1000, metadata={"help": "most leases one subscription holds at once; more claims are refused with 409"}
    )
    cloudevents_source: str = field(
        default="urn:tidings:local",
        metadata={"help": "the `source` of this instance's CloudEvents: an absolute URI naming it"},
    )

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **overrides: Any) -> Settings:
        environ = dict(os.environ) if environ is None else environ
        values: dict[str, Any] = {}
        for f in fields(cls):
            raw = environ.get(f"TIDINGS_{f.name.upper()}")
            if raw is not None:
                try:
                    values[f.name] = _parse(raw, f.default)
                except ValueError:
                    kind = "a whole number" if isinstance(f.default, int) else "a number"
                    raise SettingsError(f"TIDINGS_{f.name.upper()}={raw!r} is not {kind}") from None
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)

    def __post_init__(self) -> None:
        if self.synchronous.upper() not in ("FULL", "EXTRA", "NORMAL", "OFF"):
            raise SettingsError(f"synchronous must be FULL, EXTRA, NORMAL or OFF, not {self.synchronous}")
        if len(self.pg_schema.encode()) > 63 or "\x00" in self.pg_schema:
            raise SettingsError("pg_schema must be at most 63 bytes, without NUL (a PostgreSQL name)")
        if not _ABSOLUTE_URI.fullmatch(self.cloudevents_source):
            raise SettingsError(
                f"cloudevents_source must be an absolute URI (scheme:rest, no spaces), not {self.cloudevents_source!r}"
            )
        if self.server not in ("uvicorn", "granian"):
            raise SettingsError(f"server must be uvicorn or granian, not {self.server!r}")
        for name in ("subscriptions_max", "leases_max"):
            if getattr(self, name) < 1:
                raise SettingsError(f"{name} must be 1 or more, not {getattr(self, name)}")
        if self.fold_processes < 0:
            raise SettingsError(f"fold_processes must be 0 or more, not {self.fold_processes}")

    @property
    def durable(self) -> bool:
        """Whether an acknowledged append survives a power failure."""
        return self.backend == "postgresql" or self.synchronous.upper() in ("FULL", "EXTRA")

    @property
    def backend(self) -> str:
        return "postgresql" if self.db.startswith(("postgresql://", "postgres://")) else "sqlite"


def _parse(raw: str, default: Any) -> Any:
    if isinstance(default, bool):
        return raw.strip().lower() in ("1", "true", "yes", "on")
    if isinstance(default, int | float):
        return type(default)(raw)
    return raw


def flag(name: str) -> str:
    return "--" + name.replace("_", "-")


def reference() -> str:
    """The configuration reference of README.md, made from the fields so that it cannot drift."""
    lines = ["| flag | environment | default | meaning |", "|---|---|---|---|"]
    for f in fields(Settings):
        default = "off" if f.default is False else f"`{f.default}`"
        lines.append(f"| `{flag(f.name)}` | `TIDINGS_{f.name.upper()}` | {default} | {f.metadata.get('help', '')} |")
    return "\n".join(lines) + "\n"
