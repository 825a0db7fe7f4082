"""Plausible business records behind errors (Amazon/Shopify/BigCommerce orders, Salesforce accounts...).

Why: retry data, error messages and HTTP request details must tell the same story (the SKU in "Insufficient
inventory for item X" is the SKU in the order's retry data). Every record is a pure function of a step's salt
and the error's index, so nothing is stored until a user edits it, and the 100,000-error step costs no memory.
"""

from __future__ import annotations

from typing import Any

from .ids import stable_hash

CATALOG = (
    ("ACM-BCB-L", "B07XJ8C8F5", "Bamboo Cutting Board, Large", 1999),
    ("ACM-CIS-12", "B00006JSUA", "Cast Iron Skillet 12in", 3495),
    ("ACM-FPK-8", "B08L5T6Q9N", "Chef Knife 8in, Forged", 5400),
    ("ACM-SLD-3", "B09QFJ6X2M", "Glass Storage Lids (3-pack)", 1250),
    ("ACM-TWL-6", "B07PQ8FJ3C", "Cotton Kitchen Towels (6)", 1699),
    ("ACM-KTL-2", "B01N1UX8RW", "Stovetop Kettle 2qt", 2899),
    ("ACM-SPT-SS", "B0C4JXHN6Y", "Stainless Spatula Set", 2150),
    ("ACM-MXB-5", "B07KVZ4G3D", "Mixing Bowls, Nested (5)", 3900),
    ("ACM-PPR-GR", "B0BT1G8K2L", "Pepper Grinder, Walnut", 2475),
    ("ACM-DTC-4", "B08Y7ZQX1R", "Dutch Oven 4.5qt, Enamel", 7999),
    ("ACM-CB-SL", "B07D9F2KQW", "Cutting Board Oil 12oz", 899),
    ("ACM-TMR-DG", "B06XCKJ6PZ", "Digital Kitchen Timer", 1149),
)
LOCATIONS = ("Reno DC", "Columbus DC", "Main Warehouse", "Dallas 3PL")
FIRST = (
    "Maria",
    "James",
    "Aiko",
    "Oluwaseun",
    "Priya",
    "Lukas",
    "Sofia",
    "Mateo",
    "Grace",
    "Noah",
    "Chen",
    "Fatima",
)
LAST = (
    "Garcia",
    "Smith",
    "Tanaka",
    "Adeyemi",
    "Patel",
    "Müller",
    "Rossi",
    "Hernández",
    "Kim",
    "Okafor",
    "Nguyen",
)
CITIES = (
    ("Columbus", "OH", "43215"),
    ("Austin", "TX", "78701"),
    ("Portland", "OR", "97205"),
    ("Raleigh", "NC", "27601"),
    ("Denver", "CO", "80202"),
    ("Madison", "WI", "53703"),
)
COMPANIES = (
    "Northwind Traders",
    "Blue Harbor Foods",
    "Kestrel Outdoor GmbH",
    "Lumen & Oak Interiors",
    "Pinecrest Medical Supply",
    "Sato Precision KK",
    "Maple Row Hospitality",
    "Vireo Analytics Ltd",
)
BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def facts(kind: str, salt: int, index: int) -> dict[str, Any]:
    """The few values messages and trace keys need, cheap enough for 100,000 errors."""
    h = stable_hash(salt, index)
    sku, asin, title, cents = CATALOG[h % len(CATALOG)]
    qty = 1 + (h >> 8) % 4
    first, last = FIRST[(h >> 12) % len(FIRST)], LAST[(h >> 16) % len(LAST)]
    out: dict[str, Any] = {
        "h": h,
        "sku": sku,
        "asin": asin,
        "title": title,
        "cents": cents,
        "qty": qty,
        "available": (h >> 20) % qty,
        "location": LOCATIONS[(h >> 24) % len(LOCATIONS)],
        "first": first,
        "last": last,
        "email": f"{first.lower()}.{last.lower()}{(h >> 28) % 100}@example.com",
        "company": COMPANIES[(h >> 32) % len(COMPANIES)],
        "ref": 40_000 + (h >> 36) % 9_999,
        "ticket": f"{(h >> 20) % 0xFFFFFFFF:08x}",
    }
    if kind in ("amazon_invoice", "amazon_orders"):
        out["trace"] = f"11{(h >> 36) % 5}-{(h >> 4) % 10_000_000:07d}-{(h >> 40) % 10_000_000:07d}"
    elif kind in ("shopify_order", "ns_customer_lookup"):
        out["trace"] = f"#{1001 + index}"
    elif kind == "sf_customer":
        out["trace"] = "0015g00000" + "".join(BASE62[(h >> (5 * k)) % 62] for k in range(5)) + "AAB"
    elif kind == "bc_order":
        out["trace"] = str(24_100 + index)
    elif kind == "settlement_journal":
        out["trace"] = f"SETTLE-{(h >> 8) % 90_000_000 + 10_000_000}"
    elif kind == "ftp_inventory":
        out["trace"] = f"INV_{20261100 + index % 28:08d}.csv"
    else:
        out["trace"] = f"REC-{index:06d}"
    return out


