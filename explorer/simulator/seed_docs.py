"""The connections, exports and imports of the demo account.

Why: the explorer must feel like a real account on first launch — an Integration App with install steps and
settings, ordinary integrations, an empty one, a standalone flow, a disabled flow, a router flow, an offline
connection, masked secrets — shaped after Celigo's published schemas (see shared/celigo-schemas). Ids are the
constants of `demo_ids`; timestamps are fixed offsets before the simulator's base instant.
"""

from __future__ import annotations

from typing import Any

from . import demo_ids as d
from .account import Account
from .clock import iso

DAY_MS = 86_400_000


def stamp(
    account: Account, doc_id: str, created_days: float, modified_days: float, **fields: Any
) -> dict[str, Any]:
    """A document with server-owned fields placed `created_days`/`modified_days` before the base instant."""
    doc: dict[str, Any] = {"_id": doc_id}
    doc.update(fields)
    doc["createdAt"] = iso(account.built_ms - round(created_days * DAY_MS))
    doc["lastModified"] = iso(account.built_ms - round(modified_days * DAY_MS))
    doc["lastModifiedBy"] = account.user_id
    return doc


def _connections(a: Account) -> None:
    def conn(doc_id: str, name: str, ctype: str, config: dict[str, Any], **extra: Any) -> None:
        fields: dict[str, Any] = {
            "type": ctype,
            "name": name,
            "offline": extra.pop("offline", False),
            "sandbox": False,
            ctype: config,
        }
        fields.update(extra)
        fields["queues"] = [{"name": doc_id, "size": 0}]
        a.add("connections", stamp(a, doc_id, 320, 41, **fields))

    conn(
        d.CONN_SHOPIFY,
        "Shopify - Acme Store",
        "http",
        {
            "formType": "assistant",
            "mediaType": "json",
            "baseURI": "https://acme-store.myshopify.com/admin/api/2024-01",
            "ping": {"relativeURI": "/shop.json", "method": "GET"},
            "auth": {
                "type": "token",
                "token": {
                    "token": "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",
                    "location": "header",
                    "headerName": "X-Shopify-Access-Token",
                },
            },
            "rateLimit": {"failStatusCode": 429},
        },
        assistant="shopify",
    )
    conn(
        d.CONN_NETSUITE,
        "NetSuite - Acme Production",
        "netsuite",
        {
            "authType": "token",
            "account": "TSTDRV1234567",
            "environment": "production",
            "roleId": "3",
            "tokenId": "5b1f0c3e9d7a4e2f8c6b1a0d3e5f7a9b",
            "tokenSecret": "c4d2e6f8a0b1c3d5e7f9a1b3c5d7e9f1",
            "wsdlVersion": "next",
            "concurrencyLevel": 5,
            "suiteAppInstalled": True,
        },
    )
    conn(
        d.CONN_AMAZON,
        "Amazon Seller Central - US",
        "http",
        {
            "type": "Amazon-SP-API",
            "mediaType": "json",
            "baseURI": "https://sellingpartnerapi-na.amazon.com",
            "auth": {
                "type": "oauth",
                "token": {
                    "token": "Atza|IwEBIExampleAccessToken0001",
                    "refreshToken": "Atzr|IwEBIExampleRefreshToken0001",
                },
            },
            "unencrypted": {"marketplaceId": "ATVPDKIKX0DER", "sellingRegion": "northAmerica"},
            "encrypted": {"lwaClientSecret": "amzn1.oa2-cs.v1.example0001"},
            "rateLimit": {
                "failStatusCode": 429,
                "failPath": "errors[0].code",
                "failValues": ["QuotaExceeded"],
            },
        },
        assistant="amazonsellingpartner",
    )
    conn(
        d.CONN_SALESFORCE,
        "Salesforce - Acme",
        "salesforce",
        {
            "sandbox": False,
            "oauth2FlowType": "refreshToken",
            "baseURI": "https://acme.my.salesforce.com",
            "username": "integration-user@acme.example",
            "bearerToken": "00D5g000004Example!AQ0AQExampleBearer",
            "refreshToken": "5Aep861ExampleRefreshTokenXyz",
            "scope": ["full", "refresh_token"],
            "info": {"organization_id": "00D5g000004ExAMPLE", "email": "integration-user@acme.example"},
        },
    )
    conn(
        d.CONN_FTP_OFFLINE,
        "Warehouse SFTP (legacy)",
        "ftp",
        {
            "hostURI": "sftp.acme-warehouse.example",
            "port": 22,
            "type": "sftp",
            "username": "iox_sync",
            "password": "Wh-legacy-2019!",
            "entryParser": "UNIX",
        },
        offline=True,
    )
    conn(
        d.CONN_BIGCOMMERCE,
        "BigCommerce - Acme Outlet",
        "http",
        {
            "formType": "assistant",
            "mediaType": "json",
            "baseURI": "https://api.bigcommerce.com/stores/k3x9q2/",
            "auth": {
                "type": "token",
                "token": {
                    "token": "bc_tok_9d8c7b6a5f4e3d2c1b0a",
                    "location": "header",
                    "headerName": "X-Auth-Token",
                },
            },
        },
        assistant="bigcommerce",
        _connectorId=d.CONNECTOR_BIGCOMMERCE,
        _integrationId=d.INT_BIGCOMMERCE_IA,
    )
    conn(
        d.CONN_NETSUITE_IA,
        "NetSuite - BigCommerce Connector",
        "netsuite",
        {
            "authType": "token-auto",
            "account": "TSTDRV1234567",
            "environment": "production",
            "tokenId": "7e6d5c4b3a2910f8e7d6c5b4a3928170",
            "tokenSecret": "0a1b2c3d4e5f60718293a4b5c6d7e8f9",
        },
        _connectorId=d.CONNECTOR_BIGCOMMERCE,
        _integrationId=d.INT_BIGCOMMERCE_IA,
    )
    conn(
        d.CONN_LICENSE_API,
        "License Server API",
        "http",
        {
            "mediaType": "json",
            "baseURI": "https://licensing.acme.example/api",
            "auth": {
                "type": "basic",
                "basic": {"username": "svc_licensing", "password": "L1c-usage-Example"},
            },
        },
    )


