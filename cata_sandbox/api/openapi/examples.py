"""Examples of the OpenAPI document: requests and answers as this service sends and gives them."""

from __future__ import annotations

from typing import Any

WEBHOOK_SECRET = "whsec_3q2-7wRk9m1Zr0vT5eYbQx8LcN4aUjHs6pGdFiOeKlM"
ORDER_ID = "5f0c7a3e-2b1d-4c8e-9f6a-1d2e3f4a5b6c"
DELIVERY_ID = "0b6f2c1e-8d4a-4f3b-a2c1-9e8d7c6b5a40"
CREATED = "2026-11-27T02:00:00.120000Z"

ORDER: dict[str, Any] = {
    "orderRefNo": "CATA-1001",
    "deliveryMethod": "PICKUP",
    "createdAt": "2026-11-27T10:00:00+08:00",
    "currency": "SGD",
    "items": [
        {
            "plu": "106",
            "name": "Flat White",
            "quantity": 2,
            "unitPrice": 4.1,
            "modifiers": [
                {"plu": "205", "name": "Oat Milk", "groupName": "Milk", "quantity": 1, "unitPrice": 0.6}
            ],
        }
    ],
    "totalPay": 9.4,
    "customer": {"firstName": "Mei", "lastName": "Tan", "phone": "+6591234567"},
    "notes": "no sugar",
}
WEBHOOK: dict[str, Any] = {
    "id": 1,
    "outletId": "outlet-1",
    "provider": "cata",
    "callbackUrl": "http://127.0.0.1:9000/cata",
    "events": ["order.paid"],
    "isActive": True,
    "createdAt": CREATED,
    "updatedAt": CREATED,
}
ATTEMPT: dict[str, Any] = {
    "deliveryId": DELIVERY_ID,
    "route": "webhook",
    "startedAt": CREATED,
    "durationMs": 12.4,
    "requestMethod": "POST",
    "requestUrl": "http://127.0.0.1:9000/cata",
    "requestHeaders": {
        "Content-Type": "application/json",
        "X-Cata-Signature": "sha256=9c0d6e1f...",
        "X-Cata-Event": "order.paid",
        "X-Cata-Timestamp": "1796176800",
        "X-Cata-Delivery-ID": DELIVERY_ID,
    },
    "responseStatus": 200,
    "responseHeaders": {"content-type": "application/json"},
    "responseBody": '{"externalOrderId":"POS-77"}',
    "dispatched": True,
    "reason": "",
    "scriptError": "",
    "scriptLogs": [],
    "precisionFindings": [],
    "externalOrderId": "POS-77",
}
REVEL_SETTINGS: dict[str, Any] = {
    "baseUrl": "https://acme.revelup.com",
    "apiKey": "revel-api-key",
    "apiSecret": "revel-api-secret",
    "establishmentId": 1,
    "diningOptionIds": {"PICKUP": 1, "DELIVERY": 2, "DINE_IN": 3},
}
OUTLET_PROVIDER: dict[str, Any] = {
    "outletId": "outlet-revel",
    "providerSlug": "revel",
    "externalId": "acme-downtown",
    "settings": {k: v for k, v in REVEL_SETTINGS.items() if k not in ("apiKey", "apiSecret")},
    "secretsSet": ["apiKey", "apiSecret"],
    "createdAt": CREATED,
    "updatedAt": CREATED,
}


def _ok(message: str, **fields: Any) -> dict[str, Any]:
    return {"code": 200, "isSuccess": True, "message": message, **fields}


ADAPTERS: list[dict[str, Any]] = [
    {
        "provider": "_standard",
        "topic": "order_dispatch",
        "version": "1.0.0",
        "source": "builtin",
        "hasInterpret": False,
    },
    {
        "provider": "revel",
        "topic": "order_dispatch",
        "version": "1.0.0",
        "source": "builtin",
        "hasInterpret": True,
    },
    {
        "provider": "toast",
        "topic": "order_dispatch",
        "version": "0.1.0",
        "source": "/srv/adapters/toast/order_dispatch.js",
        "hasInterpret": False,
    },
]
PROVIDER_CONNECTION: dict[str, Any] = {
    "providerSlug": "revel",
    "status": "active",
    "webhookUrl": "",
    "baseUrl": "https://acme.revelup.com",
    "config": {"region": "sg"},
    "secretsSet": ["apiKey", "apiSecret"],
    "createdAt": CREATED,
    "updatedAt": CREATED,
}
PARAMETER_EXAMPLES: dict[str, Any] = {
    "webhook_id": 1,
    "order_id": ORDER_ID,
    "outlet_id": "outlet-revel",
    "slug": "revel",
    "provider": "revel",
    "outletId": "outlet-1",
    "status": "failed",
    "limit": 20,
    "offset": 0,
    "after": 0,
    "Last-Event-ID": "41",
    "Idempotency-Key": "order-CATA-1001",
}

