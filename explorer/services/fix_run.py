"""Fix many failed records at once: fetch their retry data, preview a patch, write it back, journaled.

Why one engine for the TUI (``T``) and ``iox fix``: both must fetch the same way (bounded concurrency, paced
under the rate limit, ``esc``/Ctrl+C stops), classify the same way (``fix_patch``), and write the same way —
the journal of a fix must say exactly which records were written, even after a crash:

1. :func:`preview_fix` — GET every record's retry data (``concurrency`` in flight, request starts paced at
   ``rate`` per second, slowed down after a 429), apply the patch locally, classify each record;
2. :func:`apply_fix` — a batch header, then for each changed record: an *intent* entry (the whole object
   before and after, ``status`` None) is fsynced **before** its PUT is sent, and an outcome entry after the
   answer. After a crash, a record with an intent and no outcome was sent but its answer is unknown; a
   record with no intent was never sent. A 403 on one record is reported and the others go on; a 401 stops
   the batch (every later record would fail the same way);
3. :func:`retry_fixed` (in ``fix_retry``) — retry the written records through the bulk service and report
   which failed again, grouped by message template;
4. undo (in ``fix_undo``) — the batch's ``before`` objects go through the same preview and apply.

The PUT sends back the whole object the preview fetched, with ``data`` replaced (the API's contract).
"""

from __future__ import annotations

import asyncio
import secrets
import time
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal, Protocol
from urllib.parse import quote, urlsplit

from explorer.client import ApiError, NotFound, RateLimited, ReadOnlyViolation, Unauthorized
from explorer.journal import Journal, JournalEntry, iso_time
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
    rate: float = 200.0
    """Request starts per second at most; halved after each 429, eased back after successes."""
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


# --------------------------------------------------------------------------------------------- apply
@dataclass
class ApplyReport:
    """What the apply step did: written, failed (with reasons), unknown (sent, no answer), not sent."""

    batch_id: str
    requested: int
    written: list[FixItem] = field(default_factory=list)
    failed: list[tuple[FixItem, str]] = field(default_factory=list)
    unknown: list[FixItem] = field(default_factory=list)
    not_sent: list[tuple[FixItem, str]] = field(default_factory=list)
    canceled: bool = False
    stopped: str | None = None
    elapsed: float = 0.0
    journal_path: str = ""

    def lines(self) -> list[str]:
        """The report in plain lines, for the dialog and the CLI alike."""
        out = [f"{len(self.written):,} of {self.requested:,} records written ({self.elapsed:.1f} s), "
               f"journal batch {self.batch_id}"]
        if self.canceled:
            out.append(f"canceled: {len(self.not_sent):,} not sent")
        if self.stopped:
            out.append(f"stopped: {self.stopped}")
        if self.unknown:
            out.append(f"{len(self.unknown):,} sent without an answer: they may or may not have been written "
                       "(the journal marks them)")
        for reason, count in _reasons(reason for _, reason in self.failed)[:5]:
            out.append(f"failed {count:,}: {reason}")
        return out


def new_batch_id(now: datetime | None = None) -> str:
    """``fix-20261207T133500Z-1a2b3c``: sortable, unique, safe as a file name."""
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    return f"fix-{moment.strftime('%Y%m%dT%H%M%SZ')}-{secrets.token_hex(3)}"


def retry_data_path(base_url: str, record: FixRecord) -> str:
    """``/v1/flows/F/S/K/data``: the path a record's retry data is written to, as journaled."""
    base = (urlsplit(base_url).path or "/").rstrip("/")
    parts = "/".join(quote(part, safe="") for part in (record.flow_id, record.step_id,
                                                        record.retry_data_key or ""))
    return f"{base}/flows/{parts}/data"


@dataclass
class BatchJournal:
    """Where and as whom a fix is journaled (``secrets`` are masked in whatever is recorded)."""

    journal: Journal
    profile: str
    secrets: Sequence[str] = ()
    clock: Callable[[], datetime] | None = None
    account: str | None = None
    """The token's user id (tokenInfo ``_userId``): undo refuses a batch made as someone else."""

    def record(self, entry: JournalEntry) -> None:
        """Append one entry; OSError/TypeError (disk full, read-only home) stop the batch."""
        try:
            self.journal.record(entry, secrets=self.secrets)
        except (OSError, TypeError) as exc:
            raise _Stop(f"the journal could not record the write ({exc}); nothing more was sent") from None

    def now(self) -> str:
        """The entry time."""
        return iso_time(self.clock() if self.clock else None)


