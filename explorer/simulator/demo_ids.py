"""Stable ids of the simulator's demo account.

Why: tests, snapshots and docs need to name "the Shopify flow" or "the Amazon invoice import step" without
listing the API first. These ids never change with the seed; the seed only varies generated data (jobs, error
ids, retry-data keys). The EU, AU and CA copies of the account use the same document ids (each a separate
tenant with its own state). Large-scale ids are computed by the functions at the bottom.
"""

from __future__ import annotations

# Users (tokenInfo `_userId`, `lastModifiedBy`, `resolvedBy`).
USER_ID = "6571a3c03ab4556bd87ba3e2"
EU_USER_ID = "6571a573b52c2f5d2063016c"
AU_USER_ID = "6571a5d1c09a4e2b7f3d8a16"
CA_USER_ID = "6571a61e8b2f4c7d9a0e5b23"
OTHER_USER_ID = "6571a726eb7ab8f78f5edded"

# Integrations.
INT_LICENSING = "6571a8d960c09f733c1f0421"
INT_BIGCOMMERCE_IA = "6571aa8cf79df88fec00181c"
INT_SHOPIFY = "6571ac3f6ced1c1df2da7c39"
INT_AMAZON = "6571adf268b865d07f27b19c"
INT_SALESFORCE = "6571afa55396617df60b5156"
INT_EMPTY = "6571b1581320a905fb130744"
CONNECTOR_BIGCOMMERCE = "6571b30be54b497f1a632d31"
FLOWGROUP_BC_ORDERS = "6571b4be001bee809d1415ee"
FLOWGROUP_BC_PRODUCTS = "6571b67112ff46a3f88e5243"

# Connections.
CONN_SHOPIFY = "6571b82412ab69b81933e9c5"
CONN_NETSUITE = "6571b9d732f3cd87adb5f0ca"
CONN_AMAZON = "6571bb8a806934df4e1c8a40"
CONN_SALESFORCE = "6571bd3d64bc33aa7d6cce0f"
CONN_FTP_OFFLINE = "6571bef08bcac02904e588d8"
CONN_BIGCOMMERCE = "6571c0a3ae389be6e004ccc6"
CONN_NETSUITE_IA = "6571c2568e00a9b0e75560e7"
CONN_LICENSE_API = "6571c4098f75303bfc9e3b4b"

# Exports (page generators and lookups).
EXP_SHOPIFY_ORDERS = "6571c5bcea233d8513b15a87"
EXP_NS_CUSTOMER_LOOKUP = "6571c76fe452d9bee050c521"
EXP_AMAZON_ORDERS = "6571c9222b5dca8f304c0d17"
EXP_AMAZON_SETTLEMENTS = "6571cad50a638c09881f0a4d"
EXP_SF_ACCOUNTS = "6571cc88a4868a75bc6cac59"
EXP_SF_CONTACTS = "6571ce3b8542695bff0196a4"
EXP_FTP_INVENTORY = "6571cfee7ab0c6628c28345d"
EXP_BC_ORDERS = "6571d1a10ad87e5197ecfc53"
EXP_NS_ITEMS = "6571d3548ee60305e1ebcfba"
EXP_LICENSE_USAGE = "6571d507e57f546eac5c5422"

# Imports.
IMP_NS_SALES_ORDER = "6571d6bafd7a68b8f6a5d162"
IMP_NS_INVOICE = "6571d86d1dd915c7e2368530"
IMP_NS_DEPOSIT = "6571da208689fb42398a2ec9"
IMP_NS_JOURNAL = "6571dbd38ac45ed2b23a84d3"
IMP_NS_CUSTOMER = "6571dd863f2c8e9259bd5fdb"
IMP_NS_CONTACT = "6571df396cf7940ef3bbcd42"
IMP_NS_INVENTORY = "6571e0ecbba68c2ef9db60e9"
IMP_NS_BC_ORDER = "6571e29ff3db0aca32ff646d"
IMP_BC_PRODUCT = "6571e45266760fe1c56313e2"
IMP_NS_LICENSE_USAGE = "6571e6059411990f56e08b56"

