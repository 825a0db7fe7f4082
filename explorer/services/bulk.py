"""Retry and resolve at scale: the one code path the errors screen and ``iox retry/resolve`` both call.

Why it is careful: a retry re-processes records, so a batch must never be sent twice, and none may be lost.
The rules kept here:

* batches of at most 1000 ids per (flow, step), paced like the account's own rate limit (a leaky bucket:
  a burst of ``burst`` calls may start at once, then one per ``min_interval``; a 429 empties the burst and
  widens the interval), and up to ``in_flight`` of them on the wire at once. Why a burst: the API's bucket
  holds 1000 requests, so the 10 calls of 10,000 ids may all start together and the least time the API
  allows is one round trip; two at a time, 50 ms apart, took 0.7-1.2 s at 100 ms of round trip where one
  round trip is possible (issue 10, ``bench/errors.py``);
* a 429 means "not processed": the same batch is sent again after ``Retry-After`` (the client already waited
  a few times itself), up to ``max_rate_waits`` times, then it is reported as not sent — never dropped;
* any other failure of a retry POST (5xx, connection) is reported as failed and *not* repeated: the server may
  have processed it; the report says so;
* a retry batch refused with 404/422 is checked key by key (``GET .../data``): keys whose retry data is gone
  are skipped as "retry data gone" and the rest is sent once more; errors without a ``retryDataKey`` are
  skipped before anything is sent;
* cancellation stops the batches not yet sent (a batch in flight completes: cutting it off would leave its
  fate unknown) and the report lists what was sent and what was not; so does an error that every later
  batch would repeat (401, 403, read-only);
* after a retry, the retry jobs are followed (``GET /v1/jobs?type=retry``) until they end.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal, Protocol

from explorer.client import (
    MAX_IDS_PER_CALL,
    Abandoned,
    ApiError,
    Canceled,
    CancelScope,
    Forbidden,
    NotFound,
    RateLimited,
    ReadOnlyViolation,
    Unauthorized,
    ValidationFailed,
    cancellable,
)
from explorer.gc_policy import LongLivedHold
from explorer.model import ErrorRecord, Job, RetryData
from explorer.services.error_list import RowKey, row_key
from explorer.services.retention import BEYOND_RETENTION

BulkKind = Literal["retry", "resolve"]
SleepFunction = Callable[[float], Awaitable[None]]

NOT_RETRYABLE = "not retryable: no retryDataKey"
RETRY_DATA_GONE = "not retryable: retry data gone (404 on /data)"
NOT_SENT_CANCELED = "not sent: canceled"
STOPPING_ERRORS = (Unauthorized, Forbidden, ReadOnlyViolation)
"""Failures that every later batch would repeat: the run stops and the rest is reported as not sent."""


class BulkClient(Protocol):
    """What bulk actions need from ``IntegratorClient`` (a Protocol so unit tests can script answers)."""

    async def retry_errors(self, flow_id: str, step_id: str, retry_data_keys: Sequence[str]) -> Job: ...

    async def resolve_errors(self, flow_id: str, step_id: str, error_ids: Sequence[str]) -> int: ...

    async def get_retry_data(self, flow_id: str, step_id: str, retry_data_key: str) -> RetryData: ...

    async def list_jobs(self, **filters: str) -> list[Job]: ...

    async def get_job(self, job_id: str) -> Job: ...


# --------------------------------------------------------------------------------------------- control
class CancelToken(CancelScope):
    """Set by the user (``esc``, Ctrl+C) to stop the batches not yet sent; waits end early when it is set.

    A ``CancelScope`` of the client: ``run_bulk`` enters it, so the client's own waits (backoff after a 429,
    ``Retry-After``) end too and nothing of the action is sent after the cancel.
    """


@dataclass(frozen=True)
class BulkOptions:
    """Tuning of a bulk action; defaults suit the real service (bucket 1000, refill 300/s)."""

    batch_size: int = MAX_IDS_PER_CALL
    min_interval: float = 0.01
    """Seconds between the starts of two calls once the burst is spent (100 calls/s: a third of the API's
    300/s refill, leaving the rest of the account's bucket to its other users)."""
    burst: int = 10
    """Calls that may start at once before ``min_interval`` applies (the API's bucket holds 1000: 10 calls,
    10,000 ids, fit in it many times over)."""
    in_flight: int = 10
    """Batches whose calls may be on the wire at once (each still needs its slot from the pacer)."""
    max_interval: float = 5.0
    max_rate_waits: int = 30
    """429s tolerated for one batch before it is reported as not sent."""
    fallback_retry_after: float = 1.0
    probe_concurrency: int = 8
    follow: bool = True
    poll_interval: float = 2.0
    follow_timeout: float = 600.0
    sleep: SleepFunction = asyncio.sleep
    clock: Callable[[], float] = time.monotonic

    def __post_init__(self) -> None:
        if not 1 <= self.batch_size <= MAX_IDS_PER_CALL:
            raise ValueError(f"batch_size must be between 1 and {MAX_IDS_PER_CALL}")
        if self.in_flight < 1 or self.burst < 1:
            raise ValueError("in_flight and burst must be at least 1")


class Pacer:
    """A leaky bucket on the client's side: ``burst`` calls at once, then one per ``interval``.

    Kept as the moment the bucket would be empty again (GCRA's "theoretical arrival time"): a call may start
    once that moment is less than ``burst - 1`` intervals ahead, and each call pushes it one interval on.
    A 429 doubles the interval and spends the burst (the server's bucket is empty: the next call waits an
    interval, and so does each after it); each success halves the interval back towards ``min_interval``.
    """

    def __init__(self, options: BulkOptions) -> None:
        self.options = options
        self.interval = options.min_interval
        self._empty_at: float | None = None

    def _slack(self) -> float:
        return (self.options.burst - 1) * self.interval

    async def wait(self, cancel: CancelToken) -> bool:
        """Wait for the next call slot; True when cancelled meanwhile.

        The slot is taken before waiting, so several batches waiting at once get distinct slots.
        """
        now = self.options.clock()
        empty_at = now if self._empty_at is None else max(self._empty_at, now)
        slot = max(now, empty_at - self._slack())
        self._empty_at = empty_at + self.interval
        if slot > now and await cancel.sleep(slot - now, self.options.sleep):
            return True
        return cancel.cancelled

    def throttled(self) -> None:
        """The server answered 429: slow down, and no burst until the bucket has refilled."""
        wider = max(self.interval * 2, self.options.min_interval, 0.05)
        self.interval = min(self.options.max_interval, wider)
        now = self.options.clock()
        self._empty_at = max(self._empty_at or now, now + self._slack() + self.interval)

    def succeeded(self) -> None:
        """A call went through: drift back to the normal pace."""
        self.interval = max(self.options.min_interval, self.interval / 2)


# --------------------------------------------------------------------------------------------- report
@dataclass
class BulkProgress:
    """What a progress bar shows; handed to ``on_progress`` after every change."""

    kind: BulkKind
    total: int
    batches_total: int
    batches_done: int = 0
    sent: int = 0
    failed: int = 0
    skipped: int = 0
    waiting: float = 0.0
    note: str = ""

    @property
    def done(self) -> int:
        """Records dealt with so far (sent, failed or skipped)."""
        return self.sent + self.failed + self.skipped


@dataclass
class BatchOutcome:
    """One batch as it went: its records, the job a retry created, the error, how many 429s it took."""

    flow_id: str
    step_id: str
    records: list[ErrorRecord]
    job: Job | None = None
    error: str | None = None
    rate_limited: int = 0


@dataclass
class BulkReport:
    """The final word on a bulk action: sent, failed, skipped (with reasons), not sent, and the jobs."""

    kind: BulkKind
    requested: int
    sent: list[ErrorRecord] = field(default_factory=list)
    failed: list[tuple[ErrorRecord, str]] = field(default_factory=list)
    skipped: list[tuple[ErrorRecord, str]] = field(default_factory=list)
    not_sent: list[tuple[ErrorRecord, str]] = field(default_factory=list)
    batches: list[BatchOutcome] = field(default_factory=list)
    canceled: bool = False
    rate_limited: int = 0
    jobs: list[Job] = field(default_factory=list)
    followed: list[Job] = field(default_factory=list)
    follow_note: str = ""
    elapsed: float = 0.0

    @property
    def batches_sent(self) -> int:
        """Calls the server accepted."""
        return sum(1 for batch in self.batches if batch.error is None)

    @property
    def gone(self) -> list[RowKey]:
        """Errors found to have no retry data any more (the screen marks them not retryable)."""
        return [row_key(record) for record, reason in self.skipped if reason == RETRY_DATA_GONE]

    def lines(self) -> list[str]:
        """The report in plain lines, for the dialog and the CLI alike."""
        verb = "retried" if self.kind == "retry" else "resolved"
        out = [f"{len(self.sent)} of {self.requested} {verb} in {self.batches_sent} "
               f"batch{'es' if self.batches_sent != 1 else ''} ({self.elapsed:.1f} s)"]
        if self.canceled:
            out.append(f"canceled: {len(self.not_sent)} not sent")
        elif self.not_sent:
            out.append(f"{len(self.not_sent)} not sent")
        if self.rate_limited:
            out.append(f"rate limited {self.rate_limited} time(s): waited and re-sent (never twice)")
        for reason, count in _count_reasons(self.skipped):
            out.append(f"skipped {count}: {reason}")
        for reason, count in _count_reasons(self.failed):
            out.append(f"failed {count}: {reason}")
        for reason, count in _count_reasons(self.not_sent):
            if reason != NOT_SENT_CANCELED:
                out.append(f"not sent {count}: {reason}")
        if self.followed:
            ok = sum(job.num_success for job in self.followed)
            again = sum(job.num_error for job in self.followed)
            statuses = ", ".join(sorted({job.status or "?" for job in self.followed}))
            out.append(f"retry job{'s' if len(self.followed) > 1 else ''} {statuses}: {ok} succeeded, "
                       f"{again} failed again (new errors, same traceKey)")
        if self.follow_note:
            out.append(self.follow_note)
        return out


def _count_reasons(items: Sequence[tuple[ErrorRecord, str]]) -> list[tuple[str, int]]:
    counts: dict[str, int] = {}
    for _, reason in items:
        counts[reason] = counts.get(reason, 0) + 1
    return sorted(counts.items(), key=lambda item: -item[1])


# --------------------------------------------------------------------------------------------- planning
Planned = tuple[list[tuple[str, str, list[ErrorRecord]]], list[tuple[ErrorRecord, str]]]
"""What ``plan_batches`` gives: the batches (flow, step, records) and the skipped records with why."""


def plan_batches(kind: BulkKind, records: Sequence[ErrorRecord], *, gone: frozenset[RowKey] = frozenset(),
                 batch_size: int = MAX_IDS_PER_CALL, beyond: frozenset[RowKey] = frozenset(),
                 ) -> Planned:
    """Split records into per-step batches of at most ``batch_size``, and list those to skip with why.

    Order is kept (steps in order of first appearance); a record listed twice is sent once. A retry skips
    errors without a key, those whose data is ``gone`` (404) and those ``beyond`` the newest 20,000 of
    their step (``services.retention``).
    """
    # One pass, keys built inline: this runs before the first batch may leave (~2x faster than calling
    # ``row_key`` per record: 10,000 records took 6-40 ms on the shared machine, issue 10).
    skipped: list[tuple[ErrorRecord, str]] = []
    by_step: dict[tuple[str, str], list[ErrorRecord]] = {}
    seen: set[RowKey] = set()
    seen_retry_keys: set[tuple[str, str, str]] = set()
    retry = kind == "retry"
    for record in records:
        flow_id, step_id = record.flow_id, record.step_id
        key = (flow_id, step_id, record.error_id)
        if key in seen:
            continue
        seen.add(key)
        if retry:
            retry_data_key = record.retry_data_key
            if not retry_data_key:
                skipped.append((record, NOT_RETRYABLE))
                continue
            if gone and key in gone:
                skipped.append((record, RETRY_DATA_GONE))
                continue
            if beyond and key in beyond:
                skipped.append((record, BEYOND_RETENTION))
                continue
            retry_key = (flow_id, step_id, retry_data_key)
            if retry_key in seen_retry_keys:
                continue
            seen_retry_keys.add(retry_key)
        by_step.setdefault((flow_id, step_id), []).append(record)
    batches = [(flow_id, step_id, rows[start:start + batch_size])
               for (flow_id, step_id), rows in by_step.items() for start in range(0, len(rows), batch_size)]
    return batches, skipped


# --------------------------------------------------------------------------------------------- running
ProgressCallback = Callable[[BulkProgress], None]
SentCallback = Callable[["BatchOutcome"], None]


class _Canceled(Exception):
    """The user cancelled before this batch was sent (a wait was cut short)."""


class _Stopped(Exception):
    """An earlier batch met an error every later batch would repeat: this one is not sent."""


class _Run:
    """The state of one bulk action while it runs (kept out of the public function for readability)."""

    def __init__(self, client: BulkClient, kind: BulkKind, options: BulkOptions, cancel: CancelToken,
                 on_progress: ProgressCallback | None, report: BulkReport, progress: BulkProgress,
                 on_sent: SentCallback | None = None) -> None:
        self.client, self.kind, self.options, self.cancel = client, kind, options, cancel
        self.on_progress, self.report, self.progress = on_progress, report, progress
        self.on_sent = on_sent
        self.pacer = Pacer(options)
        self.stopped: str | None = None

    def tell(self, note: str = "", waiting: float = 0.0) -> None:
        self.progress.note, self.progress.waiting = note, waiting
        if self.on_progress is not None:
            self.on_progress(self.progress)

    async def call(self, batch: BatchOutcome) -> Job | None:
        """One accepted call for the batch, re-sent after 429s; raises the last ApiError otherwise."""
        ids = ([r.retry_data_key or "" for r in batch.records] if self.kind == "retry"
               else [r.error_id for r in batch.records])
        while True:
            if await self.pacer.wait(self.cancel):
                raise _Canceled
            if self.stopped is not None:
                raise _Stopped
            try:
                if self.kind == "retry":
                    job = await self.client.retry_errors(batch.flow_id, batch.step_id, ids)
                else:
                    await self.client.resolve_errors(batch.flow_id, batch.step_id, ids)
                    job = None
            except Abandoned:  # esc again: the call on the wire was dropped, the server may have taken it
                raise
            except Canceled:  # the client was waiting to re-send (after a 429) when the user cancelled
                raise _Canceled from None
            except RateLimited as exc:
                batch.rate_limited += 1
                self.report.rate_limited += 1
                self.pacer.throttled()
                if batch.rate_limited > self.options.max_rate_waits:
                    raise
                wait = exc.retry_after if exc.retry_after is not None else self.options.fallback_retry_after
                self.tell(f"rate limited: waiting {wait:.0f} s before re-sending batch", wait)
                if await self.cancel.sleep(wait, self.options.sleep):
                    raise _Canceled from None
                continue
            self.pacer.succeeded()
            return job

    async def probe_gone(self, batch: BatchOutcome) -> list[ErrorRecord]:
        """The records of a refused retry batch whose retry data answers 404."""
        gate = asyncio.Semaphore(self.options.probe_concurrency)

        async def gone(record: ErrorRecord) -> bool:
            async with gate:
                try:
                    key = record.retry_data_key or ""
                    await self.client.get_retry_data(batch.flow_id, batch.step_id, key)
                except NotFound:
                    return True
                except ApiError:
                    return False
            return False

        flags = await asyncio.gather(*(gone(record) for record in batch.records))
        return [record for record, flag in zip(batch.records, flags, strict=True) if flag]

    async def send(self, batch: BatchOutcome) -> None:
        """Send one batch and book its outcome in the report."""
        self.tell(f"sending {len(batch.records)} to step {batch.step_id}")
        try:
            try:
                batch.job = await self.call(batch)
            except (NotFound, ValidationFailed) as refused:
                if self.kind != "retry":
                    raise
                gone = await self.probe_gone(batch)
                if self.cancel.cancelled:
                    raise _Canceled from None
                if not gone:
                    raise refused from None
                gone_keys = {row_key(r) for r in gone}
                self.report.skipped += [(r, RETRY_DATA_GONE) for r in gone]
                self.progress.skipped += len(gone)
                batch.records = [r for r in batch.records if row_key(r) not in gone_keys]
                if batch.records:
                    batch.job = await self.call(batch)
        except _Canceled:
            self.report.not_sent += [(r, NOT_SENT_CANCELED) for r in batch.records]
            return
        except _Stopped:
            self.report.not_sent += [(r, self.stopped or NOT_SENT_CANCELED) for r in batch.records]
            return
        except ApiError as exc:
            batch.error = str(exc)
            reason = _failure_reason(self.kind, exc)
            if isinstance(exc, (*STOPPING_ERRORS, RateLimited)):
                self.stopped = reason
                self.report.not_sent += [(r, reason) for r in batch.records]
            else:
                self.report.failed += [(r, reason) for r in batch.records]
                self.progress.failed += len(batch.records)
            self.report.batches.append(batch)
            return
        self.report.batches.append(batch)
        if batch.records:
            self.report.sent += batch.records
            self.progress.sent += len(batch.records)
            if batch.job is not None:
                self.report.jobs.append(batch.job)
            if self.on_sent is not None:
                self.on_sent(batch)
        self.progress.batches_done += 1
        self.tell()


def distinct_errors(records: Sequence[ErrorRecord]) -> int:
    """How many distinct errors ``records`` names (one listed twice is asked for once).

    Counted in nested dicts and sets, not in a set of (flow, step, error) tuples: 10,000 tuples cost
    1.7-2.7 ms and a dozen young collections before the first batch could leave, now ~1 ms and none in a
    test, 2.4 ms over the rows of a 100,000-row screen; the TUI counts while its question is on screen
    (``run_bulk(requested=)``; issue 10, measured).
    """
    seen: dict[str, dict[str, set[str]]] = {}
    for record in records:
        steps = seen.get(record.flow_id)
        if steps is None:
            steps = seen[record.flow_id] = {}
        ids = steps.get(record.step_id)
        if ids is None:
            ids = steps[record.step_id] = set()
        ids.add(record.error_id)
    return sum(len(ids) for steps in seen.values() for ids in steps.values())


def _failure_reason(kind: BulkKind, exc: ApiError) -> str:
    if isinstance(exc, RateLimited):
        return "not sent: still rate limited after repeated waits"
    if isinstance(exc, STOPPING_ERRORS):
        return f"not sent: {exc.message}"
    text = exc.message or exc.code
    if kind == "retry" and not isinstance(exc, (ValidationFailed, NotFound)):
        return f"{text} (the server may have processed this batch: check the retry jobs before retrying)"
    return text


async def run_bulk(
    client: BulkClient,
    kind: BulkKind,
    records: Sequence[ErrorRecord],
    *,
    options: BulkOptions | None = None,
    cancel: CancelToken | None = None,
    on_progress: ProgressCallback | None = None,
    gone: frozenset[RowKey] = frozenset(),
    on_sent: SentCallback | None = None,
    beyond: frozenset[RowKey] = frozenset(),
    planned: Planned | None = None,
    requested: int | None = None,
) -> BulkReport:
    """Retry or resolve ``records`` in paced batches; never raises an ``ApiError`` (it is in the report).

    ``gone`` names errors already known to have no retry data, ``beyond`` those past the newest 20,000 of
    their step (skipped the same way, with their own reason). ``on_sent`` hears of each accepted batch
    at once (the screen drops those rows from Open without waiting for the end). With ``options.follow`` a
    retry waits for its jobs to end (``report.followed``); cancelling stops the waiting too. ``planned`` is
    what ``plan_batches`` gave for these records with the same ``gone``, ``beyond`` and batch size, when the
    caller has it already (the TUI plans to word its confirmation): planning 10,000 records again cost
    10-25 ms before the first batch could leave (issue 10). ``requested`` is ``distinct_errors(records)``,
    when the caller counted it already.
    """
    options = options or BulkOptions()
    cancel = cancel or CancelToken()
    started = options.clock()
    # What is alive now (the records, the listing they came from) outlives the run: out of the cyclic
    # collector's reach, a full collection cannot stall the batches (planning 10,000 records allocates
    # enough to set one off: 35-80 ms among the sends of `iox retry`, measured with gc.callbacks; issue 10).
    hold = LongLivedHold()
    hold.keep()
    try:
        batches, skipped = planned if planned is not None else plan_batches(
            kind, records, gone=gone, batch_size=options.batch_size, beyond=beyond)
        total = sum(len(rows) for _, _, rows in batches) + len(skipped)
        if requested is None:
            requested = distinct_errors(records)
        report = BulkReport(kind, requested=requested, skipped=list(skipped))
        progress = BulkProgress(kind, total=total, batches_total=len(batches), skipped=len(skipped))
        run = _Run(client, kind, options, cancel, on_progress, report, progress, on_sent)
        run.tell()
        hold.add()  # the batches just planned, out of the way of the collections among the sends
        with cancellable(cancel):
            sending: set[asyncio.Task[None]] = set()
            try:
                for flow_id, step_id, rows in batches:
                    while len(sending) >= options.in_flight:
                        _, sending = await asyncio.wait(sending, return_when=asyncio.FIRST_COMPLETED)
                    if cancel.cancelled or run.stopped is not None:
                        reason = NOT_SENT_CANCELED if run.stopped is None else run.stopped
                        report.not_sent += [(r, reason) for r in rows]
                        continue
                    sending.add(asyncio.ensure_future(run.send(BatchOutcome(flow_id, step_id, rows))))
                if sending:
                    await asyncio.wait(sending)
            finally:
                for task in sending:
                    task.cancel()
            for task in sending:
                if not task.cancelled():
                    task.result()  # a bug in send() surfaces here, as when batches were awaited in turn
            report.canceled = cancel.cancelled
            if kind == "retry" and options.follow and report.jobs and not cancel.cancelled:
                run.tell("following the retry job(s)")
                report.followed, report.follow_note = await follow_jobs(client, report.jobs, options=options,
                                                                        cancel=cancel)
        report.elapsed = options.clock() - started
        run.tell("done")
        return report
    finally:
        hold.release()


# --------------------------------------------------------------------------------------------- jobs
async def follow_jobs(client: BulkClient, jobs: Sequence[Job], *, options: BulkOptions | None = None,
                      cancel: CancelToken | None = None,
                      on_update: Callable[[list[Job]], None] | None = None) -> tuple[list[Job], str]:
    """Poll until the given jobs end; returns their last state and a note ("" when all ended).

    Retry jobs are looked up with ``GET /v1/jobs?_flowId=..&type=retry`` (one call per flow per poll, as the
    web app does); a job missing from that list, or of another type, is read with ``GET /v1/jobs/{id}``.
    """
    options = options or BulkOptions()
    cancel = cancel or CancelToken()
    current = {job.id: job for job in jobs if job.id}
    if not current:
        return [], "the server returned no job id: refresh later to see the outcome"
    deadline = options.clock() + options.follow_timeout
    while True:
        active = [job for job in current.values() if not job.finished]
        if not active:
            return list(current.values()), ""
        if options.clock() >= deadline:
            return list(current.values()), (f"{len(active)} job(s) still running after "
                                            f"{options.follow_timeout:.0f} s")
        if await cancel.sleep(options.poll_interval, options.sleep):
            return list(current.values()), "stopped following the job(s): canceled"
        try:
            await _poll(client, current, active)
        except ApiError as exc:
            return list(current.values()), f"could not follow the job(s): {exc.message}"
        if on_update is not None:
            on_update(list(current.values()))


async def _poll(client: BulkClient, current: dict[str, Job], active: Sequence[Job]) -> None:
    retry_flows = sorted({job.flow_id for job in active if job.type == "retry" and job.flow_id})
    for flow_id in retry_flows:
        for job in await client.list_jobs(_flowId=flow_id, type="retry"):
            if job.id in current:
                current[job.id] = job
    for job in active:
        if current[job.id] is job:  # not refreshed by a list: ask for it directly
            current[job.id] = await client.get_job(job.id)