REQUEST_EXAMPLES: dict[tuple[str, str], Any] = {
    ("post", "/api/v1/webhooks/register"): {
        "outletId": "outlet-1",
        "callbackUrl": "http://127.0.0.1:9000/cata",
        "events": ["order.paid"],
    },
    ("put", "/api/v1/webhooks/{webhook_id}"): {"callbackUrl": "http://127.0.0.1:9001/cata"},
    ("put", "/api/v1/outlet-providers/{outlet_id}"): {
        "providerSlug": "revel",
        "externalId": "acme-downtown",
        "settings": REVEL_SETTINGS,
    },
    ("post", "/api/v1/orders/dispatch"): {"outletId": "outlet-1", "event": "order.paid", "order": ORDER},
    ("put", "/api/v1/provider-connections/{slug}"): {
        "status": "active",
        "apiKey": "rk_live_example_key",
        "apiSecret": "rs_live_example_secret",
        "baseUrl": "https://acme.revelup.com",
        "config": {"region": "sg"},
    },
    ("post", "/api/v1/orders/{order_id}/status"): {
        "status": "ACCEPTED",
        "posOrderId": "32759",
        "timestamp": "2026-11-27T10:05:00+08:00",
    },
    ("post", "/api/v1/inbound/{provider}/order-status"): {
        "event": "order.finalized",
        "orderInfo": {"id": 10001, "closed": True, "dining_option": 1, "updated_date": "2026-11-27T10:30:00"},
    },
}

