"""Flow, retry and child jobs, as the jobs screen shows them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Self

from explorer.model.values import (
    _dicts,
    _int,
    _require_id,
    _str,
    parse_timestamp,
)

FINISHED_JOB_STATUSES: frozenset[str] = frozenset({"completed", "canceled", "failed"})


@dataclass(frozen=True)
class Job:
    """A flow, retry or child (export/import) job; ``children`` are filled by ``jobs/latest``."""

    id: str
    type: str | None = None
    status: str | None = None
    flow_id: str | None = None
    integration_id: str | None = None
    resource_id: str | None = None
    flow_job_id: str | None = None
    parent_job_id: str | None = None
    created_at: datetime | None = None
    started_at: datetime | None = None
    ended_at: datetime | None = None
    num_success: int = 0
    num_error: int = 0
    num_ignore: int = 0
    num_resolved: int = 0
    num_pages_generated: int = 0
    children: tuple[Job, ...] = ()
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def finished(self) -> bool:
        """True once the job will not change any more (completed, canceled or failed)."""
        return self.status in FINISHED_JOB_STATUSES

    @classmethod
    def from_json(cls, raw: Any) -> Self:
        """Build from a job document (``_id``, or ``_jobId`` as the run/retry answers may carry)."""
        key = "_id" if isinstance(raw, Mapping) and raw.get("_id") else "_jobId"
        return cls(
            id=_require_id(raw, key), type=_str(raw.get("type")), status=_str(raw.get("status")),
            flow_id=_str(raw.get("_flowId")), integration_id=_str(raw.get("_integrationId")),
            resource_id=_str(raw.get("_expOrImpId") or raw.get("_exportId") or raw.get("_importId")),
            flow_job_id=_str(raw.get("_flowJobId")), parent_job_id=_str(raw.get("_parentJobId")),
            created_at=parse_timestamp(raw.get("createdAt")),
            started_at=parse_timestamp(raw.get("startedAt")),
            ended_at=parse_timestamp(raw.get("endedAt")), num_success=_int(raw.get("numSuccess")),
            num_error=_int(raw.get("numError")), num_ignore=_int(raw.get("numIgnore")),
            num_resolved=_int(raw.get("numResolved")), num_pages_generated=_int(raw.get("numPagesGenerated")),
            children=tuple(cls.from_json(c) for c in _dicts(raw.get("children")) if c.get("_id")),
            raw=dict(raw),
        )
