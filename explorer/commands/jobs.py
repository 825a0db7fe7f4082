"""``iox run`` and ``iox jobs``: start a flow and see how its runs went.

Why ``run`` only starts by default: a run can take hours on a real account, and cron wants the job id back at
once; ``--wait`` follows the job with the same follower the bulk retry uses (progress on stderr) for scripts
that must know the outcome. ``run`` is a POST
that is never repeated by the client after a failure (it would start a second run).
"""

from __future__ import annotations

import argparse
from collections.abc import Iterable

from explorer.commands.common import (
    EXIT_API,
    EXIT_OK,
    CommandContext,
    UsageError,
    add_command,
    require_writable,
)
from explorer.commands.formatting import text, when
from explorer.commands.names import accepting_names
from explorer.commands.output import printable
from explorer.model import Job
from explorer.services.bulk import BulkOptions, follow_jobs

POLL_INTERVAL_S = 0.5
JOB_HEADERS = ("JOB", "TYPE", "STATUS", "STARTED", "ENDED", "SUCCESS", "ERRORS", "IGNORED", "STEP")


def job_rows(jobs: Iterable[Job]) -> list[tuple[object, ...]]:
    """Table rows for flow jobs, each followed by its child (export/import) jobs, indented."""
    rows: list[tuple[object, ...]] = []
    for job in jobs:
        rows.append((job.id, text(job.type), text(job.status), when(job.started_at), when(job.ended_at),
                     job.num_success, job.num_error, job.num_ignore, ""))
        for child in job.children:
            rows.append(("  " + child.id, text(child.type), text(child.status), when(child.started_at),
                         when(child.ended_at), child.num_success, child.num_error, child.num_ignore,
                         text(child.resource_id)))
    return rows


def _job_line(job: Job) -> str:
    return (f"job {job.id}: {job.status or '?'} · {job.num_success} ok · {job.num_error} errors"
            f" · {job.num_ignore} ignored")


async def wait_for_job(ctx: CommandContext, job_id: str, timeout_s: float) -> Job | None:
    """Follow a job until it finishes, through the bulk service's job follower (progress on stderr).

    Returns the finished job, or None when ``timeout_s`` passed first (or the job could not be read).
    """
    first = await ctx.api.get_job(job_id)
    ctx.out.progress(_job_line(first), force=True)
    options = BulkOptions(poll_interval=POLL_INTERVAL_S, follow_timeout=timeout_s)
    jobs, note = await follow_jobs(ctx.api, [first], options=options,
                                   on_update=lambda now: ctx.out.progress(_job_line(now[0]), force=True))
    ctx.out.clear_progress()
    if note:
        ctx.out.note(f"iox: {printable(note)}")
    job = jobs[0] if jobs else None
    return job if job is not None and job.finished else None


async def run_run(ctx: CommandContext, args: argparse.Namespace) -> int:
    """Start a flow run; with ``--wait``, follow it to the end (exit 1 unless it completed)."""
    if args.timeout is not None and not args.wait:
        raise UsageError("--timeout only applies with --wait")
    require_writable(ctx, f"run flow {args.flow}")
    job_id = await ctx.api.run_flow(args.flow)
    if not args.wait:
        if ctx.out.json_mode:
            ctx.out.data({"flow_id": args.flow, "job_id": job_id})
        else:
            ctx.out.line(f"Started flow {printable(args.flow)}: job {printable(job_id)}")
            ctx.out.note(f"iox: follow it with `iox jobs {printable(args.flow)}`")
        return EXIT_OK
    ctx.out.note(f"iox: started job {printable(job_id)}; waiting for it to finish")
    job = await wait_for_job(ctx, job_id, args.timeout if args.timeout is not None else 3600.0)
    if job is None:
        if ctx.out.json_mode:
            ctx.out.data({"flow_id": args.flow, "job_id": job_id, "finished": False})
        return EXIT_API
    if ctx.out.json_mode:
        ctx.out.data({"flow_id": args.flow, "job_id": job_id, "finished": True, "job": job.raw})
    else:
        ctx.out.line(printable(_job_line(job)))
    return EXIT_OK if job.status == "completed" else EXIT_API


async def run_jobs(ctx: CommandContext, args: argparse.Namespace) -> int:
    """The latest job of a flow with its steps' jobs, or (``--history``) its recent jobs."""
    if args.history:
        jobs = await ctx.api.list_jobs(_flowId=args.flow)
        jobs = jobs[: args.limit] if args.limit else jobs
    else:
        jobs = await ctx.api.latest_jobs(args.flow)
    if ctx.out.json_mode:
        ctx.out.data([job.raw for job in jobs])
        return EXIT_OK
    if not jobs:
        ctx.out.note(f"iox: flow {printable(args.flow)} has no jobs")
        return EXIT_OK
    ctx.out.table(JOB_HEADERS, job_rows(jobs))
    return EXIT_OK


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``run`` and ``jobs``."""
    run = add_command(commands, "run", handler=accepting_names(run_run),
                      help="start a flow run (prints the job id)",
                      epilog="examples:\n  iox run 6571ecd15bc5e3f7c6026ea6\n"
                             "  iox run 6571ecd15bc5e3f7c6026ea6 --wait --timeout 600 --json")
    run.add_argument("flow", metavar="FLOW", help="the flow: its id or name")
    run.add_argument("--wait", action="store_true",
                     help="wait for the job to finish; exit 1 unless it completed")
    run.add_argument("--timeout", type=float, default=None, metavar="SECONDS",
                     help="with --wait: give up after this long (exit 1; default 3600)")
    jobs = add_command(commands, "jobs", handler=accepting_names(run_jobs),
                       help="show a flow's latest job and its step jobs",
                       epilog="examples:\n  iox jobs 6571ecd15bc5e3f7c6026ea6\n"
                              "  iox jobs 6571ecd15bc5e3f7c6026ea6 --history --limit 20")
    jobs.add_argument("flow", metavar="FLOW", help="the flow: its id or name")
    jobs.add_argument("--history", action="store_true", help="the flow's recent jobs (newest first)")
    jobs.add_argument("--limit", type=int, default=None, metavar="N", help="with --history: at most N jobs")
