"""``iox get`` and ``iox put``: any API document as JSON, and a checked, journaled replacement of one.

Why ``put`` is careful: a PUT replaces the whole document (what it omits is erased) and another user may have
saved since the file was fetched. So ``put`` goes through the writes service the TUI's editor uses: it
plans the write against the server's current document (diff, warnings about masked secrets and erased
fields), asks before sending unless ``--yes``, refuses a file whose ``lastModified`` is not the server's (it
was fetched before someone else saved), re-checks just before the PUT, and journals before/after.
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from explorer.client import ApiError
from explorer.commands.common import (
    EXIT_API,
    EXIT_OK,
    CommandContext,
    UsageError,
    add_command,
    confirmed,
    require_writable,
)
from explorer.commands.output import json_text, printable
from explorer.journal import Journal
from explorer.services.json_check import InvalidJson, parse_document
from explorer.services.schemas import SchemaLibrary
from explorer.services.write_targets import (
    EDITABLE_KINDS,
    DocumentTarget,
    document_version,
    resource_target,
    retry_data_target,
)
from explorer.services.write_truth import warning_block
from explorer.services.writes import Failed, Saved, Stale, WritePlan, begin_edit, plan_write, submit_write

PUT_PATHS = ", ".join(f"{kind}/ID" for kind in EDITABLE_KINDS) + ", flows/FLOW/STEP/RETRY_DATA_KEY/data"


async def run_get(ctx: CommandContext, args: argparse.Namespace) -> int:
    """GET any API path and print its JSON (pretty-printed, terminal-safe) on stdout."""
    doc = await ctx.api.get_json(args.path)
    ctx.out.line(json_text(doc))
    return EXIT_OK


def target_for_path(path: str) -> DocumentTarget:
    """The writes service's target for an API path (``flows/ID``, ``/v1/exports/ID``, retry data)."""
    parts = [part for part in path.strip().split("?")[0].split("/") if part]
    if parts[:1] in (["v1"], ["api"]):
        parts = parts[1:]
    if len(parts) == 2 and parts[0] in EDITABLE_KINDS:
        return resource_target(parts[0], parts[1])
    if len(parts) == 5 and parts[0] == "flows" and parts[4] == "data":
        return retry_data_target(parts[1], parts[2], parts[3])
    raise UsageError(f"iox put writes one document: {PUT_PATHS} (got {printable(path)!r})")


def read_text(ctx: CommandContext, file: str) -> str:
    """The new document's text, from a file or ``-`` (stdin)."""
    if file == "-":
        return ctx.stdin.read()
    try:
        return Path(file).expanduser().read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        reason = getattr(error, "strerror", None) or type(error).__name__
        raise UsageError(f"cannot read {printable(file)}: {reason}") from None


def _file_version(target: DocumentTarget, text: str) -> str | None:
    """The version the file was fetched at (its ``lastModified``), if it carries one."""
    try:
        doc = parse_document(text)
    except InvalidJson:
        return None  # plan_write reports it with line and column
    field = target.version_field
    if field and isinstance(doc, Mapping) and isinstance(doc.get(field), str):
        return document_version(target, doc)
    return None


def _show_plan(ctx: CommandContext, plan: WritePlan) -> None:
    """The diff (stdout for people; stderr under --json, where stdout is the result) and the warnings."""
    show = ctx.out.note if ctx.out.json_mode else ctx.out.line
    for line in plan.diff:
        show(printable(line))
    for warning in plan.warnings:
        ctx.out.note(f"iox: warning: {printable(warning.message)}")
    for problem in schema_warnings(ctx, plan):
        ctx.out.note(f"iox: warning: Celigo's schema: {printable(problem)}")


def schema_warnings(ctx: CommandContext, plan: WritePlan) -> list[str]:
    """What the editor's checks say about the body, as ``path: message`` (never blocks the PUT: the
    schemas can lag the server). Empty when no schemas are installed."""
    library = SchemaLibrary(environ=ctx.environ)
    if not library.covers(plan.session.target.kind) or not library.available:
        return []
    return [str(problem) for problem in library.check(plan.session.target.kind, plan.body)]


def _result(plan: WritePlan, **fields: Any) -> dict[str, Any]:
    return {"path": plan.session.path, "target": plan.session.target.label, "diff": plan.diff,
            "warnings": [{"kind": w.kind, "path": w.path, "message": w.message} for w in plan.warnings],
            **fields}


