"""Mock Revel: ``POST /revel/specialresources/cart/submit`` and its finalize webhook.

Faithful to what is known of the Weborder cart API (see ``pos-apis.md`` §1): ``API-AUTHENTICATION:
key:secret`` or an HTML 403 page; ``Content-Type: text/plain`` or ``Unhandled error``; every business
failure is HTTP 200 with ``{"status":"ERROR","errorMsg":...}``; success is
``{"status":"OK","data":{"orderId":N}}``; any other path is an HTML 404 page.
"""

from __future__ import annotations

import dataclasses
import hmac
from datetime import datetime
from decimal import Decimal
from typing import Any, cast

import msgspec
from litestar.handlers import asgi
from litestar.handlers.asgi_handlers import ASGIRouteHandler
from litestar.types import HTTPScope, Receive, Scope, Send

from mock_pos import pipeline
from mock_pos.catalogue import Product
from mock_pos.faults import RequestFacts, scalar_text
from mock_pos.state import MockPosState, RevelOrder, RevelStore, rfc3339
from mock_pos.wire import Exchange, Reply

TARGET = "revel"
SUBMIT_PATH = "/specialresources/cart/submit"
AUTH_HEADER = "API-AUTHENTICATION"

_FORBIDDEN = Reply.html(
    403, "403 Forbidden", "Authentication credentials were not provided or are not valid."
)
_NOT_FOUND = Reply.html(404, "404 Not Found", "The requested resource was not found on this server.")
_NOT_ALLOWED = dataclasses.replace(
    Reply.html(405, "405 Method Not Allowed", "Only POST is allowed here."), headers=(("allow", "POST"),)
)
_DECIMAL_AS_NUMBER = msgspec.json.Encoder(decimal_format="number")


class CartRejected(Exception):
    """Revel refuses the cart; the message becomes ``errorMsg``."""


def error(message: str) -> Reply:
    """Revel's body-level failure: HTTP 200, ``status: ERROR``."""
    return Reply.json(200, {"status": "ERROR", "errorMsg": message})


