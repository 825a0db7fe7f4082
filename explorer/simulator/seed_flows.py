"""The flows and integrations of the demo account (the steps they use live in `seed_docs`).

Why: flows and integrations are what the explorer's tree is made of; keeping them apart from the connection,
export and import documents keeps each seed module short. The Integration App record follows the sample of
Celigo's help center (install steps, settings, version); one flow uses routers instead of pageProcessors.
"""

from __future__ import annotations

from typing import Any

from . import demo_ids as d
from .account import Account
from .seed_docs import stamp


def _pp(kind: str, step_id: str) -> dict[str, Any]:
    key = "_exportId" if kind == "export" else "_importId"
    return {
        "type": kind,
        key: step_id,
        "proceedOnFailure": False,
        "responseMapping": {"fields": [], "lists": []},
    }


def _flows(a: Account) -> None:
    def flow(
        doc_id: str,
        name: str,
        integration: str | None,
        export_id: str,
        processors: list[dict[str, Any]] | None,
        schedule: str,
        **extra: Any,
    ) -> None:
        body: dict[str, Any] = {"name": name}
        if integration:
            body["_integrationId"] = integration
        body.update(
            disabled=extra.pop("disabled", False),
            schedule=schedule,
            timezone=extra.pop("timezone", "America/New_York"),
            skipRetries=False,
            logging={"debugUntil": None},
            free=False,
            pageGenerators=[{"_exportId": export_id, "skipRetries": False}],
        )
        if processors is not None:
            body["pageProcessors"] = processors
        body.update(extra)
        a.add("flows", stamp(a, doc_id, 280, 12, **body))

    flow(
        d.FLOW_LICENSE_USAGE,
        "Sync license usage to NetSuite",
        d.INT_LICENSING,
        d.EXP_LICENSE_USAGE,
        [_pp("import", d.IMP_NS_LICENSE_USAGE)],
        "? 0 2 ? * *",
        timezone="America/Los_Angeles",
    )
    flow(
        d.FLOW_BC_ORDERS,
        "BigCommerce Order to NetSuite Order Add",
        d.INT_BIGCOMMERCE_IA,
        d.EXP_BC_ORDERS,
        [_pp("import", d.IMP_NS_BC_ORDER)],
        "? 0 */3 * * *",
        _connectorId=d.CONNECTOR_BIGCOMMERCE,
        _flowGroupingId=d.FLOWGROUP_BC_ORDERS,
    )
    flow(
        d.FLOW_BC_PRODUCTS,
        "NetSuite Item to BigCommerce Product",
        d.INT_BIGCOMMERCE_IA,
        d.EXP_NS_ITEMS,
        [_pp("import", d.IMP_BC_PRODUCT)],
        "? 30 1 ? * *",
        _connectorId=d.CONNECTOR_BIGCOMMERCE,
        _flowGroupingId=d.FLOWGROUP_BC_PRODUCTS,
    )
    lookup = _pp("export", d.EXP_NS_CUSTOMER_LOOKUP)
    lookup["responseMapping"] = {
        "fields": [{"extract": "data[0].internalid", "generate": "nsCustomerId"}],
        "lists": [],
    }
    flow(
        d.FLOW_SHOPIFY_ORDERS,
        "Shopify Orders to NetSuite Sales Orders",
        d.INT_SHOPIFY,
        d.EXP_SHOPIFY_ORDERS,
        [lookup, _pp("import", d.IMP_NS_SALES_ORDER)],
        "? 0/15 * * * *",
        description="Every 15 minutes: new and updated Shopify orders become NetSuite sales orders.",
    )
    flow(
        d.FLOW_AMAZON_INVOICES,
        "Amazon Orders to NetSuite Invoices",
        d.INT_AMAZON,
        d.EXP_AMAZON_ORDERS,
        [_pp("import", d.IMP_NS_INVOICE)],
        "? 0 */2 * * *",
        description="Invoices fail when NetSuite has no stock on hand; the warehouse team triages them.",
    )
    flow(
        d.FLOW_AMAZON_SETTLEMENTS,
        "Amazon Settlements to NetSuite",
        d.INT_AMAZON,
        d.EXP_AMAZON_SETTLEMENTS,
        None,
        "? 0 6,18 * * *",
        routers=[
            {
                "id": "6571f0379c3538aac6c3f1a0",
                "name": "By amount type",
                "routeRecordsTo": "first_matching_branch",
                "routeRecordsUsing": "input_filters",
                "branches": [
                    {
                        "name": "Deposits",
                        "description": "Transfers to the bank account",
                        "inputFilter": {
                            "version": "1",
                            "rules": {"equals": [["string", ["extract", "transactionType"]], "Transfer"]},
                        },
                        "pageProcessors": [_pp("import", d.IMP_NS_DEPOSIT)],
                    },
                    {
                        "name": "Fees and adjustments",
                        "description": "Everything else",
                        "pageProcessors": [_pp("import", d.IMP_NS_JOURNAL)],
                    },
                ],
            }
        ],
    )
    flow(
        d.FLOW_SF_CUSTOMERS,
        "Salesforce Accounts to NetSuite Customers",
        d.INT_SALESFORCE,
        d.EXP_SF_ACCOUNTS,
        [_pp("import", d.IMP_NS_CUSTOMER)],
        "? 0 * * * *",
        timezone="Europe/Berlin",
    )
    flow(
        d.FLOW_SF_CONTACTS,
        "Salesforce Contacts to NetSuite Contacts",
        d.INT_SALESFORCE,
        d.EXP_SF_CONTACTS,
        [_pp("import", d.IMP_NS_CONTACT)],
        "? 0 */6 * * *",
        disabled=True,
    )
    flow(
        d.FLOW_STANDALONE_INVENTORY,
        "Nightly warehouse inventory snapshot",
        None,
        d.EXP_FTP_INVENTORY,
        [_pp("import", d.IMP_NS_INVENTORY)],
        "? 0 */6 * * *",
    )


