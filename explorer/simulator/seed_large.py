"""The "large" scale: 50 integrations × 10 flows on top of the demo account, and a 100,000-error step.

Why: the explorer's tree, lists and error pane must stay responsive on big accounts. Documents are small and
templated; the 100,000 errors are only a seed (built per page by `StepErrors`), so the whole account builds in
well under a second.
"""

from __future__ import annotations

from . import demo_ids as d
from .account import Account
from .seed_docs import stamp
from .seed_history import FlowPlan, StepPlan, add_history

_STORES = ("Acme Outlet", "Northwind", "Blue Harbor", "Kestrel EU", "Pinecrest")
_ENTITIES = (
    "Orders",
    "Customers",
    "Items",
    "Fulfillments",
    "Refunds",
    "Invoices",
    "Payments",
    "Returns",
    "Inventory",
    "Vendors",
)


def add_large_documents(account: Account) -> None:
    """Add the generated integrations, flows, steps and connections, with two past runs per flow."""
    for n, store in enumerate(_STORES):
        account.add(
            "connections",
            stamp(
                account,
                d.large_connection_id(n),
                200,
                30,
                type="http",
                name=f"{store} API",
                offline=False,
                sandbox=False,
                http={
                    "mediaType": "json",
                    "baseURI": f"https://api.store{n}.example/v2",
                    "auth": {"type": "token", "token": {"token": f"tok_large_{n:02d}_example",
                                                        "location": "header", "scheme": "Bearer"}},
                },
                queues=[{"name": d.large_connection_id(n), "size": 0}],
            ),
        )
    for i in range(d.LARGE_INTEGRATIONS):
        store = _STORES[i % len(_STORES)]
        account.add(
            "integrations",
            stamp(
                account,
                d.large_integration_id(i),
                180,
                9,
                name=f"{store} #{i:02d} - ERP Sync",
                sandbox=False,
                install=[],
                flowGroupings=[],
                _registeredConnectionIds=[d.large_connection_id(i % len(_STORES))],
            ),
        )
        for j in range(d.LARGE_FLOWS_PER_INTEGRATION):
            _add_flow(account, i, j)


def _add_flow(account: Account, i: int, j: int) -> None:
    conn = d.large_connection_id(i % len(_STORES))
    entity = _ENTITIES[j % len(_ENTITIES)]
    exp_id, imp_id, flow_id = d.large_export_id(i, j), d.large_import_id(i, j), d.large_flow_id(i, j)
    account.add(
        "exports",
        stamp(
            account,
            exp_id,
            170,
            9,
            name=f"Get {entity.lower()} ({i:02d}.{j})",
            _connectionId=conn,
            adaptorType="HTTPExport",
            apiIdentifier="e" + exp_id[-9:],
            type="delta",
            http={
                "method": "GET",
                "relativeURI": f"/{entity.lower()}?updated_since={{{{lastExportDateTime}}}}",
            },
        ),
    )
    account.add(
        "imports",
        stamp(
            account,
            imp_id,
            170,
            9,
            name=f"Upsert {entity.lower()} ({i:02d}.{j})",
            _connectionId=d.CONN_NETSUITE,
            adaptorType="NetSuiteDistributedImport",
            apiIdentifier="i" + imp_id[-9:],
            netsuite_da={"operation": "addupdate", "recordType": entity.lower().rstrip("s"),
                         "internalIdLookup": {"extract": "externalId", "searchField": "externalid"}},
        ),
    )
    account.add(
        "flows",
        stamp(
            account,
            flow_id,
            160,
            7,
            name=f"{entity} to ERP ({i:02d}.{j})",
            _integrationId=d.large_integration_id(i),
            disabled=(i + j) % 17 == 16,
            schedule="? 0 */4 * * *",
            timezone="UTC",
            skipRetries=False,
            logging={"debugUntil": None},
            free=False,
            pageGenerators=[{"_exportId": exp_id, "skipRetries": False}],
            pageProcessors=[
                {
                    "type": "import",
                    "_importId": imp_id,
                    "proceedOnFailure": False,
                    "responseMapping": {"fields": [], "lists": []},
                }
            ],
        ),
    )
    if (i, j) == (0, 0):
        steps = {imp_id: StepPlan("generic", d.LARGE_ERROR_COUNT, 10)}
    elif (i * d.LARGE_FLOWS_PER_INTEGRATION + j) % 7 == 3:
        steps = {imp_id: StepPlan("generic", 3 + j, recent=1)}
    else:
        steps = {}
    add_history(account, flow_id, FlowPlan(runs=2, every_h=4), steps)
