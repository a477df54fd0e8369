"""What every fold worker process does first: leave Ctrl-C to its caller, and exit when the caller is gone."""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
from multiprocessing.connection import wait

__all__ = ["follow_the_caller"]


def follow_the_caller() -> None:
    """The caller decides when work stops (Ctrl-C reaches the whole process group); a worker whose caller
    is gone (killed, even with SIGKILL) exits instead of lingering with the files open."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    parent = multiprocessing.parent_process()
    if parent is not None:
        sentinel = parent.sentinel
        threading.Thread(target=lambda: (wait([sentinel]), os._exit(1)), daemon=True).start()