DISPATCHED = _ok("order dispatched", orderId=ORDER_ID, externalOrderId="POS-77", dispatched=True, reason="")
RESPONSE_EXAMPLES: dict[tuple[str, str], Any] = {
    ("get", "/health"): {"status": "healthy"},
    ("get", "/api/v1/webhooks/events"): {
        "events": [
            {"name": "order.paid", "description": "Triggered when an order is paid and ready for fulfillment"}
        ]
    },
    ("get", "/api/v1/auth/whoami"): _ok(
        "authenticated",
        authenticated=True,
        tenantId="8d1c1b9e-0f5e-4b7a-9c55-2f7a6d3e4b10",
        apiKeyId=1,
        expiresAt=None,
    ),
    ("get", "/api/v1/sandbox"): _ok(
        "ok",
        version="0.1.0",
        dispatchBudgetS=30.0,
        callbackPolicy="allow-private",
        maxRequestBytes=1048576,
        responseBodyCap=65536,
        mockPos={
            "url": "http://127.0.0.1:8701",
            "adminUrl": "http://127.0.0.1:8701/__admin",
            "receiversUrl": "http://127.0.0.1:8701/webhooks",
            "revelUrl": "http://127.0.0.1:8701/revel",
        },
    ),
    ("post", "/api/v1/webhooks/register"): {
        "code": 201,
        "isSuccess": True,
        "message": "webhook registered",
        "webhook": {**WEBHOOK, "secret": WEBHOOK_SECRET},
    },
    ("get", "/api/v1/webhooks"): _ok("ok", webhooks=[WEBHOOK]),
    ("get", "/api/v1/webhooks/{webhook_id}"): _ok("ok", webhook=WEBHOOK),
    ("put", "/api/v1/webhooks/{webhook_id}"): _ok(
        "webhook updated", webhook={**WEBHOOK, "callbackUrl": "http://127.0.0.1:9001/cata"}
    ),
    ("delete", "/api/v1/webhooks/{webhook_id}"): _ok("webhook deleted"),
    ("get", "/api/v1/webhooks/{webhook_id}/secret"): _ok("ok", webhookId=1, secret=WEBHOOK_SECRET),
    ("post", "/api/v1/webhooks/{webhook_id}/rotate-secret"): _ok(
        "secret rotated", webhook={**WEBHOOK, "secret": "whsec_Jd8Kq0wP2sR5tY7uI9oLzXcVbNm1A3sD4fG6hJ8kL0q"}
    ),
    ("put", "/api/v1/outlet-providers/{outlet_id}"): _ok(
        "outlet provider saved", outletProvider=OUTLET_PROVIDER
    ),
    ("get", "/api/v1/outlet-providers/{outlet_id}"): _ok("ok", outletProvider=OUTLET_PROVIDER),
    ("post", "/api/v1/orders/dispatch"): DISPATCHED,
    ("post", "/api/v1/orders/{order_id}/redispatch"): DISPATCHED,
    ("get", "/api/v1/orders"): _ok(
        "ok",
        orders=[
            {
                "orderId": ORDER_ID,
                "outletId": "outlet-1",
                "orderRefNo": "CATA-1001",
                "route": "webhook",
                "builtInTransformer": None,
                "status": "failed",
                "reason": "callback returned HTTP 503",
                "externalOrderId": "",
                "createdAt": CREATED,
            }
        ],
        total=1,
        limit=20,
        offset=0,
    ),
    ("get", "/api/v1/orders/{order_id}"): _ok(
        "ok",
        order={
            "orderId": ORDER_ID,
            "outletId": "outlet-1",
            "event": "order.paid",
            "route": "webhook",
            "builtInTransformer": None,
            "orderRefNo": "CATA-1001",
            "status": "dispatched",
            "reason": "",
            "externalOrderId": "POS-77",
            "createdAt": CREATED,
            "updatedAt": CREATED,
            "order": ORDER,
            "attempts": [ATTEMPT],
            "fulfilmentStatus": "PAID",
            "statusHistory": [
                {
                    "status": "PAID",
                    "previousStatus": None,
                    "posOrderId": "POS-77",
                    "reason": None,
                    "source": "dispatch",
                    "occurredAt": CREATED,
                    "recordedAt": CREATED,
                }
            ],
            "skippedStatusUpdates": [],
        },
    ),
    ("post", "/api/v1/orders/{order_id}/status"): _ok(
        "status updated", orderId=ORDER_ID, status="ACCEPTED", previousStatus="PAID", changed=True
    ),
    ("post", "/api/v1/inbound/{provider}/order-status"): _ok(
        "status updated", orderId=ORDER_ID, skipped=False, reason="", status="COMPLETED", changed=True
    ),
    ("get", "/api/v1/adapters"): _ok("ok", adapters=ADAPTERS),
    ("post", "/api/v1/adapters/reload"): _ok("adapters reloaded", adapters=ADAPTERS),
    ("put", "/api/v1/provider-connections/{slug}"): _ok(
        "provider connection saved", providerConnection=PROVIDER_CONNECTION
    ),
    ("get", "/api/v1/provider-connections/{slug}"): _ok("ok", providerConnection=PROVIDER_CONNECTION),
    ("delete", "/api/v1/provider-connections/{slug}"): _ok("provider connection deleted"),
    ("get", "/api/v1/attempts/stream"): (
        ": attempts after 41\nretry: 1000\n\n"
        "id: 42\nevent: attempt\n"
        f'data: {{"seq":42,"deliveryId":"{DELIVERY_ID}","orderId":"{ORDER_ID}","orderRefNo":"CATA-1001",'
        '"outletId":"outlet-1","route":"webhook","startedAt":"2026-11-27T02:00:00.120000+00:00",'
        '"durationMs":12.4,"requestUrl":"http://127.0.0.1:9000/cata","responseStatus":503,'
        '"dispatched":false,"reason":"callback returned HTTP 503","externalOrderId":""}\n\n'
        ": keepalive\n\n"
    ),
}

ERROR_EXAMPLES: dict[str, Any] = {
    "400": {
        "code": 400,
        "isSuccess": False,
        "message": "invalid order: Expected `str`, got `int` - at `$.order.items[0].plu`",
    },
    "401": {"code": 401, "isSuccess": False, "message": "missing X-Api-Key header"},
    "404": {"code": 404, "isSuccess": False, "message": f"order {ORDER_ID} not found"},
    "409": {
        "code": 409,
        "isSuccess": False,
        "message": (
            "outlet outlet-1 already has an active cata webhook for order.paid: webhook 1 ->"
            " http://127.0.0.1:9000/cata. Point it elsewhere with PUT /api/v1/webhooks/1 (callbackUrl,"
            " events), rotate its secret with POST /api/v1/webhooks/1/rotate-secret, or deactivate it"
            " first (PUT with isActive false)"
        ),
    },
    "413": {
        "code": 413,
        "isSuccess": False,
        "message": (
            "request body is larger than 1048576 bytes (setting max_request_bytes, CATA_MAX_REQUEST_BYTES)"
        ),
    },
    "500": {
        "code": 500,
        "isSuccess": False,
        "message": "revel webhook without orderInfo.id: Revel retries it",
    },
}
