"""``iox fix``: one JSON Patch applied to the retry data of many failed records, previewed, then written.

Why through ``explorer.services.fix_run``: the TUI's ``T`` and this command must fetch, classify, write and
journal identically. This module chooses the records (every open error of the step, or those of one message
template, one code, or named error ids), reads the patch (a file or ``-``), prints the summary and the first
diffs, asks as ``iox put`` does (unless ``--yes``), and with ``--retry`` retries what it wrote. ``--dry-run``
sends no write. A read-only session is refused before any request unless ``--dry-run``.

Exit codes: 0 ok; 1 some records failed (could not be read, written, or failed again after ``--retry``);
2 usage; 3 authentication.
"""

from __future__ import annotations

import argparse
from typing import Any

from explorer.client import ApiError
from explorer.commands.bulk import ctrl_c_cancels
from explorer.commands.common import (
    EXIT_API,
    EXIT_AUTH,
    EXIT_OK,
    CommandContext,
    UsageError,
    add_command,
    confirmed,
    require_writable,
)
from explorer.commands.documents import read_text
from explorer.commands.names import accepting_names
from explorer.commands.output import printable
from explorer.journal import Journal
from explorer.services.bulk import BulkOptions, BulkProgress, CancelToken
from explorer.services.fix_apply import ApplyReport, BatchJournal, apply_fix
from explorer.services.fix_patch import FixRecord, PatchOp, PatchProblem, parse_patch
from explorer.services.fix_retry import FixRetryReport, retry_fixed
from explorer.services.fix_run import (
    FixOptions,
    FixPreview,
    FixProgress,
    preview_fix,
)
from explorer.services.templates import template_of

FIX_CONCURRENCY = 32
"""Requests in flight while fetching and writing: enough for the 250/s pace at 100 ms RTT (16 would cap it at
160/s); the pacer, not this number, keeps the fix under the API's rate limit."""
DIFFS_SHOWN = 3
"""Changed records whose diff is printed before the question (``--json`` gives them all)."""


def _selector(args: argparse.Namespace) -> tuple[str, Any]:
    chosen = [(name, value) for name, value in (("template", args.template), ("code", args.code),
                                                ("error_ids", args.error_id or None)) if value]
    if len(chosen) > 1:
        raise UsageError("choose the records one way: --template, --code or --error-id")
    return chosen[0] if chosen else ("all", None)


def _matcher(kind: str, value: Any) -> Any:
    if kind == "template":
        return lambda record: template_of(record.message) == value
    if kind == "code":
        return lambda record: (record.code or "") == value
    if kind == "error_ids":
        wanted = set(value)
        return lambda record: record.error_id in wanted
    return lambda record: True


async def select_records(ctx: CommandContext, args: argparse.Namespace) -> tuple[list[FixRecord], list[str]]:
    """The step's open errors the selector picks (kept light: only what a fix needs), and unknown ids."""
    kind, value = _selector(args)
    accept = _matcher(kind, value)
    chosen: list[FixRecord] = []
    seen = 0
    async for page in ctx.api.iter_errors(args.flow, args.step):
        seen += len(page)
        chosen += [FixRecord.of(record) for record in page if accept(record)]
        ctx.out.progress(f"reading the step's errors: {seen:,} read, {len(chosen):,} chosen…")
    ctx.out.clear_progress()
    unknown = [i for i in value if i not in {r.error_id for r in chosen}] if kind == "error_ids" else []
    return chosen, unknown


def read_patch(ctx: CommandContext, file: str) -> list[PatchOp]:
    """The patch from a file or stdin; a usage error says what is wrong with it."""
    try:
        return parse_patch(read_text(ctx, file))
    except PatchProblem as problem:
        raise UsageError(f"{printable(file)}: not a usable JSON Patch: {printable(str(problem))}") from None


def _show_preview(ctx: CommandContext, preview: FixPreview) -> None:
    show = ctx.out.note if ctx.out.json_mode else ctx.out.line
    for line in preview.summary_lines():
        show(printable(line))
    for item in preview.changed[:DIFFS_SHOWN]:
        for line in item.diff():
            show(printable(line))
    if len(preview.changed) > DIFFS_SHOWN:
        show(f"… and {len(preview.changed) - DIFFS_SHOWN:,} more changed record(s)")


async def _account(ctx: CommandContext) -> str | None:
    try:
        return (await ctx.api.token_info()).user_id or None
    except ApiError:
        return None


def _apply_json(report: ApplyReport) -> dict[str, Any]:
    return {"batch": report.batch_id, "written": [i.record.error_id for i in report.written],
            "write_failed": [{"errorId": i.record.error_id, "reason": r} for i, r in report.failed],
            "no_answer": [i.record.error_id for i in report.unknown],
            "not_sent": [{"errorId": i.record.error_id, "reason": r} for i, r in report.not_sent],
            "canceled": report.canceled, "journal": report.journal_path}


def _retry_json(report: FixRetryReport) -> dict[str, Any]:
    return {"retried": [r.error_id for r in report.bulk.sent],
            "failed_again": [{"errorId": r.error_id, "traceKey": r.trace_key, "message": r.message}
                             for r in report.failed_again],
            "templates": [group.as_json() for group in report.groups], "note": report.note}


