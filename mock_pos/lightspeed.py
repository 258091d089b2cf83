"""Mock Lightspeed K-Series Order and Pay API under ``/lightspeed`` (``pos-apis.md`` §2).

``POST /oauth/token`` (grants ``authorization_code`` and ``refresh_token``, scope ``orders-api``) issues
short-lived bearer tokens; ``POST /o/op/1/order/toGo`` and ``/o/op/1/order/local`` validate like Lightspeed
(Spring-style 400, 409 on a reused ``thirdPartyReference``, 401 on a missing/expired/unknown token) and
answer ``200 {"status":"ok"}``, the real outcome following by notification (``lightspeed_notify``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

import msgspec
from litestar.handlers import asgi
from litestar.handlers.asgi_handlers import ASGIRouteHandler
from litestar.types import HTTPScope, Receive, Scope, Send

from mock_pos import pipeline
from mock_pos.admin import BadAdminInput, decode_input
from mock_pos.faults import FaultSpec, RequestFacts, StatusFault, scalar_text
from mock_pos.lightspeed_check import OrderCheck, field_error, spring_error, validation_body
from mock_pos.lightspeed_notify import account_view, schedule_acceptance
from mock_pos.lightspeed_oauth import bearer_problem, token_answer, unauthorized
from mock_pos.lightspeed_state import LightspeedStore, WebhookRegistration
from mock_pos.state import MockPosState
from mock_pos.wire import Exchange, Reply

TARGET = "lightspeed"
OAUTH_TARGET = "lightspeed-oauth"
ORDER_PATHS = {"/o/op/1/order/toGo": ("toGoOrder", False), "/o/op/1/order/local": ("localOrder", True)}
ACCOUNTS_PREFIX = "/o/op/1/order/accounts/"
WEBHOOK_PATH = "/o/wh/1/webhook"
_EXACT = msgspec.json.Encoder(decimal_format="number")


def _json(status: int, payload: Any) -> Reply:
    return Reply(status, _EXACT.encode(payload))


def _not_found(path: str, now: datetime) -> Reply:
    return Reply.json(404, spring_error(404, "Not Found", "No message available", path, now))


def _not_allowed(path: str, method: str, allowed: str, now: datetime) -> Reply:
    body = spring_error(405, "Method Not Allowed", f"Request method '{method}' is not supported", path, now)
    return Reply(405, msgspec.json.encode(body), headers=(("allow", allowed),))


def _bad_json(path: str, now: datetime) -> Reply:
    return Reply.json(
        400,
        spring_error(400, "Bad Request", "JSON parse error: the request body is not valid JSON", path, now),
    )


# --- the API --------------------------------------------------------------------------------------


def order_answer(state: MockPosState, exchange: Exchange, body: bytes, notes: list[str]) -> Reply:
    """``POST /o/op/1/order/toGo|local``: validate, refuse a reused reference, accept and schedule."""
    store, now, path = state.lightspeed, state.clock(), exchange.route_path.rstrip("/")
    object_name, dine_in = ORDER_PATHS[path]
    try:
        parsed = pipeline.decode_json(body)
        exact = pipeline.decode_json(body, parse_float=str)
    except ValueError:
        return _bad_json(path, now)
    if not isinstance(parsed, dict):
        return _bad_json(path, now)
    check = OrderCheck(store, object_name, dine_in=dine_in)
    check.run(parsed)
    if check.errors:
        return Reply.json(400, validation_body(object_name, check.errors, path, now))
    reference = parsed["thirdPartyReference"]
    if reference in store.orders:
        return Reply.json(409, {"status": "fail", "msg": f"reference has already been used {reference}"})
    assert check.location_id is not None
    account = parsed.get("accountIdentifier") if dine_in else None  # checked: an open account, if given
    onto = store.account_orders(str(account))[:1] if account is not None else []
    order = store.accept(
        {
            "kind": "local" if dine_in else "toGo",
            "reference": reference,
            "business_location_id": check.location_id,
            "endpoint_id": parsed["endpointId"],
            "body": parsed,
            "exact_body": exact,
            "received_at": now,
            "total": check.total,
        },
        onto[0] if onto else None,
    )
    problem = schedule_acceptance(state, order, notes)
    if problem is not None:
        order.notifications.append({"directiveError": problem})
    return Reply.json(200, {"status": "ok"})


def _businesses(store: LightspeedStore) -> list[dict[str, Any]]:
    return [
        {
            "businessId": business.id,
            "businessName": business.name,
            "businessLocations": [{"blId": loc.id, "blName": loc.name} for loc in business.locations],
        }
        for business in store.config.businesses
    ]


def _webhook_answer(store: LightspeedStore, exchange: Exchange, body: bytes, now: datetime) -> Reply:
    path, method = exchange.route_path.rstrip("/"), exchange.method
    if path == WEBHOOK_PATH:
        if method not in ("PUT", "POST"):
            return _not_allowed(path, method, "PUT, POST", now)
        try:
            parsed = pipeline.decode_json(body)
        except ValueError:
            return _bad_json(path, now)
        if not isinstance(parsed, dict):
            return _bad_json(path, now)
        errors = [
            field_error("webhook", name, "NotNull", "must not be null")
            for name in ("endpointId", "url")
            if not parsed.get(name)
        ]
        try:
            registration: WebhookRegistration = decode_input(body, WebhookRegistration)
        except BadAdminInput as exc:  # the same decoding as the admin API's, naming the field
            errors = errors or [
                field_error("webhook", exc.field or "body", "typeMismatch", "has the wrong type")
            ]
        if errors:
            return Reply.json(400, validation_body("webhook", errors, path, now))
        if method == "POST" and registration.endpoint_id not in store.webhooks:
            return _not_found(path, now)
        store.webhooks[registration.endpoint_id] = registration
        return Reply.json(200, registration.view())
    endpoint_id = path[len(WEBHOOK_PATH) + 1 :]
    found = store.webhooks.get(endpoint_id)
    if method not in ("GET", "DELETE"):
        return _not_allowed(path, method, "GET, DELETE", now)
    if found is None:
        return _not_found(path, now)
    if method == "DELETE":
        del store.webhooks[endpoint_id]
        return Reply(204)
    return Reply.json(200, found.view())


def api_answer(state: MockPosState, exchange: Exchange, body: bytes, notes: list[str]) -> Reply:
    """Every authenticated route under ``/lightspeed/o/``."""
    store, now, path, method = (
        state.lightspeed,
        state.clock(),
        exchange.route_path.rstrip("/"),
        exchange.method,
    )
    known = path in ORDER_PATHS or path == "/o/op/data/businesses" or path.startswith(ACCOUNTS_PREFIX)
    if not known and not path.startswith(WEBHOOK_PATH):
        return _not_found(path, now)
    problem = bearer_problem(store, exchange, now)
    if problem is not None:
        return unauthorized(problem)
    if path in ORDER_PATHS:
        return (
            order_answer(state, exchange, body, notes)
            if method == "POST"
            else _not_allowed(path, method, "POST", now)
        )
    if path.startswith(WEBHOOK_PATH):
        return _webhook_answer(store, exchange, body, now)
    if method != "GET":
        return _not_allowed(path, method, "GET", now)
    if path == "/o/op/data/businesses":
        return Reply.json(200, _businesses(store))
    orders = store.account_orders(path[len(ACCOUNTS_PREFIX) :])
    return _json(200, account_view(orders)) if orders else _not_found(path, now)


# --- faults, notes and the mount ------------------------------------------------------------------


def _item_notes(items: Any) -> list[Any]:
    """``notes`` of every item and sub-item, breadth first (iterative: nesting depth is the sender's)."""
    found: list[Any] = []
    queue = list(items) if isinstance(items, list) else []
    while queue:
        item = queue.pop(0)
        if isinstance(item, dict):
            found.append(item.get("notes"))
            subs = item.get("subItems")
            queue.extend(subs if isinstance(subs, list) else [])
    return found


def notes_of(parsed: Any) -> list[str]:
    """``orderNote``, ``customerInfo.notes`` and every item's ``notes`` (sub-items included)."""
    if not isinstance(parsed, dict):
        return []
    customer = parsed.get("customerInfo")
    customer_notes = customer.get("notes") if isinstance(customer, dict) else None
    return pipeline.texts(parsed.get("orderNote"), customer_notes, *_item_notes(parsed.get("items")))


def shaped_fault(spec: FaultSpec | None, path: str, now: datetime) -> FaultSpec | None:
    """A status fault with no body of its own answers in Lightspeed's shape.

    On ``/oauth/token`` a 400/401 is an RFC 6749 error (``invalid_request`` / ``invalid_client``); on the
    API a 401 is the bearer-token error; anything else is Spring's error body.
    """
    if not isinstance(spec, StatusFault) or spec.given_body() is not None or spec.code < 400:
        return spec
    oauth_errors = {400: "invalid_request", 401: "invalid_client"}
    if path == "/oauth/token" and spec.code in oauth_errors:
        payload: Any = {"error": oauth_errors[spec.code], "error_description": f"mock status {spec.code}"}
    elif spec.code == 401:
        payload = {"error": "invalid_token", "error_description": "mock status 401"}
    else:
        phrase = {400: "Bad Request", 404: "Not Found", 409: "Conflict", 429: "Too Many Requests"}
        error = phrase.get(spec.code, "Internal Server Error")
        payload = spring_error(spec.code, error, "mock status", path, now)
    encoded = msgspec.json.encode(payload).decode()
    return msgspec.structs.replace(spec, body=encoded, content_type="application/json")


async def serve_lightspeed(state: MockPosState, exchange: Exchange) -> None:
    """Journal and answer one request under ``/lightspeed``."""
    body = await exchange.read_body()
    oauth = exchange.route_path.rstrip("/") == "/oauth/token"
    parsed = None if oauth else pipeline.loose_json(body)
    top = parsed if isinstance(parsed, dict) else {}
    facts = RequestFacts(
        target=OAUTH_TARGET if oauth else TARGET,
        order_ref_no=scalar_text(top.get("thirdPartyReference")),
        establishment_id=None,
        outlet_id=exchange.query_param("outletId") or scalar_text(top.get("businessLocationId")),
        headers=exchange.headers,
    )
    notes = notes_of(parsed)
    admission = pipeline.admit(state, exchange, body=body, facts=facts, notes=notes)
    admission.fault = shaped_fault(admission.fault, exchange.route_path.rstrip("/"), state.clock())

    async def answer() -> Reply:
        if oauth:
            return token_answer(state.lightspeed, exchange, body, state.clock())
        return api_answer(state, exchange, body, notes)

    await pipeline.respond(admission, exchange, answer)


def lightspeed_handler(state: MockPosState) -> ASGIRouteHandler:
    """The raw ASGI mount of mock Lightspeed (raw, because faults need the connection — see ``wire``)."""

    @asgi("/lightspeed", is_mount=True, copy_scope=True)
    async def lightspeed(scope: Scope, receive: Receive, send: Send) -> None:
        exchange = Exchange(cast(HTTPScope, scope), receive, send)
        if not exchange.is_under("/lightspeed"):
            await exchange.read_body()
            await exchange.send_reply(Reply.json(404, {"status_code": 404, "detail": "Not Found"}))
            return
        await serve_lightspeed(state, exchange)

    return lightspeed