# Flows.
FLOW_LICENSE_USAGE = "6571e7b89918fe5e19aa2e2a"
FLOW_BC_ORDERS = "6571e96bd84d13c9c757b1b2"
FLOW_BC_PRODUCTS = "6571eb1ed1e1a6a4d6af6fbd"
FLOW_SHOPIFY_ORDERS = "6571ecd15bc5e3f7c6026ea6"
FLOW_AMAZON_INVOICES = "6571ee8474bf580e34bf4684"
FLOW_AMAZON_SETTLEMENTS = "6571f0379c3538aac6c3f113"  # uses routers (branches), not pageProcessors
FLOW_SF_CUSTOMERS = "6571f1ea907391c501f62e62"
FLOW_SF_CONTACTS = "6571f39ded11a57d2e294a83"  # disabled
FLOW_STANDALONE_INVENTORY = "6571f550061f127db85f4c7b"  # no _integrationId; its FTP connection is offline

# Friendly aliases for the places tests look at most.
SHOPIFY_FLOW = FLOW_SHOPIFY_ORDERS
SHOPIFY_EXPORT_STEP = EXP_SHOPIFY_ORDERS
SHOPIFY_LOOKUP_STEP = EXP_NS_CUSTOMER_LOOKUP
SHOPIFY_IMPORT_STEP = IMP_NS_SALES_ORDER
AMAZON_FLOW = FLOW_AMAZON_INVOICES
AMAZON_EXPORT_STEP = EXP_AMAZON_ORDERS
AMAZON_IMPORT_STEP = IMP_NS_INVOICE  # ~3,000 open "Insufficient inventory" errors
SALESFORCE_FLOW = FLOW_SF_CUSTOMERS
SALESFORCE_IMPORT_STEP = IMP_NS_CUSTOMER  # holds the markup-looking and escape-sequence messages
DISABLED_FLOW = FLOW_SF_CONTACTS
STANDALONE_FLOW = FLOW_STANDALONE_INVENTORY
OFFLINE_CONNECTION = CONN_FTP_OFFLINE

# Seeded open/resolved error counts per (flow, step) of the demo account.
DEMO_OPEN_ERRORS: dict[tuple[str, str], int] = {
    (FLOW_AMAZON_INVOICES, IMP_NS_INVOICE): 3000,
    (FLOW_AMAZON_INVOICES, EXP_AMAZON_ORDERS): 4,
    (FLOW_SHOPIFY_ORDERS, IMP_NS_SALES_ORDER): 12,
    (FLOW_SHOPIFY_ORDERS, EXP_NS_CUSTOMER_LOOKUP): 2,
    (FLOW_SF_CUSTOMERS, IMP_NS_CUSTOMER): 7,
    (FLOW_STANDALONE_INVENTORY, EXP_FTP_INVENTORY): 1,
    (FLOW_BC_ORDERS, IMP_NS_BC_ORDER): 5,
    (FLOW_AMAZON_SETTLEMENTS, IMP_NS_JOURNAL): 3,
}
DEMO_RESOLVED_ERRORS: dict[tuple[str, str], int] = {
    (FLOW_AMAZON_INVOICES, IMP_NS_INVOICE): 40,
    (FLOW_SHOPIFY_ORDERS, IMP_NS_SALES_ORDER): 25,
    (FLOW_SF_CUSTOMERS, IMP_NS_CUSTOMER): 3,
}

# Large scale ("large"): 50 integrations x 10 flows, on top of the demo account.
LARGE_INTEGRATIONS = 50
LARGE_FLOWS_PER_INTEGRATION = 10
LARGE_ERROR_COUNT = 100_000


def _large_id(kind: int, i: int, j: int = 0) -> str:
    """Build a 24-hex id for generated large-scale documents: kind code, integration and flow numbers."""
    return f"66a0{kind:02x}{i:04x}{j:04x}00c0ffee00"


def large_integration_id(i: int) -> str:
    """Id of generated integration number `i` (0-based) in the large account."""
    return _large_id(1, i)


def large_flow_id(i: int, j: int) -> str:
    """Id of flow `j` of generated integration `i` in the large account."""
    return _large_id(2, i, j)


def large_export_id(i: int, j: int) -> str:
    """Id of the page-generator export of flow (i, j) in the large account."""
    return _large_id(3, i, j)


def large_import_id(i: int, j: int) -> str:
    """Id of the import step of flow (i, j) in the large account."""
    return _large_id(4, i, j)


def large_connection_id(n: int) -> str:
    """Id of shared generated connection `n` (0..4) in the large account."""
    return _large_id(5, n)


LARGE_ERRORS_FLOW = large_flow_id(0, 0)
LARGE_ERRORS_STEP = large_import_id(0, 0)  # 100,000 open errors, built lazily
