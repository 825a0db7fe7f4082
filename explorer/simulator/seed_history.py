"""Past jobs and seeded errors of an account, kept consistent with each other.

Why: a flow job's `numError` should match the errors that name it in `_flowJobId`, and an error's `occurredAt`
should fall inside its job. Runs are laid out backwards from the base instant at a fixed interval; each step's
seeded errors are spread over its newest runs with the arithmetic that places them (`placement`), so nothing
is built per error here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from . import demo_ids as d
from .account import Account, Job, flow_steps
from .clock import iso
from .errorstore import ErrorSeed
from .ids import stable_hash
from .jobs import new_job_doc
from .placement import window_counts

HOUR_MS = 3_600_000


@dataclass(frozen=True)
class StepPlan:
    """Content kind and seeded error counts of a step; errors sit in the newest `recent` runs (or all)."""

    kind: str
    n_open: int = 0
    n_resolved: int = 0
    recent: int | None = None


@dataclass(frozen=True)
class FlowPlan:
    """How often a flow ran, until when, and whether its newest runs failed."""

    runs: int
    every_h: float
    ended_h_ago: float = 0.0
    failed_last: int = 0


def _job(
    account: Account,
    job_id: str,
    job_type: str,
    flow: dict[str, Any],
    created: int,
    start: int,
    end: int,
    status: str,
    **fields: Any,
) -> dict[str, Any]:
    doc = new_job_doc(account, job_type, created, flow, job_id)
    doc["status"] = status
    doc["startedAt"] = iso(start)
    doc["endedAt"] = iso(end)
    doc["lastModified"] = iso(end)
    doc.update(fields)
    return doc


def add_history(account: Account, flow_id: str, plan: FlowPlan, steps: dict[str, StepPlan]) -> None:
    """Create the flow's past jobs (with children) and the error seeds of its steps.

    The seeds and the flow's ``lastExecutedAt`` are made now; the job documents when the jobs are first
    used (``Account.defer_jobs``), with the ids they would have taken now (reserved in the same order) and
    the flow as it is now.
    """
    flow = account.get("flows", flow_id)
    roles = flow_steps(flow)
    last_end = account.built_ms - round(plan.ended_h_ago * HOUR_MS)
    jitter = stable_hash(account.seed, flow_id, "jitter") % 600_000
    times: list[tuple[int, int, int]] = []
    for k in range(plan.runs):
        created = last_end - (plan.runs - k) * round(plan.every_h * HOUR_MS) + jitter
        h = stable_hash(account.seed, flow_id, "history", k)
        start = created + 800 + h % 2000
        times.append((created, start, start + 30_000 + h % 240_000))

    per_job: list[dict[str, int]] = [{} for _ in range(plan.runs)]
    job_ids = [account.ids.object_id() for _ in range(plan.runs)]
    for step_id, sp in steps.items():
        window = min(sp.recent or plan.runs, plan.runs)
        first = plan.runs - window
        for counts in (window_counts(sp.n_open, window), window_counts(sp.n_resolved, window)):
            for j, c in enumerate(counts):
                per_job[first + j][step_id] = per_job[first + j].get(step_id, 0) + c
        account.step_kinds[(flow_id, step_id)] = sp.kind
        account.error_seeds[(flow_id, step_id)] = ErrorSeed(
            n_open=sp.n_open,
            n_resolved=sp.n_resolved,
            windows=tuple(
                (job_ids[first + j], times[first + j][1], times[first + j][2]) for j in range(window)
            ),
            now_ms=account.built_ms,
            resolvers=(account.user_id, d.OTHER_USER_ID),
        )

    retried = [step_id for step_id, sp in steps.items() if sp.n_resolved and len(times) >= 2]
    # The ids the documents below take, in the order they took them when made at once: per run, one for
    # the parent's `new_job_doc` (replaced by `job_ids[k]`) and one per step; then one per retry job.
    first = account.ids.reserve(plan.runs * (1 + len(roles)) + len(retried))
    flow_now = dict(flow)

    def make_jobs() -> None:
        for k, (created, start, end) in enumerate(times):
            base = first + k * (1 + len(roles))
            h = stable_hash(account.seed, flow_id, "history", k)
            failed = k >= plan.runs - plan.failed_last
            errors = per_job[k]
            total = sum(errors.values())
            records = max(total + 5, 20 + h % 180)
            pages = -(-records // 100)
            status = "failed" if failed else "completed"
            parent = _job(
                account,
                job_ids[k],
                "flow",
                flow_now,
                created,
                start,
                end,
                status,
                numSuccess=0 if failed else records - total,
                numError=total,
                numIgnore=0 if failed else h % 3,
                numResolved=0,
                numPagesGenerated=0 if failed else pages,
                numPagesProcessed=0 if failed else pages,
                doneExporting=True,
            )
            account.add_job(Job(parent, created, start_ms=start, end_ms=end))
            for n, (step_id, role) in enumerate(roles):
                errs = errors.get(step_id, 0)
                child_type = "import" if role == "import" else "export"
                if failed:
                    child_status = "failed" if n == 0 else "canceled"
                    tallies = {"numSuccess": 0, "numError": errs, "numPagesGenerated": 0}
                else:
                    child_status = "completed"
                    tallies = {"numSuccess": records - errs, "numError": errs, "numPagesProcessed": pages}
                    if child_type == "export":
                        tallies["numPagesGenerated"] = pages
                child = _job(
                    account,
                    account.ids.id_at(base + 1 + n),
                    child_type,
                    flow_now,
                    start,
                    start + n * 50,
                    end,
                    child_status,
                    _flowJobId=job_ids[k],
                    **{"_importId" if child_type == "import" else "_exportId": step_id},
                    _expOrImpId=step_id,
                    **tallies,
                )
                account.add_job(Job(child, start, parent=job_ids[k]))
        retry_ids = [account.ids.id_at(first + plan.runs * (1 + len(roles)) + j) for j in range(len(retried))]
        _add_retry_history(account, flow_now, roles, {step_id: steps[step_id] for step_id in retried}, times,
                           retry_ids)

    account.defer_jobs(make_jobs)
    if times:
        flow["lastExecutedAt"] = iso(times[-1][2])


def _add_retry_history(
    account: Account,
    flow: dict[str, Any],
    roles: list[tuple[str, str]],
    steps: dict[str, StepPlan],
    times: list[tuple[int, int, int]],
    job_ids: list[str],
) -> None:
    """One finished retry job per step that has resolved errors (what the user did last week): ``steps``
    are those steps, ``job_ids`` their jobs' ids."""
    role_of = dict(roles)
    for (step_id, sp), job_id in zip(steps.items(), job_ids, strict=True):
        created = times[-2][2] + 600_000
        key = "_importId" if role_of.get(step_id) == "import" else "_exportId"
        doc = _job(
            account,
            job_id,
            "retry",
            flow,
            created,
            created + 500,
            created + 4_000,
            "completed",
            **{key: step_id},
            numSuccess=sp.n_resolved // 2,
            numError=0,
            numIgnore=0,
            numResolved=0,
            numPagesGenerated=0,
            numPagesProcessed=1,
        )
        account.add_job(Job(doc, created, start_ms=created + 500, end_ms=created + 4_000))


