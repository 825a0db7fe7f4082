"""Fix many failed records at once: fetch their retry data, preview a patch, write it back, journaled.

Why one engine for the TUI (``T``) and ``iox fix``: both must fetch the same way (bounded concurrency, paced
under the rate limit, ``esc``/Ctrl+C stops), classify the same way (``fix_patch``), and write the same way —
the journal of a fix must say exactly which records were written, even after a crash:

1. :func:`preview_fix` — GET every record's retry data (``concurrency`` in flight, request starts paced at
   ``rate`` per second, slowed down after a 429), apply the patch locally, classify each record;
2. ``fix_apply.apply_fix`` — a batch header, then for each changed record an *intent* entry on disk
   **before** its PUT is sent and an outcome entry after the answer (see that module);
3. :func:`retry_fixed` (in ``fix_retry``) — retry the written records through the bulk service and report
   which failed again, grouped by message template;
4. undo (in ``fix_undo``) — the batch's ``before`` objects go through the same preview and apply.

The PUT sends back the whole object the preview fetched, with ``data`` replaced (the API's contract).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from explorer.client import Abandoned, ApiError, Canceled, NotFound, RateLimited, Unauthorized
from explorer.model import ErrorRecord, RetryData
from explorer.services.bulk import CancelToken
from explorer.services.diff import document_diff
from explorer.services.fix_patch import OUTCOMES, FixRecord, Outcome, PatchOp, apply_patch

SleepFunction = Callable[[float], Awaitable[None]]
Phase = Literal["fetch", "apply"]

FIX_BATCH_KIND = "fixbatch"
"""Journal ``kind`` of a fix's header entry (its records are ``retrydata`` entries with the same batch)."""
RETRY_DATA_KIND = "retrydata"
NO_RETRY_DATA = "no retry data: this error never had any (not retriable)"
RETRY_DATA_GONE = ("retry data gone (404): only the newest 20,000 errors of a step keep it, for the "
                   "retention period")
NOT_FETCHED = "not fetched: canceled"
NOT_SENT = "not sent: canceled"


class FixClient(Protocol):
    """What a fix needs from ``IntegratorClient`` (a Protocol so tests may script answers)."""

    @property
    def base_url(self) -> str:
        """The API base, ending in ``/v1/``."""
        ...

    @property
    def read_only(self) -> bool:
        """True when the client refuses every write."""
        ...

    async def get_retry_data(self, flow_id: str, step_id: str, retry_data_key: str) -> RetryData: ...

    async def put_retry_data(self, flow_id: str, step_id: str, retry_data_key: str,
                             doc: Any) -> RetryData: ...


@dataclass(frozen=True)
class FixOptions:
    """Tuning of a fix; the defaults stay well under the API's limit (bucket 1000, refill 300/s)."""

    concurrency: int = 16
    """Requests in flight at once (the CLI's client allows 16)."""
    rate: float = 250.0
    """Request starts per second at most (the API refills 300/s: the rest is left to the session's other
    requests); halved after each 429, eased back after successes."""
    max_rate_waits: int = 5
    """429s tolerated for one record before it is reported as failed."""
    fallback_retry_after: float = 1.0
    sleep: SleepFunction = asyncio.sleep
    clock: Callable[[], float] = time.monotonic

    def __post_init__(self) -> None:
        if self.concurrency < 1 or self.rate <= 0:
            raise ValueError("concurrency must be at least 1 and rate above 0")


class RatePacer:
    """Spaces request starts ``1/rate`` apart across concurrent workers (each reserves the next slot)."""

    def __init__(self, options: FixOptions) -> None:
        self.options = options
        self.interval = 1.0 / options.rate
        self._next = 0.0

    async def slot(self, cancel: CancelToken) -> bool:
        """Wait for this request's start time; True when cancelled meanwhile."""
        now = self.options.clock()
        start = max(now, self._next)
        self._next = start + self.interval
        if start > now:
            return await cancel.sleep(start - now, self.options.sleep)
        return cancel.cancelled

    def throttled(self) -> None:
        """A 429: halve the rate (at least one start per second remains)."""
        self.interval = min(1.0, self.interval * 2)

    def succeeded(self) -> None:
        """Drift back towards the configured rate."""
        self.interval = max(1.0 / self.options.rate, self.interval * 0.9)


# --------------------------------------------------------------------------------------------- state
@dataclass
class FixProgress:
    """What a progress bar shows, handed to ``on_progress`` after every record."""

    phase: Phase
    total: int
    done: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    note: str = ""

    def line(self) -> str:
        """``fetching 120/2,000 · change 100 · failed 2`` for a status line."""
        verb = "fetching" if self.phase == "fetch" else "writing"
        parts = [f"{verb} {self.done:,}/{self.total:,}"]
        parts += [f"{name.replace('_', ' ')} {count:,}" for name, count in self.counts.items() if count]
        if self.note:
            parts.append(self.note)
        return " · ".join(parts)


