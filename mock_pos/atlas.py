"""Mock Atlas Kitchen Admin API under ``/atlas`` (``pos-apis.md`` §3).

``POST /admin/v1/outlets/{outlet_id}/channels/{channel_id}/orders`` with ``X-Api-Key`` and
``X-Merchant-Id``; ``GET /admin/v1/orders/{id}``, ``/admin/v1/orders/identifier/{identifier}`` and
``/admin/v1/menus``. Errors are ``ApiError {type, message, details: [{field, message}]}`` with 401, 404,
422 (and 500 from a fault); success is the full order object.
"""

from __future__ import annotations

import hmac
import re
from typing import Any, cast

import msgspec
from litestar.handlers import asgi
from litestar.handlers.asgi_handlers import ASGIRouteHandler
from litestar.types import HTTPScope, Receive, Scope, Send

from mock_pos import pipeline
from mock_pos.atlas_check import AtlasCheck, build_order
from mock_pos.atlas_events import schedule
from mock_pos.atlas_state import AtlasStore, epoch
from mock_pos.faults import FaultSpec, RequestFacts, StatusFault, scalar_text
from mock_pos.state import MockPosState
from mock_pos.wire import Exchange, Reply

TARGET = "atlas"
_CREATE = re.compile(r"^/admin/v1/outlets/(?P<outlet>[^/]+)/channels/(?P<channel>[^/]+)/orders$")
_BY_ID = re.compile(r"^/admin/v1/orders/(?P<id>[^/]+)$")
_BY_IDENTIFIER = re.compile(r"^/admin/v1/orders/identifier/(?P<identifier>[^/]+)$")
_EXACT = msgspec.json.Encoder(decimal_format="number")
_TYPES = {
    401: (
        "Unauthorized",
        "You did not provide valid credentials for this request. Please check your request and try again.",
    ),
    404: ("Not Found", "The requested resource could not be found."),
    422: ("Invalid Parameter", "The request contains invalid parameters."),
    500: ("Server Error", "Something went wrong on our end. Please try again later."),
}


def api_error(status: int, details: list[dict[str, str]], message: str | None = None) -> Reply:
    """Atlas's ``ApiError`` with ``details`` (the docs' older shape, not the newer ``error_hash``)."""
    kind, default = _TYPES.get(status, ("Server Error", _TYPES[500][1]))
    return Reply.json(status, {"type": kind, "message": message or default, "details": details})


def _unauthorized(exchange: Exchange, store: AtlasStore) -> Reply | None:
    config = store.config
    key = (exchange.header("x-api-key") or "").encode("latin-1")
    if not hmac.compare_digest(key, config.api_key.encode()):
        detail = "Check if the API Key is set correctly in the X-Api-Key header."
        return api_error(401, [{"field": "api_key", "message": detail}])
    merchant = (exchange.header("x-merchant-id") or "").encode("latin-1")
    if not hmac.compare_digest(merchant, config.merchant_id.encode()):
        detail = "Check if the Merchant ID is set correctly in the X-Merchant-Id header."
        return api_error(401, [{"field": "merchant_id", "message": detail}])
    return None


def _not_found(field: str, message: str) -> Reply:
    return api_error(404, [{"field": field, "message": message}])


def create_answer(state: MockPosState, outlet: str, channel: str, body: bytes) -> Reply:
    """Create an order in an outlet's channel: 404 for an unknown one, 422 with details, else the order."""
    store = state.atlas
    outlet_id = int(outlet) if outlet.isdigit() else None
    if outlet_id is None or outlet_id not in store.outlets:
        return _not_found("outlet_id", f"Outlet {outlet} does not exist")
    channel_id = int(channel) if channel.isdigit() else None
    if channel_id is None or channel_id not in store.outlets[outlet_id].channels:
        return _not_found("channel_id", f"Channel {channel} does not exist for outlet {outlet_id}")
    try:
        parsed = pipeline.decode_json(body)
        exact = pipeline.decode_json(body, parse_float=str)
    except ValueError:
        return api_error(422, [{"field": "body", "message": "must be a JSON object"}])
    if not isinstance(parsed, dict):
        return api_error(422, [{"field": "body", "message": "must be a JSON object"}])
    check = AtlasCheck(store.menu)
    check.run(parsed)
    if check.details:
        return api_error(422, check.details)
    order_id, now = store.next_order_id(), state.clock()
    context = {
        "id": order_id,
        "identifier": f"ATL-{order_id:06d}",
        "channel_id": channel_id,
        "outlet_id": outlet_id,
        "currency": store.config.currency,
        "now": epoch(now),
    }
    order = build_order(parsed, store.line_ids, store.menu, context)
    store.keep(order, exact)
    schedule(state, order_id)
    return Reply(200, _EXACT.encode(order))


