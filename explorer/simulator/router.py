"""The route table: method + path pattern → handler (see README.md for the same table in prose).

Why: one ordered table is easy to read against the API notes and to list in the README; literal segments
(`jobs/latest`, `requests`) come before the generic `{stepId}` patterns they would otherwise match.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from . import routes_errors as errs
from . import routes_jobs as jobs
from . import routes_resources as res
from .context import Ctx
from .wire import ApiFailure, SimResponse, not_found

Handler = Callable[..., SimResponse]
_ID = "([^/]+)"


def _kind_routes(kind: str) -> list[tuple[str, str, Handler]]:
    def list_(ctx: Ctx) -> SimResponse:
        return res.list_docs(ctx, kind)

    def create(ctx: Ctx) -> SimResponse:
        return res.create_doc(ctx, kind)

    def get(ctx: Ctx, doc_id: str) -> SimResponse:
        return res.get_doc(ctx, kind, doc_id)

    def put(ctx: Ctx, doc_id: str) -> SimResponse:
        return res.replace_doc(ctx, kind, doc_id)

    def delete(ctx: Ctx, doc_id: str) -> SimResponse:
        return res.delete_doc(ctx, kind, doc_id)

    base = f"/v1/{kind}"
    return [
        ("GET", base, list_),
        ("POST", base, create),
        ("GET", f"{base}/{_ID}", get),
        ("PUT", f"{base}/{_ID}", put),
        ("DELETE", f"{base}/{_ID}", delete),
    ]


_STEP = f"/v1/flows/{_ID}/{_ID}"
_TABLE: list[tuple[str, str, Handler]] = [
    ("GET", "/v1/tokenInfo", res.token_info),
    ("GET", f"/v1/integrations/{_ID}/flows", res.integration_flows),
    ("GET", f"/v1/integrations/{_ID}/errors", res.integration_errors),
    ("GET", f"/v1/integrations/{_ID}/jobs/latest", jobs.integration_latest),
    *_kind_routes("integrations"),
    ("PATCH", f"/v1/flows/{_ID}", res.patch_flow),
    ("POST", f"/v1/flows/{_ID}/run", jobs.run_flow),
    ("GET", f"/v1/flows/{_ID}/jobs/latest", jobs.flow_latest),
    ("GET", f"/v1/flows/{_ID}/errors", res.flow_errors),
    ("GET", f"/v1/flows/{_ID}/{_ID}/requests/{_ID}", errs.request_detail),
    ("GET", f"{_STEP}/errors", errs.list_open),
    ("GET", f"{_STEP}/resolved", errs.list_resolved),
    ("PUT", f"{_STEP}/resolved", errs.resolve),
    ("POST", f"{_STEP}/retry", errs.retry),
    ("GET", f"{_STEP}/{_ID}/data", errs.get_retry_data),
    ("PUT", f"{_STEP}/{_ID}/data", errs.put_retry_data),
    *_kind_routes("flows"),
    *_kind_routes("exports"),
    *_kind_routes("imports"),
    ("GET", f"/v1/connections/{_ID}/ping", res.ping_connection),
    ("POST", f"/v1/connections/{_ID}/ping", res.ping_connection),
    *_kind_routes("connections"),
    ("GET", "/v1/jobs", jobs.list_jobs),
    ("GET", f"/v1/jobs/{_ID}/family", jobs.job_family),
    ("PUT", f"/v1/jobs/{_ID}/cancel", jobs.cancel_job),
    ("GET", f"/v1/jobs/{_ID}", jobs.get_job),
]
ROUTES: list[tuple[str, re.Pattern[str], Handler]] = [(m, re.compile(p), h) for m, p, h in _TABLE]
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH"})


def route_table() -> list[tuple[str, str]]:
    """(method, path pattern with `{id}` placeholders) of every served endpoint (for docs and tests)."""
    return [(m, p.replace(_ID, "{id}")) for m, p, _ in _TABLE]


def dispatch(ctx: Ctx) -> SimResponse:
    """Find the handler for the request; 404 for an unknown path, 405 for a known path with another method."""
    allowed: list[str] = []
    for method, pattern, handler in ROUTES:
        match = pattern.fullmatch(ctx.req.path)
        if match is None:
            continue
        if method != ctx.req.method:
            allowed.append(method)
            continue
        if method in WRITE_METHODS and ctx.req.body.strip() and not ctx.req.has_json_content_type():
            raise ApiFailure(415, "unsupported_media_type", "Content-Type must be application/json")
        args: Any = match.groups()
        return handler(ctx, *args)
    if allowed:
        raise ApiFailure(
            405,
            "method_not_allowed",
            f"{ctx.req.method} is not allowed here",
            headers={"Allow": ", ".join(sorted(set(allowed)))},
        )
    raise not_found(f"Resource {ctx.req.path}")