def _as_id(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return None


def _is_positive(value: Any) -> bool:
    return isinstance(value, int | Decimal) and not isinstance(value, bool) and value > 0


def _check_item(products: dict[int, Product], establishment_id: int, item: Any, *, in_combo: bool) -> None:
    if not isinstance(item, dict):
        raise CartRejected("Each item must be an object")
    product_id = item.get("product")
    if isinstance(product_id, bool) or not isinstance(product_id, int):
        raise CartRejected(f"Item product must be a product id, got {product_id!r}")
    product = products.get(product_id)
    if product is None:
        raise CartRejected(f"Product {product_id} does not exist in establishment {establishment_id}")
    quantity = item.get("quantity", 1 if in_combo else None)
    if not _is_positive(quantity):
        raise CartRejected(f"Quantity of product {product_id} must be positive")
    modifier_items = item.get("modifieritems", [])
    if not isinstance(modifier_items, list):
        raise CartRejected(f"modifieritems of product {product_id} must be a list")
    for modifier_item in modifier_items:
        modifier = modifier_item.get("modifier") if isinstance(modifier_item, dict) else None
        if isinstance(modifier, bool) or modifier not in product.modifiers:
            raise CartRejected(f"Modifier {modifier} is not available for product {product_id}")
        if "qty" in modifier_item and not _is_positive(modifier_item["qty"]):
            raise CartRejected(f"Quantity of modifier {modifier} must be positive")
    if item.get("is_combo") is True:
        _check_combo(products, establishment_id, product_id, item.get("products_sets"))


def _check_combo(products: dict[int, Product], establishment_id: int, product_id: int, sets: Any) -> None:
    if not isinstance(sets, list) or not sets:
        raise CartRejected(f"Combo product {product_id} needs products_sets")
    for products_set in sets:
        chosen = products_set.get("products") if isinstance(products_set, dict) else None
        if not isinstance(chosen, list) or not chosen:
            raise CartRejected(f"Each products_set of combo {product_id} needs products")
        for item in chosen:
            _check_item(products, establishment_id, item, in_combo=True)


def check_cart(store: RevelStore, cart: Any) -> int:
    """Validate a parsed cart against the catalogue; returns its establishment id or raises CartRejected."""
    if not isinstance(cart, dict):
        raise CartRejected("Unhandled error")
    raw_establishment = cart.get("establishmentId", cart.get("establishment"))
    if raw_establishment is None:
        raise CartRejected("establishmentId is required")
    establishment_id = _as_id(raw_establishment)
    products = store.products_of(establishment_id) if establishment_id is not None else None
    if establishment_id is None or products is None:
        raise CartRejected(f"Establishment {raw_establishment} does not exist")
    items = cart.get("items")
    if not isinstance(items, list) or not items:
        raise CartRejected("Cart has no items")
    for item in items:
        _check_item(products, establishment_id, item, in_combo=False)
    return establishment_id


def _content_type_ok(value: str | None) -> bool:
    return value is not None and value.split(";", 1)[0].strip().lower() == "text/plain"


def revel_answer(store: RevelStore, exchange: Exchange, body: bytes, received_at: datetime) -> Reply:
    """Mock Revel's normal answer to any request under ``/revel``, checks in Revel's order."""
    if exchange.route_path.rstrip("/") != SUBMIT_PATH:
        return _NOT_FOUND
    if exchange.method != "POST":
        return _NOT_ALLOWED
    config = store.config
    expected = f"{config.api_key}:{config.api_secret}".encode()
    given = (exchange.header(AUTH_HEADER) or "").encode("latin-1")
    if not hmac.compare_digest(given, expected):
        return _FORBIDDEN
    if config.strict_content_type and not _content_type_ok(exchange.header("content-type")):
        return error("Unhandled error")
    try:
        cart = pipeline.decode_json(body)
        exact = pipeline.decode_json(body, parse_float=str)
    except ValueError:
        return error("Unhandled error: request body is not valid JSON")
    try:
        establishment_id = check_cart(store, cart)
    except CartRejected as exc:
        return error(str(exc))
    order = store.accept(
        establishment_id=establishment_id, body=cart, exact_body=exact, received_at=received_at
    )
    return Reply.json(200, {"status": "OK", "data": {"orderId": order.order_id}})


def _facts(exchange: Exchange, parsed: Any) -> RequestFacts:
    top = parsed if isinstance(parsed, dict) else {}
    order_info = top.get("orderInfo")
    call_name = order_info.get("call_name") if isinstance(order_info, dict) else None
    return RequestFacts(
        target=TARGET,
        order_ref_no=scalar_text(call_name),
        establishment_id=scalar_text(top.get("establishmentId", top.get("establishment"))),
        outlet_id=pipeline.outlet_id_of(exchange, parsed),
        headers=exchange.headers,
    )


def _item_requests(items: Any) -> list[Any]:
    """``special_request`` of every item, combo choices included."""
    found: list[Any] = []
    for item in items if isinstance(items, list) else []:
        if isinstance(item, dict):
            found.append(item.get("special_request"))
            for products_set in item.get("products_sets") or []:
                if isinstance(products_set, dict):
                    found.extend(_item_requests(products_set.get("products")))
    return found


def _notes(parsed: Any) -> list[str]:
    if not isinstance(parsed, dict):
        return []
    order_info = parsed.get("orderInfo")
    order_notes = order_info.get("notes") if isinstance(order_info, dict) else None
    return pipeline.texts(order_notes, *_item_requests(parsed.get("items")))


async def serve_revel(state: MockPosState, exchange: Exchange) -> None:
    """Journal and answer one request under ``/revel``."""
    body = await exchange.read_body()
    parsed = pipeline.loose_json(body)
    admission = pipeline.admit(
        state, exchange, body=body, facts=_facts(exchange, parsed), notes=_notes(parsed)
    )

    async def answer() -> Reply:
        return revel_answer(state.revel, exchange, body, admission.entry.received_at)

    await pipeline.respond(admission, exchange, answer)


def revel_handler(state: MockPosState) -> ASGIRouteHandler:
    """The raw ASGI mount of mock Revel (raw, because faults need the connection — see ``wire``)."""

    @asgi("/revel", is_mount=True, copy_scope=True)
    async def revel(scope: Scope, receive: Receive, send: Send) -> None:
        exchange = Exchange(cast(HTTPScope, scope), receive, send)
        if not exchange.is_under("/revel"):  # e.g. /revelx: not ours, not journaled
            await exchange.read_body()
            await exchange.send_reply(Reply.json(404, {"status_code": 404, "detail": "Not Found"}))
            return
        await serve_revel(state, exchange)

    return revel


# --- finalize -----------------------------------------------------------------------------------


def finalized_event(order: RevelOrder, *, closed: bool, dining_option: int | None, now: datetime) -> bytes:
    """An ``order.finalized``-style webhook body for an accepted order, decimals as exact JSON numbers."""
    body = order.body if isinstance(order.body, dict) else {}
    info = body.get("orderInfo")
    order_info = info if isinstance(info, dict) else {}
    event = {
        "event": "order.finalized",
        "orderInfo": {
            "id": order.order_id,
            "closed": closed,
            "dining_option": dining_option if dining_option is not None else order_info.get("dining_option"),
            "establishment": order.establishment_id,
            "created_date": rfc3339(order.received_at),
            "updated_date": rfc3339(now),
        },
        "items": body.get("items", []),
    }
    return _DECIMAL_AS_NUMBER.encode(event)