def _add_step(a: Account, kind: str, doc_id: str, name: str, conn: str, adaptor: str, **fields: Any) -> None:
    """An export or import with the fields every step has (`apiIdentifier` is e…/i… plus the id's tail)."""
    body: dict[str, Any] = {
        "name": name,
        "_connectionId": conn,
        "adaptorType": adaptor,
        "apiIdentifier": kind[0] + doc_id[-9:],
    }
    body.update(fields)
    a.add(kind, stamp(a, doc_id, 300, 20, **body))


def _exports(a: Account) -> None:
    def exp(doc_id: str, name: str, conn: str, adaptor: str, **fields: Any) -> None:
        _add_step(a, "exports", doc_id, name, conn, adaptor, asynchronous=True, **fields)

    exp(
        d.EXP_SHOPIFY_ORDERS,
        "Get Shopify orders",
        d.CONN_SHOPIFY,
        "HTTPExport",
        type="delta",
        delta={"dateField": "updated_at", "lagOffset": 300000},
        pageSize=100,
        http={
            "method": "GET",
            "relativeURI": "/orders.json?status=any&updated_at_min={{lastExportDateTime}}",
            "successMediaType": "json",
            "response": {"resourcePath": "orders"},
            "paging": {"method": "linkheader", "linkHeaderRelation": "next"},
        },
    )
    exp(
        d.EXP_NS_CUSTOMER_LOOKUP,
        "Find NetSuite customer by email",
        d.CONN_NETSUITE,
        "NetSuiteExport",
        isLookup=True,
        netsuite={
            "type": "restlet",
            "restlet": {
                "recordType": "customer",
                "restletVersion": "suiteapp2.0",
                "criteria": [{"field": "email", "operator": "is", "searchValue": "{{data.email}}"}],
                "columns": [{"name": "internalid"}, {"name": "entityid"}],
            },
        },
    )
    exp(
        d.EXP_AMAZON_ORDERS,
        "Get Amazon orders",
        d.CONN_AMAZON,
        "HTTPExport",
        type="delta",
        delta={"dateField": "LastUpdateDate"},
        http={
            "method": "GET",
            "relativeURI": "/orders/v0/orders?MarketplaceIds=ATVPDKIKX0DER"
            "&LastUpdatedAfter={{lastExportDateTime}}",
            "response": {"resourcePath": "payload.Orders"},
            "paging": {"method": "token", "path": "payload.NextToken", "pathLocation": "body"},
        },
    )
    exp(
        d.EXP_AMAZON_SETTLEMENTS,
        "Get Amazon settlement events",
        d.CONN_AMAZON,
        "HTTPExport",
        type="delta",
        http={
            "method": "GET",
            "relativeURI": "/finances/v0/financialEvents?PostedAfter={{lastExportDateTime}}",
            "response": {"resourcePath": "payload.FinancialEvents.ServiceFeeEventList"},
        },
    )
    exp(
        d.EXP_SF_ACCOUNTS,
        "Get Salesforce accounts",
        d.CONN_SALESFORCE,
        "SalesforceExport",
        type="delta",
        salesforce={
            "type": "soql",
            "api": "rest",
            "soql": {
                "query": (
                    "SELECT Id, Name, Type, Industry, BillingCity, BillingState, BillingPostalCode, "
                    "BillingCountry, Phone, Customer_Category__c FROM Account "
                    "WHERE LastModifiedDate > {{lastExportDateTime}}"
                )
            },
        },
    )
    exp(
        d.EXP_SF_CONTACTS,
        "Get Salesforce contacts",
        d.CONN_SALESFORCE,
        "SalesforceExport",
        type="delta",
        salesforce={
            "type": "soql",
            "api": "rest",
            "soql": {
                "query": "SELECT Id, FirstName, LastName, Email, AccountId FROM Contact "
                "WHERE LastModifiedDate > {{lastExportDateTime}}"
            },
        },
    )
    exp(
        d.EXP_FTP_INVENTORY,
        "Read warehouse inventory files",
        d.CONN_FTP_OFFLINE,
        "FTPExport",
        ftp={
            "directoryPath": "/outbound/inventory",
            "fileNameStartsWith": "INV_",
            "fileNameEndsWith": ".csv",
        },
        file={"type": "csv", "csv": {"columnDelimiter": ",", "hasHeaderRow": True}},
    )
    exp(
        d.EXP_BC_ORDERS,
        "BigCommerce Order Export",
        d.CONN_BIGCOMMERCE,
        "HTTPExport",
        type="delta",
        _connectorId=d.CONNECTOR_BIGCOMMERCE,
        http={"method": "GET", "relativeURI": "/v2/orders?min_date_modified={{lastExportDateTime}}"},
    )
    exp(
        d.EXP_NS_ITEMS,
        "NetSuite Item Export",
        d.CONN_NETSUITE_IA,
        "NetSuiteExport",
        type="delta",
        _connectorId=d.CONNECTOR_BIGCOMMERCE,
        netsuite={
            "type": "restlet",
            "restlet": {"recordType": "inventoryitem", "searchId": "customsearch_celigo_bc_items"},
        },
    )
    exp(
        d.EXP_LICENSE_USAGE,
        "Get license usage",
        d.CONN_LICENSE_API,
        "HTTPExport",
        type="delta",
        http={
            "method": "GET",
            "relativeURI": "/v1/usage?since={{lastExportDateTime}}",
            "response": {"resourcePath": "usage"},
        },
    )


