"""The outbound delivery a partner receives, as the OpenAPI 3.1 ``webhooks`` entry ``order.paid``.

What the engine sends (the Order's exact bytes and the four ``X-Cata-*`` headers), how to verify the
signature, and which answers the engine understands, so an integrator can build a receiver from the
document alone.
"""

from __future__ import annotations

from litestar.openapi.spec import (
    Example,
    OpenAPI,
    OpenAPIMediaType,
    OpenAPIResponse,
    Operation,
    Parameter,
    PathItem,
    Reference,
    RequestBody,
    Schema,
)
from litestar.openapi.spec.enums import OpenAPIFormat, OpenAPIType

from cata_sandbox.api.openapi.examples import DELIVERY_ID, ORDER

SIGNATURE_DOC = (
    "`sha256=` followed by the lowercase hex HMAC-SHA256 of the raw request body, keyed with the webhook's"
    " secret (the `secret` of its registration) as UTF-8 bytes. Verify it over the bytes exactly as"
    " received, before parsing: re-serialized JSON does not match. Compare in constant time"
    " (`hmac.compare_digest`). Python: `hmac.new(secret.encode(), raw_body, hashlib.sha256).hexdigest()`."
)
DESCRIPTION = (
    "Cata POSTs each paid order of the outlet to the webhook's `callbackUrl`. The body is the Cata Order"
    " JSON exactly as it was given to `POST /api/v1/orders/dispatch`, byte for byte (never re-encoded),"
    " with `Content-Type: application/json` and the four `X-Cata-*` headers below. Every attempt has a new"
    " `X-Cata-Delivery-ID` (a replay or redispatch of the same order too): dedupe on the order"
    " (`orderRefNo`) rather than only on the delivery id.\n\n"
    "**What counts as delivered**: a 2xx answer whose body does not say it failed. The engine then stores"
    " the order as dispatched and takes `externalOrderId` (else `orderId`, else `id`) from a JSON object"
    " answer as your POS's order id. **What counts as a failure**: a non-2xx answer (redirects are not"
    ' followed), a 2xx whose JSON body has `status` `"ERROR"` (any case) or `false` (the reason quotes'
    " its `error`, `error.message`, `error.details.message`, `errorMsg` or `message`), no complete answer"
    " within the dispatch budget (`GET /api/v1/sandbox`, `dispatchBudgetS`: one timeout for the whole"
    " exchange), a refused or reset connection. A 2xx whose body is not JSON counts as delivered, without"
    " an id. Refuse a delivery whose signature does not verify with a 4xx."
)


def _header(name: str, description: str, example: str, *, pattern: str | None = None) -> Parameter:
    return Parameter(
        name=name,
        param_in="header",  # type: ignore[arg-type]
        required=True,
        description=description,
        schema=Schema(type=OpenAPIType.STRING, pattern=pattern),
        example=example,
    )


def _answer(description: str, schema: Schema, example: object) -> OpenAPIResponse:
    return OpenAPIResponse(
        description=description,
        content={"application/json": OpenAPIMediaType(schema=schema, example=example)},
    )


def order_paid_webhook() -> PathItem:
    accepted = Schema(
        type=OpenAPIType.OBJECT,
        description="Any JSON object, or no JSON at all; these fields are read when present",
        properties={
            "externalOrderId": Schema(
                description="Your POS's order id (stringified), stored as externalOrderId"
            ),
            "orderId": Schema(description="Used when externalOrderId is absent"),
            "id": Schema(description="Used when neither is present"),
        },
    )
    refused = Schema(
        type=OpenAPIType.OBJECT,
        description="A 2xx with this body failed: `callback returned 2xx but body indicated error: ...`",
        required=["status"],
        properties={
            "status": Schema(
                one_of=[Schema(type=OpenAPIType.STRING, enum=["ERROR", "error"]), Schema(const=False)]
            ),
            "error": Schema(description="A string, or an object with `message` / `details.message`"),
            "errorMsg": Schema(type=OpenAPIType.STRING),
            "message": Schema(type=OpenAPIType.STRING),
        },
    )
    operation = Operation(
        operation_id="OrderPaidWebhook",
        summary="order.paid: a paid order delivered to your receiver",
        description=DESCRIPTION,
        tags=["Partner H2H"],
        parameters=[
            _header("X-Cata-Signature", SIGNATURE_DOC, "sha256=3f1d0c...e9", pattern="^sha256=[0-9a-f]{64}$"),
            _header("X-Cata-Event", "The event: `order.paid`", "order.paid"),
            _header("X-Cata-Delivery-ID", "A new UUID for every attempt", DELIVERY_ID),
            _header(
                "X-Cata-Timestamp",
                "Unix seconds when the attempt was made. It is not covered by the signature: the body is.",
                "1796176800",
                pattern="^[0-9]+$",
            ),
        ],
        request_body=RequestBody(
            required=True,
            description="The Cata Order JSON, exactly as dispatched (unknown fields forwarded untouched)",
            content={
                "application/json": OpenAPIMediaType(
                    schema=Reference(ref="#/components/schemas/Order"), example=ORDER
                )
            },
        ),
        responses={
            "2XX": OpenAPIResponse(
                description="Delivered, unless the body says it failed (the second example)",
                content={
                    "application/json": OpenAPIMediaType(
                        schema=Schema(one_of=[accepted, refused]),
                        examples={
                            "delivered": Example(summary="Accepted", value={"externalOrderId": "POS-77"}),
                            "failed": Example(
                                summary="A 2xx that says it failed",
                                value={"status": "ERROR", "error": {"message": "Item sold out"}},
                            ),
                        },
                    )
                },
            ),
            "4XX": _answer(
                "Refused, e.g. a signature that does not verify: `callback returned HTTP <code>`",
                Schema(type=OpenAPIType.OBJECT),
                {"error": "invalid X-Cata-Signature"},
            ),
            "default": OpenAPIResponse(
                description=(
                    "Any other non-2xx (3xx included: redirects are not followed) is a failure with"
                    " `callback returned HTTP <code>`; no answer within the budget is"
                    " `http request failed: timeout after <budget>s`"
                ),
                content={
                    "text/plain": OpenAPIMediaType(
                        schema=Schema(type=OpenAPIType.STRING, format=OpenAPIFormat.BINARY)
                    )
                },
            ),
        },
    )
    return PathItem(post=operation)


def add_webhooks(openapi: OpenAPI) -> None:
    openapi.webhooks = {**(openapi.webhooks or {}), "order.paid": order_paid_webhook()}
