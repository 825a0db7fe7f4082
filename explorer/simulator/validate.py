"""422 validation of documents sent with POST/PUT, secret masking, and flow PATCH.

Why: the explorer's editor must show integrator.io's validation errors field by field
(`pageProcessors[1]._importId`), and the known "422 on PUT connection" pain point (masked `"******"` secrets
sent back) must be reproducible. All failures of one body are reported together in one 422, as the real
API does.
"""

from __future__ import annotations

import copy
import re
from typing import Any

from .account import Account
from .wire import ApiFailure, ErrorItem

MASK = "******"
SECRET_KEYS = frozenset(
    {
        "token",
        "refreshToken",
        "password",
        "tokenSecret",
        "tokenId",
        "bearerToken",
        "clientSecret",
        "passphrase",
        "secretAccessKey",
        "encrypted",
        "key",
        "pfx",
    }
)
CONNECTION_TYPES = frozenset(
    {
        "netsuite",
        "salesforce",
        "ftp",
        "s3",
        "wrapper",
        "http",
        "rdbms",
        "mongodb",
        "as2",
        "filesystem",
        "mcp",
        "dynamodb",
        "jdbc",
        "van",
        "rest",
    }
)
SERVER_OWNED = ("_id", "createdAt", "lastModified", "lastModifiedBy")
# Read-only fields the server keeps on PUT even when the client sends something else (or nothing).
READ_ONLY: dict[str, tuple[str, ...]] = {
    "flows": ("lastExecutedAt", "resolvedAt", "free", "_templateId", "_sourceId"),
    # Integration-App settings cannot be changed by PUT on the integration (they are silently kept).
    "integrations": ("_connectorId", "install", "mode", "settings", "version", "updateInProgress"),
}
PATCHABLE = (
    re.compile(r"^/(name|description|schedule|timezone|disabled|runPageGeneratorsInParallel|aliases)$"),
    re.compile(r"^/pageGenerators/(\d+)/(schedule|skipRetries)$"),
    re.compile(r"^/routers/(\d+)/name$"),
    re.compile(r"^/routers/(\d+)/branches/(\d+)/(name|description)$"),
)


def _is_secret(key: str, value: Any) -> bool:
    return key in SECRET_KEYS and value is not None and (key == "encrypted" or isinstance(value, str))


def mask_secrets(doc: Any) -> Any:
    """A copy of a connection with every secret replaced by `"******"` (what GET shows)."""
    if isinstance(doc, dict):
        return {k: MASK if _is_secret(k, v) else mask_secrets(v) for k, v in doc.items()}
    if isinstance(doc, list):
        return [mask_secrets(v) for v in doc]
    return doc


def unmask_secrets(sent: Any, stored: Any, path: str, strict: bool, errors: list[ErrorItem]) -> Any:
    """Replace `"******"` in a connection PUT by the stored secret, or report it (strict, or none stored)."""
    if isinstance(sent, dict):
        out: dict[str, Any] = {}
        for key, value in sent.items():
            here = f"{path}.{key}" if path else key
            old = stored.get(key) if isinstance(stored, dict) else None
            if value == MASK and key in SECRET_KEYS:
                if strict or old is None or old == MASK:
                    errors.append(
                        ErrorItem(
                            "invalid_field",
                            f"{here} holds the masked value '******'; send the "
                            "real secret or leave the field out",
                            here,
                        )
                    )
                out[key] = copy.deepcopy(old)
            else:
                out[key] = unmask_secrets(value, old, here, strict, errors)
        return out
    if isinstance(sent, list):
        olds = stored if isinstance(stored, list) else []
        return [
            unmask_secrets(v, olds[n] if n < len(olds) else None, f"{path}[{n}]", strict, errors)
            for n, v in enumerate(sent)
        ]
    return sent


def _ref(account: Account, kind: str, value: Any, field: str, errors: list[ErrorItem], label: str) -> None:
    if not isinstance(value, str) or account.find(kind, value) is None:
        errors.append(ErrorItem("invalid_field", f"Invalid reference: no {label} with id {value!r}", field))


def _processors(account: Account, items: Any, path: str, errors: list[ErrorItem]) -> None:
    if not isinstance(items, list):
        errors.append(ErrorItem("invalid_field", f"{path} must be an array", path))
        return
    for n, pp in enumerate(items):
        here = f"{path}[{n}]"
        if not isinstance(pp, dict):
            errors.append(ErrorItem("invalid_field", f"{here} must be an object", here))
        elif pp.get("type") == "export":
            _ref(account, "exports", pp.get("_exportId"), f"{here}._exportId", errors, "export")
        elif pp.get("type") == "import":
            _ref(account, "imports", pp.get("_importId"), f"{here}._importId", errors, "import")
        elif "type" not in pp:
            errors.append(ErrorItem("missing_required_field", f"{here}.type is required", f"{here}.type"))
        else:
            errors.append(
                ErrorItem("invalid_field", f"{here}.type must be 'export' or 'import'", f"{here}.type")
            )


