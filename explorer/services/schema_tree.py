"""Celigo's schema files joined into one self-contained JSON Schema per resource kind.

Why inlined: the published files refer to each other (``./http.yml#/HTTP``) and to files that were never
published (``./base.yml#/FlowBase``, ``../../../common/schemas/*.yml``). Replacing every ``$ref`` by what it
points at gives one tree per kind that a validator compiles once and the doc strip walks by path. A ``$ref``
that points outside the published files becomes :data:`UNRESOLVED` — any value is accepted there, and the
object holding it is *open* (its other keys may come from the missing file), so nothing there is called
unknown. That is the issue's rule: what Celigo did not publish is never an error.

Where the unpublished base file is the only link between a kind and published parts (a flow's
``pageProcessors`` items are ``page-processor.yml``, an export's ``http`` object is ``http.yml``), the
project's :data:`BASE_WIRING` says which property holds which published file. The rest of the base stays
open. These are names from the API reference (``shared/integrator-api.md``), not Celigo's schema text.
"""

from __future__ import annotations

import json
import posixpath
from collections.abc import Mapping
from typing import Any

from explorer.services.schema_files import REPO_PATHS

Schema = dict[str, Any]

OPEN = "x-iox-open"
"""Marks a stand-in for a file Celigo did not publish: it accepts any value and any extra keys."""
UNRESOLVED: Schema = {OPEN: True}

ROOTS = {
    "connections": ("response.yml#/Connection", "request.yml#/Request"),
    "exports": ("response.yml#/Export", "request.yml#/Request"),
    "flows": ("response.yml#/Flow", "request.yml#/Request"),
    "imports": ("response.yml#/Import", "request.yml#/Request"),
}
"""Per kind: the document as the API returns it, and the body of a create/PUT (whose ``required`` list is
what a PUT needs — the editor checks documents about to be PUT)."""

BASE_WIRING: dict[str, dict[str, dict[str, str]]] = {
    "flows": {
        "./base.yml#/FlowBase": {
            "pageGenerators": "[]page-generator.yml#/PageGenerator",
            "pageProcessors": "[]page-processor.yml#/PageProcessor",
            "routers": "[]router.yml#/Router",
        },
    },
    "exports": {
        "./base.yml#/ExportBase": {
            "as2": "as2.yml#/AS2", "delta": "delta.yml#/Delta", "distributed": "distributed.yml#/Distributed",
            "dynamodb": "dynamodb.yml#/DynamoDB", "file": "file.yml#/File",
            "filesystem": "filesystem.yml#/FileSystem", "ftp": "ftp.yml#/FTP", "http": "http.yml#/Http",
            "jdbc": "jdbc.yml#/JDBC", "mockOutput": "mock-output.yml#/MockOutput",
            "mongodb": "mongodb.yml#/MongoDB", "netsuite": "netsuite.yml#/NetSuite", "once": "once.yml#/Once",
            "rdbms": "rdbms.yml#/RDBMS", "s3": "s3.yml#/S3", "salesforce": "salesforce.yml#/Salesforce",
            "test": "test.yml#/Test", "webhook": "webhook.yml#/Webhook", "wrapper": "wrapper.yml#/Wrapper",
        },
    },
    "imports": {
        "./base.yml#/ImportBase": {
            "as2": "as2.yml#/As2", "dynamodb": "dynamodb.yml#/Dynamodb", "file": "file.yml#/File",
            "filesystem": "filesystem.yml#/FileSystem", "ftp": "ftp.yml#/Ftp", "http": "http.yml#/Http",
            "jdbc": "jdbc.yml#/Jdbc", "mongodb": "mongodb.yml#/Mongodb", "netsuite": "netsuite.yml#/NetSuite",
            "netsuite_da": "netsuitedistributed.yml#/NetsuiteDistributed", "rdbms": "rdbms.yml#/Rdbms",
            "s3": "s3.yml#/S3", "salesforce": "salesforce.yml#/Salesforce", "wrapper": "wrapper.yml#/Wrapper",
        },
    },
}
"""Unpublished base file → {property: published file}; ``[]`` means an array of that."""

ERRATA = {"flows": (("response-mapping.yml", ("ResponseMapping", "properties")), ("fields", "lists"))}
"""Places where a published file contradicts the API: ``responseMapping.fields`` and ``.lists`` are arrays of
``{extract, generate}`` (API reference, Celigo's UI and old API docs), but the YAML nests that array schema
as a *property named* ``type`` of an object — a slip :func:`_repair_nested_type` undoes where it is listed."""

_SKIP_KEYS = frozenset({"examples", "example", "x-celigo-ai-guidance", "x-celigo-ui-override",
                        "x-celigo-agent"})
"""Keys dropped from the tree: long prose no check or doc strip reads (keeps the tree small to walk)."""


def _repair_nested_type(schema: Any) -> Any:
    """``{"type": "object", "properties": {"type": {"type": "array", ...}}}`` → that array schema."""
    if not isinstance(schema, dict) or schema.get("type") != "object":
        return schema
    inner = (schema.get("properties") or {}).get("type")
    if not isinstance(inner, dict) or inner.get("type") != "array":
        return schema
    return {**inner, "description": schema.get("description", inner.get("description", ""))}


