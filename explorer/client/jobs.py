"""Typed access to jobs: run a flow, latest jobs, job lists, one job, cancel.

Why its own module: jobs page differently from everything else (no ``Link``, no ``nextPageURL``: up to 1001
newest-first per call, the caller narrows with ``createdAt_lte``), and ``run`` is a POST that must never be
repeated by the client after a failure other than 429.
"""

from __future__ import annotations

from typing import Any

from explorer.client import urls
from explorer.client.base import ClientBase
from explorer.client.errors import TransportError
from explorer.model import Job


class JobsMixin(ClientBase):
    """Running flows and reading or canceling their jobs."""

    async def run_flow(self, flow_id: str, body: dict[str, Any] | None = None) -> str:
        """Start a flow run (``POST /flows/{id}/run``, optional body e.g. ``{"export": {"startDate": ...}}``).

        Returns the new flow job's id.
        """
        reply = await self._send("POST", "flows", flow_id, "run", body=body if body is not None else {})
        data = reply.data if isinstance(reply.data, dict) else {}
        job_id = data.get("_jobId") or data.get("_id")
        if not isinstance(job_id, str) or not job_id:
            raise TransportError(reply.status, "unexpected_body", "the run answer carries no job id",
                                 method=reply.method, path=reply.path)
        return job_id

    async def latest_jobs(self, flow_id: str) -> list[Job]:
        """The latest flow job(s) of a flow, with their child export/import jobs."""
        reply = await self._get("flows", flow_id, "jobs", "latest")
        return self._build_list(Job.from_json, reply.data, reply)

    async def list_jobs(self, **filters: urls.QueryValue) -> list[Job]:
        """One page of ``GET /jobs`` (≤1001, newest first), with the API's filter names as keywords.

        E.g. ``list_jobs(_flowId=f, type="retry", status=["queued", "running"])``; datetimes are sent in the
        API's ISO form. Parent-job queries need one of ``_integrationId``, ``_flowId``, ``_exportId``,
        ``_importId``, ``_flowJobId`` or ``createdAt_*`` (else the API answers 400 ``invalid_query``). For
        older jobs call again with ``createdAt_lte`` just before the last job's ``created_at``.
        """
        reply = await self._get("jobs", params=filters)
        return self._build_list(Job.from_json, reply.data, reply)

    async def get_job(self, job_id: str) -> Job:
        """One job by id."""
        reply = await self._get("jobs", job_id)
        return self._build(Job.from_json, reply.data, reply)

    async def job_family(self, job_id: str) -> Job:
        """A flow job with its child export/import jobs (``GET /jobs/{id}/family``, as Celigo's web app asks).

        Why not ``GET /jobs?_flowJobId=…&type=export&type=import``: the repeated ``type`` form appears nowhere
        in Celigo's code; ``/family`` is what the web app uses for exactly this.
        """
        reply = await self._get("jobs", job_id, "family")
        return self._build(Job.from_json, reply.data, reply)

    async def cancel_job(self, job_id: str) -> Job:
        """Ask for a job to be canceled (``PUT /jobs/{id}/cancel``); returns the job as the server sees it."""
        reply = await self._send("PUT", "jobs", job_id, "cancel", body={})
        if isinstance(reply.data, dict) and reply.data.get("_id"):
            return self._build(Job.from_json, reply.data, reply)
        return await self.get_job(job_id)