@dataclass
class FixItem:
    """One record in a fix: what the preview found and, for a change, the whole object to PUT."""

    record: FixRecord
    outcome: Outcome | None = None
    """None while not fetched (or when the preview was canceled before it)."""
    reason: str = ""
    before: RetryData | None = None
    after: Any = None
    """The whole object to PUT (``change`` only)."""

    @property
    def before_doc(self) -> Any:
        """The whole object as fetched (what the journal keeps as ``before``)."""
        if self.before is None:
            return None
        return self.before.raw if self.before.wrapped else self.before.data

    def diff(self) -> list[str]:
        """The change to the record's data, as a unified diff (empty unless ``change``)."""
        if self.outcome != "change" or self.before is None:
            return []
        after = self.after.get("data") if self.before.wrapped and isinstance(self.after, dict) else self.after
        error = self.record.error_id
        return document_diff(self.before.data, after, server_owned=(), from_name=f"{error} now",
                             to_name=f"{error} patched")


@dataclass
class FixPreview:
    """Every record's outcome, in the order given; ``canceled`` when the fetch was stopped."""

    items: list[FixItem]
    ops: list[PatchOp]
    canceled: bool = False
    stopped: str | None = None
    elapsed: float = 0.0

    def count(self, outcome: Outcome) -> int:
        """Records with this outcome."""
        return sum(1 for item in self.items if item.outcome == outcome)

    def counts(self) -> dict[str, int]:
        """``{"change", "unchanged", "failed", "not_retriable"}`` → count (and ``not_fetched`` if any)."""
        counts: dict[str, int] = {outcome: self.count(outcome) for outcome in OUTCOMES}
        missing = sum(1 for item in self.items if item.outcome is None)
        if missing:
            counts["not_fetched"] = missing
        return counts

    @property
    def changed(self) -> list[FixItem]:
        """The records the apply step will write."""
        return [item for item in self.items if item.outcome == "change"]

    def summary_lines(self) -> list[str]:
        """``1,998 will change · 1 unchanged · …`` and the commonest failure reasons."""
        counts = self.counts()
        out = [f"{counts['change']:,} will change · {counts['unchanged']:,} unchanged · "
               f"{counts['failed']:,} where the patch fails · {counts['not_retriable']:,} without retry data"]
        if counts.get("not_fetched"):
            out.append(f"{counts['not_fetched']:,} not fetched (canceled)")
        if self.stopped:
            out.append(f"stopped: {self.stopped}")
        for outcome in ("failed", "not_retriable"):
            for reason, count in _reasons(item.reason for item in self.items if item.outcome == outcome)[:5]:
                out.append(f"  {count:,} {outcome.replace('_', ' ')}: {reason}")
        return out

    def as_json(self, diffs: int | None = None) -> dict[str, Any]:
        """The ``--dry-run --json`` document: counts and each record's outcome with its reason or diff."""
        records: list[dict[str, Any]] = []
        shown = 0
        for item in self.items:
            entry: dict[str, Any] = {"errorId": item.record.error_id, "stepId": item.record.step_id,
                                     "outcome": item.outcome or "not_fetched"}
            if item.outcome == "change":
                if diffs is None or shown < diffs:
                    entry["diff"] = item.diff()
                    shown += 1
            elif item.reason:
                entry["reason"] = item.reason
            records.append(entry)
        counts = self.counts()
        return {"change": counts["change"], "unchanged": counts["unchanged"], "failed": counts["failed"],
                "not_retriable": counts["not_retriable"], "canceled": self.canceled, "records": records}


def _reasons(reasons: Iterable[str]) -> list[tuple[str, int]]:
    counts: dict[str, int] = {}
    for reason in reasons:
        counts[reason] = counts.get(reason, 0) + 1
    return sorted(counts.items(), key=lambda item: -item[1])


# --------------------------------------------------------------------------------------------- workers
Work = Callable[[FixItem], Awaitable[None]]


class _Stop(Exception):
    """Every later record would fail the same way (401, or the journal cannot be written)."""


class _Canceled(Exception):
    """The user cancelled while this record waited for its turn: it was not sent."""


async def _pool(items: Sequence[FixItem], work: Work, options: FixOptions, cancel: CancelToken) -> str | None:
    """Run ``work`` over ``items`` with ``options.concurrency`` workers; returns why it stopped early."""
    queue = iter(items)
    stopped: list[str] = []

    async def worker() -> None:
        for item in queue:
            if cancel.cancelled or stopped:
                return
            try:
                await work(item)
            except _Stop as stop:
                stopped.append(str(stop))
                return

    await asyncio.gather(*(worker() for _ in range(min(options.concurrency, max(len(items), 1)))))
    return stopped[0] if stopped else None


