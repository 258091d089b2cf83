"""The mocks the kit can check a script against (revel, lightspeed, atlas), each a :class:`MockProfile`.

The views follow each POS's documented mapping (the header of the shipped script), not the script.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import httpx

from cata_sandbox.partner.adapters_check.views import MockProfile, View, cata_view, split_subs, text
from contract_tests.strategies import Catalogue, OrderShape, Product
from mock_pos.client import MockAdmin

__all__ = ["PROFILES"]


class RevelProfile(MockProfile):
    def connect(self, admin: MockAdmin, url: str) -> dict[str, Any]:
        config = admin.revel()
        [establishment] = [e for e in config["establishments"] if e["id"] == 1]
        products = tuple(
            Product(str(p["id"]), p["name"], tuple(str(m) for m in p["modifiers"]))
            for p in establishment["products"]
        )
        self.shape = OrderShape(catalogue=Catalogue(products), max_places=6, max_value=10**9)
        self.credentials = {"apiKey": config["apiKey"], "apiSecret": config["apiSecret"]}
        self.settings = {"establishmentId": 1, "diningOptionIds": {"PICKUP": 1, "DELIVERY": 2, "DINE_IN": 0}}
        return super().connect(admin, url)

    def held(self, admin: MockAdmin) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = admin.get("/revel/orders")
        return found

    def pos_view(self, record: dict[str, Any], order: dict[str, Any]) -> View:
        body = record["body"]

        def item(entry: dict[str, Any]) -> dict[str, Any]:
            sets = entry.get("products_sets") or []
            return {
                "product": str(entry["product"]),
                "quantity": entry["quantity"],
                "price": Decimal(str(entry["price"])),
                "modifiers": [
                    {
                        "product": str(m["modifier"]),
                        "quantity": m["qty"],
                        "price": Decimal(str(m["modifier_price"])),
                    }
                    for m in entry.get("modifieritems") or []
                ],
                "combo": [item(p) for s in sets for p in s.get("products", [])],
            }

        info = body["orderInfo"]
        customer = info.get("customer")
        return {
            "reference": info.get("call_name"),
            "items": [item(entry) for entry in body["items"]],
            "total": Decimal(str(body["paymentInfo"]["amount"])),
            "tip": Decimal(str(body["paymentInfo"]["tip"])),
            "customer": None if customer is None else {k: customer.get(k) for k in sorted(customer)},
        }

    def cata_view(self, order: dict[str, Any], order_id: str) -> View:
        person = order.get("customer")
        customer = None
        if person is not None:
            customer = {
                "email": text(person.get("email")),
                "first_name": text(person.get("firstName")),
                "last_name": text(person.get("lastName")),
                "phone": text(person.get("phone")),
            }
        return cata_view(self, order, customer)


LIGHTSPEED_SKUS = {"101": "BURGER-01", "3001": "CHEESE-01"}


def _line_total(line: dict[str, Any]) -> Decimal:
    inner = sum((_line_total(s) for s in line.get("modifiers", []) + line.get("comboItems", [])), Decimal(0))
    total: Decimal = (Decimal(line.get("unitPrice", 0)) + inner) * line.get("quantity", 1)
    return total


class LightspeedProfile(MockProfile):
    def connect(self, admin: MockAdmin, url: str) -> dict[str, Any]:
        token = str(admin.lightspeed_tokens()["access_token"])
        registration = {"endpointId": "CATA-WEBHOOK", "url": f"{url}/__admin/health"}
        headers = {"Authorization": f"Bearer {token}"}
        httpx.put(f"{url}/lightspeed/o/wh/1/webhook", json=registration, headers=headers).raise_for_status()
        shown = super().connect(admin, url)
        return {**shown, "config": {"accessToken": token}}

    def prepare(self, order: dict[str, Any]) -> dict[str, Any]:
        order["orderRefNo"] = str(order["orderRefNo"])[:40] or "CATA-KIT"
        for item in order["items"]:  # a million combo picks of a million would pass what a double carries
            for combo in item.get("comboItems", []):
                combo["quantity"] = min(combo["quantity"], 9)
        # Lightspeed checks the payment against its own item total plus the tip: the receipt adds up.
        tip = order.get("tip", Decimal(0)) % 10**4
        if "tip" in order:
            order["tip"] = tip
        order["totalPay"] = sum((_line_total(i) for i in order["items"]), Decimal(0)) + tip
        return order

    def product(self, plu: str) -> str:
        return LIGHTSPEED_SKUS.get(plu, plu)

    def held(self, admin: MockAdmin) -> list[dict[str, Any]]:
        return admin.lightspeed_orders()

    def pos_view(self, record: dict[str, Any], order: dict[str, Any]) -> View:
        body = record["body"]

        def line(entry: dict[str, Any], cata: dict[str, Any], *, item: bool) -> dict[str, Any]:
            out: dict[str, Any] = {
                "product": entry.get("sku"),
                "quantity": entry.get("quantity"),
                "price": Decimal(str(entry.get("customItemPrice", 0))),
            }
            if item:  # the documented order of sub-items: the modifiers, then the combo items
                out["modifiers"], out["combo"] = split_subs(line, entry.get("subItems") or [], cata)
            return out

        cata_items = order["items"] + [{}] * len(body["items"])
        info = body.get("customerInfo") or {}
        payment = body.get("payment") or {}
        return {
            "reference": body.get("thirdPartyReference"),
            "items": [line(e, c, item=True) for e, c in zip(body["items"], cata_items, strict=False)],
            "total": Decimal(str(payment.get("paymentAmount"))),
            "tip": Decimal(str(payment.get("tipAmount", 0))),
            "customer": {k: info.get(k) for k in ("email", "firstName", "lastName")},
        }

    def cata_view(self, order: dict[str, Any], order_id: str) -> View:
        person = order.get("customer") or {}
        customer = {
            "email": person.get("email") or None,
            "firstName": text(person.get("firstName"), "Cata customer"),
            "lastName": person.get("lastName") or None,
        }
        # thirdPartyReference is the Cata order id (the script's header), not the orderRefNo.
        return {**cata_view(self, order, customer), "reference": order_id}


ATLAS_ITEMS = {"LAKSA": "381"}


class AtlasProfile(MockProfile):
    def prepare(self, order: dict[str, Any]) -> dict[str, Any]:
        order["currency"] = "SGD"
        for name in ("subtotal", "tax", "serviceCharge", "deliveryFee", "discount", "tip", "totalPay"):
            if name in order:  # amounts a double carries in cents
                order[name] = order[name] % 10**12
        address = order.get("deliveryAddress") or {}
        if order["deliveryMethod"] == "DELIVERY" and not address.get("line1"):
            order["deliveryAddress"] = {**address, "line1": "1 Kit Street"}  # Atlas needs a street
        return order

    def product(self, plu: str) -> str:
        return ATLAS_ITEMS.get(plu, plu)

    def held(self, admin: MockAdmin) -> list[dict[str, Any]]:
        return admin.atlas_orders()

    def pos_view(self, record: dict[str, Any], order: dict[str, Any]) -> View:
        body = record["body"]

        def cents(value: Any) -> Decimal:
            return Decimal(str(value)).scaleb(-2)

        def line(entry: dict[str, Any], cata: dict[str, Any], *, item: bool) -> dict[str, Any]:
            out: dict[str, Any] = {
                "product": str(entry.get("item_id")),
                "quantity": entry.get("quantity"),
                "price": cents(entry.get("price_cents", 0)),
            }
            if item:
                out["modifiers"], out["combo"] = split_subs(line, entry.get("sub_items") or [], cata)
            return out

        cata_items = order["items"] + [{}] * len(body["order_items"])
        return {
            "reference": body.get("external_order_short_code"),
            "items": [line(e, c, item=True) for e, c in zip(body["order_items"], cata_items, strict=False)],
            "total": cents(body.get("total")),
            "tip": None,
            "customer": {k: body.get(k) for k in ("contact_email", "contact_name", "contact_number")},
        }

    def cata_view(self, order: dict[str, Any], order_id: str) -> View:
        person = order.get("customer") or {}
        name = " ".join(str(p) for p in (person.get("firstName"), person.get("lastName")) if p)
        customer = {
            "contact_email": text(person.get("email")) or None,
            "contact_name": name or None,
            "contact_number": text(person.get("phone")) or None,
        }
        return cata_view(self, order, customer, tip=False)


def _profiles() -> dict[str, MockProfile]:
    lightspeed = OrderShape(
        catalogue=Catalogue(
            (
                Product("BURGER-01", "Burger", ("CHEESE-01", "SALAD-01", "3001")),
                Product("101", "Burger", ("CHEESE-01",)),
                Product("MENU-01", "Menu", ("COLA-01", "FRIES-01")),
                Product("FRIES-01", "Fries"),
                Product("COLA-01", "Cola"),
            )
        ),
        max_places=2,
        max_value=10**6,
    )
    atlas = OrderShape(
        catalogue=Catalogue(
            (
                Product("380", "Coffee", ("496", "497")),
                Product("381", "Laksa", ("497",)),
                Product("LAKSA", "Laksa", ("496",)),
                Product("480", "Kaya Toast"),
            )
        ),
        max_places=2,
        max_value=10**6,
    )
    return {
        "revel": RevelProfile("revel", "revel", OrderShape()),
        "lightspeed": LightspeedProfile(
            "lightspeed",
            "lightspeed",
            lightspeed,
            settings={
                "businessLocationId": 45454565682155,
                "endpointId": "CATA-WEBHOOK",
                "skuByPlu": LIGHTSPEED_SKUS,
                "tableNumber": 7,
            },
        ),
        "atlas": AtlasProfile(
            "atlas",
            "atlas",
            atlas,
            settings={
                "outletId": 3,
                "channelId": 1,
                "merchantId": "sandbox-merchant",
                "timezone": "Asia/Singapore",
                "itemIdByPlu": {"LAKSA": 381},
            },
            credentials={"apiKey": "sandbox-atlas-key"},
        ),
    }


PROFILES: dict[str, MockProfile] = _profiles()
