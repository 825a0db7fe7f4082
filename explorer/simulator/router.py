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
_PLACEHOLDER = re.compile(r"\{\w+\}")


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
        ("GET", base + "/{id}", get),
        ("PUT", base + "/{id}", put),
        ("DELETE", base + "/{id}", delete),
    ]


_STEP = "/v1/flows/{flowId}/{stepId}"
_TABLE: list[tuple[str, str, Handler]] = [
    ("GET", "/v1/tokenInfo", res.token_info),
    ("GET", "/v1/integrations/{id}/flows", res.integration_flows),
    ("GET", "/v1/integrations/{id}/errors", res.integration_errors),
    ("GET", "/v1/integrations/{id}/jobs/latest", jobs.integration_latest),
    *_kind_routes("integrations"),
    ("PATCH", "/v1/flows/{id}", res.patch_flow),
    ("POST", "/v1/flows/{id}/run", jobs.run_flow),
    ("GET", "/v1/flows/{id}/jobs/latest", jobs.flow_latest),
    ("GET", "/v1/flows/{id}/errors", res.flow_errors),
    ("GET", "/v1/flows/{flowId}/{stepId}/requests/{reqAndResKey}", errs.request_detail),
    ("GET", _STEP + "/errors", errs.list_open),
    ("GET", _STEP + "/resolved", errs.list_resolved),
    ("PUT", _STEP + "/resolved", errs.resolve),
    ("POST", _STEP + "/retry", errs.retry),
    ("GET", _STEP + "/{retryDataKey}/data", errs.get_retry_data),
    ("PUT", _STEP + "/{retryDataKey}/data", errs.put_retry_data),
    *_kind_routes("flows"),
    *_kind_routes("exports"),
    *_kind_routes("imports"),
    ("GET", "/v1/connections/{id}/ping", res.ping_connection),
    ("POST", "/v1/connections/{id}/ping", res.ping_connection),
    *_kind_routes("connections"),
    ("GET", "/v1/errors/filterMetadata", errs.filter_metadata),
    ("GET", "/v1/jobs", jobs.list_jobs),
    ("GET", "/v1/jobs/{id}/family", jobs.job_family),
    ("PUT", "/v1/jobs/{id}/cancel", jobs.cancel_job),
    ("GET", "/v1/jobs/{id}", jobs.get_job),
]
ROUTES: list[tuple[str, re.Pattern[str], Handler]] = [
    (m, re.compile(_PLACEHOLDER.sub("([^/]+)", p)), h) for m, p, h in _TABLE
]
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH"})


def route_table() -> list[tuple[str, str]]:
    """(method, path template such as `/v1/flows/{id}`) of every served endpoint (for docs and tests)."""
    return [(m, p) for m, p, _ in _TABLE]


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
