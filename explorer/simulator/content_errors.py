"""What errors look like on each kind of step: families, messages, and the HTTP exchange behind them.

Why: the error pane must feel like a real account (NetSuite "Insufficient inventory" on invoices, Amazon quota
throttling, duplicate sales orders, an offline FTP server) and must include hostile text (Rich-markup-looking
`[bold]` and an OSC 52 escape sequence) that the UI has to show literally. A step's *kind* picks its families;
a stable hash of (salt, index) picks the family of each error, so filters by `source`/`classification` can be
evaluated without building the error.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from .content_records import facts, record
from .ids import stable_hash

NS_ACCOUNT = "TSTDRV1234567"
NS_RESTLET = (
    "https://tstdrv1234567.restlets.api.netsuite.com/app/site/hosting/restlet.nl"
    "?script=customscript_celigo_realtime_import&deploy=1"
)
NS_SEARCH = (
    "https://tstdrv1234567.restlets.api.netsuite.com/app/site/hosting/restlet.nl"
    "?script=customscript_celigo_search&deploy=1"
)
AMAZON_ORDERS_URL = "https://sellingpartnerapi-na.amazon.com/orders/v0/orders?MarketplaceIds=ATVPDKIKX0DER"

MARKUP_MESSAGE = (
    "Field [bold]Customer Category[/bold] rejected value [red]Wholesale [EU][/red]; "
    "see [link=https://system.netsuite.com/app/common/custom/custlist.nl?id=12]the list[/link]"
)
ESCAPE_MESSAGE = (
    "Invalid character in companyname: 'Vireo\x1b]52;c;ZWNobyBwd25lZA==\x07 Analytics Ltd' "
    "(control characters are not allowed)"
)


@dataclass(frozen=True)
class Family:
    """One kind of failure: where it comes from, how autopilot classifies it, and how it reads."""

    source: str
    classification: str
    code: str
    message: str  # str.format template over `facts()`
    weight: int = 1
    retriable: bool = True
    http_status: int | None = None
    http_method: str = "POST"


FAMILIES: dict[str, tuple[Family, ...]] = {
    "amazon_invoice": (
        Family(
            "application",
            "value",
            "USER_ERROR",
            "Insufficient inventory for item {sku} ({title}) at location {location}: {qty} requested, "
            "{available} available. Invoices cannot be created for backordered quantities.",
            weight=950,
            http_status=200,
        ),
        Family(
            "application",
            "value",
            "INVALID_KEY_OR_REF",
            "Invalid entity reference key {ref} for subsidiary 3.",
            weight=20,
            http_status=200,
        ),
        Family(
            "connection",
            "governance",
            "SSS_REQUEST_LIMIT_EXCEEDED",
            "Request limit exceeded: the concurrency limit (5) for NetSuite account TSTDRV1234567 "
            "was reached.",
            weight=20,
            http_status=429,
        ),
        Family(
            "mapping",
            "missing",
            "missing_required_field",
            "Mapping failed: required field 'entity' is empty (source field BuyerInfo.BuyerEmail).",
            weight=10,
        ),
    ),
    "amazon_orders": (
        Family(
            "connection",
            "governance",
            "429",
            "QuotaExceeded: You exceeded your quota for the requested resource.",
            retriable=False,
            http_status=429,
            http_method="GET",
        ),
    ),
    "shopify_order": (
        Family(
            "application",
            "value",
            "INVALID_FLD_VALUE",
            "You have entered an Invalid Field Value {ref} for the following field: shipmethod",
            weight=4,
            http_status=200,
        ),
        Family(
            "application",
            "duplicate",
            "DUP_RCRD",
            "A sales order with External ID shopify-{trace} already exists.",
            weight=2,
            http_status=200,
        ),
        Family(
            "application",
            "intermittent",
            "UNEXPECTED_ERROR",
            "An unexpected error occurred. Error ID: {ticket}",
            weight=1,
            http_status=500,
        ),
        Family(
            "application",
            "missing",
            "USER_ERROR",
            "Please enter value(s) for: Customer",
            weight=2,
            http_status=200,
        ),
    ),
    "ns_customer_lookup": (
        Family(
            "lookup",
            "missing",
            "lookup_failed",
            "Lookup returned no results for customer email {email} and 'Fail if no results' is on.",
            http_status=200,
        ),
    ),
    "sf_customer": (
        Family(
            "application",
            "value",
            "INVALID_FLD_VALUE",
            "You have entered an Invalid Field Value 'Wholesale [EU]' for the following field: category",
            weight=3,
            http_status=200,
        ),
        Family(
            "application",
            "missing",
            "USER_ERROR",
            "Please enter value(s) for: Company Name",
            weight=2,
            http_status=200,
        ),
    ),
    "bc_order": (
        Family(
            "application",
            "missing",
            "INVALID_KEY_OR_REF",
            "Item BC-{sku} could not be found in NetSuite (no match on itemid or externalid).",
            weight=3,
            http_status=200,
        ),
        Family(
            "application",
            "value",
            "USER_ERROR",
            "Tax code 'CA-STATE' is not valid for subsidiary Acme US.",
            weight=1,
            http_status=200,
        ),
    ),
    "settlement_journal": (
        Family(
            "application",
            "value",
            "UNBALANCED_JOURNAL",
            "Journal entry does not balance for settlement {trace}: debits and credits differ by 6.50 USD.",
            http_status=200,
        ),
    ),
    "ftp_inventory": (
        Family(
            "connection",
            "connection",
            "ECONNREFUSED",
            "connect ECONNREFUSED 203.0.113.17:21 (sftp.acme-warehouse.example is unreachable; "
            "the connection is offline)",
            retriable=False,
        ),
    ),
    "generic": (
        Family(
            "application",
            "value",
            "invalid_field",
            "Record {trace} rejected by target: invalid value for field 'status'.",
            weight=3,
            http_status=422,
        ),
        Family(
            "connection",
            "intermittent",
            "ETIMEDOUT",
            "Request to target timed out after 60000 ms.",
            weight=1,
            http_status=504,
        ),
    ),
}

# Pinned families by index, so the hostile messages are the newest seeded errors of the Salesforce step.
_PINNED: dict[str, dict[int, Family]] = {
    "sf_customer": {
        5: Family("application", "value", "INVALID_FLD_VALUE", MARKUP_MESSAGE, http_status=200),
        6: Family("application", "value", "USER_ERROR", ESCAPE_MESSAGE, http_status=200),
    }
}

# Celigo's retry data names the stage where a record failed; `page_processor_import` and `transform` are the
# values seen in Celigo's code, the two `..._export` ones are our guesses in the same style.
_STAGES = {
    "amazon_orders": "page_generator_export",
    "ftp_inventory": "page_generator_export",
    "ns_customer_lookup": "page_processor_export",
    "settlement_journal": "transform",
}


def family(kind: str, salt: int, index: int) -> Family:
    """The family of error `index` of a step (cheap: used to filter by source/classification)."""
    pinned = _PINNED.get(kind, {}).get(index)
    if pinned is not None:
        return pinned
    options = FAMILIES.get(kind, FAMILIES["generic"])
    total = sum(f.weight for f in options)
    roll = stable_hash(salt, "family", index) % total
    for option in options:
        if roll < option.weight:
            return option
        roll -= option.weight
    return options[-1]


def message(fam: Family, kind: str, salt: int, index: int) -> tuple[str, str]:
    """(message, traceKey) for an error."""
    f = facts(kind, salt, index)
    return fam.message.format(**f), str(f["trace"])


def stage(kind: str) -> str:
    """Where in the flow the record failed, as shown in retry data."""
    return _STAGES.get(kind, "page_processor_import")


def retry_data(kind: str, salt: int, index: int, occurred_at: str) -> dict[str, Any]:
    """The retry-data object of an error (before any user edit)."""
    return {
        "data": record(kind, salt, index, occurred_at),
        "stage": stage(kind),
        "traceKey": str(facts(kind, salt, index)["trace"]),
    }


def run_error_count(kind: str, run_hash: int) -> int:
    """How many new errors a flow run adds on a step of this kind (the Amazon invoices keep failing)."""
    if kind == "amazon_invoice":
        return 8 + run_hash % 10
    every = {"shopify_order": 3, "sf_customer": 4, "bc_order": 5, "settlement_journal": 6}.get(kind)
    return 1 if every and run_hash % every == 0 else 0


STORED_BODY_OVER = 400
"""Request bodies longer than this are not inline: the detail gives a `bodyKey` (fetched via a signed URL)."""


def request_detail(kind: str, error: dict[str, Any], data: Any) -> dict[str, Any]:
    """The HTTP request/response behind an error (`GET .../requests/{reqAndResKey}`), in Celigo's shape:
    `{"request": {"headers", "body" | "bodyKey"}, "response": {"body", "headers", "status", "url"}}`."""
    key = str(error.get("reqAndResKey", "0-0-500-POST"))
    status = int(key.split("-")[2])
    err = {"code": error.get("code"), "message": error.get("message")}
    if kind == "amazon_orders":
        return {
            "request": {
                "headers": {"x-amz-access-token": "********", "user-agent": "Celigo integrator.io"},
                "body": "",
            },
            "response": {
                "status": status,
                "url": AMAZON_ORDERS_URL + "&LastUpdatedAfter=" + str(error.get("occurredAt")),
                "headers": {"content-type": "application/json", "x-amzn-RateLimit-Limit": "0.0167"},
                "body": json.dumps(
                    {
                        "errors": [
                            {
                                "code": "QuotaExceeded",
                                "message": "You exceeded your quota for the requested resource.",
                                "details": "",
                            }
                        ]
                    }
                ),
            },
        }
    if kind == "generic":
        url, request_body = "https://api.target.example/v1/records", json.dumps(data)
    else:
        url = NS_SEARCH if kind == "ns_customer_lookup" else NS_RESTLET
        request_body = json.dumps({"operation": "add", "record": data})
    body: dict[str, str] = {"body": request_body}
    if len(request_body) > STORED_BODY_OVER:
        body = {"bodyKey": f"{key.split('-')[1]}-request"}
    return {
        "request": {
            "headers": {
                "content-type": "application/json",
                "authorization": f'OAuth realm="{NS_ACCOUNT}", oauth_token="********", '
                'oauth_signature="********"',
                "user-agent": "Celigo integrator.io",
            },
            **body,
        },
        "response": {
            "status": status,
            "url": url,
            "headers": {"content-type": "application/json;charset=utf-8"},
            "body": json.dumps([{"isSuccess": False, "errors": [err]}]),
        },
    }
