"""Routes for running flows and reading jobs: `/flows/{id}/run`, `/jobs/latest`, `/v1/jobs...`.

Why: `GET /v1/jobs` has its own rules, unlike every other list — required filters (400 `invalid_query`),
newest first, at most 1001 jobs, no Link header (clients page with `createdAt_lte`) — and the explorer's job
views depend on them.
"""

from __future__ import annotations

from typing import Any

from . import jobs
from .account import Job
from .clock import parse_when
from .context import Ctx
from .wire import ApiFailure, SimResponse, json_response, not_found

MAX_JOBS = 1001
_PARENT_NEEDS = (
    "_integrationId",
    "_flowId",
    "_exportId",
    "_importId",
    "_flowJobId",
    "createdAt_gte",
    "createdAt_lte",
)


def run_flow(ctx: Ctx, flow_id: str) -> SimResponse:
    """POST /v1/flows/{id}/run: 201 `{"_jobId": ...}`; a disabled flow cannot run (422)."""
    flow = ctx.account.get("flows", flow_id)
    ctx.scope.require("flows", flow)
    ctx.scope.require_full("run flows")
    body = ctx.req.json_body(required=False)
    if body is not None and not isinstance(body, dict):
        raise ApiFailure(422, "invalid_field", "The request body must be a JSON object")
    if flow.get("disabled"):
        raise ApiFailure(
            422, "flow_disabled", f"Flow {flow_id} is disabled; enable it before running it", "disabled"
        )
    job = jobs.start_flow_run(ctx.account, flow, ctx.now_ms)
    return json_response(201, {"_jobId": job.doc["_id"]})


def flow_latest(ctx: Ctx, flow_id: str) -> SimResponse:
    """GET /v1/flows/{id}/jobs/latest."""
    flow = ctx.account.get("flows", flow_id)
    ctx.scope.require("flows", flow)
    return json_response(200, jobs.latest_for_flow(ctx.account, flow_id))


def integration_latest(ctx: Ctx, integration_id: str) -> SimResponse:
    """GET /v1/integrations/{id}/jobs/latest: the latest jobs of each flow the token may see, newest first."""
    integration = ctx.account.get("integrations", integration_id)
    ctx.scope.require("integrations", integration)
    out: list[dict[str, Any]] = []
    for flow in ctx.account.flows_of(integration_id):
        if ctx.scope.allows_flow(flow):
            out += jobs.latest_for_flow(ctx.account, flow["_id"])
    out.sort(key=lambda j: str(j["createdAt"]), reverse=True)
    return json_response(200, out)


def _bad(message: str) -> ApiFailure:
    return ApiFailure(400, "invalid_query", message)


def _number(ctx: Ctx, name: str) -> int | None:
    raw = ctx.req.param(name)
    if raw is None or raw == "":
        return None
    try:
        return int(raw)
    except ValueError:
        raise _bad(f"{name} must be a number") from None


def _date(ctx: Ctx, name: str) -> int | None:
    raw = ctx.req.param(name)
    if raw is None or raw == "":
        return None
    value = parse_when(raw)
    if value is None:
        raise _bad(f"{name} must be a date (ISO-8601, YYYY-MM-DD or epoch milliseconds)")
    return value


def _types(ctx: Ctx) -> tuple[set[str], bool]:
    """Requested job types and whether this is a child-job query."""
    asked = set(ctx.req.params("type")) | set(ctx.req.indexed_params("type_in"))
    unknown = asked - set(jobs.PARENT_TYPES) - set(jobs.CHILD_TYPES)
    if unknown:
        raise _bad(f"Unknown job type {sorted(unknown)[0]!r}")
    if not asked:
        return set(jobs.PARENT_TYPES), False
    return asked, asked <= set(jobs.CHILD_TYPES)


def _matches(ctx: Ctx, job: Job, account_jobs: dict[str, Job]) -> bool:
    doc, q = job.doc, ctx.req
    for name in ("_integrationId", "_flowId"):
        value = q.param(name)
        if value is not None and doc.get(name) != value:
            return False
    flow_in = q.indexed_params("_flowId_in")
    if flow_in and doc.get("_flowId") not in flow_in:
        return False
    for name in ("_exportId", "_importId"):
        value = q.param(name)
        if value is None:
            continue
        children = [account_jobs[c].doc for c in job.children]
        if doc.get(name) != value and not any(c.get(name) == value for c in children):
            return False
    flow_job = q.param("_flowJobId")
    if flow_job is not None and flow_job not in (doc.get("_flowJobId"), doc["_id"]):
        return False
    statuses = q.params("status")
    return not statuses or doc["status"] in statuses


def _within(doc: dict[str, Any], bounds: dict[str, int | None]) -> bool:
    for key, limit in bounds.items():
        if limit is None:
            continue
        name, op = key.rsplit("_", 1)
        value = doc.get(name, 0)
        if (op == "gte" and value < limit) or (op == "lte" and value > limit):
            return False
    return True


def list_jobs(ctx: Ctx) -> SimResponse:
    """GET /v1/jobs: filtered, newest first, at most 1001, no pagination headers."""
    types, child_query = _types(ctx)
    present = {k for k, v in ctx.req.query if v != ""}
    if child_query and not present & {"_flowJobId", "_exportId", "_importId"}:
        raise _bad("For child jobs, query parameters must contain _flowJobId, _exportId or _importId")
    if not child_query and not any(k in _PARENT_NEEDS or k.startswith("_flowId_in[") for k in present):
        raise _bad(
            "For parent jobs, query parameters must contain at least one of " + ", ".join(_PARENT_NEEDS)
        )
    created_gte, created_lte = _date(ctx, "createdAt_gte"), _date(ctx, "createdAt_lte")
    bounds = {
        name: _number(ctx, name)
        for name in ("numError_gte", "numError_lte", "numSuccess_gte", "numSuccess_lte")
    }
    picked: list[Job] = []
    for job in ctx.account.jobs.values():
        doc = job.doc
        if doc["type"] not in types:
            continue
        if created_gte is not None and job.created_ms < created_gte:
            continue
        if created_lte is not None and job.created_ms > created_lte:
            continue
        if not _within(doc, bounds):
            continue
        if _matches(ctx, job, ctx.account.jobs) and ctx.scope.allows_job(doc):
            picked.append(job)
    picked.sort(key=lambda j: (j.created_ms, j.doc["_id"]), reverse=True)
    return json_response(200, [dict(j.doc) for j in picked[:MAX_JOBS]])


def _job(ctx: Ctx, job_id: str) -> Job:
    job = ctx.account.jobs.get(job_id)
    if job is None:
        raise not_found(f"Job {job_id}")
    if not ctx.scope.allows_job(job.doc):
        raise ApiFailure(403, "forbidden", f"This API token has no access to job {job_id}")
    return job


def get_job(ctx: Ctx, job_id: str) -> SimResponse:
    """GET /v1/jobs/{id} (no children; see `/family`)."""
    return json_response(200, ctx.account.job_view(_job(ctx, job_id).doc["_id"]))


def job_family(ctx: Ctx, job_id: str) -> SimResponse:
    """GET /v1/jobs/{id}/family: the job with its `children`."""
    return json_response(200, ctx.account.job_view(_job(ctx, job_id).doc["_id"], with_children=True))


def cancel_job(ctx: Ctx, job_id: str) -> SimResponse:
    """PUT /v1/jobs/{id}/cancel: 200 with the job, now `canceling`; 422 when it already finished."""
    _job(ctx, job_id)
    ctx.scope.require_full("cancel jobs")
    return json_response(200, jobs.cancel(ctx.account, job_id, ctx.now_ms))
