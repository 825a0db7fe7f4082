"""Integrations, flows and their steps, exports, imports and connections, as the tree shows them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, Self

from explorer.model.schedule import schedule_in_words
from explorer.model.values import (
    _bool,
    _dicts,
    _require_id,
    _str,
    parse_timestamp,
)

StepKind = Literal["export", "lookup", "import"]


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
        """The flow schedule in words ("manual" when there is none), times of day in the flow's timezone."""
        return schedule_in_words(self.schedule, self.timezone)

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
