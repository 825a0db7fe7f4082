"""One RFC 6902 JSON Patch applied to the retry data of many failed records: parse, apply, classify, start.

Why JSON Patch (through the ``jsonpatch`` library): it says *what* to change wherever the record's other
values differ (``replace /email``), and its ``test`` operation is the guard a bulk fix needs ("only where
/status is still X"); a record the guard rejects is reported, not written. Paths address the failed record
itself (the retry data's ``data``), not the wrapper object the API returns around it.

Each record ends in exactly one outcome: ``change`` (the patch changes it), ``unchanged`` (it applies but
changes nothing: already fixed), ``failed`` (a ``test`` did not hold, a path is missing, or the record could
not be read — with the reason) or ``not_retriable`` (no retry data: the error never had any, or it is gone,
e.g. beyond the newest 20,000 errors of the step). No I/O here: ``fix_run`` fetches and writes.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import jsonpatch

from explorer.model import ErrorRecord
from explorer.services.json_check import InvalidJson, parse_document

Outcome = Literal["change", "unchanged", "failed", "not_retriable"]
OUTCOMES: tuple[Outcome, ...] = ("change", "unchanged", "failed", "not_retriable")
PatchOp = dict[str, Any]

OPERATIONS = ("add", "remove", "replace", "move", "copy", "test")
"""The RFC 6902 operations accepted (``jsonpatch``'s own extensions are refused: they are not portable)."""
_NEEDS_VALUE = ("add", "replace", "test")
_NEEDS_FROM = ("move", "copy")


class PatchProblem(ValueError):
    """The patch text is not a usable JSON Patch; the message says where and why."""


@dataclass(frozen=True)
class FixRecord:
    """The failed record a fix addresses: its step, its error and its retry-data key."""

    flow_id: str
    step_id: str
    error_id: str
    retry_data_key: str | None
    message: str = ""
    trace_key: str | None = None

    @classmethod
    def of(cls, record: ErrorRecord) -> FixRecord:
        """The fix's view of an error row."""
        return cls(record.flow_id, record.step_id, record.error_id, record.retry_data_key, record.message,
                   record.trace_key)

    @property
    def key(self) -> tuple[str, str, str]:
        """``(flow, step, errorId)``, unique in the account."""
        return (self.flow_id, self.step_id, self.error_id)

    @property
    def resource_id(self) -> str:
        """The journal's id of this record's retry data (as ``write_targets.retry_data_target`` names it)."""
        return f"{self.flow_id}.{self.step_id}.{self.retry_data_key}"


# --------------------------------------------------------------------------------------------- parsing
def check_patch(value: Any) -> list[PatchOp]:
    """Validate a parsed JSON value as a JSON Patch; raises PatchProblem naming the operation at fault."""
    if not isinstance(value, list):
        raise PatchProblem("a JSON Patch is an array of operations, e.g. "
                           '[{"op": "replace", "path": "/email", "value": "a@b.example"}]')
    if not value:
        raise PatchProblem("the patch has no operations")
    for index, op in enumerate(value):
        where = f"operation {index + 1}"
        if not isinstance(op, dict):
            raise PatchProblem(f"{where} is not an object")
        name = op.get("op")
        if name not in OPERATIONS:
            raise PatchProblem(f"{where}: \"op\" must be one of {', '.join(OPERATIONS)} (got {name!r})")
        for field in ("path", *(("from",) if name in _NEEDS_FROM else ())):
            pointer = op.get(field)
            if not isinstance(pointer, str) or (pointer and not pointer.startswith("/")):
                raise PatchProblem(f'{where} ({name}): "{field}" must be a JSON Pointer such as "/email"')
        if name in _NEEDS_VALUE and "value" not in op:
            raise PatchProblem(f'{where} ({name}): "value" is missing')
    try:
        jsonpatch.JsonPatch(value)
    except (jsonpatch.JsonPatchException, jsonpatch.JsonPointerException) as exc:
        raise PatchProblem(str(exc)) from None
    return [dict(op) for op in value]


def parse_patch(text: str) -> list[PatchOp]:
    """Read a patch typed by the user or read from a file (strict JSON, with line and column on error)."""
    try:
        value = parse_document(text, require_object=False)
    except InvalidJson as exc:
        raise PatchProblem(str(exc.problem)) from None
    return check_patch(value)


def patch_text(ops: Sequence[PatchOp]) -> str:
    """A patch as the editor shows it: one operation per line, readable and valid JSON."""
    lines = [json.dumps(op, ensure_ascii=False) for op in ops]
    return "[\n  " + ",\n  ".join(lines) + "\n]"


# --------------------------------------------------------------------------------------------- applying
@dataclass(frozen=True)
class Patched:
    """The result of the patch on one record's data: the outcome, the new data, and why it failed."""

    outcome: Outcome
    data: Any = None
    reason: str = ""


def apply_patch(data: Any, ops: Sequence[PatchOp]) -> Patched:
    """Apply ``ops`` to a copy of ``data``; the input is never modified."""
    try:
        patched = jsonpatch.apply_patch(data, list(ops), in_place=False)
    except jsonpatch.JsonPatchTestFailed as exc:
        return Patched("failed", reason=f"test failed: {exc}")
    except (jsonpatch.JsonPatchException, jsonpatch.JsonPointerException) as exc:
        return Patched("failed", reason=f"patch does not apply: {exc}")
    except (TypeError, ValueError) as exc:  # e.g. an array index on an object
        return Patched("failed", reason=f"patch does not apply: {exc}")
    if same_json(patched, data):
        return Patched("unchanged", data=patched)
    return Patched("change", data=patched)


def same_json(left: Any, right: Any) -> bool:
    """Equal as JSON, types included (``1 == True`` in Python, not in JSON)."""
    return json.dumps(left, sort_keys=True) == json.dumps(right, sort_keys=True)


# --------------------------------------------------------------------------------------------- starting patch
_QUOTED = re.compile(r"'([^'\n]{1,80})'|\"([^\"\n]{1,80})\"")
_FIELD_AFTER = re.compile(r"(?:field|fields|for)\s*:?\s*['\"]?([A-Za-z_][\w. ]*)", re.IGNORECASE)


def pointer(parts: Sequence[str | int]) -> str:
    """A JSON Pointer from key/index parts (``~`` and ``/`` escaped as RFC 6901 says)."""
    return "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in parts)


def _leaves(value: Any, path: tuple[str | int, ...] = ()) -> Iterator[tuple[tuple[str | int, ...], Any]]:
    if isinstance(value, Mapping):
        for key, inner in value.items():
            yield from _leaves(inner, (*path, str(key)))
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            yield from _leaves(inner, (*path, index))
    else:
        yield path, value


def _squash(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def guess_path(message: str, data: Any) -> tuple[tuple[str | int, ...], Any] | None:
    """The field of ``data`` the error message most likely names: a value quoted in the message, else a
    key named after a field the message mentions (``'status'``, ``field: shipmethod``)."""
    leaves = [(path, value) for path, value in _leaves(data) if path]
    quoted = [a or b for a, b in _QUOTED.findall(message)]
    for path, value in leaves:
        if isinstance(value, str) and value in quoted:
            return path, value
    named = quoted + _FIELD_AFTER.findall(message)
    # "for: Company Name" names the field as words: try them together, then each one (the last first)
    words = [word for name in named for word in reversed(name.split()) if len(name.split()) > 1]
    names = [_squash(name) for name in named + words]
    names = [name for name in names if len(name) >= 3]
    for exact in (True, False):
        for path, value in leaves:
            key = path[-1]
            if not isinstance(key, str):
                continue
            squashed = _squash(key)
            if any(squashed == name if exact else (name in squashed) for name in names):
                return path, value
    return None


def starting_patch(record: FixRecord | ErrorRecord, data: Any) -> list[PatchOp]:
    """A patch to start editing from, built from the record under the cursor: a ``test`` that the field the
    message names still holds this record's value (the guard) and a ``replace`` of it (to edit)."""
    found = guess_path(record.message, data)
    if found is None:
        first = next(((path, value) for path, value in _leaves(data) if path), None)
        if first is None:
            return [{"op": "replace", "path": "/field", "value": "new value"}]
        found = first
    path, value = found
    where = pointer(path)
    return [{"op": "test", "path": where, "value": value}, {"op": "replace", "path": where, "value": value}]