async def run_put(ctx: CommandContext, args: argparse.Namespace) -> int:
    """Replace a document with FILE's JSON: diff, confirm, stale checks, PUT, journal."""
    target = target_for_path(args.path)
    if not args.dry_run:
        require_writable(ctx, f"PUT {target.path}")
    text = read_text(ctx, args.file)
    session = await begin_edit(ctx.api, target, ctx.profile_name)
    file_version = _file_version(target, text)
    if file_version is not None and file_version != session.base_version and not args.force:
        ctx.out.note(f"iox: {printable(target.label)} changed on the server since {printable(args.file)} was "
                     f"fetched (the file has lastModified {printable(file_version)}, the server "
                     f"{printable(session.base_version)}). Nothing was sent. Fetch it again with "
                     f"`iox get {printable(target.path)}` and re-apply your change, or pass --force to "
                     "overwrite the newer version.")
        if ctx.out.json_mode:
            ctx.out.data({"path": session.path, "saved": False, "stale": True,
                          "file_version": file_version, "server_version": session.base_version})
        return EXIT_API
    try:
        plan = plan_write(session, text)
    except InvalidJson as error:
        raise UsageError(f"{printable(args.file)}: {printable(error.problem)}") from None
    if not plan.changed:
        ctx.out.note(f"iox: {printable(target.label)} already holds this document; nothing to send")
        if ctx.out.json_mode:
            ctx.out.data(_result(plan, saved=False, changed=False))
        return EXIT_OK
    _show_plan(ctx, plan)
    if args.dry_run:
        ctx.out.note(f"iox: --dry-run: {plan.request_line} was not sent")
        if ctx.out.json_mode:
            ctx.out.data(_result(plan, saved=False, changed=True, dry_run=True))
        return EXIT_OK
    if not confirmed(ctx, yes=args.yes, stdin_input=args.file == "-",
                     question=f"{plan.request_line}: replace {plan.session.target.label}? [y/N] ",
                     refusal="PUT without a confirmation: there is no terminal to ask on (the file came "
                             "from stdin, or stdin is not a terminal); check the diff with --dry-run, then "
                             "pass --yes"):
        ctx.out.note("iox: not confirmed; nothing was sent")
        return EXIT_API
    journal = Journal.default(ctx.environ)
    secrets = [ctx.session.token] if ctx.session is not None else []
    outcome = await submit_write(ctx.api, plan, journal=journal, secrets=secrets,
                                 account=await _account_of(ctx))
    if isinstance(outcome, Saved):
        if outcome.journal_error:
            ctx.out.note(f"iox: warning: {printable(outcome.journal_error)}")
        for line in warning_block(outcome.not_taken, target.label):
            ctx.out.note("iox: " + printable(line) if line.startswith("warning") else printable(line))
        if ctx.out.json_mode:
            ctx.out.data(_result(plan, saved=True, changed=True, status=outcome.status,
                                 document=outcome.document, journal=str(journal.path),
                                 not_taken=[item.to_json() for item in outcome.not_taken]))
        else:
            ctx.out.line(printable(outcome.summary))
            ctx.out.note(f"iox: the previous version is in the journal ({printable(journal.path)})")
        return EXIT_OK
    if isinstance(outcome, Stale):
        ctx.out.note("iox: " + printable(outcome.summary))
        for line in outcome.server_diff:
            ctx.out.note(printable(line))
        if ctx.out.json_mode:
            ctx.out.data(_result(plan, saved=False, stale=True, server_diff=outcome.server_diff))
        return EXIT_API
    return _failed(ctx, outcome)


async def _account_of(ctx: CommandContext) -> str | None:
    """The token's ``_userId``, recorded with the write in the journal (None if tokenInfo cannot say)."""
    try:
        return (await ctx.api.token_info()).user_id or None
    except ApiError:
        return None


def _failed(ctx: CommandContext, outcome: Failed) -> int:
    error: ApiError = outcome.error
    if outcome.put_sent and error.status is None:
        ctx.out.note("iox: no answer to the PUT: it may or may not have been applied; check with `iox get`")
    if outcome.journal_error:
        ctx.out.note(f"iox: warning: {printable(outcome.journal_error)}")
    raise error


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``get`` and ``put``."""
    get = add_command(commands, "get", handler=run_get, help="print any API document as JSON",
                      epilog="examples:\n  iox get flows/6571ecd15bc5e3f7c6026ea6\n"
                             "  iox get /v1/connections/6571b82412ab69b81933e9c5 > conn.json\n"
                             "  iox get integrations | jq -r '.[].name'")
    get.add_argument("path", metavar="PATH", help="an API path: flows/ID, /v1/exports/ID, integrations ...")
    put = add_command(
        commands, "put", handler=run_put,
        help="replace a document with a file's JSON (diff, confirm, stale check, journal)",
        epilog="exit code 1 when the server changed since the file was fetched, or the PUT failed\n"
               "examples:\n  iox get flows/ID > flow.json && vi flow.json && iox put flows/ID flow.json\n"
               "  jq '.disabled = true' flow.json | iox put flows/ID - --yes",
    )
    put.add_argument("path", metavar="PATH", help=PUT_PATHS)
    put.add_argument("file", metavar="FILE", help="the whole new document (JSON); `-` reads stdin")
    put.add_argument("-y", "--yes", action="store_true",
                     help="do not ask before sending (needed without a terminal)")
    put.add_argument("--dry-run", action="store_true", help="show the diff and warnings; send nothing")
    put.add_argument("--force", action="store_true",
                     help="send even when the file's lastModified is older than the server's")