def _integrations(a: Account) -> None:
    def integration(doc_id: str, name: str, **fields: Any) -> None:
        body: dict[str, Any] = {"name": name, "sandbox": False}
        body.update(fields)
        a.add("integrations", stamp(a, doc_id, 400, 30, **body))

    integration(
        d.INT_LICENSING,
        "Licensing and Usage",
        readme="This integration is mission critical and keeps the licensing data in NetSuite current. "
        "Talk to Finance before changing it.",
        install=[],
        flowGroupings=[],
        _registeredConnectionIds=[d.CONN_LICENSE_API, d.CONN_NETSUITE],
    )
    integration(
        d.INT_BIGCOMMERCE_IA,
        "BigCommerce - NetSuite Connector",
        _connectorId=d.CONNECTOR_BIGCOMMERCE,
        mode="settings",
        version="1.4.2",
        updateInProgress=False,
        install=[
            {
                "name": "NetSuite Connection",
                "description": "Configure NetSuite account credentials",
                "imageURL": "/images/company-logos/netsuite.png",
                "completed": True,
                "installerFunction": "verifyNetSuiteConnection",
                "_connectionId": d.CONN_NETSUITE_IA,
            },
            {
                "name": "BigCommerce Connection",
                "description": "Configure BigCommerce store credentials",
                "imageURL": "/images/company-logos/BigCommerce.png",
                "completed": True,
                "installerFunction": "verifyBigCommerceConnection",
                "_connectionId": d.CONN_BIGCOMMERCE,
            },
            {
                "name": "Integrator Bundle",
                "description": "Install Integrator Bundle in NetSuite",
                "imageURL": "/images/company-logos/netsuite.png",
                "installURL": "",
                "completed": True,
                "installerFunction": "verifyIntegratorBundleInstallation",
            },
            {
                "name": "BigCommerce Bundle",
                "description": "Install BigCommerce Bundle in NetSuite",
                "imageURL": "/images/company-logos/netsuite.png",
                "installURL": "",
                "completed": True,
                "installerFunction": "verifyBigCommerceBundleInstallation",
            },
        ],
        settings={
            "sections": [
                {
                    "title": "Order",
                    "fields": [{"name": "order_import_status", "value": "Awaiting Fulfillment"}],
                },
                {"title": "Product", "fields": [{"name": "sync_inventory", "value": True}]},
            ],
            "commonresources": {
                "bigcommerceConnectionId": d.CONN_BIGCOMMERCE,
                "netsuiteConnectionId": d.CONN_NETSUITE_IA,
            },
        },
        flowGroupings=[
            {"_id": d.FLOWGROUP_BC_ORDERS, "name": "Orders"},
            {"_id": d.FLOWGROUP_BC_PRODUCTS, "name": "Products"},
        ],
    )
    integration(
        d.INT_SHOPIFY,
        "Shopify - NetSuite Orders",
        description="Shopify storefront orders into NetSuite.",
        install=[],
        flowGroupings=[],
        _registeredConnectionIds=[d.CONN_SHOPIFY, d.CONN_NETSUITE],
    )
    integration(
        d.INT_AMAZON,
        "Amazon - NetSuite",
        description="Amazon orders, invoices and settlements.",
        install=[],
        flowGroupings=[],
        _registeredConnectionIds=[d.CONN_AMAZON, d.CONN_NETSUITE],
    )
    integration(
        d.INT_SALESFORCE,
        "Salesforce - NetSuite Customers",
        install=[],
        flowGroupings=[],
        _registeredConnectionIds=[d.CONN_SALESFORCE, d.CONN_NETSUITE],
    )
    integration(
        d.INT_EMPTY,
        "Sandbox experiments",
        description="Nothing here yet.",
        install=[],
        flowGroupings=[],
        _registeredConnectionIds=[],
    )


def add_demo_flows(account: Account) -> None:
    """Add the demo flows and integrations (their exports/imports must exist already)."""
    _flows(account)
    _integrations(account)
