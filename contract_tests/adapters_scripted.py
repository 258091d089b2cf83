"""The contract suite's adapters for the roadmap's POS systems: mock Lightspeed K-Series (``/lightspeed``),
whose script reads a 2xx answer itself, and mock Atlas Kitchen (``/atlas``), read by the seed's rules.

Properties 3 (failure reasons) and 5 (the transformer contract) run against each. What each checks and
cannot, and why:

- **Reasons** (property 3): a non-2xx is the seed's ``POS returned HTTP <code>: <body cut at 200>``
  (the engine asks ``interpret`` about 2xx answers only). Lightspeed's 2xx is read by its script's
  ``interpret``, and the expectation is its documented reading (:mod:`contract_tests.script_readers`):
  it accepts only ``{"status":"ok"}`` and gives no id. Atlas's script has no ``interpret``: its 2xx is
  the seed's (an error body fails, ``id`` is the external id), expected from :mod:`contract_tests.seed`
  alone. Where Lightspeed quotes the
  answer's JSON in JavaScript's spelling and that spelling is not certain here, the words before it.
  Lightspeed's connection has a refreshable OAuth token (ADR 0006), so a 401 is refreshed and sent
  once more: with the fault answering one request, the answer is the healthy one.
- **Faults** match every request of the target (``match`` empty, ``times: 1``, removed afterwards): the
  reference these POS hold is the service's order id (``thirdPartyReference`` / ``external_order_id``),
  a uuid made at dispatch, so nothing in a fault can name the scenario's request before it is sent. On
  in-process servers (exclusive) only the scenario's dispatch is there to hit it; on shared live servers
  a concurrent dispatch to the same mock could take it.
- **Read-back** (property 5): both scripts put a Cata modifier and a combo item into one list
  (``subItems`` / ``sub_items``, modifiers first), so the read-back splits that list by the Cata order's
  modifier count, as the scripts map them. Lightspeed holds prices as decimal numbers (JavaScript
  doubles, see ``cata_view``) and the tip; its reference is the Cata order id. Atlas holds integer cents
  (compared exactly, no ``js_numbers``: the script shifts the digits of the price's text) and no tip.
- **Order shapes**: Atlas takes whole minor units only and a JavaScript number carries cents exactly
  only below 2^53, so its orders have at most 2 decimal places, item prices up to 10^5 and totals below
  10^13, in SGD (a JPY order would need whole yen), and a delivery has an address line. Lightspeed's
  payment must cover its tip (the Cata schema allows less), so ``totalPay`` is raised to the tip where
  drawn below it, and totals stay below 10^13 (Lightspeed refuses 15 integer digits).
- **Not covered**: Lightspeed's asynchronous outcome (the ``SUCCESS``/``FAILURE`` notification after
  ``200 ok``); property 5 checks the dispatch answer and the accepted order only. Its notifications go
  to the service's inbound route, authenticated, as ``up`` wires them.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx

from contract_tests.pos_orders import PosItem, PosModifier, PosOrder, _decimal, cata_view
from contract_tests.script_readers import Want, expected_by_script, lightspeed_read
from contract_tests.seed import Expected, expected
from contract_tests.strategies import Catalogue, OrderShape, Product
from contract_tests.targets import Scenario

# Whole cents a JavaScript number carries exactly: totals below 10^13 major units (2^53 cents ~ 9.007e13).
TOTAL_LIMIT = 10**13


def _split(subs: list[dict[str, Any]], cata: dict[str, Any]) -> tuple[list[Any], list[Any]]:
    """A line's sub-items as the script made them: the Cata modifiers first, then the combo items."""
    count = len(cata.get("modifiers", []))
    return subs[:count], subs[count:]


def _connected_once(cache: set[tuple[str, str]], scenario: Scenario) -> bool:
    key = (scenario.target.cata_url, scenario.target.mock_url)
    if key in cache:
        return True
    cache.add(key)
    return False


def _put_connection(scenario: Scenario, slug: str, body: dict[str, Any]) -> None:
    response = scenario.cata.put(f"/api/v1/provider-connections/{slug}", json=body)
    assert response.status_code == 200, response.text


