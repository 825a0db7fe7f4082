"""Checks a document against a kind's schema tree: type, allowed values, required and unknown keys.

Why not ``jsonschema`` or ``fastjsonschema`` (both measured on these schemas, see the commit and
``bench/schema_check.py``): jsonschema collects every problem but took 590–1010 ms on a 2 MB flow, six times
the 100 ms budget; fastjsonschema took 31 ms but stops at the first problem and cannot compile the connection
schema at all (Python's "too many statically nested blocks"). The trees are plain (``$ref``s already inlined,
no recursion), so each schema node is compiled once into a closure that appends every problem it finds —
the same idea as fastjsonschema's generated code, collecting instead of raising. The test suite holds it to
jsonschema's answers on the simulator's documents and on broken ones (``tests/unit/test_schema_check.py``).

Unknown keys are reported only where the schema is *closed*: an object whose every part is published and
declares its properties. A part Celigo did not publish (``x-iox-open``) opens the object.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from explorer.model.paths import PathPart, path_label
from explorer.services.schema_tree import OPEN, Schema, is_open, subschemas


@dataclass(frozen=True)
class SchemaProblem:
    """One finding: where (path parts) and what (``type``, ``enum``, ``required``, ``unknown``, ``range``)."""

    path: tuple[PathPart, ...]
    code: str
    message: str

    @property
    def where(self) -> str:
        """The path as the rest of the app writes it (``http.auth.type``; the root is ``(document)``)."""
        return path_label(self.path)

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


Problems = list[SchemaProblem]
Path = list[PathPart]
"""The path being checked: grown and shrunk in place (a tuple is made only for a problem)."""
Check = Callable[[Any, Path, Problems], None]

_TYPE_TESTS: dict[str, Callable[[Any], bool]] = {
    "string": lambda v: isinstance(v, str),
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
    "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    "integer": lambda v: (isinstance(v, int) and not isinstance(v, bool))
    or (isinstance(v, float) and v.is_integer()),
}
_JSON_NAMES = {dict: "an object", list: "an array", str: "a string", bool: "a boolean", int: "a number",
               float: "a number", type(None): "null"}


def json_type_name(value: Any) -> str:
    """``a string``, ``an object``…: what a value is, in JSON words."""
    return _JSON_NAMES.get(type(value), type(value).__name__)


def short_value(value: Any, limit: int = 40) -> str:
    """A value for a message: JSON-ish, cut at ``limit`` characters."""
    import json

    text = json.dumps(value, ensure_ascii=False) if not isinstance(value, dict | list) else (
        "{…}" if isinstance(value, dict) else "[…]")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _same(a: Any, b: Any) -> bool:
    # JSON equality: 1 == True in Python, not in JSON.
    return a == b and isinstance(a, bool) == isinstance(b, bool)


class SchemaChecker:
    """A compiled tree: :meth:`check` a parsed document as often as needed (thread-safe: no state)."""

    def __init__(self, tree: Schema) -> None:
        self._compiled: dict[tuple[int, bool], Check] = {}
        self._keep: list[Any] = []  # ids are keys: keep every compiled node alive
        self._root = self._compile(tree, True)

    def check(self, document: Any) -> Problems:
        """Every problem in ``document``, in document order, without duplicates."""
        found: Problems = []
        self._root(document, [], found)
        seen: set[tuple[tuple[PathPart, ...], str]] = set()
        unique: Problems = []
        for problem in found:
            key = (problem.path, problem.message)
            if key not in seen:
                seen.add(key)
                unique.append(problem)
        return unique

    # --- compiling ---------------------------------------------------------------------------------------

    def _compile(self, schema: Any, closed_check: bool) -> Check:
        key = (id(schema), closed_check)
        done = self._compiled.get(key)
        if done is not None:
            return done
        self._keep.append(schema)
        checks = self._checks(schema, closed_check) if isinstance(schema, dict) else []

        def run(value: Any, path: Path, out: Problems) -> None:
            for check in checks:
                check(value, path, out)

        self._compiled[key] = checks[0] if len(checks) == 1 else run
        return self._compiled[key]

    def _checks(self, schema: Schema, closed_check: bool) -> list[Check]:
        checks: list[Check] = []
        if "type" in schema:
            checks.append(_type_check(schema["type"]))
        if "enum" in schema and isinstance(schema["enum"], list):
            checks.append(_enum_check(schema["enum"]))
        if "const" in schema:
            checks.append(_enum_check([schema["const"]]))
        if isinstance(schema.get("required"), list):
            checks.append(_required_check([str(k) for k in schema["required"]]))
        if isinstance(schema.get("properties"), dict):
            props = {name: self._compile(sub, True) for name, sub in schema["properties"].items()}
            checks.append(_properties_check(props))
        if isinstance(schema.get("items"), dict) and not schema["items"].get(OPEN):
            checks.append(_items_check(self._compile(schema["items"], True)))
        for key in ("allOf",):
            for part in schema.get(key) or []:
                checks.append(self._compile(part, False))
        for key in ("anyOf", "oneOf"):
            if isinstance(schema.get(key), list) and schema[key]:
                checks.append(_any_check([self._compile(part, False) for part in schema[key]]))
        if isinstance(schema.get("if"), dict):
            then = self._compile(schema["then"], False) if isinstance(schema.get("then"), dict) else None
            other = self._compile(schema["else"], False) if isinstance(schema.get("else"), dict) else None
            checks.append(_if_check(self._compile(schema["if"], False), then, other))
        checks.extend(_range_checks(schema))
        if closed_check:
            parts = subschemas(schema)
            if not is_open(parts) and any(p.get("type") == "object" or "properties" in p for p in parts):
                declared = frozenset(name for p in parts for name in (p.get("properties") or {}))
                checks.append(_unknown_check(declared))
        return checks


def _type_check(declared: Any) -> Check:
    names = [declared] if isinstance(declared, str) else [str(t) for t in declared]
    tests = [_TYPE_TESTS[n] for n in names if n in _TYPE_TESTS]
    wanted = " or ".join(names)

    def check(value: Any, path: Path, out: Problems) -> None:
        for test in tests:
            if test(value):
                return
        if tests:
            out.append(SchemaProblem(tuple(path), "type", f"must be {wanted}, not {json_type_name(value)}"))

    return check


def _enum_check(allowed: list[Any]) -> Check:
    listed = ", ".join(short_value(v, 30) for v in allowed[:12]) + (" …" if len(allowed) > 12 else "")

    def check(value: Any, path: Path, out: Problems) -> None:
        if not any(_same(value, option) for option in allowed):
            out.append(SchemaProblem(tuple(path), "enum", f"{short_value(value)} is not one of {listed}"))

    return check


def _required_check(names: list[str]) -> Check:
    def check(value: Any, path: Path, out: Problems) -> None:
        if isinstance(value, dict):
            for name in names:
                if name not in value:
                    out.append(SchemaProblem(tuple(path), "required", f"{name!r} is required here"))

    return check


def _properties_check(props: dict[str, Check]) -> Check:
    def check(value: Any, path: Path, out: Problems) -> None:
        if isinstance(value, dict):
            for name, sub in value.items():
                compiled = props.get(name)
                if compiled is not None:
                    path.append(name)
                    compiled(sub, path, out)
                    path.pop()

    return check


def _items_check(item: Check) -> Check:
    def check(value: Any, path: Path, out: Problems) -> None:
        if isinstance(value, list):
            for index, sub in enumerate(value):
                path.append(index)
                item(sub, path, out)
                path.pop()

    return check


def _any_check(branches: list[Check]) -> Check:
    # anyOf and oneOf alike: a value that fits one branch is fine (a warning about "fits two" helps nobody).
    def check(value: Any, path: Path, out: Problems) -> None:
        best: Problems | None = None
        for branch in branches:
            trial: Problems = []
            branch(value, path, trial)
            if not trial:
                return
            if best is None or len(trial) < len(best):
                best = trial
        out.extend(best or [])

    return check


def _if_check(condition: Check, then: Check | None, other: Check | None) -> Check:
    def check(value: Any, path: Path, out: Problems) -> None:
        trial: Problems = []
        condition(value, path, trial)
        branch = then if not trial else other
        if branch is not None:
            branch(value, path, out)

    return check


def _range_checks(schema: Schema) -> list[Check]:
    checks: list[Check] = []
    number = _TYPE_TESTS["number"]
    if isinstance(schema.get("minimum"), int | float):
        low = schema["minimum"]
        checks.append(lambda v, p, o: o.append(SchemaProblem(tuple(p), "range", f"must be at least {low}"))
                      if number(v) and v < low else None)
    if isinstance(schema.get("maximum"), int | float):
        high = schema["maximum"]
        checks.append(lambda v, p, o: o.append(SchemaProblem(tuple(p), "range", f"must be at most {high}"))
                      if number(v) and v > high else None)
    if isinstance(schema.get("maxLength"), int):
        most = schema["maxLength"]
        too_long = f"must be {most} characters or fewer"
        checks.append(lambda v, p, o: o.append(SchemaProblem(tuple(p), "range", too_long))
                      if isinstance(v, str) and len(v) > most else None)
    if isinstance(schema.get("minItems"), int):
        least = schema["minItems"]
        too_few = f"must hold at least {least} item(s)"
        checks.append(lambda v, p, o: o.append(SchemaProblem(tuple(p), "range", too_few))
                      if isinstance(v, list) and len(v) < least else None)
    return checks


def _unknown_check(declared: frozenset[str]) -> Check:
    def check(value: Any, path: Path, out: Problems) -> None:
        if isinstance(value, dict):
            for name in value:
                if name not in declared:
                    out.append(SchemaProblem((*path, name), "unknown", "not in Celigo's published schema"))

    return check
