"""Routes of the error-management API ("EM 2.0"): `/v1/flows/{flowId}/{stepId}/...`.

Why: this is where users spend their time (triage, resolve, retry, fix retry data), so these routes follow the
documented shapes closely: `{"errors": [...]}` / `{"resolved": [...]}` with a relative `nextPageURL`, resolve
with `{"errors": [ids]}` (204), retry with `{"retryDataKeys": [...]}` or `{"errorIds": [...]}` returning the
retry job (201), at most 1000 ids per call.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from .account import flow_steps
from .clock import parse_when
from .context import Ctx
from .errorstore import ErrorFilter, StepErrors
from .jobs import start_retry
from .wire import ApiFailure, SimResponse, empty_response, json_response, not_found

MAX_IDS = 1000


def _step(ctx: Ctx, flow_id: str, step_id: str) -> tuple[dict[str, Any], str, StepErrors]:
    """The flow, the step's role and its error store; 404 for an unknown flow or a step not in the flow."""
    flow = ctx.account.get("flows", flow_id)
    ctx.scope.require("flows", flow)
    roles = dict(flow_steps(flow))
    if step_id not in roles:
        raise not_found(f"Step {step_id} of flow {flow_id}")
    return flow, roles[step_id], ctx.account.step_errors(flow_id, step_id)


def _when(ctx: Ctx, name: str) -> int | None:
    raw = ctx.req.param(name)
    if raw is None or raw == "":
        return None
    value = parse_when(raw)
    if value is None:
        raise ApiFailure(
            400, "invalid_query_params", f"{name} must be an ISO-8601 date or epoch milliseconds", name
        )
    return value


def _filters(ctx: Ctx) -> tuple[ErrorFilter, int | None]:
    """The list filters, and the resolved list's own `cursor` (the open list pages by `startAtErrorId`)."""
    raw_cursor = ctx.req.param("cursor")
    cursor = None
    if raw_cursor:
        if not raw_cursor.isdigit():
            raise ApiFailure(400, "invalid_query_params", "cursor is not valid", "cursor")
        cursor = int(raw_cursor)
    flt = ErrorFilter(
        occurred_gte=_when(ctx, "occurredAt_gte"),
        occurred_lte=_when(ctx, "occurredAt_lte"),
        resolved_gte=_when(ctx, "resolvedAt_gte"),
        resolved_lte=_when(ctx, "resolvedAt_lte"),
        sources=frozenset(ctx.req.params("source")),
        classifications=frozenset(ctx.req.params("classification")),
    )
    return flt, cursor


def _next_url(ctx: Ctx, name: str, value: str | None) -> dict[str, str]:
    if value is None:
        return {}
    kept = [(k, v) for k, v in ctx.req.query if k != name]
    return {"nextPageURL": f"{ctx.req.path}?{urlencode([*kept, (name, value)])}"}


def list_open(ctx: Ctx, flow_id: str, step_id: str) -> SimResponse:
    """GET .../errors: open errors, newest first, `nextPageURL` (`startAtErrorId=`) while more remain."""
    _, _, store = _step(ctx, flow_id, step_id)
    flt, _ = _filters(ctx)
    start = None
    raw_start = ctx.req.param("startAtErrorId")
    if raw_start:
        start = store.start_index(raw_start)
        if start is None:
            raise ApiFailure(400, "invalid_query_params", "startAtErrorId is not an error of this step",
                             "startAtErrorId")
    items, following = store.page_open(flt, start, ctx.error_page_size)
    return json_response(200, {"errors": items, **_next_url(ctx, "startAtErrorId", following)})


def list_resolved(ctx: Ctx, flow_id: str, step_id: str) -> SimResponse:
    """GET .../resolved: resolved errors (key `resolved`), most recently resolved first."""
    _, _, store = _step(ctx, flow_id, step_id)
    flt, cursor = _filters(ctx)
    items, nxt = store.page_resolved(flt, cursor, ctx.error_page_size)
    following = None if nxt is None else str(nxt)
    return json_response(200, {"resolved": items, **_next_url(ctx, "cursor", following)})


