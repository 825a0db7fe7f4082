"""The job engine: flow runs and retries move queued → running → completed/failed on the simulated clock.

Why: the explorer shows job progress and the effects of retries, so they must happen *later* than the request
that started them, deterministically. Each job carries its planned start and end instants (fixed when it is
created, from a stable hash), and `tick(now)` — called before every request — applies every transition that is
due, using the planned instants for timestamps, so the outcome never depends on when the clock was read.

Retry semantics: retried errors leave the open list at once; when the retry job completes, every error whose
stable hash (seed, errorId) is 0 mod 5 fails again as a NEW open error (new errorId and retryDataKey, same
traceKey, `_flowJobId` = the retry job) unless its retry data was edited; all retried originals go to
resolved.
"""

from __future__ import annotations

from typing import Any

from .account import Account, Job, flow_steps
from .clock import iso
from .content_errors import run_error_count
from .errorstore import Taken
from .ids import stable_hash
from .wire import ApiFailure

PARENT_TYPES = ("flow", "retry", "bulk_retry")
CHILD_TYPES = ("export", "import")
ACTIVE = ("queued", "running", "retrying", "canceling")
QUEUE_MS = 500
CANCEL_MS = 300


def retry_fails(seed: int, error_id: str) -> bool:
    """Whether a retried error fails again (about one in five, stable per error and seed)."""
    return stable_hash(seed, "retry", error_id) % 5 == 0


def _counts() -> dict[str, Any]:
    return {
        "numSuccess": 0,
        "numError": 0,
        "numIgnore": 0,
        "numResolved": 0,
        "numPagesGenerated": 0,
        "numPagesProcessed": 0,
    }


def new_job_doc(account: Account, job_type: str, created_ms: int, flow: dict[str, Any],
                job_id: str | None = None) -> dict[str, Any]:
    """A queued job of a flow with a fresh id, or ``job_id`` (the history's ids are reserved ahead)."""
    doc: dict[str, Any] = {"_id": job_id or account.ids.object_id(), "type": job_type, "_flowId": flow["_id"]}
    if flow.get("_integrationId"):
        doc["_integrationId"] = flow["_integrationId"]
    doc["status"] = "queued"
    doc["createdAt"] = iso(created_ms)
    doc["lastModified"] = iso(created_ms)
    return doc


def start_flow_run(account: Account, flow: dict[str, Any], now_ms: int) -> Job:
    """Create a queued flow job; it starts after ~0.5 s and ends 1.5–3 s later (simulated)."""
    runs = sum(
        1 for j in account.jobs.values() if j.doc["type"] == "flow" and j.doc.get("_flowId") == flow["_id"]
    )
    h = stable_hash(account.seed, flow["_id"], "run", runs)
    doc = new_job_doc(account, "flow", now_ms, flow)
    doc.update(_counts())
    doc["doneExporting"] = False
    job = Job(
        doc,
        now_ms,
        start_ms=now_ms + QUEUE_MS,
        end_ms=now_ms + QUEUE_MS + 1500 + h % 1500,
        plan={"kind": "run", "hash": h, "steps": flow_steps(flow), "flow": dict(flow)},
    )
    account.add_job(job)
    account.active_jobs.append(doc["_id"])
    return job


def start_retry(
    account: Account, flow: dict[str, Any], step_id: str, role: str, taken: list[Taken], now_ms: int, by: str
) -> Job:
    """Create a queued retry job for errors already taken out of the open list."""
    doc = new_job_doc(account, "retry", now_ms, flow)
    doc["_importId" if role == "import" else "_exportId"] = step_id
    flow_jobs = {t.flow_job_id for t in taken}
    if len(flow_jobs) == 1 and None not in flow_jobs:
        doc["_flowJobId"] = flow_jobs.pop()
    doc.update(_counts())
    end = now_ms + QUEUE_MS + 1000 + len(taken) * 2
    job = Job(
        doc,
        now_ms,
        start_ms=now_ms + QUEUE_MS,
        end_ms=end,
        plan={"kind": "retry", "step": step_id, "taken": taken, "by": by},
    )
    account.add_job(job)
    account.active_jobs.append(doc["_id"])
    return job


def _set_status(job: Job, status: str, at_ms: int) -> None:
    job.doc["status"] = status
    job.doc["lastModified"] = iso(at_ms)
    if status == "running":
        job.doc["startedAt"] = iso(at_ms)
    elif status in ("completed", "failed", "canceled"):
        job.doc.setdefault("startedAt", iso(at_ms))
        job.doc["endedAt"] = iso(at_ms)


def _start(account: Account, job: Job) -> None:
    assert job.start_ms is not None
    _set_status(job, "running", job.start_ms)
    if job.plan["kind"] != "run":
        return
    flow = job.plan["flow"]
    for step_id, role in job.plan["steps"]:
        child = new_job_doc(account, "import" if role == "import" else "export", job.start_ms, flow)
        child["_flowJobId"] = job.doc["_id"]
        child["_importId" if role == "import" else "_exportId"] = step_id
        child["_expOrImpId"] = step_id
        child.update(_counts())
        account.add_job(Job(child, job.start_ms, parent=job.doc["_id"]))
        _set_status(account.jobs[child["_id"]], "running", job.start_ms)