def _money(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"


def record(kind: str, salt: int, index: int, occurred_at: str) -> dict[str, Any]:
    """The failed record (the `data` of the retry data) for error `index` of a step of this kind."""
    f = facts(kind, salt, index)
    h = f["h"]
    city, state, postal = CITIES[(h >> 44) % len(CITIES)]
    total = f["cents"] * f["qty"]
    if kind in ("amazon_invoice", "amazon_orders"):
        return {
            "AmazonOrderId": f["trace"],
            "PurchaseDate": occurred_at,
            "OrderStatus": "Shipped",
            "FulfillmentChannel": "MFN",
            "SalesChannel": "Amazon.com",
            "MarketplaceId": "ATVPDKIKX0DER",
            "OrderTotal": {"CurrencyCode": "USD", "Amount": _money(total)},
            "NumberOfItemsShipped": f["qty"],
            "BuyerInfo": {"BuyerEmail": f"{f['first'].lower()}{h % 9973}@marketplace.amazon.com"},
            "ShippingAddress": {
                "City": city,
                "StateOrRegion": state,
                "PostalCode": postal,
                "CountryCode": "US",
            },
            "OrderItems": [
                {
                    "ASIN": f["asin"],
                    "SellerSKU": f["sku"],
                    "Title": f["title"],
                    "QuantityOrdered": f["qty"],
                    "ItemPrice": {"CurrencyCode": "USD", "Amount": _money(total)},
                }
            ],
            "netsuite": {"location": f["location"], "subsidiary": "Acme US"},
        }
    if kind in ("shopify_order", "ns_customer_lookup"):
        return {
            "id": 5_400_000_000_000 + h % 900_000_000,
            "name": f["trace"],
            "email": f["email"],
            "created_at": occurred_at,
            "financial_status": "paid",
            "currency": "USD",
            "total_price": _money(total + 750),
            "customer": {
                "id": 7_100_000_000_000 + (h >> 8) % 900_000_000,
                "email": f["email"],
                "first_name": f["first"],
                "last_name": f["last"],
            },
            "line_items": [
                {"sku": f["sku"], "title": f["title"], "quantity": f["qty"], "price": _money(f["cents"])}
            ],
            "shipping_lines": [{"title": "UPS Ground", "price": "7.50"}],
            "shipping_address": {"city": city, "province_code": state, "zip": postal, "country_code": "US"},
        }
    if kind == "sf_customer":
        return {
            "attributes": {"type": "Account", "url": f"/services/data/v59.0/sobjects/Account/{f['trace']}"},
            "Id": f["trace"],
            "Name": f["company"],
            "Type": "Customer - Direct",
            "Industry": ("Retail", "Healthcare", "Manufacturing", "Hospitality")[h % 4],
            "BillingCity": city,
            "BillingState": state,
            "BillingPostalCode": postal,
            "BillingCountry": "United States",
            "Phone": f"(555) {h % 900 + 100:03d}-{(h >> 10) % 10000:04d}",
            "Customer_Category__c": "Wholesale [EU]",
            "LastModifiedDate": occurred_at,
        }
    if kind == "bc_order":
        return {
            "id": int(f["trace"]),
            "customer_id": 300 + h % 700,
            "status": "Awaiting Fulfillment",
            "date_created": occurred_at,
            "total_inc_tax": _money(total),
            "billing_address": {"first_name": f["first"], "last_name": f["last"], "email": f["email"]},
            "products": [{"sku": f["sku"].replace("ACM-", "BC-"), "name": f["title"], "quantity": f["qty"]}],
        }
    if kind == "settlement_journal":
        return {
            "settlementId": f["trace"],
            "postedDate": occurred_at,
            "transactionType": "ServiceFee",
            "amountType": "ItemFees",
            "amountDescription": "FBAPerUnitFulfillmentFee",
            "amount": "-" + _money(f["cents"] // 5),
            "currency": "USD",
        }
    if kind == "ftp_inventory":
        return {"fileName": f["trace"], "directory": "/outbound/inventory"}
    return {"id": f["trace"], "status": "pending", "amount": _money(total), "updatedAt": occurred_at}