async def apply_fix(client: FixClient, items: Sequence[FixItem], *, journal: BatchJournal, label: str,
                    ops: Sequence[PatchOp] = (), undo_of: str | None = None,
                    options: FixOptions | None = None, cancel: CancelToken | None = None,
                    on_progress: Callable[[FixProgress], None] | None = None) -> ApplyReport:
    """PUT every ``change`` item's new object, paced and cancellable, journaled as one batch (see the
    module docstring). Never raises ``ApiError``; a read-only client refuses before anything is sent."""
    options = options or FixOptions()
    cancel = cancel or CancelToken()
    started = options.clock()
    changed = [item for item in items if item.outcome == "change"]
    batch = new_batch_id(journal.clock() if journal.clock else None)
    report = ApplyReport(batch, requested=len(changed), journal_path=str(journal.journal.path))
    if not changed:
        return report
    if client.read_only:
        report.stopped = "read-only session: nothing was sent"
        report.not_sent = [(item, report.stopped) for item in changed]
        return report
    steps = sorted({(item.record.flow_id, item.record.step_id) for item in changed})
    base = (urlsplit(client.base_url).path or "/").rstrip("/")
    header_path = (f"{base}/flows/{steps[0][0]}/{steps[0][1]}" if len(steps) == 1
                   else f"{base}/flows ({len(steps)} steps)")
    progress = FixProgress("apply", total=len(changed), counts={"written": 0, "failed": 0})
    pacer = RatePacer(options)

    def entry(item: FixItem, status: int | None, note: str, after: Any) -> JournalEntry:
        return JournalEntry(time=journal.now(), profile=journal.profile, method="PUT",
                            path=retry_data_path(client.base_url, item.record), status=status,
                            before=item.before_doc, after=after, kind=RETRY_DATA_KIND,
                            resource_id=item.record.resource_id, note=note, batch=batch,
                            server=client.base_url, account=journal.account)

    async def write(item: FixItem) -> None:
        record = item.record
        error = f"error {record.error_id}"
        journal.record(entry(item, None, f"{batch}: {error}: sending", item.after))
        try:
            saved = await _paced(lambda: client.put_retry_data(record.flow_id, record.step_id,
                                                               record.retry_data_key or "", item.after),
                                 pacer, options, cancel)
        except _Canceled:
            journal.record(entry(item, None, f"{batch}: {error}: not sent (canceled)", None))
            report.not_sent.append((item, NOT_SENT))
            return
        except ReadOnlyViolation as exc:
            journal.record(entry(item, None, f"{batch}: {error}: not sent (read-only)", None))
            raise _Stop(f"read-only session: {exc.message}") from None
        except Unauthorized as exc:
            journal.record(entry(item, 401, f"{batch}: {error}: failed: {exc.message}", None))
            report.failed.append((item, f"authentication failed (401): {exc.message}"))
            raise _Stop(f"authentication failed (401): {exc.message}") from None
        except ApiError as exc:
            reason = _api_reason(exc)
            if exc.status is None:
                journal.record(entry(item, None, f"{batch}: {error}: no answer: {exc.message}", item.after))
                report.unknown.append(item)
            else:
                journal.record(entry(item, exc.status, f"{batch}: {error}: failed: {reason}", None))
                report.failed.append((item, reason))
            progress.counts["failed"] += 1
        else:
            written = saved.raw if saved.wrapped else saved.data
            journal.record(entry(item, 200, f"{batch}: {error}: written", written))
            report.written.append(item)
            progress.counts["written"] += 1
        progress.done += 1
        if on_progress is not None:
            on_progress(progress)

    header_note = f"{label} · undo of {undo_of}" if undo_of else label
    try:
        journal.record(JournalEntry(
            time=journal.now(), profile=journal.profile, method="FIX", path=header_path, status=None,
            before=list(ops), after={"records": [item.record.resource_id for item in changed]},
            kind=FIX_BATCH_KIND, resource_id=batch, note=header_note, batch=batch, server=client.base_url,
            account=journal.account))
    except _Stop as stop:
        report.stopped = str(stop)
        report.not_sent = [(item, str(stop)) for item in changed]
        return report
    report.stopped = await _pool(changed, write, options, cancel)
    handled = {id(item) for item in report.written} | {id(item) for item, _ in report.failed}
    handled |= {id(item) for item in report.unknown} | {id(item) for item, _ in report.not_sent}
    reason = NOT_SENT if report.stopped is None else f"not sent: {report.stopped}"
    report.not_sent += [(item, reason) for item in changed if id(item) not in handled]
    report.canceled = cancel.cancelled
    report.elapsed = options.clock() - started
    return report
