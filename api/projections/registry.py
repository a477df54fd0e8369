"""What a projection and a read model declare, and the registry the store folds and reads with.

A projection is a pure fold of one event into read-model rows: it declares the views it
writes (its rows' ``view`` column) and the event types it handles, and keeps a checkpoint
of its own (``name/version``), committed with its rows. A read model declares the views it
reads (its own and other projections'), so routes ask for it by name. Each module of the
``api.projections`` package declares its ``PROJECTION`` and ``READ_MODEL`` (either may be
absent); ``default_registry()`` finds them, so a new projection is one new module.
"""

from __future__ import annotations

import functools
import importlib
import pkgutil
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from api.projections.company_rows import CompanyRows
from api.projections.row import Row
from schema.events import StoredEvent

__all__ = ["Projection", "ReadModel", "Registry", "default_registry"]

Fold = Callable[[StoredEvent, tuple[str, ...], int | None], list[Row]]
"""Rows of one event, given the companies it touches and the position it targets (evidence)."""


@dataclass(frozen=True, slots=True)
class Projection:
    name: str
    writes: tuple[str, ...]
    """The views its rows go to; no other projection writes them."""
    fold: Fold
    handles: tuple[type, ...] = ()
    """The event types it folds; empty: every type."""
    version: int = 1
    """Raise it when the rows it writes change: stores then build it again from the log at start-up."""

    @property
    def checkpoint(self) -> str:
        """The name its checkpoint is kept under."""
        return f"{self.name}/{self.version}"


@dataclass(frozen=True, slots=True)
class ReadModel:
    name: str
    reads: tuple[str, ...]
    """The views it is built from (``evidence`` always comes along); empty: every view."""
    referenced: Callable[[CompanyRows], set[str]] | None = None
    """Other companies whose registrations it shows."""
    counts: bool = False
    """Whether it shows the company's timeline counted per event type."""


@dataclass(frozen=True)
class Registry:
    projections: tuple[Projection, ...]
    read_models: dict[str, ReadModel] = field(default_factory=dict)
    _by_type: dict[type, tuple[Projection, ...]] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        views = [view for projection in self.projections for view in projection.writes]
        if len(views) != len(set(views)):
            raise ValueError(f"two projections write one view: {sorted(views)}")
        names = [projection.name for projection in self.projections]
        if len(names) != len(set(names)):
            raise ValueError(f"two projections share a name: {sorted(names)}")

    def project(self, stored: StoredEvent, touched: tuple[str, ...], target: int | None) -> list[Row]:
        """Every read-model row of one event."""
        kind = type(stored.event)
        chosen = self._by_type.get(kind)
        if chosen is None:
            chosen = self._by_type[kind] = tuple(
                p for p in self.projections if not p.handles or issubclass(kind, p.handles)
            )
        rows: list[Row] = []
        for projection in chosen:
            rows.extend(projection.fold(stored, touched, target))
        return rows

    def only(self, names: Iterable[str]) -> Registry:
        """The registry of the named projections alone; raises LookupError naming an unknown one."""
        wanted = set(names)
        unknown = wanted - {p.name for p in self.projections}
        if unknown:
            known = ", ".join(p.name for p in self.projections)
            raise LookupError(f"no projection named {', '.join(sorted(unknown))} (there are: {known})")
        return Registry(tuple(p for p in self.projections if p.name in wanted), self.read_models)

    def views(self) -> list[str]:
        return [view for projection in self.projections for view in projection.writes]

    def read_model(self, name: str) -> ReadModel:
        model = self.read_models.get(name)
        if model is None:
            raise LookupError(f"no read model named {name}")
        return model

    def with_(self, *, projection: Projection | None = None, read_model: ReadModel | None = None) -> Registry:
        """This registry with one more projection or read model (a plug-in's, a test's)."""
        projections = (*self.projections, projection) if projection else self.projections
        models = {**self.read_models, **({read_model.name: read_model} if read_model else {})}
        return Registry(projections, models)


def discover(package: Any) -> Registry:
    """The ``PROJECTION`` and ``READ_MODEL`` of every module of ``package``, in module-name order."""
    projections: list[Projection] = []
    models: dict[str, ReadModel] = {}
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{package.__name__}.{info.name}")
        if isinstance(found := getattr(module, "PROJECTION", None), Projection):
            projections.append(found)
        if isinstance(found := getattr(module, "READ_MODEL", None), ReadModel):
            models[found.name] = found
    return Registry(tuple(projections), models)


@functools.cache
def default_registry() -> Registry:
    """The projections and read models of ``api.projections``."""
    import api.projections

    return discover(api.projections)
