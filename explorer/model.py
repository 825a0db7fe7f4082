"""What the user sees of an integrator.io account, as plain dataclasses built from the API's JSON.

Why a separate, stdlib-only module: the TUI, the CLI and the tests reason about integrations, flows, steps and
errors without caring how the JSON arrived. The real API is loosely documented, so every ``from_json`` is
tolerant: unknown fields are ignored, every field but the id is optional, numbers may come as strings and
timestamps with or without milliseconds. The full document is always kept in ``raw`` for the JSON pane.
``from_json`` raises ``ValueError`` only when the id itself is missing; callers turn that into a clear error.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, ClassVar, Literal, Self

ScopeKind = Literal["full", "custom", "unknown"]
StepKind = Literal["export", "lookup", "import"]

SERVER_OWNED_FIELDS: frozenset[str] = frozenset({"_id", "createdAt", "lastModified", "lastModifiedBy"})
"""Fields the server sets itself: left out of the diff shown before a PUT (the PUT still sends them)."""

MASKED_SECRET = "******"
"""What the API sends in place of a secret; sending it back on a connection PUT is a known cause of 422s."""

FINISHED_JOB_STATUSES: frozenset[str] = frozenset({"completed", "canceled", "failed"})


# --------------------------------------------------------------------------------------------- value helpers
def parse_timestamp(value: Any) -> datetime | None:
    """An aware UTC-or-offset datetime from ISO-8601 (with/without millis, ``Z`` or offset) or epoch ms.

    Returns None for anything absent or unparseable, so one odd field never hides a whole document.
    """
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        try:
            return datetime.fromtimestamp(value / 1000.0, tz=UTC)
        except (OverflowError, OSError, ValueError):
            return None
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def format_timestamp(value: datetime) -> str:
    """The API's own timestamp form (UTC, millis, ``Z``), used for query filters; naive means UTC."""
    aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    return aware.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{aware.microsecond // 1000:03d}Z"


def _str(value: Any) -> str | None:
    """A string field that may arrive as a number (``oIndex``, ``code``); None when absent or structured."""
    if value is None or isinstance(value, bool | dict | list):
        return None
    return str(value)


def _int(value: Any) -> int:
    """A counter that may be a string, a float or missing: 0 when it cannot be read."""
    if isinstance(value, bool):
        return int(value)
    try:
        return int(float(value))
    except (TypeError, ValueError, OverflowError):
        return 0


def _bool(value: Any) -> bool | None:
    return value if isinstance(value, bool) else None


def _ids(value: Any) -> tuple[str, ...]:
    """A list of ids (or of ``{"_id": ...}`` objects) as a tuple of strings, ignoring anything else."""
    if not isinstance(value, list):
        return ()
    out: list[str] = []
    for item in value:
        if isinstance(item, Mapping):
            item = item.get("_id")
        if isinstance(item, str) and item:
            out.append(item)
    return tuple(out)


def _require_id(raw: Any, key: str = "_id") -> str:
    if not isinstance(raw, Mapping):
        raise ValueError(f"expected a JSON object, got {type(raw).__name__}")
    value = raw.get(key)
    if isinstance(value, int | str) and not isinstance(value, bool) and str(value):
        return str(value)
    raise ValueError(f"object without {key}")


def masked_secret_paths(doc: Any, prefix: str = "") -> list[str]:
    """Dotted paths of every ``"******"`` value in a document, so the editor can warn before a PUT."""
    found: list[str] = []
    if isinstance(doc, Mapping):
        for key, value in doc.items():
            found += masked_secret_paths(value, f"{prefix}.{key}" if prefix else str(key))
    elif isinstance(doc, list):
        for index, value in enumerate(doc):
            found += masked_secret_paths(value, f"{prefix}[{index}]")
    elif doc == MASKED_SECRET:
        found.append(prefix)
    return found


# --------------------------------------------------------------------------------------------- token
_SCOPE_LISTS: tuple[tuple[str, str, str], ...] = (
    ("connection", "_connectionIds", "connections"),
    ("export", "_exportIds", "exports"),
    ("import", "_importIds", "imports"),
    ("api", "_apiIds", "APIs"),
)


@dataclass(frozen=True)
class TokenInfo:
    """Who the token belongs to and what it may reach, derived from ``GET /v1/tokenInfo``.

    The custom-token body is undocumented, so ``scope`` is read from whatever is present: ``"*"`` (or
    ``fullAccess: true``) is full access; any of the id lists (top level or inside a ``scope`` object) or a
    non-``*`` scope string is custom; anything else is "unknown", never an error. A list that is absent is
    ``None`` (not granted), which differs from an empty list only in ``raw``.
    """

    user_id: str
    scope: ScopeKind
    connection_ids: tuple[str, ...] | None = None
    export_ids: tuple[str, ...] | None = None
    import_ids: tuple[str, ...] | None = None
    api_ids: tuple[str, ...] | None = None
    email: str | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def id(self) -> str:
        """The user id (tokenInfo has no ``_id`` of its own)."""
        return self.user_id

    @classmethod
    def from_json(cls, raw: Any) -> Self:
        """Build from the tokenInfo body; never raises for an odd shape (it becomes scope "unknown")."""
        doc: dict[str, Any] = dict(raw) if isinstance(raw, Mapping) else {}
        scope_value = doc.get("scope")
        holder: Mapping[str, Any] = scope_value if isinstance(scope_value, Mapping) else doc
        lists = {
            name: _ids(holder[key]) if key in holder else (_ids(doc[key]) if key in doc else None)
            for name, key, _ in _SCOPE_LISTS
        }
        kind: ScopeKind
        if scope_value == "*" or doc.get("fullAccess") is True:
            kind = "full"
        elif any(v is not None for v in lists.values()) or (
            isinstance(scope_value, str | Mapping) and scope_value not in ("", "*")
        ):
            kind = "custom"
        else:
            kind = "unknown"
        return cls(
            user_id=_str(doc.get("_userId")) or "",
            scope=kind,
            connection_ids=lists["connection"],
            export_ids=lists["export"],
            import_ids=lists["import"],
            api_ids=lists["api"],
            email=_str(doc.get("email")),
            raw=doc,
        )

    def _list_for(self, kind: str) -> tuple[str, ...] | None:
        return {
            "connection": self.connection_ids,
            "export": self.export_ids,
            "import": self.import_ids,
            "api": self.api_ids,
        }[kind]

    def describe(self) -> str:
        """Short words for the status bar, e.g. ``"full access"`` or ``"custom: 1 connection, 3 exports"``."""
        if self.scope == "full":
            return "full access"
        if self.scope == "unknown":
            return "unknown scope"
        parts = []
        for kind, _key, label in _SCOPE_LISTS:
            count = len(self._list_for(kind) or ())
            if count:
                parts.append(f"{count} {label if count != 1 else label[:-1]}")
        return "custom: " + (", ".join(parts) if parts else "no resources")

    def may_access(self, kind: str, resource_id: str) -> bool | None:
        """True/False when the scope settles it, None when it cannot be known (then let a 403 decide).

        ``kind`` is connection/export/import/api (singular or plural); other kinds (flows, integrations) are
        reachable or not depending on their steps, so they answer None for custom tokens.
        """
        if self.scope == "full":
            return True
        singular = kind.lower().removesuffix("s")
        if self.scope == "unknown" or singular not in ("connection", "export", "import", "api"):
            return None
        ids = self._list_for(singular)
        return ids is not None and resource_id in ids


# --------------------------------------------------------------------------------------------- resources
@dataclass(frozen=True, kw_only=True)
class Resource:
    """What every resource document shares (id, name, timestamps, raw); subclasses add their own fields.

    ``from_json`` raises ValueError only when ``_id`` is missing; each subclass names its extra fields in
    ``_fields`` so the tolerant reading of the common ones is written once.
    """

    id: str
    name: str = ""
    created_at: datetime | None = None
    last_modified: datetime | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, raw: Any) -> Self:
        """Build from a resource document as received."""
        resource_id = _require_id(raw)
        return cls(
            id=resource_id, name=_str(raw.get("name")) or "", raw=dict(raw), **cls._fields(raw),
            created_at=parse_timestamp(raw.get("createdAt")),
            last_modified=parse_timestamp(raw.get("lastModified")),
        )

    @classmethod
    def _fields(cls, raw: Mapping[str, Any]) -> dict[str, Any]:
        return {}

    @property
    def label(self) -> str:
        """The name, or the id when the document has no name."""
        return self.name or self.id