def _id_list(body: dict[str, Any], field: str, *, required: bool) -> list[str]:
    value = body.get(field)
    if value is None and not required:
        return []
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        raise ApiFailure(
            422,
            "invalid_field" if value is not None else "missing_required_field",
            f"{field} must be a non-empty array of strings",
            field,
        )
    if len(value) > MAX_IDS:
        raise ApiFailure(
            422, "invalid_field", f"At most {MAX_IDS} ids per request ({len(value)} sent)", field
        )
    return value


def resolve(ctx: Ctx, flow_id: str, step_id: str) -> SimResponse:
    """PUT .../resolved with `{"errors": [errorId, ...]}`: 204; unknown or resolved ids are ignored."""
    _, _, store = _step(ctx, flow_id, step_id)
    ids = _id_list(ctx.req.json_object(), "errors", required=True)
    store.resolve(ids, ctx.now_ms, ctx.token.user_id)
    return empty_response(204)


def retry(ctx: Ctx, flow_id: str, step_id: str) -> SimResponse:
    """POST .../retry: the retried errors leave the open list now; 201 with the queued retry job."""
    flow, role, store = _step(ctx, flow_id, step_id)
    body = ctx.req.json_object()
    keys = _id_list(body, "retryDataKeys", required=False)
    ids = _id_list(body, "errorIds", required=False)
    if not keys and not ids:
        raise ApiFailure(422, "missing_required_field", "Send retryDataKeys or errorIds", "retryDataKeys")
    if len(keys) + len(ids) > MAX_IDS:
        raise ApiFailure(422, "invalid_field", f"At most {MAX_IDS} errors per retry", "retryDataKeys")
    taken = store.take_for_retry(keys, ids)
    if not taken:
        raise ApiFailure(
            422,
            "invalid_field",
            "None of the given errors is open and retriable",
            "retryDataKeys" if keys else "errorIds",
        )
    job = start_retry(ctx.account, flow, step_id, role, taken, ctx.now_ms, ctx.token.user_id)
    return json_response(201, ctx.account.job_view(job.doc["_id"]))


def get_retry_data(ctx: Ctx, flow_id: str, step_id: str, key: str) -> SimResponse:
    """GET .../{retryDataKey}/data: `{"data": record, "stage": ..., "traceKey": ...}`."""
    _, _, store = _step(ctx, flow_id, step_id)
    data = store.get_retry_data(key)
    if data is None:
        raise not_found(f"Retry data {key}")
    return json_response(200, data)


def put_retry_data(ctx: Ctx, flow_id: str, step_id: str, key: str) -> SimResponse:
    """PUT .../{retryDataKey}/data with the GET object and an edited `data`: 200 echoing what was stored."""
    _, _, store = _step(ctx, flow_id, step_id)
    body = ctx.req.json_object()
    if "data" not in body:
        raise ApiFailure(422, "missing_required_field", "data is required", "data")
    stored = store.put_retry_data(key, body)
    if stored is None:
        raise not_found(f"Retry data {key}")
    return json_response(200, stored)


def request_detail(ctx: Ctx, flow_id: str, step_id: str, key: str) -> SimResponse:
    """GET .../requests/{reqAndResKey}: the HTTP request and response behind an error."""
    _, _, store = _step(ctx, flow_id, step_id)
    detail = store.request_detail(key)
    if detail is None:
        raise not_found(f"Request {key}")
    return json_response(200, detail)


CLASSIFICATIONS = (
    "connection", "duplicate", "governance", "missing", "parse", "value", "intermittent", "none",
)
"""Celigo's error classifications (its web app lists them all but `none`)."""
SOURCES = ("application", "internal", "connection", "resource", "lookup", "transformation", "output_filter",
           "input_filter", "import_filter", "mapping", "response_mapping", "pre_save_page_hook",
           "pre_map_hook", "post_map_hook", "post_submit_hook", "post_aggregate_hook")


def filter_metadata(ctx: Ctx) -> SimResponse:
    """GET /v1/errors/filterMetadata: the values the error filters offer (`filters.classification`, ...).

    Celigo's web app reads its classification list from here at run time; the shape of each list beyond
    "values under `filters`" is not documented, so plain strings are served [I].
    """
    return json_response(200, {"filters": {"classification": list(CLASSIFICATIONS), "source": list(SOURCES)}})
