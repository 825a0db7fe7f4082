"""``iox errors``: a step's failed records, from a script (``retry``/``resolve`` live in ``bulk``).

Why errors stream: a step can hold 100,000 open errors; pages are read as they arrive (progress on stderr when
it is a terminal), ``--limit`` stops early, and ``--json``/``--jsonl`` print each page as it arrives. The
``--since`` grammar is the TUI's own date-range parser.
"""

from __future__ import annotations

import argparse
from collections.abc import AsyncGenerator, Collection
from dataclasses import dataclass
from datetime import datetime

from explorer.client import ApiError
from explorer.commands.common import EXIT_OK, CommandContext, UsageError, add_command
from explorer.commands.formatting import NONE, text, when
from explorer.commands.names import accepting_names
from explorer.commands.output import json_lines
from explorer.model import ErrorRecord
from explorer.services.error_list import parse_date_range
from explorer.services.retention import RETRY_DATA_KEPT, beyond_by_position, beyond_by_time, cutoff_time
from explorer.services.templates import TemplateGroup, group_by_template

MESSAGE_WIDTH = 80


def parse_since(value: str, now: datetime | None = None) -> tuple[datetime | None, datetime | None]:
    """``--since``: a time (``2026-11-20``, ``2026-11-20T10:00:00Z``), an age (``30m``, ``24h``, ``7d``,
    ``2w``) or a range (``2026-11-01..2026-11-20``), read by the TUI's own range parser.

    A single time means "from then on" (not "that day" as in the TUI's filter). Raises UsageError.
    """
    try:
        start, end = parse_date_range(value, now)
    except ValueError as error:
        raise UsageError(f"--since: {error}; or an age such as 24h or 7d") from None
    if start is None and end is None:
        raise UsageError("--since: empty value")
    return start, end if ".." in value else None


def error_row(error: ErrorRecord, resolved: bool, beyond: bool = False) -> tuple[object, ...]:
    """One table row for an error (``beyond``: past the newest 20,000 of the step, shown ``no*``)."""
    row: list[object] = [error.error_id, when(error.occurred_at)]
    if resolved:
        row.append(when(error.resolved_at))
    retry = "no*" if beyond else "yes" if error.retriable else "no"
    row += [text(error.source), text(error.classification), text(error.code), retry, text(error.trace_key),
            error.message]
    return tuple(row)


@dataclass(frozen=True)
class ErrorSelection:
    """Which of a step's errors a command reads: the step, open or resolved, the filters and ``--limit``.

    Why a value rather than the argparse Namespace: ``retry``/``resolve`` read the open errors whatever their
    own options say, and build their own selection instead of overwriting the parsed arguments.
    """

    flow: str
    step: str
    resolved: bool = False
    since: str | None = None
    source: tuple[str, ...] = ()
    classification: tuple[str, ...] = ()
    limit: int | None = None

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> ErrorSelection:
        """The selection the options of ``iox errors`` (or of ``retry``/``resolve``) name."""
        return cls(args.flow, args.step, resolved=getattr(args, "resolved", False), since=args.since,
                   source=tuple(args.source), classification=tuple(args.classification),
                   limit=getattr(args, "limit", None))


def _pages(ctx: CommandContext, chosen: ErrorSelection,
           until_seen: Collection[str] | None = None) -> AsyncGenerator[list[ErrorRecord], None]:
    since, until = parse_since(chosen.since) if chosen.since else (None, None)
    return ctx.api.iter_errors(chosen.flow, chosen.step, resolved=chosen.resolved, occurred_at_gte=since,
                               occurred_at_lte=until, source=chosen.source or None,
                               classification=chosen.classification or None, until_seen=until_seen,
                               most=chosen.limit or None)


async def stream_errors(ctx: CommandContext, chosen: ErrorSelection, *,
                        until_seen: Collection[str] | None = None) -> AsyncGenerator[list[ErrorRecord], None]:
    """A step's errors page by page (open or resolved) with the command's filters, stopping at ``--limit``
    (or after the page on which the last of the ``until_seen`` ids appears).

    The next page is already on its way while the caller prints this one (see ``HttpCore.body_pages``),
    unless this one reaches the limit or the last id: then none is asked for (the server would serve it
    for nothing).
    """
    seen = 0
    limit = chosen.limit
    pages = _pages(ctx, chosen, until_seen)
    try:
        async for page in pages:
            if limit and seen + len(page) >= limit:
                page = page[: limit - seen]
            seen += len(page)
            ctx.out.progress(f"fetched {seen:,} errors…")
            yield page
            if limit and seen >= limit:
                break
    finally:
        await pages.aclose()
        ctx.out.clear_progress()


