"""Bearer tokens of the simulated tenants and what each may see.

Why: the explorer must handle 401 (bad, revoked or wrong-region token) and custom-scoped tokens (403 on locked
nodes, shorter lists) exactly as users meet them. Token secrets are never put in messages or reprs.

Scope rules for custom tokens (integrator.io does not document them; these are our choices):
- connections/exports/imports: allowed when the id is in the token's `_connectionIds`, `_exportIds` or
  `_importIds`;
- a flow: allowed when *every* step (page generators, lookups, imports, router branches) is in the token's
  export/import lists — reading its errors would otherwise leak data of steps it cannot reach;
- an integration: allowed when at least one of its flows is allowed (an integration without flows is not);
- jobs: allowed when their flow is allowed;
- lists (`/integrations`, `/flows`, `/exports`, `/imports`, `/connections`, `/jobs`,
  `/integrations/{id}/flows`, the integration error summary) are filtered to what is allowed; a single
  locked document answers 403;
- writes: PUT on an allowed connection/export/import, and error actions (resolve, retry, retry data) on an
  allowed flow, are permitted; creating/deleting anything, writing flows/integrations, running flows and
  cancelling jobs need a full-access token (403 otherwise).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from . import demo_ids as d
from .account import Account, flow_steps
from .wire import ApiFailure, Request

DEMO_TOKENS: dict[str, str] = {
    "full": "ec6be569b59a104a15b3c3a745261b4d",
    "eu": "c829e9b84b9a2c4551424285471ce521",
    "au": "3b7e2f90a4c61d58e09b7a2c4f1d6e38",
    "ca": "9d4a1c7e02b85f36a7e1c49d3b062f5a",
    "scoped": "e80a295e31d0b1d041ba5941ba5fafc8",
    "noconn": "90cfc65bae46c8d16c71498055937d6e",
    "revoked": "5068d05c01698a5588bb3406ed4d47e6",
}

_SHOPIFY_EXPORTS = (d.EXP_SHOPIFY_ORDERS, d.EXP_NS_CUSTOMER_LOOKUP)
_SHOPIFY_IMPORTS = (d.IMP_NS_SALES_ORDER,)


@dataclass(frozen=True)
class Token:
    """An API token: its region, user and scope. `secret` is excluded from repr."""

    name: str
    secret: str = field(repr=False)
    region: str
    user_id: str
    full: bool = True
    connection_ids: frozenset[str] = frozenset()
    export_ids: frozenset[str] = frozenset()
    import_ids: frozenset[str] = frozenset()
    revoked: bool = False

    def token_info(self) -> dict[str, Any]:
        """The `GET /v1/tokenInfo` body (custom shape borrowed from the accesstoken resource)."""
        if self.full:
            return {"_userId": self.user_id, "scope": "*"}
        return {
            "_userId": self.user_id,
            "scope": "custom",
            "_connectionIds": sorted(self.connection_ids),
            "_exportIds": sorted(self.export_ids),
            "_importIds": sorted(self.import_ids),
            "_apiIds": [],
            "_mcpServerIds": [],
        }


DEMO_TOKEN_TABLE: dict[str, Token] = {
    t.secret: t
    for t in (
        Token("full", DEMO_TOKENS["full"], "na", d.USER_ID),
        Token("eu", DEMO_TOKENS["eu"], "eu", d.EU_USER_ID),
        Token("au", DEMO_TOKENS["au"], "au", d.AU_USER_ID),
        Token("ca", DEMO_TOKENS["ca"], "ca", d.CA_USER_ID),
        Token(
            "scoped",
            DEMO_TOKENS["scoped"],
            "na",
            d.USER_ID,
            full=False,
            connection_ids=frozenset((d.CONN_SHOPIFY, d.CONN_NETSUITE)),
            export_ids=frozenset(_SHOPIFY_EXPORTS),
            import_ids=frozenset(_SHOPIFY_IMPORTS),
        ),
        Token(
            "noconn",
            DEMO_TOKENS["noconn"],
            "na",
            d.USER_ID,
            full=False,
            export_ids=frozenset(_SHOPIFY_EXPORTS),
            import_ids=frozenset(_SHOPIFY_IMPORTS),
        ),
        Token("revoked", DEMO_TOKENS["revoked"], "na", d.USER_ID, revoked=True),
    )
}

UNAUTHORIZED = "Invalid or missing API token"


def authenticate(request: Request) -> Token:
    """The token of a request, or 401 (missing, unknown, revoked, or issued for another region)."""
    header = request.headers.get("authorization", "")
    scheme, _, secret = header.partition(" ")
    token = DEMO_TOKEN_TABLE.get(secret.strip()) if scheme.lower() == "bearer" else None
    if token is None or token.revoked or token.region != request.region:
        raise ApiFailure(401, "unauthorized", UNAUTHORIZED)
    return token


class Scope:
    """Answers "may this token see/change that?" for one request."""

    def __init__(self, token: Token, account: Account) -> None:
        self.token = token
        self.account = account

    @property
    def full(self) -> bool:
        """True for a full-access token."""
        return self.token.full

    def allows(self, kind: str, doc: dict[str, Any]) -> bool:
        """Whether the token may read this document."""
        if self.token.full:
            return True
        doc_id = str(doc.get("_id"))
        if kind == "connections":
            return doc_id in self.token.connection_ids
        if kind == "exports":
            return doc_id in self.token.export_ids
        if kind == "imports":
            return doc_id in self.token.import_ids
        if kind == "flows":
            return self.allows_flow(doc)
        if kind == "integrations":
            return any(self.allows_flow(f) for f in self.account.flows_of(doc_id))
        return False

    def allows_flow(self, flow: dict[str, Any]) -> bool:
        """Every step of the flow is in the token's export/import lists."""
        if self.token.full:
            return True
        steps = flow_steps(flow)
        reachable = self.token.export_ids | self.token.import_ids
        return bool(steps) and all(step in reachable for step, _ in steps)

    def allows_job(self, job_doc: dict[str, Any]) -> bool:
        """Jobs follow their flow."""
        if self.token.full:
            return True
        flow = self.account.find("flows", str(job_doc.get("_flowId")))
        return flow is not None and self.allows_flow(flow)

    def require(self, kind: str, doc: dict[str, Any]) -> None:
        """403 unless the token may read the document."""
        if not self.allows(kind, doc):
            raise ApiFailure(
                403, "forbidden", f"This API token has no access to {kind[:-1]} {doc.get('_id')}"
            )

    def require_full(self, action: str) -> None:
        """403 unless the token has full access (creating, deleting, running...)."""
        if not self.token.full:
            raise ApiFailure(403, "forbidden", f"A full-access API token is required to {action}")