def _offline_generator(account: Account, job: Job) -> str | None:
    for step_id, role in job.plan["steps"]:
        if role != "export":
            continue
        export = account.find("exports", step_id) or {}
        conn = account.find("connections", str(export.get("_connectionId")))
        if conn is not None and conn.get("offline"):
            return str(step_id)
    return None


def _finish_run(account: Account, job: Job) -> None:
    assert job.end_ms is not None
    end, h, flow_id, job_id = job.end_ms, job.plan["hash"], job.doc["_flowId"], job.doc["_id"]
    records = 20 + h % 180
    pages = -(-records // 100)
    failed_step = _offline_generator(account, job)
    total_errors = 0
    for child_id in job.children:
        child = account.jobs[child_id]
        step_id = child.doc["_expOrImpId"]
        if failed_step is not None:
            if step_id == failed_step:
                account.step_errors(flow_id, step_id).add_error(job_id, end)
                child.doc.update(numError=1)
                _set_status(child, "failed", end)
                total_errors += 1
            else:
                _set_status(child, "canceled", end)
            continue
        kind = account.step_kinds.get((flow_id, step_id), "generic")
        errors = run_error_count(kind, stable_hash(h, step_id)) if child.doc["type"] == "import" else 0
        store = account.step_errors(flow_id, step_id)
        for k in range(errors):
            store.add_error(job_id, end - (errors - k) * 7)
        child.doc.update(numSuccess=records - errors, numError=errors, numPagesProcessed=pages)
        if child.doc["type"] == "export":
            child.doc["numPagesGenerated"] = pages
        total_errors += errors
        _set_status(child, "completed", end)
    if failed_step is not None:
        job.doc.update(numError=total_errors, doneExporting=True)
        _set_status(job, "failed", end)
    else:
        job.doc.update(
            numSuccess=records - total_errors,
            numError=total_errors,
            numIgnore=h % 3,
            numPagesGenerated=pages,
            numPagesProcessed=pages,
            doneExporting=True,
        )
        _set_status(job, "completed", end)
    flow = account.find("flows", flow_id)
    if flow is not None:
        flow["lastExecutedAt"] = iso(end)


def _finish_retry(account: Account, job: Job) -> None:
    assert job.end_ms is not None
    store = account.step_errors(job.doc["_flowId"], job.plan["step"])
    failed = 0
    for taken in job.plan["taken"]:
        if retry_fails(account.seed, taken.error["errorId"]) and not taken.edited:
            store.add_error(job.doc["_id"], job.end_ms, like=taken)
            failed += 1
        store.finish_retry(taken, job.end_ms, job.plan["by"])
    job.doc.update(numSuccess=len(job.plan["taken"]) - failed, numError=failed, numPagesProcessed=1)
    _set_status(job, "completed", job.end_ms)


def tick(account: Account, now_ms: int) -> None:
    """Apply every due transition of every active job, oldest job first."""
    still: list[str] = []
    for job_id in account.active_jobs:
        job = account.jobs[job_id]
        if job.doc["status"] == "queued" and job.start_ms is not None and now_ms >= job.start_ms:
            _start(account, job)
        status = job.doc["status"]
        if status == "running" and job.end_ms is not None and now_ms >= job.end_ms:
            if job.plan["kind"] == "run":
                _finish_run(account, job)
            else:
                _finish_retry(account, job)
        elif status == "canceling" and now_ms >= job.plan["cancel_at"]:
            _finish_cancel(account, job)
        if job.doc["status"] in ACTIVE:
            still.append(job_id)
    account.active_jobs = still


def cancel(account: Account, job_id: str, now_ms: int) -> dict[str, Any]:
    """`PUT /jobs/{id}/cancel`: an active job becomes `canceling`, then `canceled` ~0.3 s later."""
    job = account.jobs[job_id]
    status = job.doc["status"]
    if status == "canceling":
        return account.job_view(job_id)
    if status not in ("queued", "running") or job.parent is not None:
        raise ApiFailure(422, "invalid_job_state", f"Job {job_id} is {status} and cannot be canceled")
    job.plan["cancel_at"] = now_ms + CANCEL_MS
    _set_status(job, "canceling", now_ms)
    for child_id in job.children:
        if account.jobs[child_id].doc["status"] in ("queued", "running"):
            _set_status(account.jobs[child_id], "canceling", now_ms)
    return account.job_view(job_id)


def _finish_cancel(account: Account, job: Job) -> None:
    at = job.plan["cancel_at"]
    _set_status(job, "canceled", at)
    for child_id in job.children:
        _set_status(account.jobs[child_id], "canceled", at)
    if job.plan["kind"] == "retry":
        account.step_errors(job.doc["_flowId"], job.plan["step"]).restore(job.plan["taken"])


def latest_for_flow(account: Account, flow_id: str) -> list[dict[str, Any]]:
    """`/flows/{id}/jobs/latest`: the active jobs plus the most recent finished flow job, newest first."""
    mine = [j for j in account.jobs.values() if j.parent is None and j.doc.get("_flowId") == flow_id]
    mine.sort(key=lambda j: j.created_ms, reverse=True)
    out = [j for j in mine if j.doc["status"] in ACTIVE]
    finished = next((j for j in mine if j.doc["type"] == "flow" and j.doc["status"] not in ACTIVE), None)
    if finished is not None:
        out.append(finished)
    return [account.job_view(j.doc["_id"], with_children=True) for j in out]
