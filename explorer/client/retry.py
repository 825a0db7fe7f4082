"""When a failed attempt is tried again, and how long to wait first.

Why this is written down in one place: retrying is not harmless on integrator.io. ``POST .../retry`` and
``POST .../run`` re-process records, so a POST is repeated only after a 429 (the request was refused, not
processed). GET, PUT (a full replace) and DELETE are idempotent and are repeated after 429/502/503/504,
connection errors and timeouts; a GET also after a 500 (a read changes nothing, and a one-off 500 must not
leave a hole in the tree), a PUT not (the 500 may have come after the write). Waits grow exponentially
with jitter, are capped, and honour ``Retry-After``. The sleep and random functions are injectable so
tests run instantly and deterministically.
"""

from __future__ import annotations

import asyncio
import random as _random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
RETRY_STATUSES = frozenset({429, 502, 503, 504})
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
"""Methods also repeated after a 500 (they change nothing on the server)."""

SleepFunction = Callable[[float], Awaitable[None]]
RandomFunction = Callable[[], float]


@dataclass(frozen=True)
class RetryPolicy:
    """How many extra attempts, the backoff curve, and the longest ``Retry-After`` worth waiting for.

    ``max_retries`` counts attempts after the first (0 = never retry). A ``Retry-After`` (on a 429 or a
    503) above ``max_retry_after`` is not waited for: the caller gets the error, with ``retry_after`` on
    ``RateLimited``, instead of a frozen screen.
    """

    max_retries: int = 4
    base_delay: float = 0.5
    max_delay: float = 20.0
    max_retry_after: float = 60.0
    sleep: SleepFunction = field(default=asyncio.sleep, compare=False)
    random: RandomFunction = field(default=_random.random, compare=False)

    def __post_init__(self) -> None:
        if self.max_retries < 0:
            raise ValueError("max_retries must be 0 or more")

    def may_retry_status(self, method: str, status: int, retry_after: float | None, retries: int) -> bool:
        """Whether an HTTP answer with this status is worth another attempt."""
        if retries >= self.max_retries:
            return False
        if status == 500:
            return method.upper() in READ_METHODS
        if status not in RETRY_STATUSES:
            return False
        if retry_after is not None and retry_after > self.max_retry_after:
            return False
        return status == 429 or method.upper() in IDEMPOTENT_METHODS

    def may_retry_failure(self, method: str, retries: int) -> bool:
        """Whether a connection error, timeout or unreadable body is worth another attempt (never POST)."""
        return retries < self.max_retries and method.upper() in IDEMPOTENT_METHODS

    def delay(self, retries: int, retry_after: float | None = None) -> float:
        """Seconds to wait before retry ``retries + 1``: ``Retry-After`` if given, else jittered backoff.

        The backoff is "equal jitter": half the capped exponential step plus a random half, so concurrent
        clients spread out but never retry instantly.
        """
        if retry_after is not None:
            return retry_after
        step = min(self.max_delay, self.base_delay * (2.0 ** retries))
        return step / 2 + self.random() * step / 2