async def run_fix(ctx: CommandContext, args: argparse.Namespace) -> int:
    """Select, preview, confirm, write (journaled as one batch), and optionally retry."""
    if args.retry and args.dry_run:
        raise UsageError("--retry retries what the fix writes: it cannot go with --dry-run")
    if not args.dry_run:
        require_writable(ctx, "fix retry data")
    ops = read_patch(ctx, args.patch)
    records, unknown = await select_records(ctx, args)
    if unknown:
        ctx.out.note(f"iox: {len(unknown):,} error id(s) not among the step's open errors: "
                     + printable(" ".join(unknown[:10])))
    if not records:
        ctx.out.note("iox: no open error of the step matches: nothing to fix")
        if ctx.out.json_mode:
            ctx.out.data(FixPreview([], ops).as_json())
        return EXIT_API if unknown else EXIT_OK
    cancel = CancelToken()
    options = FixOptions(concurrency=FIX_CONCURRENCY)

    def progress(state: FixProgress) -> None:
        ctx.out.progress(state.line())

    with ctrl_c_cancels(ctx, cancel):
        preview = await preview_fix(ctx.api, records, ops, options=options, cancel=cancel,
                                    on_progress=progress)
    ctx.out.clear_progress()
    auth_failed = bool(preview.stopped and preview.stopped.startswith("authentication failed"))
    unreadable = any(item.reason.startswith("could not read") for item in preview.items)
    _show_preview(ctx, preview)
    if args.dry_run or preview.canceled or not preview.changed:
        if ctx.out.json_mode:
            ctx.out.data(preview.as_json())
        if args.dry_run:
            ctx.out.note("iox: --dry-run: nothing was written")
        elif not preview.canceled and not auth_failed:
            ctx.out.note("iox: the patch changes no record: nothing to write")
        if auth_failed:
            return EXIT_AUTH
        return EXIT_API if unreadable or unknown or preview.canceled else EXIT_OK
    if not confirmed(ctx, yes=args.yes, stdin_input=args.patch == "-",
                     question=f"PUT the patched retry data of {len(preview.changed):,} record(s)? [y/N] ",
                     refusal="write without a confirmation: there is no terminal to ask on (the patch "
                             "came from stdin, or stdin is not a terminal); check with --dry-run, then "
                             "pass --yes"):
        ctx.out.note("iox: not confirmed; nothing was written")
        return EXIT_API
    session = ctx.session
    journal = BatchJournal(Journal.default(ctx.environ), ctx.profile_name,
                           secrets=[session.token] if session is not None else [],
                           account=await _account(ctx))
    label = f"iox fix {args.step}: {len(preview.changed):,} record(s)"
    with ctrl_c_cancels(ctx, cancel):
        report = await apply_fix(ctx.api, preview.items, journal=journal, label=label, ops=ops,
                                 options=options, cancel=cancel, on_progress=progress)
    ctx.out.clear_progress()
    show = ctx.out.note if ctx.out.json_mode else ctx.out.line
    for line in report.lines():
        show(printable(line))
    result: dict[str, Any] = {**preview.as_json(diffs=DIFFS_SHOWN), **_apply_json(report)}
    retried: FixRetryReport | None = None
    if args.retry and report.written and not report.canceled:
        def retry_progress(state: BulkProgress) -> None:
            ctx.out.progress(f"retrying: {state.done:,}/{state.total:,} · {state.note}")

        with ctrl_c_cancels(ctx, cancel):
            retried = await retry_fixed(ctx.api, report.written, options=BulkOptions(), cancel=cancel,
                                        on_progress=retry_progress)
        ctx.out.clear_progress()
        for line in retried.lines():
            show(printable(line))
        result["retry"] = _retry_json(retried)
    if ctx.out.json_mode:
        ctx.out.data(result)
    problems = report.failed or report.unknown or report.not_sent or unreadable or unknown
    again = retried is not None and (retried.failed_again or retried.bulk.failed or retried.bulk.not_sent)
    if report.stopped and report.stopped.startswith("authentication failed"):
        return EXIT_AUTH
    return EXIT_API if problems or again or report.canceled else EXIT_OK


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``fix``."""
    fix = add_command(
        commands, "fix", handler=accepting_names(run_fix),
        help="patch the retry data of many failed records at once (preview, confirm, journal, retry)",
        epilog="exit code 1 when some records could not be read or written, or failed again after --retry\n"
               "examples:\n"
               "  echo '[{\"op\":\"replace\",\"path\":\"/email\",\"value\":\"ops@acme.example\"}]' > p.json\n"
               "  iox fix FLOW STEP --patch p.json --template 'Record <*> rejected by target: invalid value "
               "<*> for field \"email\"' --dry-run\n"
               "  iox fix FLOW STEP --patch p.json --code 422 --yes --retry\n"
               "  iox errors FLOW STEP --group template   # the templates to choose from",
    )
    fix.add_argument("flow", metavar="FLOW", help="the flow: its id or name")
    fix.add_argument("step", metavar="STEP", help="the step: its export's or import's id or name")
    fix.add_argument("--patch", required=True, metavar="FILE",
                     help="an RFC 6902 JSON Patch over the record (the retry data's data); `-` reads stdin. "
                          "Use test operations as guards: a record they reject is reported, not written")
    fix.add_argument("--template", metavar="TEXT", default=None,
                     help="only errors whose message has this template (see `iox errors --group template`)")
    fix.add_argument("--code", metavar="CODE", default=None, help="only errors with this code")
    fix.add_argument("--error-id", action="append", metavar="ID", default=[],
                     help="only this error (repeatable); without a selector, every open error of the step")
    fix.add_argument("--dry-run", action="store_true",
                     help="print the summary and the first diffs; write nothing")
    fix.add_argument("--retry", action="store_true", help="retry the records written, then report repeats")
    fix.add_argument("-y", "--yes", action="store_true", help="do not ask before writing")
    fix.set_defaults(client_concurrency=FIX_CONCURRENCY)
