"""Error counts, error records and retry data, as the error screens and ``iox errors`` show them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar, Self

from explorer.model.values import (
    _int,
    _require_id,
    _str,
    parse_timestamp,
)


@dataclass(frozen=True)
class ErrorCount:
    """Open errors of one flow or step from a summary endpoint; ``id`` is the flow or step id."""

    id: str
    num_error: int = 0
    last_error_at: datetime | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)
    _ID_KEY: ClassVar[str] = "_id"

    @classmethod
    def from_json(cls, raw: Any) -> Self:
        """Build from one summary entry; raises ValueError without the id key."""
        return cls(_require_id(raw, cls._ID_KEY), _int(raw.get("numError")),
                   parse_timestamp(raw.get("lastErrorAt")), dict(raw))


class FlowErrorCount(ErrorCount):
    """One entry of ``GET /v1/integrations/{id}/errors`` (``_flowId``, ``numError``, ``lastErrorAt``)."""

    _ID_KEY = "_flowId"

    @property
    def flow_id(self) -> str:
        """The flow id."""
        return self.id


class StepErrorCount(ErrorCount):
    """One ``flowErrors`` entry of ``GET /v1/flows/{id}/errors`` (steps with 0 errors are listed too)."""

    _ID_KEY = "_expOrImpId"

    @property
    def step_id(self) -> str:
        """The step (export/import) id."""
        return self.id


@dataclass(frozen=True, order=True)
class ErrorKey:
    """The account-wide unique key of an error: ``errorId`` is unique only within a flow and step."""

    flow_id: str
    step_id: str
    error_id: str


@dataclass(frozen=True)
class ErrorRecord:
    """One open or resolved error of a step."""

    flow_id: str
    step_id: str
    error_id: str
    occurred_at: datetime | None = None
    source: str | None = None
    code: str | None = None
    message: str = ""
    classification: str | None = None
    classified_by: str | None = None
    o_index: str | None = None
    trace_key: str | None = None
    retry_data_key: str | None = None
    req_and_res_key: str | None = None
    flow_job_id: str | None = None
    resolved_at: datetime | None = None
    resolved_by: str | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def id(self) -> str:
        """The error id (unique within its step only; use ``key`` across steps)."""
        return self.error_id

    @property
    def key(self) -> ErrorKey:
        """The account-wide key ``(flow_id, step_id, error_id)``."""
        return ErrorKey(self.flow_id, self.step_id, self.error_id)

    @property
    def retriable(self) -> bool:
        """Only errors with retry data can be retried."""
        return bool(self.retry_data_key)

    @classmethod
    def from_json(cls, raw: Any, flow_id: str, step_id: str) -> Self:
        """Build from one entry of ``errors``/``resolved``; raises ValueError without ``errorId``."""
        return cls(
            flow_id=flow_id, step_id=step_id, error_id=_require_id(raw, "errorId"),
            occurred_at=parse_timestamp(raw.get("occurredAt")), source=_str(raw.get("source")),
            code=_str(raw.get("code")), message=_str(raw.get("message")) or "",
            classification=_str(raw.get("classification")), classified_by=_str(raw.get("classifiedBy")),
            o_index=_str(raw.get("oIndex")), trace_key=_str(raw.get("traceKey")),
            retry_data_key=_str(raw.get("retryDataKey")), req_and_res_key=_str(raw.get("reqAndResKey")),
            flow_job_id=_str(raw.get("_flowJobId")), resolved_at=parse_timestamp(raw.get("resolvedAt")),
            resolved_by=_str(raw.get("resolvedBy")), raw=dict(raw),
        )


@dataclass(frozen=True)
class RetryData:
    """The failed record behind an error (``.../{retryDataKey}/data``), kept whole for the PUT back.

    The body is normally a wrapper ``{"data": ..., "stage", "traceKey"}``; a body without ``data`` is taken
    as the data itself (``wrapped`` False), and ``with_data`` then returns the bare data.
    """

    key: str
    data: Any = None
    stage: str | None = None
    trace_key: str | None = None
    wrapped: bool = True
    raw: Any = field(default_factory=dict, repr=False, compare=False)

    @property
    def id(self) -> str:
        """The retry data key."""
        return self.key

    @classmethod
    def from_json(cls, raw: Any, key: str) -> Self:
        """Build from the retry-data body as received."""
        if not isinstance(raw, Mapping) or "data" not in raw:
            return cls(key=key, data=raw, wrapped=False, raw=raw)
        return cls(key=key, data=raw.get("data"), stage=_str(raw.get("stage")),
                   trace_key=_str(raw.get("traceKey")), raw=dict(raw))

    def with_data(self, data: Any) -> Any:
        """The whole document with ``data`` replaced: what ``PUT .../data`` expects."""
        return {**self.raw, "data": data} if self.wrapped else data