async def collect_errors(ctx: CommandContext, chosen: ErrorSelection) -> list[ErrorRecord]:
    """A step's errors (open or resolved) with the command's filters, stopping at ``--limit``."""
    found: list[ErrorRecord] = []
    async for page in stream_errors(ctx, chosen):
        found += page
    return found


class RetentionCheck:
    """Which listed open errors are past the newest 20,000 of their step (no retry data), page by page.

    Unfiltered, the list's own positions tell. With server-side filters they do not: when the step has more
    than 20,000 open errors, ``prepare`` reads the unfiltered list up to the 20,000th to learn when it
    occurred, and older errors are the ones beyond.
    """

    def __init__(self, chosen: ErrorSelection) -> None:
        self.chosen = chosen
        self.kept = RETRY_DATA_KEPT
        self.filtered = bool(chosen.since or chosen.source or chosen.classification)
        self.cutoff: datetime | None = None
        self.position = 0
        self.found: list[str] = []

    async def prepare(self, ctx: CommandContext) -> None:
        """With server-side filters on a step of more than ``kept`` open errors: find the cutoff time."""
        if self.chosen.resolved or not self.filtered:
            return
        try:
            counts = await ctx.api.flow_error_summary(self.chosen.flow)
        except ApiError:
            counts = []
        open_count = next((c.num_error for c in counts if c.step_id == self.chosen.step), None)
        if open_count is not None and open_count <= self.kept:
            return
        newest: list[ErrorRecord] = []
        pages = ctx.api.iter_errors(self.chosen.flow, self.chosen.step, most=self.kept)
        try:
            async for page in pages:
                newest += page
                ctx.out.progress(f"checking which errors keep retry data: {len(newest):,}/{self.kept:,}…")
                if len(newest) >= self.kept:
                    break
        finally:
            await pages.aclose()
            ctx.out.clear_progress()
        self.cutoff = cutoff_time(newest, self.kept)

    def check(self, page: list[ErrorRecord]) -> set[str]:
        """Ids of this page (the next of the listing) that are beyond; also kept in ``found``."""
        if self.chosen.resolved:
            return set()
        if self.filtered:
            beyond = beyond_by_time(page, self.cutoff)
        else:
            beyond = beyond_by_position(page, self.position, self.kept)
        self.position += len(page)
        ids = {record.error_id for record in beyond}
        self.found += [record.error_id for record in beyond]
        return ids

    def note(self) -> str:
        """The footnote of ``no*`` rows (and of retries that skip them)."""
        count = len(self.found)
        verb = "errors are" if count != 1 else "error is"
        return (f"* {count:,} {verb} beyond the newest {self.kept:,} of the step: integrator.io keeps no "
                "retry data for them, so a retry skips them")


async def print_json(ctx: CommandContext, args: argparse.Namespace) -> int:
    """``--json`` / ``--jsonl``: each page printed as it arrives (nothing of 100,000 errors is held); the
    documents stay as received, so errors without retry data are only counted on stderr."""
    chosen = ErrorSelection.from_args(args)
    retention = RetentionCheck(chosen)
    await retention.prepare(ctx)
    if args.jsonl:
        async for page in stream_errors(ctx, chosen):
            retention.check(page)
            json_lines(ctx.out.stdout, (error.raw for error in page))
    else:
        with ctx.out.array() as array:
            async for page in stream_errors(ctx, chosen):
                retention.check(page)
                array.add(error.raw for error in page)
    if retention.found:
        shown = ", ".join(retention.found[:5]) + (" …" if len(retention.found) > 5 else "")
        ctx.out.note(f"iox: {retention.note()} ({shown})")
    return EXIT_OK