@dataclass(frozen=True, kw_only=True)
class Integration(Resource):
    """An integration (a folder of flows)."""

    description: str | None = None
    sandbox: bool | None = None

    @classmethod
    def _fields(cls, raw: Mapping[str, Any]) -> dict[str, Any]:
        return {"description": _str(raw.get("description")), "sandbox": _bool(raw.get("sandbox"))}


@dataclass(frozen=True)
class Step:
    """One export or import in a flow, as the error APIs address it: ``(flow_id, step_id)``.

    ``position`` is 0-based in flow order; ``branch`` names the router branch (``"Router / Branch"``) if any.
    """

    flow_id: str
    step_id: str
    kind: StepKind
    position: int
    branch: str | None = None

    @property
    def id(self) -> str:
        """The export or import id (the step id in error URLs)."""
        return self.step_id


@dataclass(frozen=True, kw_only=True)
class Flow(Resource):
    """A flow; its steps are derived from ``raw`` on demand by ``steps()``."""

    integration_id: str | None = None
    disabled: bool = False
    schedule: str | None = None
    timezone: str | None = None
    last_executed_at: datetime | None = None

    @classmethod
    def _fields(cls, raw: Mapping[str, Any]) -> dict[str, Any]:
        return {
            "integration_id": _str(raw.get("_integrationId")), "disabled": raw.get("disabled") is True,
            "schedule": _str(raw.get("schedule")), "timezone": _str(raw.get("timezone")),
            "last_executed_at": parse_timestamp(raw.get("lastExecutedAt")),
        }

    @property
    def schedule_words(self) -> str:
        """The flow schedule in words ("manual" when there is none)."""
        return schedule_in_words(self.schedule)

    def steps(self) -> list[Step]:
        """Steps in flow order: page generators, then page processors (including every router branch's).

        Legacy single-step flows use top-level ``_exportId``/``_importId``. A step id that appears twice is
        listed once, because the error APIs address a step by id only.
        """
        found: list[tuple[str, StepKind, str | None]] = []
        for generator in _dicts(self.raw.get("pageGenerators")):
            if isinstance(generator.get("_exportId"), str):
                found.append((generator["_exportId"], "export", None))
        if isinstance(self.raw.get("_exportId"), str):
            found.append((self.raw["_exportId"], "export", None))
        found += _processor_steps(self.raw.get("pageProcessors"), None)
        for r_index, router in enumerate(_dicts(self.raw.get("routers"))):
            router_name = _str(router.get("name")) or _str(router.get("id")) or f"Router {r_index + 1}"
            for b_index, branch in enumerate(_dicts(router.get("branches"))):
                branch_name = _str(branch.get("name")) or f"Branch {b_index + 1}"
                found += _processor_steps(branch.get("pageProcessors"), f"{router_name} / {branch_name}")
        if isinstance(self.raw.get("_importId"), str):
            found.append((self.raw["_importId"], "import", None))
        steps: list[Step] = []
        seen: set[str] = set()
        for step_id, kind, where in found:
            if step_id and step_id not in seen:
                seen.add(step_id)
                steps.append(Step(self.id, step_id, kind, len(steps), where))
        return steps