async def _paced(call: Callable[[], Awaitable[Any]], pacer: RatePacer, options: FixOptions,
                 cancel: CancelToken) -> Any:
    """One request at its paced slot, sent again after a 429 (the request was not processed)."""
    waits = 0
    while True:
        if await pacer.slot(cancel):
            raise _Canceled
        try:
            answer = await call()
        except Abandoned:  # dropped on the wire (esc again): its outcome is unknown, the caller says so
            raise
        except Canceled:  # cancelled while the client waited to re-send after a 429: it was not processed
            raise _Canceled from None
        except RateLimited as exc:
            waits += 1
            pacer.throttled()
            if waits > options.max_rate_waits:
                raise
            wait = exc.retry_after if exc.retry_after is not None else options.fallback_retry_after
            if await cancel.sleep(wait, options.sleep):
                raise _Canceled from None
            continue
        pacer.succeeded()
        return answer


def _api_reason(exc: ApiError) -> str:
    if isinstance(exc, RateLimited):
        return "still rate limited (429) after repeated waits"
    status = f"HTTP {exc.status}" if exc.status is not None else "no answer"
    return f"{status}: {exc.message or exc.code}"


Decide = Callable[[FixItem, RetryData], None]


async def fetch_all(client: FixClient, items: Sequence[FixItem], decide: Decide, *,
                    options: FixOptions, cancel: CancelToken,
                    on_progress: Callable[[FixProgress], None] | None = None) -> str | None:
    """GET the retry data of every item without an outcome and let ``decide`` classify it."""
    todo = [item for item in items if item.outcome is None]
    progress = FixProgress("fetch", total=len(items), done=len(items) - len(todo),
                           counts=dict.fromkeys(OUTCOMES, 0))
    for item in items:
        if item.outcome is not None:
            progress.counts[item.outcome] += 1
    pacer = RatePacer(options)

    def tell() -> None:
        if on_progress is not None:
            on_progress(progress)

    async def fetch(item: FixItem) -> None:
        record = item.record
        key = record.retry_data_key or ""
        try:
            current = await _paced(lambda: client.get_retry_data(record.flow_id, record.step_id, key),
                                   pacer, options, cancel)
        except _Canceled:
            return
        except NotFound:
            item.outcome, item.reason = "not_retriable", RETRY_DATA_GONE
        except Unauthorized as exc:
            raise _Stop(f"authentication failed (401): {exc.message}") from None
        except ApiError as exc:
            item.outcome, item.reason = "failed", f"could not read the retry data: {_api_reason(exc)}"
        else:
            decide(item, current)
        progress.done += 1
        if item.outcome is not None:
            progress.counts[item.outcome] += 1
        tell()

    tell()
    return await _pool(todo, fetch, options, cancel)


def _records(records: Iterable[FixRecord | ErrorRecord]) -> list[FixItem]:
    items: list[FixItem] = []
    seen: set[tuple[str, str, str]] = set()
    for record in records:
        fix_record = record if isinstance(record, FixRecord) else FixRecord.of(record)
        if fix_record.key in seen:
            continue
        seen.add(fix_record.key)
        item = FixItem(fix_record)
        if not fix_record.retry_data_key:
            item.outcome, item.reason = "not_retriable", NO_RETRY_DATA
        items.append(item)
    return items


async def preview_fix(client: FixClient, records: Iterable[FixRecord | ErrorRecord], ops: Sequence[PatchOp],
                      *, options: FixOptions | None = None, cancel: CancelToken | None = None,
                      on_progress: Callable[[FixProgress], None] | None = None) -> FixPreview:
    """Fetch every record's retry data, apply ``ops`` locally, classify. Sends no write; never raises
    ``ApiError`` (each record's failure is its reason)."""
    options = options or FixOptions()
    cancel = cancel or CancelToken()
    started = options.clock()
    items = _records(records)
    patch = list(ops)

    def decide(item: FixItem, current: RetryData) -> None:
        item.before = current
        result = apply_patch(current.data, patch)
        item.outcome, item.reason = result.outcome, result.reason
        if result.outcome == "change":
            item.after = current.with_data(result.data)

    stopped = await fetch_all(client, items, decide, options=options, cancel=cancel, on_progress=on_progress)
    for item in items:
        if item.outcome is None and stopped:
            item.outcome, item.reason = "failed", f"not fetched: {stopped}"
    return FixPreview(items, patch, canceled=cancel.cancelled, stopped=stopped,
                      elapsed=options.clock() - started)