async def run_errors(ctx: CommandContext, args: argparse.Namespace) -> int:
    """List a step's open (or resolved) errors."""
    if args.limit is not None and args.limit < 1:
        raise UsageError("--limit must be at least 1")
    if args.jsonl and args.group:
        raise UsageError("--jsonl prints errors, not groups: use --json with --group")
    if (ctx.out.json_mode or args.jsonl) and args.group is None:
        return await print_json(ctx, args)
    chosen = ErrorSelection.from_args(args)
    errors = await collect_errors(ctx, chosen)
    if args.group == "template":
        return print_templates(ctx, group_by_template(errors))
    retention = RetentionCheck(chosen)
    await retention.prepare(ctx)
    beyond = retention.check(errors)
    headers = ["ERROR", "OCCURRED"] + (["RESOLVED"] if args.resolved else [])
    headers += ["SOURCE", "CLASS", "CODE", "RETRY", "TRACE", "MESSAGE"]
    ctx.out.table(headers, [error_row(e, args.resolved, e.error_id in beyond) for e in errors],
                  max_widths={len(headers) - 1: MESSAGE_WIDTH, len(headers) - 2: 24})
    kind = "resolved" if args.resolved else "open"
    more = " (--limit reached)" if args.limit and len(errors) >= args.limit else ""
    ctx.out.note(f"{len(errors):,} {kind} error{'s' if len(errors) != 1 else ''}{more}")
    if beyond:
        ctx.out.note(retention.note())
    return EXIT_OK


def _listed(values: tuple[str, ...]) -> str:
    return ", ".join(value or NONE for value in values) or NONE


def print_templates(ctx: CommandContext, groups: list[TemplateGroup]) -> int:
    """``--group template``: one line per message template (count, codes, classifications, first, last)."""
    if ctx.out.json_mode:
        ctx.out.data([group.as_json() for group in groups])
        return EXIT_OK
    rows = [(f"{g.count:,}", _listed(g.codes), _listed(g.classifications), when(g.first), when(g.last),
             g.template) for g in groups]
    ctx.out.table(["COUNT", "CODES", "CLASSES", "FIRST", "LAST", "TEMPLATE"], rows,
                  max_widths={1: 24, 2: 20})
    total = sum(g.count for g in groups)
    ctx.out.note(f"{len(groups)} template{'s' if len(groups) != 1 else ''} over {total:,} errors "
                 "(pass one to `iox fix --template`)")
    return EXIT_OK


def add_filter_options(parser: argparse.ArgumentParser) -> None:
    """``--since``, ``--source`` and ``--classification``: shared by ``errors``, ``retry`` and ``resolve``."""
    parser.add_argument("--since", metavar="WHEN", default=None,
                        help="only errors that occurred since then: ISO-8601 time, an age (30m, 24h, 7d) "
                             "or a range (2026-11-01..2026-11-20)")
    parser.add_argument("--source", action="append", metavar="S", default=[],
                        help="only this source (e.g. application, connection); repeat for any of several")
    parser.add_argument("--classification", action="append", metavar="C", default=[],
                        help="only this classification (e.g. missing, duplicate); repeatable")


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``errors``."""
    errors = add_command(
        commands, "errors", handler=accepting_names(run_errors),
        help="list a step's open (or resolved) errors",
        epilog="examples:\n  iox errors 6571ecd15bc5e3f7c6026ea6 6571d6bafd7a68b8f6a5d162\n"
               "  iox errors FLOW STEP --since 24h --classification missing --json | jq length\n"
               "  iox errors FLOW STEP --group template\n"
               "  iox errors 'Shopify Orders' 'Create NetSuite'   (names: exact, or a unique prefix)",
    )
    errors.add_argument("flow", metavar="FLOW", help="the flow: its id or name")
    errors.add_argument("step", metavar="STEP", help="the step: its export's or import's id or name")
    errors.add_argument("--resolved", action="store_true", help="resolved errors instead of open ones")
    add_filter_options(errors)
    errors.add_argument("--limit", type=int, default=None, metavar="N", help="stop after N errors")
    errors.add_argument("--jsonl", action="store_true",
                        help="one error per line as compact JSON, printed as pages arrive (for jq -c, "
                             "grep, head)")
    errors.add_argument("--group", choices=("template",), default=None,
                        help="template: one line per message template (variable parts masked as <*>), "
                             "with count, codes, classifications, first and last occurrence")
