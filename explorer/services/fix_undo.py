"""Undo a bulk fix from the journal: every record it wrote gets back the exact object it had before.

Why through the same preview and apply as the fix: undoing 2,000 writes is itself 2,000 writes, so it is
shown before it is sent (how many will be restored, which changed since and are left alone) and journaled
as its own batch. A record is restored only when the server still holds what the fix wrote; one someone
edited (or that was retried, its retry data gone) since is reported, never overwritten. The restored
object is the ``before`` the fix journaled, sent back whole, so its data is byte-for-byte what it was.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from explorer.journal import Journal, JournalEntry
from explorer.model import RetryData
from explorer.services.bulk import CancelToken
from explorer.services.fix_patch import FixRecord, same_json
from explorer.services.fix_run import (
    FIX_BATCH_KIND,
    FixClient,
    FixItem,
    FixOptions,
    FixPreview,
    FixProgress,
    fetch_all,
)
from explorer.services.write_truth import undo_refusal

CHANGED_SINCE = "changed since the fix: left as it is (restore it by hand if needed)"
_ERROR_IN_NOTE = re.compile(r": error (\S+): ")


@dataclass(frozen=True)
class BatchSummary:
    """One fix as the journal screen lists it."""

    batch_id: str
    time: str
    label: str
    planned: int
    written: int
    failed: int
    unknown: int
    header: JournalEntry

    def line(self) -> str:
        """``1,998 written · 2 failed`` for the journal's list."""
        parts = [f"{self.written:,} written"]
        if self.failed:
            parts.append(f"{self.failed:,} failed")
        if self.unknown:
            parts.append(f"{self.unknown:,} no answer")
        if self.planned > self.written + self.failed + self.unknown:
            parts.append(f"{self.planned - self.written - self.failed - self.unknown:,} not sent")
        return " · ".join(parts)


def _final_entries(entries: Iterable[JournalEntry]) -> dict[str, JournalEntry]:
    """The last entry of each record of a batch (oldest-first input): its outcome, or its intent."""
    final: dict[str, JournalEntry] = {}
    for entry in entries:
        if entry.kind != FIX_BATCH_KIND and entry.resource_id:
            final[entry.resource_id] = entry
    return final


def summarize_batch(header: JournalEntry, entries: Sequence[JournalEntry]) -> BatchSummary:
    """Counts of one batch from its entries (oldest first)."""
    final = _final_entries(entries).values()
    after = header.after if isinstance(header.after, dict) else {}
    planned = len(after.get("records", [])) if isinstance(after.get("records"), list) else len(final)
    written = sum(1 for entry in final if entry.succeeded)
    unknown = sum(1 for entry in final
                  if entry.status is None and entry.note and "not sent" not in entry.note)
    failed = sum(1 for entry in final if entry.status is not None and not entry.succeeded)
    return BatchSummary(header.batch or "", header.time, header.note or "", planned, written, failed,
                        unknown, header)


def written_entries(entries: Iterable[JournalEntry]) -> list[JournalEntry]:
    """The outcome entries of the records a batch wrote (2xx), oldest first: what undo restores."""
    final = _final_entries(entries).values()
    return [entry for entry in final if entry.succeeded and entry.before is not None]


def record_of(entry: JournalEntry) -> FixRecord | None:
    """The record a batch entry wrote to (from ``flow.step.key`` and the note's error id)."""
    parts = (entry.resource_id or "").split(".")
    if len(parts) != 3:
        return None
    found = _ERROR_IN_NOTE.search(entry.note or "")
    return FixRecord(parts[0], parts[1], found.group(1) if found else parts[2], parts[2])


async def preview_undo(client: FixClient, journal: Journal, batch_id: str, *, account: str | None = None,
                       options: FixOptions | None = None, cancel: CancelToken | None = None,
                       on_progress: Callable[[FixProgress], None] | None = None) -> FixPreview:
    """What undoing ``batch_id`` would do: fetch each written record; restore those still as written.

    A batch written on another server or as another account than this session's is refused before any
    request (``stopped`` says why), as a single undo is.
    """
    options = options or FixOptions()
    cancel = cancel or CancelToken()
    started = options.clock()
    items: list[FixItem] = []
    wrote: dict[int, JournalEntry] = {}
    entries = journal.batch(batch_id)
    header = next((entry for entry in entries if entry.kind == FIX_BATCH_KIND), None)
    refusal = None if header is None else undo_refusal(header, client.base_url, account)
    if refusal is not None:
        return FixPreview([], [], stopped=refusal)
    for entry in written_entries(entries):
        record = record_of(entry)
        if record is not None:
            items.append(FixItem(record))
            wrote[id(items[-1])] = entry

    def decide(item: FixItem, current: RetryData) -> None:
        entry = wrote[id(item)]
        item.before = current
        now: Any = current.raw if current.wrapped else current.data
        if same_json(now, entry.before):
            item.outcome, item.reason = "unchanged", "already as before the fix"
        elif same_json(now, entry.after) or (
                isinstance(entry.after, dict) and same_json(current.data, entry.after.get("data"))):
            item.outcome, item.after = "change", entry.before
        else:
            item.outcome, item.reason = "failed", CHANGED_SINCE

    stopped = await fetch_all(client, items, decide, options=options, cancel=cancel, on_progress=on_progress)
    return FixPreview(items, [], canceled=cancel.cancelled, stopped=stopped,
                      elapsed=options.clock() - started)


def journal_rows(entries: Sequence[JournalEntry]) -> list[tuple[JournalEntry, BatchSummary | None]]:
    """The journal as listed (newest first): single writes as they are, each fix as one row (its header
    and a summary) instead of its thousands of per-record entries."""
    members: dict[str, list[JournalEntry]] = {}
    for entry in entries:
        if entry.batch and entry.kind != FIX_BATCH_KIND:
            members.setdefault(entry.batch, []).append(entry)
    rows: list[tuple[JournalEntry, BatchSummary | None]] = []
    for entry in entries:
        if entry.batch and entry.kind == FIX_BATCH_KIND:
            rows.append((entry, summarize_batch(entry, list(reversed(members.get(entry.batch, []))))))
        elif not entry.batch:
            rows.append((entry, None))
    return rows
