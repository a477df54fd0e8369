"""The store as handlers receive it: injected by the app, never validated per request.

Litestar checks each injected value against its annotation; for the ``EventStore`` Protocol
that is an ``isinstance`` walking every member of the Protocol on every request (about 3 % of
an append under load). The store is the app's own object from its lifespan, so the check can
only cost: ``SkipValidation`` turns it off.
"""

from __future__ import annotations

from typing import TypeAlias

from litestar.di import NamedDependency
from litestar.params import SkipValidation

from api.store.base import EventStore

__all__ = ["Store"]

Store: TypeAlias = SkipValidation[NamedDependency[EventStore]]