def _dicts(value: Any) -> list[Mapping[str, Any]]:
    return [item for item in value if isinstance(item, Mapping)] if isinstance(value, list) else []


def _processor_steps(value: Any, branch: str | None) -> list[tuple[str, StepKind, str | None]]:
    """Lookups (``type: export``) and imports of a pageProcessors list; the type is inferred if absent."""
    out: list[tuple[str, StepKind, str | None]] = []
    for processor in _dicts(value):
        kind = processor.get("type")
        export_id, import_id = processor.get("_exportId"), processor.get("_importId")
        if kind in ("import", None) and isinstance(import_id, str):
            out.append((import_id, "import", branch))
        elif kind in ("export", None) and isinstance(export_id, str):
            out.append((export_id, "lookup", branch))
    return out


@dataclass(frozen=True, kw_only=True)
class Export(Resource):
    """An export (a page generator, or a lookup when ``is_lookup``)."""

    connection_id: str | None = None
    adaptor_type: str | None = None
    export_type: str | None = None
    is_lookup: bool = False

    @classmethod
    def _fields(cls, raw: Mapping[str, Any]) -> dict[str, Any]:
        return {
            "connection_id": _str(raw.get("_connectionId")), "adaptor_type": _str(raw.get("adaptorType")),
            "export_type": _str(raw.get("type")), "is_lookup": raw.get("isLookup") is True,
        }


@dataclass(frozen=True, kw_only=True)
class Import(Resource):
    """An import (writes records to a destination)."""

    connection_id: str | None = None
    adaptor_type: str | None = None

    @classmethod
    def _fields(cls, raw: Mapping[str, Any]) -> dict[str, Any]:
        return {"connection_id": _str(raw.get("_connectionId")), "adaptor_type": _str(raw.get("adaptorType"))}


@dataclass(frozen=True, kw_only=True)
class Connection(Resource):
    """A connection; its secrets arrive masked (see ``masked_secret_paths``)."""

    type: str | None = None
    offline: bool | None = None

    @classmethod
    def _fields(cls, raw: Mapping[str, Any]) -> dict[str, Any]:
        return {"type": _str(raw.get("type")), "offline": _bool(raw.get("offline"))}


@dataclass(frozen=True)
class PingResult:
    """Outcome of a connection ping: a failed ping is an answer to show, not an exception."""

    ok: bool
    status: int
    message: str = ""
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)


