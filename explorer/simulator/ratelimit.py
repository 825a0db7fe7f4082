"""Per-account leaky-bucket rate limiting (integrator.io: bucket 1000, refill 300 requests/s).

Why: the client's batching and backoff must be exercised against the same rule the service applies. The bucket
refills from a monotonic clock (real time by default, injectable in tests), independent of the simulated clock
that drives jobs, because throttling is about real request pace.
"""

from __future__ import annotations

import math
from collections.abc import Callable


class TokenBucket:
    """Holds up to `capacity` request tokens, refilled at `refill_per_s`."""

    def __init__(self, capacity: int, refill_per_s: float, monotonic: Callable[[], float]) -> None:
        if capacity < 1:
            raise ValueError("rate bucket must hold at least one request")
        self.capacity = capacity
        self.refill_per_s = refill_per_s
        self._monotonic = monotonic
        self._tokens = float(capacity)
        self._last = monotonic()

    def take(self) -> int | None:
        """Spend one token; None when allowed, else the whole seconds to wait (`Retry-After`, at least 1)."""
        now = self._monotonic()
        self._tokens = min(self.capacity, self._tokens + (now - self._last) * self.refill_per_s)
        self._last = now
        if self._tokens >= 1.0:
            self._tokens -= 1.0
            return None
        if self.refill_per_s <= 0:
            return 3600
        return max(1, math.ceil((1.0 - self._tokens) / self.refill_per_s))
