"""Where seeded errors fall in time: the flow job and the `occurredAt` of seeded error number `i`.

Why: seeded errors are virtual (see `errorstore`), so their job and time are computed from the index, never
stored. The past jobs' error counts (`seed_history`) and the errors' own `_flowJobId` and `occurredAt` must
agree, so the arithmetic lives here once. A retry of 1000 errors places each one under the simulator's
request lock; `Placement` works out each window's bounds once, not per error (issue 10, µs per key).
"""

from __future__ import annotations

MINUTE_MS = 60_000


def window_counts(n: int, windows: int) -> list[int]:
    """How many of `n` seeded errors fall in each of `windows` jobs (the counts `Placement` uses)."""
    if windows <= 0 or n <= 0:
        return [0] * max(windows, 0)
    return [-(-(j + 1) * n // windows) - -(-j * n // windows) for j in range(windows)]


class Placement:
    """`n` seeded errors spread over job windows `(job id, started ms, ended ms)`, oldest first: each window
    holds a `window_counts` share, evenly spaced inside it; without windows, one a minute up to `now_ms`."""

    __slots__ = ("_count", "_n", "_now_ms", "_spans")

    def __init__(self, n: int, windows: tuple[tuple[str, int, int], ...], now_ms: int) -> None:
        self._n = n
        self._now_ms = now_ms
        self._count = len(windows)
        self._spans: list[tuple[int, int, str, int, int]] = []
        """Per window: its first error's number, how many errors it holds, job id, start, length (ms)."""
        for j, (job_id, start, end) in enumerate(windows):
            first = -(-j * n // self._count)
            self._spans.append((first, -(-(j + 1) * n // self._count) - first, job_id, start, end - start))

    def of(self, i: int) -> tuple[str | None, int]:
        """The flow job id (None without windows) and the `occurredAt` ms of error number `i` (0 ≤ i < n)."""
        if not self._count:
            return None, self._now_ms - (self._n - i) * MINUTE_MS
        first, in_window, job_id, start, span = self._spans[i * self._count // self._n]
        return job_id, start + (i - first + 1) * span // (in_window + 1)
