"""Resource-list conventions: `limit`/`skip` with `Link` headers, 204 for empty pages, include/exclude.

Why: every resource list (integrations, flows, exports, imports, connections) pages and projects the same way,
and the client must cope with exactly these conventions: absolute `Link` URLs built from the host the client
called, `rel="next"` until the last page, `rel="prev"` after the first, and no body at all for an empty page.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from .wire import ApiFailure, Request, SimResponse, empty_response, json_response

MAX_LIMIT = 1000
ALWAYS_FIELDS: dict[str, tuple[str, ...]] = {
    "integrations": ("_id", "name"),
    "flows": ("_id", "name"),
    "exports": ("_id", "name", "adaptorType"),
    "imports": ("_id", "name", "adaptorType"),
    "connections": ("_id", "name", "type"),
}
_FIELD_LIST = re.compile(r"^[A-Za-z0-9_$]+(\.[A-Za-z0-9_$]+)*(,[A-Za-z0-9_$]+(\.[A-Za-z0-9_$]+)*)*$")

Tree = dict[str, Any]


def _bad_query(message: str) -> ApiFailure:
    return ApiFailure(400, "invalid_query_params", message)


def page_window(request: Request) -> tuple[int, int]:
    """(limit, skip) of a list request: limit defaults to and is capped at 1000; bad numbers ⇒ 400."""
    values: dict[str, int] = {}
    for name, default in (("limit", MAX_LIMIT), ("skip", 0)):
        raw = request.param(name)
        if raw is None or raw == "":
            values[name] = default
            continue
        try:
            values[name] = int(raw)
        except ValueError:
            raise _bad_query(f"{name} must be an integer") from None
    if values["limit"] < 1 or values["skip"] < 0:
        raise _bad_query("limit must be >= 1 and skip >= 0")
    return min(values["limit"], MAX_LIMIT), values["skip"]


def _tree(paths: list[str]) -> Tree:
    root: Tree = {}
    for path in paths:
        node = root
        parts = path.split(".")
        for part in parts[:-1]:
            child = node.setdefault(part, {})
            if child is None:  # a parent path was already requested whole
                break
            node = child
        else:
            node[parts[-1]] = None
    return root


def _pick(doc: dict[str, Any], tree: Tree) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in doc.items():
        if key not in tree:
            continue
        sub = tree[key]
        if sub is None:
            out[key] = value
        elif isinstance(value, dict):
            out[key] = _pick(value, sub)
    return out


def _drop(doc: dict[str, Any], tree: Tree) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in doc.items():
        sub = tree.get(key, False)
        if sub is None and key != "_id":
            continue
        out[key] = _drop(value, sub) if isinstance(sub, dict) and isinstance(value, dict) else value
    return out


def projection(request: Request, kind: str) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """The include/exclude projection of a list request (identity when neither is given)."""
    if any(key.startswith(("include[", "exclude[")) for key, _ in request.query):
        # The real API answers 500 to the array form; reproduce it so the client never sends it.
        raise ApiFailure(500, "server_error", "Internal Server Error")
    include, exclude = request.param("include") or "", request.param("exclude") or ""
    if include and exclude:
        raise _bad_query("include and exclude cannot be used together")
    spec = include or exclude
    if not spec:
        return lambda doc: doc
    if not _FIELD_LIST.match(spec):
        raise _bad_query(
            f"{'include' if include else 'exclude'} must be a comma-separated list of field paths"
        )
    paths = spec.split(",")
    if include:
        tree = _tree([*ALWAYS_FIELDS.get(kind, ("_id", "name")), *paths])
        return lambda doc: _pick(doc, tree)
    drop_tree = _tree(paths)
    return lambda doc: _drop(doc, drop_tree)


def _link(request: Request, limit: int, skip: int) -> str:
    kept = [(k, v) for k, v in request.query if k not in ("limit", "skip")]
    query = urlencode([*kept, ("limit", str(limit)), ("skip", str(skip))])
    return f"{request.origin}{request.path}?{query}"


def list_response(
    request: Request,
    kind: str,
    items: list[dict[str, Any]],
    view: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
) -> SimResponse:
    """One page of a resource list with its `Link` header; 204 (no body) when the page is empty.

    `view` turns a stored document into what the client may see (e.g. masks connection secrets) and runs
    before the projection.
    """
    limit, skip = page_window(request)
    project = projection(request, kind)
    page = items[skip : skip + limit]
    links: list[str] = []
    if skip + limit < len(items):
        links.append(f'<{_link(request, limit, skip + limit)}>; rel="next"')
    if skip > 0:
        links.append(f'<{_link(request, limit, max(0, skip - limit))}>; rel="prev"')
    headers = {"Link": ", ".join(links)} if links else {}
    if not page:
        return empty_response(204, headers)
    shown = [project(view(doc) if view else doc) for doc in page]
    return json_response(200, shown, headers)
