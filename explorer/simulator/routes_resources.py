"""Routes for the resource documents: tokenInfo, integrations, flows, exports, imports, connections.

Why: CRUD is the same for every kind apart from a few hooks (connection secrets are masked on read and
restored or refused on write; Integration-App fields and flow read-only fields survive a PUT), so one set of
generic handlers serves all five kinds, plus the per-integration/per-flow summaries and connection ping.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from . import demo_ids as d
from .account import SINGULAR, flow_steps
from .clock import iso
from .connector_locks import apply_locks, is_locked
from .context import Ctx
from .paging import list_response
from .validate import READ_ONLY, SERVER_OWNED, apply_flow_patch, mask_secrets, unmask_secrets, validate
from .wire import ApiFailure, ErrorItem, SimResponse, empty_response, json_response

# Equality filters accepted on each list (others are ignored, like unknown query parameters).
LIST_FILTERS = {
    "flows": ("_integrationId",),
    "exports": ("adaptorType",),
    "imports": ("adaptorType",),
    "connections": ("type",),
}


def view(kind: str) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """What a client sees of a stored document (connections: secrets masked)."""
    if kind == "connections":
        return lambda doc: dict(mask_secrets(doc))
    return lambda doc: doc


def token_info(ctx: Ctx) -> SimResponse:
    """GET /v1/tokenInfo."""
    return json_response(200, ctx.token.token_info())


def list_docs(ctx: Ctx, kind: str) -> SimResponse:
    """GET /v1/{kind}: filtered to what the token may see, Link-paginated, 204 when empty."""
    filters = [(name, ctx.req.param(name)) for name in LIST_FILTERS.get(kind, ())]
    items = [
        doc
        for doc in ctx.account.docs[kind].values()
        if ctx.scope.allows(kind, doc)
        and all(value is None or doc.get(name) == value for name, value in filters)
    ]
    return list_response(ctx.req, kind, items, view(kind))


def get_doc(ctx: Ctx, kind: str, doc_id: str) -> SimResponse:
    """GET /v1/{kind}/{id} (projection parameters are ignored here, as on the real API)."""
    doc = ctx.account.get(kind, doc_id)
    ctx.scope.require(kind, doc)
    return json_response(200, view(kind)(doc))


def _read_only(kind: str, stored: dict[str, Any] | None) -> tuple[str, ...]:
    """Fields the server keeps: flow read-only fields; Integration-App fields of an Integration App only."""
    if kind == "integrations" and (stored is None or "_connectorId" not in stored):
        return ()
    return READ_ONLY.get(kind, ())


def _clean(body: dict[str, Any], read_only: tuple[str, ...]) -> dict[str, Any]:
    drop = set(SERVER_OWNED) | set(read_only)
    return {k: copy.deepcopy(v) for k, v in body.items() if k not in drop}


def _fail_422(errors: list[ErrorItem]) -> None:
    if errors:
        raise ApiFailure(422, errors[0].code, errors[0].message, items=errors)


def _stamped(
    ctx: Ctx, doc_id: str, body: dict[str, Any], created: str, kept: dict[str, Any]
) -> dict[str, Any]:
    doc: dict[str, Any] = {"_id": doc_id}
    doc.update(body)
    doc.update(kept)
    doc["createdAt"] = created
    doc["lastModified"] = iso(ctx.now_ms)
    doc["lastModifiedBy"] = ctx.token.user_id
    return doc


def create_doc(ctx: Ctx, kind: str) -> SimResponse:
    """POST /v1/{kind}: 201 with the stored document; server-owned fields in the body are ignored."""
    ctx.scope.require_full(f"create {kind}")
    body = _clean(ctx.req.json_object(), _read_only(kind, None))
    errors: list[ErrorItem] = []
    if kind == "connections":
        body = unmask_secrets(body, {}, "", True, errors)
    errors += validate(ctx.account, kind, body)
    _fail_422(errors)
    doc = _stamped(ctx, ctx.account.ids.object_id(), body, iso(ctx.now_ms), {})
    ctx.account.add(kind, doc)
    return json_response(201, view(kind)(doc))


def replace_doc(ctx: Ctx, kind: str, doc_id: str) -> SimResponse:
    """PUT /v1/{kind}/{id}: full replacement keeping `_id`, `createdAt`, read-only fields; bumps dates."""
    stored = ctx.account.get(kind, doc_id)
    if kind in ("flows", "integrations"):
        ctx.scope.require(kind, stored)
        ctx.scope.require_full(f"change {kind}")
    else:
        ctx.scope.require(kind, stored)
    read_only = _read_only(kind, stored)
    body = _clean(ctx.req.json_object(), read_only)
    if is_locked(kind, stored):
        body = apply_locks(kind, stored, body, set(SERVER_OWNED) | set(read_only))
    errors: list[ErrorItem] = []
    if kind == "connections":
        body = unmask_secrets(body, stored, "", ctx.mask_secret_422, errors)
    errors += validate(ctx.account, kind, body)
    _fail_422(errors)
    kept = {k: stored[k] for k in read_only if k in stored}
    doc = _stamped(ctx, doc_id, body, stored["createdAt"], kept)
    ctx.account.docs[kind][doc_id] = doc
    return json_response(200, view(kind)(doc))


def delete_doc(ctx: Ctx, kind: str, doc_id: str) -> SimResponse:
    """DELETE /v1/{kind}/{id}: 204; refused (422) while other documents still reference it."""
    doc = ctx.account.get(kind, doc_id)
    ctx.scope.require(kind, doc)
    ctx.scope.require_full(f"delete {kind}")
    refs = ctx.account.references(kind, doc_id)
    if refs:
        raise ApiFailure(
            422,
            "referenced_by_other_resources",
            f"{SINGULAR[kind]} {doc_id} is still used by: {', '.join(refs[:5])}",
        )
    del ctx.account.docs[kind][doc_id]
    return empty_response(204)


def patch_flow(ctx: Ctx, flow_id: str) -> SimResponse:
    """PATCH /v1/flows/{id}: JSON-Patch-like operations on whitelisted paths only; 204."""
    stored = ctx.account.get("flows", flow_id)
    ctx.scope.require("flows", stored)
    ctx.scope.require_full("change flows")
    patched = apply_flow_patch(stored, ctx.req.json_body())
    _fail_422(validate(ctx.account, "flows", patched))
    patched["lastModified"] = iso(ctx.now_ms)
    patched["lastModifiedBy"] = ctx.token.user_id
    ctx.account.docs["flows"][flow_id] = patched
    return empty_response(204)


def integration_flows(ctx: Ctx, integration_id: str) -> SimResponse:
    """GET /v1/integrations/{id}/flows: the integration's flows the token may see, Link-paginated."""
    integration = ctx.account.get("integrations", integration_id)
    ctx.scope.require("integrations", integration)
    flows = [f for f in ctx.account.flows_of(integration_id) if ctx.scope.allows_flow(f)]
    return list_response(ctx.req, "flows", flows)