class LightspeedAdapter:
    """Mock Lightspeed K-Series: ``/toGo`` or ``/local`` of the first business location."""

    slug = "lightspeed"
    target = "lightspeed"
    js_numbers = True
    reads_answers = True
    endpoint_id = "CATA-CONTRACT"

    def __init__(self) -> None:
        self._connected: set[tuple[str, str]] = set()
        self.location_id = 0
        # The bearer token is the service's (it refreshes it), so none is fixed here.
        self.auth_headers: dict[str, str] = {}

    def order_shape(self, catalogue: Catalogue, **knobs: Any) -> OrderShape:
        return OrderShape(catalogue=catalogue, **{**knobs, "total_limit": TOTAL_LIMIT})

    def prepare(self, order: dict[str, Any]) -> dict[str, Any]:
        tip = order.get("tip", Decimal(0))
        return {**order, "totalPay": max(order["totalPay"], tip)}

    def _location(self, scenario: Scenario) -> dict[str, Any]:
        config = scenario.mock_admin("lightspeed")
        location: dict[str, Any] = config["businesses"][0]["locations"][0]
        return location

    def connect(self, scenario: Scenario) -> None:
        if not _connected_once(self._connected, scenario):
            self._connect_tenant(scenario)
        scenario.outlet_provider(
            self.slug,
            {"businessLocationId": self.location_id, "endpointId": self.endpoint_id, "tableNumber": 7},
        )

    def _connect_tenant(self, scenario: Scenario) -> None:
        """The tenant's connection (OAuth token as ``up`` stores it) and the notification endpoint."""
        admin, mock = scenario.admin, scenario.target.mock_url
        config = admin.lightspeed_config()
        # Cata's totalPay includes tax and fees the script sends no line for (README, as `up` does).
        admin.configure_lightspeed({**config, "checkPaymentTotal": False}, replace=True)
        self.location_id = self._location(scenario)["id"]
        tokens = admin.lightspeed_tokens()
        whoami = scenario.cata.get("/api/v1/auth/whoami").json()
        username, password = f"ct-{whoami['tenantId']}", secrets.token_urlsafe(18)
        expires = datetime.now(UTC) + timedelta(seconds=float(tokens["expires_in"]))
        _put_connection(
            scenario,
            self.slug,
            {
                "apiKey": config["clientId"],
                "apiSecret": config["clientSecret"],
                "baseUrl": f"{mock}/lightspeed",
                "config": {
                    "tokenUrl": f"{mock}/lightspeed/oauth/token",
                    "accessToken": tokens["access_token"],
                    "refreshToken": tokens["refresh_token"],
                    "expiresAt": expires.isoformat(),
                    "inboundUsername": username,
                    "inboundPassword": password,
                },
            },
        )
        inbound = f"{scenario.target.cata_url}/api/v1/inbound/lightspeed/order-status"
        registration = {
            "endpointId": self.endpoint_id,
            "url": f"{inbound}?tenant={whoami['tenantId']}",
            "withBasicAuth": True,
            "username": username,
            "password": password,
        }
        answer = httpx.put(
            f"{mock}/lightspeed/o/wh/1/webhook",
            json=registration,
            headers={"Authorization": f"Bearer {tokens['access_token']}"},
            timeout=10,
        )
        assert answer.status_code == 200, answer.text

    def catalogue(self, scenario: Scenario) -> Catalogue:
        items = self._location(scenario)["items"]
        skus = tuple(item["sku"] for item in items)
        return Catalogue(tuple(Product(plu=item["sku"], name=item["name"], modifiers=skus) for item in items))

    def fault_match(self, scenario: Scenario) -> dict[str, Any]:
        return {}

    def expected(self, fault: dict[str, Any], budget_s: float) -> Want:
        healthy = Expected(dispatched=True, reason="", external_order_id="")
        return expected_by_script(self.slug, fault, budget_s, healthy, lightspeed_read, retries_401=True)

    def accepted(self, scenario: Scenario, answer: dict[str, Any]) -> dict[str, Any] | None:
        held = scenario.mock_admin("lightspeed/orders")
        found = [o for o in held if o["thirdPartyReference"] == answer["orderId"]]
        assert len(found) <= 1, found
        return found[0] if found else None

    def want(self, order: dict[str, Any], answer: dict[str, Any]) -> PosOrder:
        view = cata_view(order, js_numbers=True)
        return PosOrder(answer["orderId"], view.items, view.total, view.tip)

    def pos_view(self, record: dict[str, Any], order: dict[str, Any]) -> PosOrder:
        body = record["body"]

        def line(entry: dict[str, Any], cata: dict[str, Any]) -> PosItem:
            assert "modifiers" not in entry, entry  # no production instructions are mapped here
            modifiers, combo = _split(entry.get("subItems") or [], cata)
            combos = cata.get("comboItems", []) + [{}] * len(combo)
            return PosItem(
                product=entry["sku"],
                quantity=entry["quantity"],
                price=_decimal(entry["customItemPrice"]),
                modifiers=tuple(
                    PosModifier(m["sku"], m["quantity"], _decimal(m["customItemPrice"])) for m in modifiers
                ),
                combo=tuple(line(c, k) for c, k in zip(combo, combos, strict=False)),
            )

        cata_items = order["items"] + [{}] * len(body["items"])
        return PosOrder(
            reference=body["thirdPartyReference"],
            items=tuple(line(e, c) for e, c in zip(body["items"], cata_items, strict=False)),
            total=_decimal(body["payment"]["paymentAmount"]),
            tip=_decimal(body["payment"]["tipAmount"]),
        )


