"""One integrator.io account (tenant): its documents, per-step errors, jobs and rate-limit bucket.

Why: NA and EU are separate tenants with separate state, and every route needs the same few look-ups (a
document by kind and id, the steps of a flow, the error store of a step). Seed builders fill an `Account`;
routes only read and change it through these methods.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .errorstore import RETRY_DATA_KEPT, ErrorSeed, StepErrors
from .ids import IdFactory, stable_hash
from .ratelimit import TokenBucket
from .wire import not_found

KINDS = ("integrations", "flows", "exports", "imports", "connections")
SINGULAR = {
    "integrations": "Integration",
    "flows": "Flow",
    "exports": "Export",
    "imports": "Import",
    "connections": "Connection",
    "jobs": "Job",
}


def flow_steps(flow: dict[str, Any]) -> list[tuple[str, str]]:
    """(step id, role) in flow order: page generators ("export"), then page processors ("lookup"/"import"),
    including every router branch's processors; legacy top-level `_exportId`/`_importId` too."""
    steps: list[tuple[str, str]] = []

    def processors(items: Any) -> None:
        for pp in items if isinstance(items, list) else []:
            if not isinstance(pp, dict):
                continue
            if pp.get("type") == "export" and isinstance(pp.get("_exportId"), str):
                steps.append((pp["_exportId"], "lookup"))
            elif pp.get("type") == "import" and isinstance(pp.get("_importId"), str):
                steps.append((pp["_importId"], "import"))

    for pg in flow.get("pageGenerators") or []:
        if isinstance(pg, dict) and isinstance(pg.get("_exportId"), str):
            steps.append((pg["_exportId"], "export"))
    if isinstance(flow.get("_exportId"), str):
        steps.append((flow["_exportId"], "export"))
    processors(flow.get("pageProcessors"))
    for router in flow.get("routers") or []:
        for branch in (router.get("branches") or []) if isinstance(router, dict) else []:
            if isinstance(branch, dict):
                processors(branch.get("pageProcessors"))
    if isinstance(flow.get("_importId"), str):
        steps.append((flow["_importId"], "import"))
    return list(dict.fromkeys(steps))


@dataclass
class Job:
    """A job as the API shows it (`doc`) plus what the engine needs to move it along."""

    doc: dict[str, Any]
    created_ms: int
    children: list[str] = field(default_factory=list)
    parent: str | None = None
    start_ms: int | None = None
    end_ms: int | None = None
    plan: dict[str, Any] = field(default_factory=dict)


class Account:
    """The state of one tenant."""

    def __init__(self, region: str, user_id: str, seed: int, built_ms: int, bucket: TokenBucket) -> None:
        self.region = region
        self.user_id = user_id
        self.seed = seed
        self.built_ms = built_ms
        self.bucket = bucket
        self.ids = IdFactory(seed, region)
        self.docs: dict[str, dict[str, dict[str, Any]]] = {kind: {} for kind in KINDS}
        self.step_kinds: dict[tuple[str, str], str] = {}
        self.error_seeds: dict[tuple[str, str], ErrorSeed] = {}
        self._errors: dict[tuple[str, str], StepErrors] = {}
        self._jobs: dict[str, Job] = {}
        self._pending_jobs: list[Callable[[], None]] = []
        self.active_jobs: list[str] = []
        self.retry_data_kept = RETRY_DATA_KEPT
        """Newest errors per step that keep retry data (Celigo: 20,000); tests shrink it."""

    # ---- documents ---------------------------------------------------------------------------------------

    def find(self, kind: str, doc_id: str) -> dict[str, Any] | None:
        """The stored document, or None."""
        return self.docs[kind].get(doc_id)

    def get(self, kind: str, doc_id: str) -> dict[str, Any]:
        """The stored document, or a 404 failure."""
        doc = self.docs[kind].get(doc_id)
        if doc is None:
            raise not_found(f"{SINGULAR[kind]} {doc_id}")
        return doc

    def add(self, kind: str, doc: dict[str, Any]) -> dict[str, Any]:
        """Store a document under its `_id` (seeding and POST)."""
        self.docs[kind][doc["_id"]] = doc
        return doc

    def flows_of(self, integration_id: str) -> list[dict[str, Any]]:
        """Flows whose `_integrationId` is the given integration, in creation order."""
        return [f for f in self.docs["flows"].values() if f.get("_integrationId") == integration_id]

    def references(self, kind: str, doc_id: str) -> list[str]:
        """Ids of documents that point at this one (a delete of a referenced document is refused)."""
        out: list[str] = []
        if kind in ("exports", "imports"):
            out = [
                f["_id"] for f in self.docs["flows"].values() if any(s == doc_id for s, _ in flow_steps(f))
            ]
        elif kind == "connections":
            for k in ("exports", "imports"):
                out += [d["_id"] for d in self.docs[k].values() if d.get("_connectionId") == doc_id]
        elif kind == "integrations":
            out = [f["_id"] for f in self.flows_of(doc_id)]
        return out

    # ---- errors ------------------------------------------------------------------------------------------

    def step_errors(self, flow_id: str, step_id: str) -> StepErrors:
        """The error store of a step, created on first use from its seed (if any)."""
        key = (flow_id, step_id)
        store = self._errors.get(key)
        if store is None:
            seed = self.error_seeds.get(key) or ErrorSeed(now_ms=self.built_ms, resolvers=(self.user_id,))
            salt = stable_hash(self.seed, flow_id, step_id) & 0xFFFFFFFF
            store = StepErrors(self.step_kinds.get(key, "generic"), salt, seed, self.retry_data_kept)
            self._errors[key] = store
        return store

    def open_count(self, flow_id: str, step_id: str) -> int:
        """Open errors of a step without creating its store when it never had any."""
        key = (flow_id, step_id)
        if key in self._errors:
            return self._errors[key].count_open()
        seed = self.error_seeds.get(key)
        return seed.n_open if seed else 0

    # ---- jobs --------------------------------------------------------------------------------------------

    @property
    def jobs(self) -> dict[str, Job]:
        """Every job by id, oldest first; the seeded history's documents are made on first use."""
        if self._pending_jobs:
            self._make_pending_jobs()
        return self._jobs

    def defer_jobs(self, make: Callable[[], None]) -> None:
        """Have ``make`` add its jobs when the jobs are first used (``jobs``), in the order deferred.

        Why: the demo account's history is ~1,000 job documents that only the jobs endpoints read, and
        building them was half of building the account, on the way to ``iox --demo``'s first frame. The
        ids they take are reserved when deferring (``IdFactory.reserve``), so every id stays the same.
        """
        self._pending_jobs.append(make)

    def _make_pending_jobs(self) -> None:
        pending, self._pending_jobs = self._pending_jobs, []
        for make in pending:
            make()

    def add_job(self, job: Job) -> Job:
        """Store a job (and register it with its parent)."""
        self.jobs[job.doc["_id"]] = job
        if job.parent is not None:
            self.jobs[job.parent].children.append(job.doc["_id"])
        return job

    def job_view(self, job_id: str, *, with_children: bool = False) -> dict[str, Any]:
        """A copy of a job's JSON, optionally with its `children` (as `/jobs/latest` shows them)."""
        job = self.jobs[job_id]
        out = dict(job.doc)
        if with_children:
            out["children"] = [dict(self.jobs[c].doc) for c in job.children]
        return out
