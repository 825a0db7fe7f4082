"""Write a previewed fix: each changed record's whole retry-data object, PUT paced, journaled as one batch.

Why its own module: the journal is what makes a bulk write safe, and its rules are here in one place — a
header entry, then for each record an *intent* (before and after, ``status`` None) on disk **before** its PUT
is sent, and an outcome entry after the answer. After a crash, a record with an intent and no outcome was
sent but its answer is unknown; a record without an intent was never sent. Entries are group-committed (one
fsync for all the entries asked for meanwhile, in a thread), so 10,000 records cost hundreds of fsyncs, not
20,000 on the event loop. A 403 on one record is reported and the others go on; a 401 stops the batch.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from explorer.client import ApiError, ReadOnlyViolation, Unauthorized
from explorer.journal import Journal, JournalEntry, iso_time
from explorer.services.bulk import CancelToken
from explorer.services.fix_patch import FixRecord, PatchOp
from explorer.services.fix_run import (
    FIX_BATCH_KIND,
    NOT_SENT,
    RETRY_DATA_KIND,
    FixClient,
    FixItem,
    FixOptions,
    FixProgress,
    RatePacer,
    _api_reason,
    _Canceled,
    _paced,
    _pool,
    _reasons,
    _Stop,
)
from explorer.services.write_targets import path_under, retry_data_target
from explorer.services.write_truth import not_taken


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
    not_taken: list[tuple[FixItem, tuple[str, ...]]] = field(default_factory=list)
    """Written records whose stored retry data differs from what was sent, with the JSON paths that differ."""
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
        if self.not_taken:
            paths = sorted({path for _, taken in self.not_taken for path in taken})
            out.append(f"warning: {len(self.not_taken):,} written record(s) were not stored as sent; fields "
                       f"that did not take: {', '.join(paths[:8])}{' …' if len(paths) > 8 else ''}")
        return out


def new_batch_id(now: datetime | None = None) -> str:
    """``fix-20261207T133500Z-1a2b3c``: sortable, unique, safe as a file name."""
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    return f"fix-{moment.strftime('%Y%m%dT%H%M%SZ')}-{secrets.token_hex(3)}"


def retry_data_path(base_url: str, record: FixRecord) -> str:
    """``/v1/flows/F/S/K/data``: the path a record's retry data is written to, as journaled."""
    target = retry_data_target(record.flow_id, record.step_id, record.retry_data_key or "")
    return path_under(base_url, target)


@dataclass
class BatchJournal:
    """Where and as whom a fix is journaled (``secrets`` are masked in whatever is recorded).

    Writes are group-committed: entries asked for while a write is on disk go out together in the next one
    (one ``write`` + ``fsync`` in a thread, off the event loop), and each caller resumes only once its entry
    is on disk — so an intent is still durable before its PUT, at a fraction of one fsync per entry.
    """

    journal: Journal
    profile: str
    secrets: Sequence[str] = ()
    clock: Callable[[], datetime] | None = None
    account: str | None = None
    """The token's user id (tokenInfo ``_userId``): undo refuses a batch made as someone else."""
    _pending: list[tuple[JournalEntry, asyncio.Future[None]]] = field(default_factory=list, init=False,
                                                                      repr=False)
    _flushing: bool = field(default=False, init=False, repr=False)

    async def write(self, entry: JournalEntry) -> None:
        """Append one entry and wait until it is on disk; a disk error (full, read-only) stops the batch."""
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._pending.append((entry, done))
        if not self._flushing:
            self._flushing = True
            asyncio.get_running_loop().create_task(self._flush())
        await done

    async def _flush(self) -> None:
        try:
            while self._pending:
                batch, self._pending = self._pending, []
                try:
                    await asyncio.to_thread(self.journal.record_many, [entry for entry, _ in batch],
                                            secrets=self.secrets)
                except (OSError, TypeError) as exc:
                    stop = _Stop(f"the journal could not record the write ({exc}); nothing more was sent")
                    for _, done in batch:
                        if not done.done():
                            done.set_exception(stop)
                else:
                    for _, done in batch:
                        if not done.done():
                            done.set_result(None)
        finally:
            self._flushing = False

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

    def entry(item: FixItem, status: int | None, note: str, after: Any,
              missed: Sequence[str] = ()) -> JournalEntry:
        return JournalEntry(time=journal.now(), profile=journal.profile, method="PUT",
                            path=retry_data_path(client.base_url, item.record), status=status,
                            before=item.before_doc, after=after, kind=RETRY_DATA_KIND,
                            resource_id=item.record.resource_id, note=note, batch=batch,
                            server=client.base_url, account=journal.account, not_taken=tuple(missed))

    async def write(item: FixItem) -> None:
        record = item.record
        error = f"error {record.error_id}"
        await journal.write(entry(item, None, f"{batch}: {error}: sending", item.after))
        try:
            saved = await _paced(lambda: client.put_retry_data(record.flow_id, record.step_id,
                                                               record.retry_data_key or "", item.after),
                                 pacer, options, cancel)
        except _Canceled:
            await journal.write(entry(item, None, f"{batch}: {error}: not sent (canceled)", None))
            report.not_sent.append((item, NOT_SENT))
            return
        except ReadOnlyViolation as exc:
            await journal.write(entry(item, None, f"{batch}: {error}: not sent (read-only)", None))
            raise _Stop(f"read-only session: {exc.message}") from None
        except Unauthorized as exc:
            await journal.write(entry(item, 401, f"{batch}: {error}: failed: {exc.message}", None))
            report.failed.append((item, f"authentication failed (401): {exc.message}"))
            raise _Stop(f"authentication failed (401): {exc.message}") from None
        except ApiError as exc:
            reason = _api_reason(exc)
            if exc.status is None:
                note = f"{batch}: {error}: no answer: {exc.message}"
                await journal.write(entry(item, None, note, item.after))
                report.unknown.append(item)
            else:
                await journal.write(entry(item, exc.status, f"{batch}: {error}: failed: {reason}", None))
                report.failed.append((item, reason))
            progress.counts["failed"] += 1
        else:
            written = saved.raw if saved.wrapped else saved.data
            # The server's answer against what was sent: every path that did not take is journaled.
            missed = tuple(taken.path for taken in not_taken(item.after, written))
            did_not_take = f"; did not take: {', '.join(missed)}" if missed else ""
            await journal.write(entry(item, 200, f"{batch}: {error}: written{did_not_take}", written, missed))
            report.written.append(item)
            if missed:
                report.not_taken.append((item, missed))
            progress.counts["written"] += 1
        progress.done += 1
        if on_progress is not None:
            on_progress(progress)

    header_note = f"{label} · undo of {undo_of}" if undo_of else label
    try:
        await journal.write(JournalEntry(
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