class AtlasAdapter:
    """Mock Atlas Kitchen: the orders of outlet 3, channel 1, of the default configuration."""

    slug = "atlas"
    target = "atlas"
    js_numbers = False
    reads_answers = True  # whole cents only: properties 3 and 5, whose orders take its shape
    settings: dict[str, Any] = {"outletId": 3, "channelId": 1, "timezone": "Asia/Singapore"}

    def __init__(self) -> None:
        self._connected: set[tuple[str, str]] = set()
        # X-Api-Key and X-Merchant-Id: the connection's, checked by the mock itself.
        self.auth_headers: dict[str, str] = {}

    def order_shape(self, catalogue: Catalogue, **knobs: Any) -> OrderShape:
        limits = {"max_places": 2, "max_value": min(knobs.get("max_value", 10**5), 10**5)}
        return OrderShape(catalogue=catalogue, **{**knobs, **limits, "total_limit": TOTAL_LIMIT})

    def prepare(self, order: dict[str, Any]) -> dict[str, Any]:
        order = {**order, "currency": "SGD"}
        address = order.get("deliveryAddress") or {}
        if order["deliveryMethod"] == "DELIVERY" and not address.get("line1"):
            order["deliveryAddress"] = {**address, "line1": "1 Contract Street"}  # Atlas needs a street
        return order

    def connect(self, scenario: Scenario) -> None:
        if not _connected_once(self._connected, scenario):
            config = scenario.admin.atlas_config()
            _put_connection(
                scenario,
                self.slug,
                {
                    "apiKey": config["apiKey"],
                    "baseUrl": f"{scenario.target.mock_url}/atlas",
                    "config": {"merchantId": config["merchantId"]},
                },
            )
        scenario.outlet_provider(self.slug, self.settings)

    def catalogue(self, scenario: Scenario) -> Catalogue:
        items = scenario.mock_admin("atlas")["items"]
        ids = tuple(str(item["id"]) for item in items)
        return Catalogue(
            tuple(Product(plu=str(item["id"]), name=item["name"], modifiers=ids) for item in items)
        )

    def fault_match(self, scenario: Scenario) -> dict[str, Any]:
        return {}

    def expected(self, fault: dict[str, Any], budget_s: float) -> Want:
        return expected(self.slug, fault, budget_s, None)  # healthy: the mock's new id

    def accepted(self, scenario: Scenario, answer: dict[str, Any]) -> dict[str, Any] | None:
        held = scenario.mock_admin("atlas/orders")
        found = [o for o in held if str(o["order"]["id"]) == answer["externalOrderId"]]
        assert len(found) <= 1, found
        return found[0] if found else None

    def want(self, order: dict[str, Any], answer: dict[str, Any]) -> PosOrder:
        view = cata_view(order)
        return PosOrder(answer["orderId"], view.items, view.total, None)

    def pos_view(self, record: dict[str, Any], order: dict[str, Any]) -> PosOrder:
        body = record["body"]

        def cents(value: Any) -> Decimal:
            assert isinstance(value, int), value
            assert not isinstance(value, bool), value
            return Decimal(value).scaleb(-2)

        def line(entry: dict[str, Any], cata: dict[str, Any]) -> PosItem:
            modifiers, combo = _split(entry["sub_items"], cata)
            combos = cata.get("comboItems", []) + [{}] * len(combo)
            return PosItem(
                product=str(entry["item_id"]),
                quantity=entry["quantity"],
                price=cents(entry["price_cents"]),
                modifiers=tuple(
                    PosModifier(str(m["item_id"]), m["quantity"], cents(m["price_cents"])) for m in modifiers
                ),
                combo=tuple(line(c, k) for c, k in zip(combo, combos, strict=False)),
            )

        cata_items = order["items"] + [{}] * len(body["order_items"])
        return PosOrder(
            reference=body["external_order_id"],
            items=tuple(line(e, c) for e, c in zip(body["order_items"], cata_items, strict=False)),
            total=cents(body["total"]),
            tip=None,
        )