def _ns_import(record_type: str, operation: str = "add") -> dict[str, Any]:
    return {
        "operation": operation,
        "recordType": record_type,
        "restletVersion": "suiteapp2.0",
        "batchSize": 50,
        "internalIdLookup": {"extract": "externalId", "searchField": "externalid"},
        "mapping": {"fields": [{"extract": "externalId", "generate": "externalid"}], "lists": []},
    }


def _imports(a: Account) -> None:
    def imp(doc_id: str, name: str, conn: str, adaptor: str, **fields: Any) -> None:
        _add_step(a, "imports", doc_id, name, conn, adaptor, **{"ignoreExisting": False, **fields})

    ns = "NetSuiteDistributedImport"
    imp(
        d.IMP_NS_SALES_ORDER,
        "Create NetSuite sales orders",
        d.CONN_NETSUITE,
        ns,
        ignoreExisting=True,
        netsuite_da=_ns_import("salesorder"),
    )
    imp(d.IMP_NS_INVOICE, "Create NetSuite invoices", d.CONN_NETSUITE, ns, netsuite_da=_ns_import("invoice"))
    imp(d.IMP_NS_DEPOSIT, "Post settlement deposits", d.CONN_NETSUITE, ns, netsuite_da=_ns_import("deposit"))
    imp(
        d.IMP_NS_JOURNAL,
        "Post settlement fee journals",
        d.CONN_NETSUITE,
        ns,
        netsuite_da=_ns_import("journalentry"),
    )
    imp(
        d.IMP_NS_CUSTOMER,
        "Upsert NetSuite customers",
        d.CONN_NETSUITE,
        ns,
        netsuite_da=_ns_import("customer", "addupdate"),
    )
    imp(
        d.IMP_NS_CONTACT,
        "Upsert NetSuite contacts",
        d.CONN_NETSUITE,
        ns,
        netsuite_da=_ns_import("contact", "addupdate"),
    )
    imp(
        d.IMP_NS_INVENTORY,
        "Adjust NetSuite inventory",
        d.CONN_NETSUITE,
        ns,
        netsuite_da=_ns_import("inventoryadjustment"),
    )
    imp(
        d.IMP_NS_BC_ORDER,
        "NetSuite Sales Order Import",
        d.CONN_NETSUITE_IA,
        ns,
        _connectorId=d.CONNECTOR_BIGCOMMERCE,
        netsuite_da=_ns_import("salesorder"),
    )
    imp(
        d.IMP_BC_PRODUCT,
        "BigCommerce Product Import",
        d.CONN_BIGCOMMERCE,
        "HTTPImport",
        _connectorId=d.CONNECTOR_BIGCOMMERCE,
        http={
            "method": ["PUT"],
            "relativeURI": ["/v3/catalog/products/{{data.bigcommerceId}}"],
            "requestMediaType": "json",
        },
    )
    imp(
        d.IMP_NS_LICENSE_USAGE,
        "Record license usage",
        d.CONN_NETSUITE,
        ns,
        netsuite_da=_ns_import("customrecord_license_usage", "addupdate"),
    )


def add_demo_steps(account: Account) -> None:
    """Add the demo connections, exports and imports (flows: `seed_flows`; jobs/errors: `seed_history`)."""
    _connections(account)
    _exports(account)
    _imports(account)
