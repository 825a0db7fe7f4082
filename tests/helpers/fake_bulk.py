"""A scripted bulk client for the bulk service tests: accepts, refuses or rate-limits batches; logs them."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from explorer.client import NotFound, RateLimited
from explorer.model import ErrorRecord, Job, RetryData


def rec(n: int, *, step: str = "s1", retry: bool = True) -> ErrorRecord:
    return ErrorRecord("f1", step, f"e{n}", trace_key=f"T{n}", retry_data_key=f"k{n}" if retry else None)


@dataclass
class FakeClient:
    """Answers like the API; ``script`` lists exceptions to raise for the next calls (None = accept)."""

    script: list[BaseException | None] = field(default_factory=list)
    calls: list[tuple[str, str, tuple[str, ...]]] = field(default_factory=list)
    accepted: list[tuple[str, ...]] = field(default_factory=list)
    gone_keys: set[str] = field(default_factory=set)
    job_polls: int = 0
    finish_after: int = 2
    on_call: Any = None

    async def _call(self, kind: str, step_id: str, ids: Sequence[str]) -> None:
        self.calls.append((kind, step_id, tuple(ids)))
        if self.on_call is not None:
            self.on_call(len(self.calls))
        await asyncio.sleep(0)
        if self.script:
            failure = self.script.pop(0)
            if failure is not None:
                raise failure
        if kind == "retry" and any(key in self.gone_keys for key in ids):
            raise NotFound(404, "not_found", "retry data not found")
        self.accepted.append(tuple(ids))

    async def retry_errors(self, flow_id: str, step_id: str, retry_data_keys: Sequence[str]) -> Job:
        await self._call("retry", step_id, retry_data_keys)
        return Job(id=f"job{len(self.accepted)}", type="retry", status="queued", flow_id=flow_id)

    async def resolve_errors(self, flow_id: str, step_id: str, error_ids: Sequence[str]) -> int:
        await self._call("resolve", step_id, error_ids)
        return len(error_ids)

    async def get_retry_data(self, flow_id: str, step_id: str, retry_data_key: str) -> RetryData:
        if retry_data_key in self.gone_keys:
            raise NotFound(404, "not_found", "gone")
        return RetryData(retry_data_key, {"id": 1})

    async def list_jobs(self, **filters: str) -> list[Job]:
        assert filters == {"_flowId": "f1", "type": "retry"}
        self.job_polls += 1
        done = self.job_polls >= self.finish_after
        return [Job(id=f"job{n}", type="retry", status="completed" if done else "running", flow_id="f1",
                    num_success=9 if done else 0, num_error=1 if done else 0)
                for n in range(1, len(self.accepted) + 1)]

    async def get_job(self, job_id: str) -> Job:
        return Job(id=job_id, status="completed")


def rate_limited(after: float = 0.0) -> RateLimited:
    return RateLimited(429, "rate_limited", "slow down", retry_after=after)