def _step_counts(ctx: Ctx, flow: dict[str, Any]) -> list[tuple[str, int, str | None]]:
    out: list[tuple[str, int, str | None]] = []
    for step_id, _ in flow_steps(flow):
        count = ctx.account.open_count(flow["_id"], step_id)
        last = ctx.account.step_errors(flow["_id"], step_id).last_error_at() if count else None
        out.append((step_id, count, last))
    return out


def integration_errors(ctx: Ctx, integration_id: str) -> SimResponse:
    """GET /v1/integrations/{id}/errors: `[{_flowId, numError, lastErrorAt}]` for flows with open errors."""
    integration = ctx.account.get("integrations", integration_id)
    ctx.scope.require("integrations", integration)
    out: list[dict[str, Any]] = []
    for flow in ctx.account.flows_of(integration_id):
        if not ctx.scope.allows_flow(flow):
            continue
        counts = _step_counts(ctx, flow)
        total = sum(c for _, c, _ in counts)
        if total:
            out.append(
                {
                    "_flowId": flow["_id"],
                    "numError": total,
                    "lastErrorAt": max(last for _, c, last in counts if last is not None),
                }
            )
    return json_response(200, out)


def flow_errors(ctx: Ctx, flow_id: str) -> SimResponse:
    """GET /v1/flows/{id}/errors: `{"flowErrors": [...]}`, one entry per step, zero counts included."""
    flow = ctx.account.get("flows", flow_id)
    ctx.scope.require("flows", flow)
    entries: list[dict[str, Any]] = []
    for step_id, count, last in _step_counts(ctx, flow):
        entry: dict[str, Any] = {"_expOrImpId": step_id, "numError": count}
        if last is not None:
            entry["lastErrorAt"] = last
        entries.append(entry)
    return json_response(200, {"flowErrors": entries})


def ping_connection(ctx: Ctx, connection_id: str) -> SimResponse:
    """GET or POST /v1/connections/{id}/ping: `{"code":200}`; both failure forms Celigo's web app handles:
    422 (`ping_failed`, our code) when the connection is offline, and 200 with an `errors` body whose `code`
    is the target application's status when it refuses the stored credentials (the license server)."""
    conn = ctx.account.get("connections", connection_id)
    ctx.scope.require("connections", conn)
    if connection_id == d.CONN_LICENSE_API:
        message = "Authentication failed: the license server answered 401 Unauthorized for the stored user"
        return json_response(200, {"errors": [{"code": 401, "message": message}]})
    if conn.get("offline"):
        raise ApiFailure(
            422,
            "ping_failed",
            f"Connection test failed for '{conn.get('name')}': connect ETIMEDOUT (the connection is offline)",
        )
    return json_response(200, {"code": 200})
