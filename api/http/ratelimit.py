"""A token bucket per key: ``rate`` requests a second on average, bursts up to ``burst``."""

from __future__ import annotations

import math
import time
from collections import OrderedDict
from dataclasses import dataclass

__all__ = ["Decision", "TokenBuckets"]


@dataclass(frozen=True, slots=True)
class Decision:
    allowed: bool
    remaining: int
    retry_after: int
    """Whole seconds until one request is allowed again (0 when allowed)."""
    reset: int
    """Whole seconds until the bucket is full again."""


class TokenBuckets:
    def __init__(self, rate: float, burst: int, *, max_keys: int = 100_000) -> None:
        self.rate = rate
        self.burst = burst
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self._max_keys = max_keys

    def take(self, key: str, now: float | None = None) -> Decision:
        now = time.monotonic() if now is None else now
        tokens, last = self._buckets.pop(key, (float(self.burst), now))
        tokens = min(self.burst, tokens + (now - last) * self.rate)
        allowed = tokens >= 1
        if allowed:
            tokens -= 1
        self._buckets[key] = (tokens, now)
        if len(self._buckets) > self._max_keys:  # forget the least recently seen keys (a full bucket)
            self._buckets.popitem(last=False)
        retry = 0 if allowed else math.ceil((1 - tokens) / self.rate)
        reset = math.ceil((self.burst - tokens) / self.rate)
        return Decision(allowed, int(tokens), retry, reset)