def _flow(account: Account, doc: dict[str, Any], errors: list[ErrorItem]) -> None:
    if doc.get("_integrationId") is not None:
        _ref(account, "integrations", doc["_integrationId"], "_integrationId", errors, "integration")
    generators = doc.get("pageGenerators", [])
    if not isinstance(generators, list):
        errors.append(ErrorItem("invalid_field", "pageGenerators must be an array", "pageGenerators"))
        generators = []
    for n, pg in enumerate(generators):
        here = f"pageGenerators[{n}]._exportId"
        if not isinstance(pg, dict) or "_exportId" not in pg:
            errors.append(ErrorItem("missing_required_field", f"{here} is required", here))
        else:
            _ref(account, "exports", pg["_exportId"], here, errors, "export")
    routers = doc.get("routers")
    if routers and doc.get("pageProcessors"):
        errors.append(
            ErrorItem(
                "invalid_field", "pageProcessors is not allowed when routers is present", "pageProcessors"
            )
        )
    if "pageProcessors" in doc:
        _processors(account, doc["pageProcessors"], "pageProcessors", errors)
    for r, router in enumerate(routers if isinstance(routers, list) else []):
        here = f"routers[{r}]"
        branches = router.get("branches") if isinstance(router, dict) else None
        if not isinstance(branches, list):
            errors.append(
                ErrorItem("missing_required_field", f"{here}.branches is required", f"{here}.branches")
            )
            continue
        for key, allowed in (
            ("routeRecordsTo", ("first_matching_branch", "all_matching_branches")),
            ("routeRecordsUsing", ("input_filters", "script")),
        ):
            if key in router and router[key] not in allowed:
                errors.append(
                    ErrorItem(
                        "invalid_field", f"{here}.{key} must be one of {', '.join(allowed)}", f"{here}.{key}"
                    )
                )
        for b, branch in enumerate(branches):
            where = f"{here}.branches[{b}]"
            if not isinstance(branch, dict) or not branch.get("name"):
                errors.append(
                    ErrorItem("missing_required_field", f"{where}.name is required", f"{where}.name")
                )
            if isinstance(branch, dict) and "pageProcessors" in branch:
                _processors(account, branch["pageProcessors"], f"{where}.pageProcessors", errors)


def validate(account: Account, kind: str, doc: dict[str, Any]) -> list[ErrorItem]:
    """Every validation failure of a document about to be stored (empty list when valid)."""
    errors: list[ErrorItem] = []
    name = doc.get("name")
    if not isinstance(name, str) or not name.strip():
        errors.append(ErrorItem("missing_required_field", "name is required", "name"))
    elif kind == "connections" and len(name) > 100:
        errors.append(ErrorItem("invalid_field", "name must be at most 100 characters", "name"))
    if kind in ("exports", "imports"):
        if "_connectionId" in doc or kind == "imports":
            if doc.get("_connectionId") is None:
                errors.append(
                    ErrorItem("missing_required_field", "_connectionId is required", "_connectionId")
                )
            else:
                _ref(account, "connections", doc["_connectionId"], "_connectionId", errors, "connection")
    elif kind == "connections":
        ctype = doc.get("type")
        if ctype is None:
            errors.append(ErrorItem("missing_required_field", "type is required", "type"))
        elif ctype not in CONNECTION_TYPES:
            errors.append(ErrorItem("invalid_field", f"type {ctype!r} is not a connection type", "type"))
    elif kind == "flows":
        _flow(account, doc, errors)
    return errors


def apply_flow_patch(flow: dict[str, Any], ops: Any) -> dict[str, Any]:
    """Apply `[{"op":"replace","path":"/disabled","value":true}]` to a copy of a flow (whitelisted paths)."""
    if not isinstance(ops, list) or not ops:
        raise ApiFailure(422, "invalid_field", "PATCH body must be a non-empty array of operations")
    out = copy.deepcopy(flow)
    errors: list[ErrorItem] = []
    for n, op in enumerate(ops):
        if not isinstance(op, dict) or op.get("op") not in ("replace", "add", "remove"):
            errors.append(ErrorItem("invalid_field", "op must be replace, add or remove", f"[{n}].op"))
            continue
        path = str(op.get("path", ""))
        if not any(p.match(path) for p in PATCHABLE):
            errors.append(
                ErrorItem("invalid_field", f"{path or '(empty path)'} cannot be patched", path or f"[{n}]")
            )
            continue
        parts = [int(p) if p.isdigit() else p for p in path.strip("/").split("/")]
        node: Any = out
        try:
            for part in parts[:-1]:
                node = node[part]
        except (KeyError, IndexError, TypeError):
            node = None
        if not isinstance(node, dict):
            errors.append(ErrorItem("invalid_field", f"{path} does not exist in this flow", path))
            continue
        if op["op"] == "remove":
            node.pop(parts[-1], None)
        elif "value" not in op:
            errors.append(ErrorItem("missing_required_field", "value is required", f"[{n}].value"))
        else:
            node[parts[-1]] = op["value"]
    if errors:
        raise ApiFailure(422, errors[0].code, errors[0].message, items=errors)
    return out
