"""Error counts, error records and retry data, as the error screens and ``iox errors`` show them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
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


_ERROR_TEXT_KEYS: tuple[tuple[str, str], ...] = (
    ("source", "source"), ("code", "code"), ("message", "message"), ("traceKey", "trace_key"),
    ("oIndex", "o_index"), ("retryDataKey", "retry_data_key"), ("errorId", "error_id"),
    ("_flowJobId", "flow_job_id"), ("classification", "classification"), ("classifiedBy", "classified_by"),
    ("reqAndResKey", "req_and_res_key"), ("resolvedBy", "resolved_by"),
)
"""Wire keys held as text fields, in the API's own order (``occurredAt`` first, ``resolvedAt`` last)."""
_SHARED: dict[str, str] = {}
"""One copy of each short repeated value (source, code, classification...) across all records."""


def _shared(value: str) -> str:
    """Keep ``value`` as the one copy of a short value that repeats across records (a code, a source)."""
    if len(value) <= 40 and len(_SHARED) < 10_000:
        _SHARED[value] = value
    return value


def _wire_time(value: datetime) -> str:
    """A timestamp in the API's form (UTC, millis, ``Z``): what ``raw`` gives back for a parsed time."""
    moment = value if value.utcoffset() == _ZERO else value.astimezone(UTC)
    return (f"{moment.year:04d}-{moment.month:02d}-{moment.day:02d}T{moment.hour:02d}:{moment.minute:02d}:"
            f"{moment.second:02d}.{moment.microsecond // 1000:03d}Z")


_ZERO = timedelta(0)


@dataclass(slots=True, unsafe_hash=True)
class ErrorRecord:
    """One open or resolved error of a step.

    Why slots and no ``raw`` dict: a step can hold 100,000 errors and every one is kept in memory; a copy of
    the wire document beside the fields doubled each record (≈1.6 KB, measured). The document is rebuilt on
    demand (``raw``) from the fields, plus ``wire``: only the keys the fields cannot give back exactly
    (unknown keys, a number where text was expected, a timestamp in another form, an empty or null value).
    Not ``frozen`` only because a frozen dataclass builds 8x slower (17 ``object.__setattr__`` calls, measured
    3.3 µs against 0.4 µs): treat it as immutable (it hashes by value), and use ``dataclasses.replace``.
    """

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
    wire: Mapping[str, Any] | None = field(default=None, repr=False, compare=False)
    """What of the document the fields do not hold (None when they hold it all); see ``raw``."""

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

    @property
    def raw(self) -> dict[str, Any]:
        """The error's document as the server sent it (a new dict on each call: built, not stored).

        A record built in code (not ``from_json``) gives the document its fields describe.
        """
        wire = self.wire
        doc: dict[str, Any] = {}
        if self.occurred_at is not None:
            doc["occurredAt"] = _wire_time(self.occurred_at)
        for key, name in _ERROR_TEXT_KEYS:
            value = getattr(self, name)
            if value is not None and (value != "" or key != "message"):
                doc[key] = value
        if self.resolved_at is not None:
            doc["resolvedAt"] = _wire_time(self.resolved_at)
        if wire:
            doc.update(wire)
        return doc

    @classmethod
    def from_json(cls, raw: Any, flow_id: str, step_id: str) -> Self:
        """Build from one entry of ``errors``/``resolved``; raises ValueError without ``errorId``.

        One pass over the document's keys (this runs 100,000 times for a big step: 3 µs a record, measured).
        """
        values: list[Any] = [flow_id, step_id, _require_id(raw, "errorId"), None, None, None, "", None,
                             None, None, None, None, None, None, None, None]
        wire: dict[str, Any] | None = None
        for key, value in raw.items():
            slot = _ERROR_SLOTS.get(key)
            if slot is None:
                pass  # an unknown key: kept in ``wire``
            elif type(value) is str and value:
                if slot == 2:
                    continue
                if slot in _TIME_SLOTS:
                    moment = parse_timestamp(value)
                    values[slot] = moment
                    if moment is not None and ((len(value) == 24 and value[19] == "." and value[23] == "Z")
                                               or _wire_time(moment) == value):
                        continue
                else:
                    values[slot] = _SHARED.get(value) or _shared(value) if slot in _SHARED_SLOTS else value
                    continue
            elif slot == 2:
                pass
            elif slot in _TIME_SLOTS:
                values[slot] = parse_timestamp(value)
            elif slot == 6:
                values[slot] = _str(value) or ""
            else:
                values[slot] = _str(value)
            if wire is None:
                wire = {}
            wire[key] = value
        values.append(wire)
        return cls(*values)


_ERROR_SLOTS: dict[str, int] = {
    "errorId": 2, "occurredAt": 3, "source": 4, "code": 5, "message": 6, "classification": 7,
    "classifiedBy": 8, "oIndex": 9, "traceKey": 10, "retryDataKey": 11, "reqAndResKey": 12, "_flowJobId": 13,
    "resolvedAt": 14, "resolvedBy": 15,
}
"""Wire key → position of its field in ``ErrorRecord`` (a test checks this against the dataclass)."""
_TIME_SLOTS = frozenset({3, 14})
_SHARED_SLOTS = frozenset({4, 5, 7, 8, 9, 13, 15})
"""source, code, classification, classifiedBy, oIndex, _flowJobId, resolvedBy: few distinct values."""


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