def apply_errata(kind: str, files: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of ``files`` with the :data:`ERRATA` of ``kind`` repaired (the input is left untouched)."""
    out = dict(files)
    if kind not in ERRATA:
        return out
    (name, pointer), keys = ERRATA[kind]
    path = f"{posixpath.dirname(REPO_PATHS[kind][0])}/{name}"
    if path not in out:
        return out
    content = out[path] = json.loads(json.dumps(out[path]))
    node = content
    for part in pointer:
        node = node.get(part, {}) if isinstance(node, dict) else {}
    for key in keys:
        if isinstance(node, dict) and key in node:
            node[key] = _repair_nested_type(node[key])
    return out


class _Resolver:
    def __init__(self, kind: str, files: Mapping[str, Any]) -> None:
        self.kind = kind
        self.folder = posixpath.dirname(REPO_PATHS[kind][0])
        self.files = files
        self.memo: dict[str, Schema] = {}
        self.active: set[str] = set()

    def target(self, ref: str, base_path: str) -> tuple[str, str] | None:
        """``(repo path, pointer)`` of a ``$ref`` in the file at ``base_path``; None if unpublished."""
        file_part, _, pointer = ref.partition("#")
        path = posixpath.normpath(posixpath.join(posixpath.dirname(base_path), file_part)) if file_part \
            else base_path
        return (path, pointer) if path in self.files else None

    def ref(self, ref: str, base_path: str) -> Schema:
        wiring = BASE_WIRING.get(self.kind, {}).get(ref)
        if wiring is not None:
            return self.wired(wiring)
        found = self.target(ref, base_path)
        if found is None:
            return UNRESOLVED
        path, pointer = found
        key = f"{path}#{pointer}"
        if key in self.memo:
            return self.memo[key]
        if key in self.active:  # a cycle: the inner occurrence accepts anything rather than recursing forever
            return UNRESOLVED
        node: Any = self.files[path]
        for part in [p for p in pointer.split("/") if p]:
            part = part.replace("~1", "/").replace("~0", "~")
            node = node.get(part) if isinstance(node, dict) else None
        if not isinstance(node, dict):
            return UNRESOLVED
        self.active.add(key)
        resolved: Schema = self.node(node, path)
        self.active.discard(key)
        self.memo[key] = resolved
        return resolved

    def wired(self, wiring: Mapping[str, str]) -> Schema:
        properties: Schema = {}
        for name, target in wiring.items():
            array = target.startswith("[]")
            schema = self.ref("./" + target.removeprefix("[]"), REPO_PATHS[self.kind][0])
            properties[name] = {"type": "array", "items": schema} if array else schema
        return {OPEN: True, "properties": properties}

    def node(self, node: Any, base_path: str) -> Any:
        if isinstance(node, list):
            return [self.node(item, base_path) for item in node]
        if not isinstance(node, dict):
            return node
        if "$ref" in node:
            resolved = self.ref(str(node["$ref"]), base_path)
            rest = {k: v for k, v in node.items() if k != "$ref" and k not in _SKIP_KEYS}
            if not rest:
                return resolved
            return {**{k: self.node(v, base_path) for k, v in rest.items()}, "allOf": [resolved]}
        out: Schema = {}
        for key, value in node.items():
            if key in _SKIP_KEYS:
                continue
            if key in ("properties", "x-enumDescriptions", "patternProperties") and isinstance(value, dict):
                out[key] = {name: self.node(sub, base_path) if key != "x-enumDescriptions" else sub
                            for name, sub in value.items()}
            elif key in ("enum", "const", "default", "required"):
                out[key] = value
            else:
                out[key] = self.node(value, base_path)
        return out


def build_tree(kind: str, files: Mapping[str, Any]) -> Schema:
    """The self-contained schema of a document of ``kind`` about to be PUT (see :data:`ROOTS`)."""
    resolver = _Resolver(kind, apply_errata(kind, files))
    response_ref, request_ref = ROOTS[kind]
    folder = resolver.folder
    response: Schema = dict(resolver.ref("./" + response_ref, f"{folder}/x"))
    request = resolver.ref("./" + request_ref, f"{folder}/x")
    # Keep the response's shape (read-only fields included: a GET's document comes back in a PUT), but only
    # the request's required keys: ``_id`` or ``createdAt`` are not required of a body.
    response.pop("required", None)
    if "required" in request:
        response["required"] = list(request["required"])
    return response


def subschemas(schema: Any) -> list[Schema]:
    """``schema`` and every schema combined into it (``allOf``/``anyOf``/``oneOf``/``then``/``else``),
    depth first: where a key's description, type or allowed values may be found."""
    out: list[Schema] = []
    stack = [schema]
    while stack:
        node = stack.pop()
        if not isinstance(node, dict):
            continue
        out.append(node)
        branches: list[Any] = []
        for key in ("allOf", "anyOf", "oneOf"):
            if isinstance(node.get(key), list):
                branches.extend(node[key])
        for key in ("then", "else"):
            if isinstance(node.get(key), dict):
                branches.append(node[key])
        stack.extend(reversed(branches))
    return out


def is_open(parts: list[Schema]) -> bool:
    """Whether an object described by ``parts`` may hold keys no published schema names."""
    declared = False
    for part in parts:
        if part.get(OPEN) or part.get("patternProperties"):
            return True
        extra = part.get("additionalProperties")
        if extra is not None and extra is not False:
            return True
        if "properties" in part:
            declared = True
    return not declared  # ``{"type": "object"}`` with no properties: a free-form object