def _menus(store: AtlasStore) -> list[dict[str, Any]]:
    items = [msgspec.to_builtins(item) for item in store.config.items]
    return [
        {"id": store.config.menu_id, "name": "Main Menu", "outlet_ids": list(store.outlets), "items": items}
    ]


def atlas_answer(state: MockPosState, exchange: Exchange, body: bytes) -> Reply:
    """Route one authenticated request under ``/atlas``."""
    store, path, method = state.atlas, exchange.route_path.rstrip("/"), exchange.method
    created = _CREATE.match(path)
    by_identifier = _BY_IDENTIFIER.match(path)
    by_id = _BY_ID.match(path)
    if not (created or by_identifier or by_id or path == "/admin/v1/menus"):
        return _not_found("path", f"No route for {method} {path}")
    refused = _unauthorized(exchange, store)
    if refused is not None:
        return refused
    if created:
        if method != "POST":
            return _not_found("path", f"No route for {method} {path}")
        return create_answer(state, created["outlet"], created["channel"], body)
    if method != "GET":
        return _not_found("path", f"No route for {method} {path}")
    if path == "/admin/v1/menus":
        return Reply.json(200, _menus(store))
    if by_identifier:
        order = store.by_identifier(by_identifier["identifier"])
        field, wanted = "identifier", by_identifier["identifier"]
    else:
        assert by_id is not None
        wanted, field = by_id["id"], "id"
        order = store.orders.get(int(wanted)) if wanted.isdigit() else None
    if order is None:
        return _not_found(field, f"Order {wanted} does not exist")
    return Reply(200, _EXACT.encode(order))


def _notes(parsed: Any) -> list[str]:
    if not isinstance(parsed, dict):
        return []
    found: list[Any] = [parsed.get("notes")]
    stack = list(parsed.get("order_items") or []) if isinstance(parsed.get("order_items"), list) else []
    while stack:
        item = stack.pop(0)
        if isinstance(item, dict):
            found.append(item.get("notes"))
            subs = item.get("sub_items")
            stack.extend(subs if isinstance(subs, list) else [])
    return pipeline.texts(*found)


def shaped_fault(spec: FaultSpec | None) -> FaultSpec | None:
    """A status fault with no body of its own answers with an Atlas ``ApiError``."""
    if not isinstance(spec, StatusFault) or spec.given_body() is not None or spec.code < 400:
        return spec
    kind, message = _TYPES.get(spec.code, ("Server Error", _TYPES[500][1]))
    payload = {"type": kind, "message": message, "details": []}
    return msgspec.structs.replace(
        spec, body=msgspec.json.encode(payload).decode(), content_type="application/json"
    )


async def serve_atlas(state: MockPosState, exchange: Exchange) -> None:
    """Journal and answer one request under ``/atlas``."""
    body = await exchange.read_body()
    parsed = pipeline.loose_json(body)
    top = parsed if isinstance(parsed, dict) else {}
    created = _CREATE.match(exchange.route_path.rstrip("/"))
    facts = RequestFacts(
        target=TARGET,
        order_ref_no=scalar_text(top.get("external_order_id")),
        establishment_id=None,
        outlet_id=exchange.query_param("outletId") or (created["outlet"] if created else None),
        headers=exchange.headers,
    )
    admission = pipeline.admit(state, exchange, body=body, facts=facts, notes=_notes(parsed))
    admission.fault = shaped_fault(admission.fault)

    async def answer() -> Reply:
        return atlas_answer(state, exchange, body)

    await pipeline.respond(admission, exchange, answer)


def atlas_handler(state: MockPosState) -> ASGIRouteHandler:
    """The raw ASGI mount of mock Atlas (raw, because faults need the connection — see ``wire``)."""

    @asgi("/atlas", is_mount=True, copy_scope=True)
    async def atlas(scope: Scope, receive: Receive, send: Send) -> None:
        exchange = Exchange(cast(HTTPScope, scope), receive, send)
        if not exchange.is_under("/atlas"):
            await exchange.read_body()
            await exchange.send_reply(Reply.json(404, {"status_code": 404, "detail": "Not Found"}))
            return
        await serve_atlas(state, exchange)

    return atlas
