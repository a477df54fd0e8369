"""How often CPython's cyclic garbage collector walks everything: the setting of the ``tidings`` command
and of its fold workers.

Nearly all of the store's garbage is freed by reference counting the moment it is dropped; the
cyclic collector exists for the rest. Its young collections are cheap. A full collection walks
every object the process holds, and here that took 40 to 100 ms each: a server holds about 90,000
containers after start-up (Litestar's routes and models, the schema's types), and an import holds
two batches of 5,000 events and their rows besides. With CPython's default (a full collection after
every tenth collection of the middle generation) an import of 100,000 events spent 2.1 to 2.6 s of
its 30 s of CPU in 32 full collections, and a server 0.25 s a thousand first reads in six of them.
``FULL_EVERY`` makes them ten times rarer. Young collections run as before, so cycles that die
young are found as soon as before; one that lives to the oldest generation waits for a full
collection, which comes after about 800,000 new tracked objects (and, as before, only once those
are a quarter of the ones kept). bench/RESULTS.md, eighth session, has the figures. A CPython
whose collector has no third generation (an incremental one) ignores the setting.
"""

from __future__ import annotations

import gc

__all__ = ["FULL_EVERY", "tune"]

FULL_EVERY = 100
"""Collections of the middle generation between two full collections (CPython's default: 10)."""


def tune() -> None:
    """Set this process's collector: young collections as CPython sets them, full ones ``FULL_EVERY``."""
    young, middle, _ = gc.get_threshold()
    gc.set_threshold(young, middle, FULL_EVERY)