DEMO_FLOW_PLANS: dict[str, tuple[FlowPlan, dict[str, StepPlan]]] = {
    d.FLOW_LICENSE_USAGE: (FlowPlan(runs=10, every_h=24), {}),
    d.FLOW_BC_ORDERS: (FlowPlan(runs=40, every_h=3), {d.IMP_NS_BC_ORDER: StepPlan("bc_order", 5, recent=5)}),
    d.FLOW_BC_PRODUCTS: (FlowPlan(runs=14, every_h=24), {}),
    d.FLOW_SHOPIFY_ORDERS: (
        FlowPlan(runs=48, every_h=0.25),
        {
            d.IMP_NS_SALES_ORDER: StepPlan("shopify_order", 12, 25, recent=30),
            d.EXP_NS_CUSTOMER_LOOKUP: StepPlan("ns_customer_lookup", 2, recent=2),
        },
    ),
    d.FLOW_AMAZON_INVOICES: (
        FlowPlan(runs=120, every_h=2),
        {
            d.IMP_NS_INVOICE: StepPlan("amazon_invoice", 3000, 40),
            d.EXP_AMAZON_ORDERS: StepPlan("amazon_orders", 4, recent=4),
        },
    ),
    d.FLOW_AMAZON_SETTLEMENTS: (
        FlowPlan(runs=14, every_h=12),
        {
            d.IMP_NS_JOURNAL: StepPlan("settlement_journal", 3, recent=3),
            d.IMP_NS_DEPOSIT: StepPlan("settlement_journal"),
        },
    ),
    d.FLOW_SF_CUSTOMERS: (
        FlowPlan(runs=24, every_h=1),
        {d.IMP_NS_CUSTOMER: StepPlan("sf_customer", 7, 3, recent=6)},
    ),
    d.FLOW_SF_CONTACTS: (FlowPlan(runs=10, every_h=6, ended_h_ago=72), {}),
    d.FLOW_STANDALONE_INVENTORY: (
        FlowPlan(runs=20, every_h=6, failed_last=1),
        {d.EXP_FTP_INVENTORY: StepPlan("ftp_inventory", 1, recent=1)},
    ),
}


def add_demo_history(account: Account) -> None:
    """Jobs and error seeds of the demo flows (see `demo_ids.DEMO_OPEN_ERRORS`)."""
    for flow_id, (plan, steps) in DEMO_FLOW_PLANS.items():
        add_history(account, flow_id, plan, steps)
