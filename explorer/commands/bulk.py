"""``iox retry`` and ``iox resolve``: act on a step's errors in bulk, through the shared bulk service.

Why through ``explorer.services.bulk``: the TUI's errors screen and these commands must batch by 1000, pace on
the rate limit, never send a retry twice, and report partial outcomes identically. This module only chooses
the records (``--all``, with the same filters as ``iox errors``, or named error ids, or ids on stdin), wires
Ctrl+C to the service's cancel token (the batch in flight completes; the rest is reported as not sent), shows
progress on stderr, and prints the service's report.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any

from explorer.commands.common import (
    EXIT_API,
    EXIT_INTERRUPTED,
    EXIT_OK,
    CommandContext,
    UsageError,
    add_command,
    require_writable,
)
from explorer.commands.errors import ErrorSelection, RetentionCheck, add_filter_options, stream_errors
from explorer.commands.names import accepting_names
from explorer.commands.output import printable
from explorer.model import ErrorRecord
from explorer.services.bulk import BulkKind, BulkOptions, BulkProgress, BulkReport, CancelToken, run_bulk

UNKNOWN_ID = "not among the step's open errors"


def requested_ids(ctx: CommandContext, ids: list[str]) -> list[str]:
    """The error ids named on the command line; ``-`` reads more from stdin (separated by blanks/lines)."""
    found: list[str] = []
    for value in ids:
        if value == "-":
            found += ctx.stdin.read().split()
        else:
            found.append(value)
    return list(dict.fromkeys(found))


async def list_open(ctx: CommandContext, chosen: ErrorSelection, ids: list[str] | None,
                    on_page: Callable[[list[ErrorRecord], int], None] | None = None) -> list[ErrorRecord]:
    """The step's open errors from the newest on: all of them, or only until every named id has been seen.

    Why stop early: ids usually come from the top of the list (``iox errors ... --limit``, a pipe through
    ``head``); reading on to the 100,000th error of a large step took 15-20 s at 100 ms of round trip for
    nothing (issue 10). Positions stay right for the retention check: the list is read from its top. The
    page after the one that completes the ids is not even asked for (``until_seen``): it used to be on the
    wire already, and the server served it while the batches went out. ``on_page`` hears of each page and
    how many errors were read so far.
    """
    wanted = None if ids is None else set(ids)
    found: list[ErrorRecord] = []
    async with contextlib.aclosing(stream_errors(ctx, chosen, until_seen=ids)) as pages:
        async for page in pages:
            found += page
            if on_page is not None:
                on_page(page, len(found))
            if wanted is not None:
                wanted.difference_update(record.error_id for record in page)
                if not wanted:
                    break
    return found


class BatchConnections:
    """Opens the connections the batches will need while the command still lists (see
    ``IntegratorClient.open_connections``): one per batch that may be on the wire at once.

    Why: the pool held one idle connection when the batches left, so each batch opened its own after
    "retrying:" — TCP and TLS, two round trips on the real API, ~200 ms of a bulk whose least time is one
    round trip (issue 10). With ids the count is known before the listing; with ``--all`` it grows with
    each page read (``listed``; those already open or opening count). A listing longer than the pool's
    keep-alive (5 s: tens of pages at 100 ms) would see them expire: they are renewed until ``ready``.
    """

    def __init__(self, ctx: CommandContext, options: BulkOptions) -> None:
        self.ctx = ctx
        self.options = options
        self.asked = 0
        self.page_size = 0
        self.listing = True
        self.kept: asyncio.Future[int] | None = None

    def listed(self, page: list[ErrorRecord], read: int) -> None:
        """A page of ``--all`` was read (``read`` errors so far). A page as full as the first is taken to
        have another behind it: the connection of the batch that page may need is then opened a round
        trip before the listing ends, not as the batches leave (at worst one connection too many)."""
        self.page_size = self.page_size or len(page)
        self.expect(read + (self.page_size if len(page) >= self.page_size else 0))

    def expect(self, records: int) -> None:
        """At least ``records`` errors will be sent: have their batches' connections open."""
        wanted = min(-(-records // self.options.batch_size), self.options.in_flight)
        if wanted <= self.asked:
            return
        self.asked = wanted
        if self.kept is None:
            self.kept = self.ctx.api.keep_connections_open(lambda: self.asked, lambda: self.listing)
        else:
            self.ctx.api.open_connections(wanted)

    def ready(self) -> None:
        """The batches leave now: no more renewing (one under way finishes; nothing is closed from here)."""
        self.listing = False


def choose(records: list[ErrorRecord], ids: list[str] | None) -> tuple[list[ErrorRecord], list[str]]:
    """The records to act on (all, or the named ones in the order named) and the ids that matched none."""
    if ids is None:
        return records, []
    by_id = {record.error_id: record for record in records}
    return [by_id[i] for i in ids if i in by_id], [i for i in ids if i not in by_id]


@contextlib.contextmanager
def ctrl_c_cancels(ctx: CommandContext, cancel: CancelToken) -> Iterator[None]:
    """While bulk batches run, Ctrl+C stops the batches not yet sent instead of killing the one in flight."""
    loop = asyncio.get_running_loop()

    def stop() -> None:
        if not cancel.cancelled:
            ctx.out.note("iox: canceled: nothing more is sent (a batch already on the wire completes)")
        cancel.cancel()

    try:
        loop.add_signal_handler(signal.SIGINT, stop)
    except (NotImplementedError, RuntimeError, ValueError):  # not the main thread, or no signal support
        yield
        return
    try:
        yield
    finally:
        loop.remove_signal_handler(signal.SIGINT)


def _progress_line(progress: BulkProgress) -> str:
    verb = "retrying" if progress.kind == "retry" else "resolving"
    line = (f"{verb}: {progress.done:,}/{progress.total:,} · batch {progress.batches_done}/"
            f"{progress.batches_total}")
    return f"{line} · {progress.note}" if progress.note else line


def report_json(report: BulkReport, unknown: list[str]) -> dict[str, Any]:
    """The report as a document for ``--json``."""
    def reasons(items: list[tuple[ErrorRecord, str]]) -> list[dict[str, str]]:
        return [{"error_id": record.error_id, "reason": reason} for record, reason in items]

    return {
        "kind": report.kind, "requested": report.requested + len(unknown),
        "sent": [record.error_id for record in report.sent],
        "failed": reasons(report.failed), "skipped": reasons(report.skipped),
        "not_sent": reasons(report.not_sent), "unknown": unknown,
        "canceled": report.canceled, "rate_limited": report.rate_limited,
        "jobs": [job.raw for job in report.jobs], "followed": [job.raw for job in report.followed],
        "follow_note": report.follow_note, "elapsed_s": round(report.elapsed, 3),
    }


async def run_action(ctx: CommandContext, args: argparse.Namespace, kind: BulkKind) -> int:
    """Fetch the step's open errors, pick the requested ones, and retry or resolve them in batches."""
    if args.all == bool(args.error_ids):
        raise UsageError(f"say which errors to {kind}: --all, or one or more ERROR_IDs (`-` reads stdin)")
    if not args.all and (args.since or args.source or args.classification):
        raise UsageError("--since, --source and --classification only apply with --all")
    require_writable(ctx, f"{kind} errors")
    ids = None if args.all else requested_ids(ctx, args.error_ids)
    if ids is not None and not ids:
        raise UsageError("no error ids were given on stdin")
    options = BulkOptions(follow=kind == "retry" and not args.no_follow)
    connections = BatchConnections(ctx, options)
    if ids is not None:
        connections.expect(len(ids))  # opened while the listing loads: there before "retrying:"
    open_errors = replace(ErrorSelection.from_args(args), resolved=False, limit=None)
    listed = await list_open(ctx, open_errors, ids, on_page=connections.listed if ids is None else None)
    records, unknown = choose(listed, ids)
    if not records:
        ctx.out.note(f"iox: nothing to {kind}: " + ("no open errors match" if ids is None
                                                     else f"{len(unknown):,} id(s) {UNKNOWN_ID}"))
        if ctx.out.json_mode:
            ctx.out.data(report_json(BulkReport(kind, requested=0), unknown))
        return EXIT_API if unknown else EXIT_OK
    beyond: frozenset[tuple[str, str, str]] = frozenset()
    if kind == "retry":  # errors past the newest 20,000 of the step have no retry data: skip them unsent
        retention = RetentionCheck(open_errors)
        await retention.prepare(ctx)
        old = retention.check(listed)
        beyond = frozenset((r.flow_id, r.step_id, r.error_id) for r in records if r.error_id in old)
    connections.ready()
    cancel = CancelToken()
    with ctrl_c_cancels(ctx, cancel):
        report = await run_bulk(ctx.api, kind, records, options=options, cancel=cancel,
                                on_progress=lambda p: ctx.out.progress(_progress_line(p)), beyond=beyond)
    ctx.out.clear_progress()
    if ctx.out.json_mode:
        ctx.out.data(report_json(report, unknown))
    else:
        for line in report.lines():
            ctx.out.line(printable(line))
        if unknown:
            ctx.out.line(f"unknown {len(unknown)}: {UNKNOWN_ID}: " + printable(" ".join(unknown[:10]))
                         + (" …" if len(unknown) > 10 else ""))
    if report.canceled:
        return EXIT_INTERRUPTED  # Ctrl+C: the report above says exactly what the server accepted
    incomplete = report.failed or report.not_sent or unknown or (report.skipped and not args.all)
    return EXIT_API if incomplete else EXIT_OK


async def run_retry(ctx: CommandContext, args: argparse.Namespace) -> int:
    """Retry errors (re-process their records); the retry jobs are followed unless ``--no-follow``."""
    return await run_action(ctx, args, "retry")


async def run_resolve(ctx: CommandContext, args: argparse.Namespace) -> int:
    """Mark errors resolved."""
    return await run_action(ctx, args, "resolve")


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``retry`` and ``resolve``."""
    for name, handler, help_text, example in (
        ("retry", run_retry, "retry a step's errors (all, or by error id) in paced batches of 1000",
         "  iox retry FLOW STEP 4d163045 aedeb694\n  iox retry FLOW STEP --all --classification intermittent"
         "\n  iox errors FLOW STEP --json | jq -r '.[].errorId' | iox retry FLOW STEP -"),
        ("resolve", run_resolve, "mark a step's errors resolved (all, or by error id)",
         "  iox resolve FLOW STEP 80b3f5aa\n  iox resolve FLOW STEP --all --since 2026-11-01..2026-11-20"),
    ):
        parser = add_command(commands, name, handler=accepting_names(handler), help=help_text,
                             epilog="exit code 1 when any error was not " + ("retried" if name == "retry"
                                                                             else "resolved")
                             + "\nexamples:\n" + example)
        parser.add_argument("flow", metavar="FLOW", help="the flow: its id or name")
        parser.add_argument("step", metavar="STEP", help="the step: its export's or import's id or name")
        parser.add_argument("error_ids", nargs="*", metavar="ERROR_ID",
                            help="errors to act on; `-` reads ids from stdin")
        parser.add_argument("--all", action="store_true", help="every open error of the step (see filters)")
        add_filter_options(parser)
        if name == "retry":
            parser.add_argument("--no-follow", action="store_true",
                                help="do not wait for the retry jobs to finish")