# --------------------------------------------------------------------------------------------- errors
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


# --------------------------------------------------------------------------------------------- jobs
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


# --------------------------------------------------------------------------------------------- schedules
_DAYS = ("Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_NUMBER = re.compile(r"\d{1,2}")


def _plural(n: int, word: str) -> str:
    return f"every {word}" if n == 1 else f"every {n} {word}s"


def _values(field_text: str, low: int, high: int) -> list[int] | None:
    """The values of a plain comma list or ``a-b`` range; None for anything fancier."""
    out: list[int] = []
    for part in field_text.split(","):
        bounds = part.split("-")
        if len(bounds) > 2 or not all(_NUMBER.fullmatch(b) for b in bounds):
            return None
        first, last = int(bounds[0]), int(bounds[-1])
        if not low <= first <= last <= high:
            return None
        out.extend(range(first, last + 1))
    return sorted(set(out))


def _step_of(values: list[int], span: int) -> int | None:
    """N when values are 0, N, 2N, ... covering the whole span evenly (Celigo spells "*/2" as a list)."""
    if len(values) < 2 or values[0] != 0:
        return None
    step = values[1] - values[0]
    return step if values == list(range(0, span, step)) else None


def schedule_in_words(cron: str | None) -> str:
    """A Celigo 6-field cron (``"? 0 */2 * * *"``; 5 fields also accepted) in words.

    ``"manual"`` when there is no schedule; an expression it cannot read comes back as ``"cron: <expr>"``
    rather than an error, because schedules are shown, never executed, here.
    """
    if cron is None or not str(cron).strip():
        return "manual"
    text = str(cron).strip()
    fields = text.split()
    if len(fields) == 6:
        fields = fields[1:]
    if len(fields) != 5:
        return f"cron: {text}"
    minute, hour, dom, month, dow = ("*" if f == "?" else f.upper() for f in fields)
    for index, name in enumerate(_DAYS):
        dow = dow.replace(name.upper(), str(index))
    base = _time_words(minute, hour)
    days = _values(dow, 0, 7) if dow != "*" else []
    doms = _values(dom, 1, 31) if dom != "*" else []
    months = _values(month, 1, 12) if month != "*" else []
    if base is None or days is None or doms is None or months is None:
        return f"cron: {text}"
    words = [base.replace("daily at", "at", 1) if days or doms else base]
    if days:
        words.append("on " + _runs(sorted({d % 7 for d in days}), _DAYS))
    if doms:
        words.append("on day " + _runs(doms, [str(n) for n in range(32)]) + " of the month")
    if months:
        words.append("in " + _runs([m - 1 for m in months], _MONTHS))
    return " ".join(words)


def _runs(values: list[int], names: Sequence[str]) -> str:
    """``[1, 2, 3, 5]`` as ``"Mon–Wed, Fri"``: runs of three or more collapse into a range."""
    groups: list[list[int]] = []
    for value in values:
        if groups and value == groups[-1][-1] + 1:
            groups[-1].append(value)
        else:
            groups.append([value])
    parts = []
    for group in groups:
        if len(group) >= 3:
            parts.append(f"{names[group[0]]}–{names[group[-1]]}")
        else:
            parts.extend(names[v] for v in group)
    return ", ".join(parts)


def _time_words(minute: str, hour: str) -> str | None:
    if minute == "*" and hour == "*":
        return "every minute"
    if minute.startswith("*/") and hour == "*":
        every = _values(minute[2:], 1, 59)
        return _plural(every[0], "minute") if every and len(every) == 1 else None
    minutes = _values(minute, 0, 59)
    if minutes is None:
        return None
    minute_step = _step_of(minutes, 60)
    if hour == "*":
        if minute_step:
            return _plural(minute_step, "minute")
        return "hourly at " + ", ".join(f":{m:02d}" for m in minutes)
    hours = _values(hour[2:], 1, 23) if hour.startswith("*/") else None
    hour_step = hours[0] if hours and len(hours) == 1 else None
    if hour_step is None:
        listed = _values(hour, 0, 23)
        if listed is None:
            return None
        hour_step = _step_of(listed, 24)
        if hour_step is None:
            if len(listed) > 3 and len(minutes) == 1 and listed == list(range(listed[0], listed[-1] + 1)):
                return f"hourly from {listed[0]:02d}:{minutes[0]:02d} to {listed[-1]:02d}:{minutes[0]:02d}"
            return "daily at " + ", ".join(f"{h:02d}:{m:02d}" for h in listed for m in minutes)
    at = "" if minutes == [0] else " at " + ", ".join(f":{m:02d}" for m in minutes)
    return _plural(hour_step, "hour") + at
