"""After a fix: retry the records it wrote, then say which failed again and why (grouped by template).

Why through ``bulk.run_bulk``: a retry re-processes records, so it must be batched by 1000, paced, never sent
twice and followed to its end exactly as every other retry. Once the retry jobs end, the steps' open errors
are read again: an error with the traceKey of a retried record and a new errorId is that record failing
again, with its new message — grouped by template so "1,990 fixed, 8 failed again: Tax code <*> …" reads
at a glance.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from explorer.client import ApiError
from explorer.model import ErrorRecord
from explorer.services.bulk import (
    BulkClient,
    BulkOptions,
    BulkProgress,
    BulkReport,
    CancelToken,
    run_bulk,
)
from explorer.services.fix_run import FixItem
from explorer.services.templates import TemplateGroup, group_by_template


class FixRetryClient(BulkClient, Protocol):
    """What a retry after a fix needs: the bulk actions and the open-error pages."""

    def iter_errors(self, flow_id: str, step_id: str, *,
                    occurred_at_gte: datetime | str | None = None) -> AsyncIterator[list[ErrorRecord]]: ...


@dataclass
class FixRetryReport:
    """The retry of the fixed records: the bulk report, and the records that failed again."""

    bulk: BulkReport
    failed_again: list[ErrorRecord] = field(default_factory=list)
    groups: list[TemplateGroup] = field(default_factory=list)
    note: str = ""

    def lines(self) -> list[str]:
        """Plain lines for the report dialog and the CLI."""
        out = list(self.bulk.lines())
        if self.note:
            out.append(self.note)
        elif self.bulk.followed:
            retried = len(self.bulk.sent)
            again = len(self.failed_again)
            out.append(f"{retried - again:,} of {retried:,} retried records did not fail again; "
                       f"{again:,} failed again{':' if again else ''}")
            out += [f"  {group.count:,} × {group.template}" for group in self.groups[:10]]
        return out


def as_error_records(items: Sequence[FixItem]) -> list[ErrorRecord]:
    """The written records as error rows, for the bulk service."""
    return [ErrorRecord(flow_id=item.record.flow_id, step_id=item.record.step_id,
                        error_id=item.record.error_id, message=item.record.message,
                        trace_key=item.record.trace_key, retry_data_key=item.record.retry_data_key)
            for item in items]


async def retry_fixed(client: FixRetryClient, items: Sequence[FixItem], *, options: BulkOptions | None = None,
                      cancel: CancelToken | None = None,
                      on_progress: Callable[[BulkProgress], None] | None = None) -> FixRetryReport:
    """Retry ``items`` (the records a fix wrote), follow the jobs, and find the records that failed again."""
    options = options or BulkOptions()
    records = as_error_records(items)
    bulk = await run_bulk(client, "retry", records, options=options, cancel=cancel, on_progress=on_progress)
    report = FixRetryReport(bulk)
    if not bulk.sent:
        return report
    if not bulk.followed or any(not job.finished for job in bulk.followed):
        report.note = "the retry jobs have not all ended: look at the step's errors later for repeats"
        return report
    # A repeat is a new error, so it occurred after its retry job was created (server time): asking for those
    # only reads a page or two instead of the whole step again.
    created = [job.created_at for job in bulk.jobs if job.created_at is not None]
    since = min(created) if len(created) == len(bulk.jobs) else None
    retried_ids = {(r.flow_id, r.step_id, r.error_id) for r in bulk.sent}
    traces = {(r.flow_id, r.step_id, r.trace_key) for r in bulk.sent if r.trace_key}
    for flow_id, step_id in sorted({(r.flow_id, r.step_id) for r in bulk.sent}):
        try:
            async for page in client.iter_errors(flow_id, step_id, occurred_at_gte=since):
                report.failed_again += [
                    error for error in page
                    if (flow_id, step_id, error.trace_key) in traces
                    and (flow_id, step_id, error.error_id) not in retried_ids]
        except ApiError as exc:
            report.note = f"could not read the step's errors again to find repeats: {exc.message}"
            return report
    report.groups = group_by_template(report.failed_again)
    return report
