"""Errors without retry data: Celigo keeps it only for the newest 20,000 errors of each flow step.

Why: an error older than that still lists its ``retryDataKey``, but its data is gone, so a retry or an
edit of it fails (404) — and learning that from 404s in the middle of a bulk retry is the slow, confusing
way. The open list comes newest first, so an error at position 20,000 or later of the *unfiltered* list is
certainly beyond the newest 20,000 (resolved errors, if newer, only push it further). Such errors are marked
before anyone tries; an error above that line may still have lost its data to the retention period, and the
404 path (``bulk``'s probe, the detail screen) still catches those.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from explorer.model import ErrorRecord

RETRY_DATA_KEPT = 20_000
"""Celigo keeps retry data for the most recent 20,000 errors of each flow step (help center, "Retry or resolve
errors")."""

BEYOND_RETENTION = "not retryable: beyond the newest 20,000 errors of the step (no retry data)"
"""The skip reason bulk retries and listings give for such errors."""


def beyond_by_position(records: Sequence[ErrorRecord], first_position: int = 0,
                       kept: int = RETRY_DATA_KEPT) -> list[ErrorRecord]:
    """Of a page of the unfiltered open list starting at ``first_position`` (0 = newest), the errors at
    position ``kept`` or later: those certainly without retry data."""
    start = max(0, kept - first_position)
    return [record for record in records[start:] if record.retriable]


def cutoff_time(unfiltered_newest_first: Iterable[ErrorRecord],
                kept: int = RETRY_DATA_KEPT) -> datetime | None:
    """The ``occurredAt`` of the ``kept``-th newest open error (None: the step has no more than ``kept``).

    With server-side filters (source, classification, dates) a list's positions say nothing; errors that
    occurred before this moment are then the ones beyond the newest ``kept``.
    """
    for position, record in enumerate(unfiltered_newest_first):
        if position == kept - 1:
            return record.occurred_at
    return None


def beyond_by_time(records: Iterable[ErrorRecord], cutoff: datetime | None) -> list[ErrorRecord]:
    """The retriable errors that occurred before ``cutoff`` (none when there is no cutoff)."""
    if cutoff is None:
        return []
    return [r for r in records if r.retriable and r.occurred_at is not None and r.occurred_at < cutoff]
