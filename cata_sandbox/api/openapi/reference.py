"""The OpenAPI document as an integrator's reference: a description and examples for every operation.

Each documented operation gets its description (:data:`DESCRIPTIONS`), an example of its request (the
body, and each parameter) and of its answers (the success body, and the error envelope of each error
status). The examples are real requests and answers of this service. The outbound delivery a partner
receives is described by :mod:`cata_sandbox.api.openapi.webhooks`. Applied by ``apidoc.complete_openapi``.
"""

from __future__ import annotations

from typing import Any

from litestar.openapi.spec import (
    OpenAPI,
    OpenAPIHeader,
    OpenAPIMediaType,
    OpenAPIResponse,
    Operation,
    Parameter,
    Schema,
)
from litestar.openapi.spec.enums import OpenAPIType

from cata_sandbox.api.openapi.examples import (
    ERROR_EXAMPLES,
    PARAMETER_EXAMPLES,
    REQUEST_EXAMPLES,
    RESPONSE_EXAMPLES,
)

DESCRIPTIONS: dict[tuple[str, str], str] = {
    ("get", "/health"): "Liveness: answers while the service runs. No API key.",
    ("get", "/api/v1/webhooks/events"): "The events a webhook can subscribe to. No API key.",
    ("get", "/api/v1/auth/whoami"): "The tenant and API key behind `X-Api-Key`: a way to test a key.",
    ("get", "/api/v1/sandbox"): (
        "This sandbox's settings that decide outcomes: the dispatch budget (one timeout for a whole outbound"
        " call), the callback policy, the request and response size limits, the version, and the URLs of"
        " the mock_pos that runs beside it (set by `cata-sandbox up`; null otherwise). `trigger` and the"
        " contract suite's live mode read the budget here."
    ),
    ("post", "/api/v1/webhooks/register"): (
        "Register a webhook receiver for an outlet. The answer carries the signing `secret`; keep it: every"
        " delivery is signed with it (`X-Cata-Signature`, see the `order.paid` webhook). An outlet has at"
        " most one active webhook per provider and event: a second registration is a 409 naming the one"
        " there is; change that one with PUT or rotate its secret instead."
    ),
    (
        "get",
        "/api/v1/webhooks",
    ): "The tenant's webhooks (of one outlet with `outletId`), never their secrets.",
    ("get", "/api/v1/webhooks/{webhook_id}"): "One webhook, without its secret.",
    ("put", "/api/v1/webhooks/{webhook_id}"): (
        "Change a webhook's `callbackUrl`, `events` or `isActive`; its secret stays. Reactivating or"
        " subscribing it to an event another active webhook of the outlet has is a 409."
    ),
    ("delete", "/api/v1/webhooks/{webhook_id}"): (
        "Delete a webhook (soft: its orders and attempts stay). The outlet's next orders have no route."
    ),
    ("get", "/api/v1/webhooks/{webhook_id}/secret"): (
        "The webhook's current signing secret, for the tenant's own tools (`cata-sandbox listen` prints it"
        " again on every run, so a receiver keeps working across restarts). Only rotate-secret changes it."
    ),
    ("post", "/api/v1/webhooks/{webhook_id}/rotate-secret"): (
        "Give the webhook a new signing secret; deliveries are signed with it from now on."
    ),
    ("put", "/api/v1/outlet-providers/{outlet_id}"): (
        "Map an outlet to a POS provider (Path 2, `builtInTransformer`) with that outlet's own settings:"
        " base URL, credentials (write-only, never shown again), establishment and dining-option ids."
        " Replaces the whole mapping."
    ),
    ("get", "/api/v1/outlet-providers/{outlet_id}"): (
        "The outlet's provider mapping; secret settings are named in `secretsSet`, never shown."
    ),
    ("post", "/api/v1/orders/dispatch"): (
        "Dispatch a paid order. Validated first (400 naming the JSON path, nothing stored or sent), then"
        " stored, then sent: without `builtInTransformer` to the outlet's webhook with the order's exact"
        " bytes, signed; with it, rewritten for that POS and sent to the outlet's POS. The answer says"
        " whether it was dispatched and, when not, the reason (the seed's reason strings). With"
        " `Idempotency-Key`, a repeat answers the first response again."
    ),
    ("get", "/api/v1/orders"): "Stored orders, newest first; filter by `outletId` and `status`.",
    ("get", "/api/v1/orders/{order_id}"): (
        "One stored order: its exact bytes, status, reason, `externalOrderId`, every attempt (request and"
        " response headers, the capped response body, duration, reason) and its fulfilment history."
    ),
    ("post", "/api/v1/orders/{order_id}/redispatch"): (
        "Send a stored order again through its route, same bytes, a fresh `X-Cata-Delivery-ID`; a new"
        " attempt is stored. Answers like a dispatch."
    ),
    ("post", "/api/v1/orders/{order_id}/status"): (
        "The POS reports fulfilment: PAID → ACCEPTED → IN_PROGRESS → READY → (DRIVER_PICKED_UP) →"
        " COMPLETED, REJECTED from PAID, CANCELLED from any open status. Forward skips are allowed; a"
        " backward move or one out of a final status is a 409; the current status again is a 200 with"
        " `changed: false`."
    ),
    ("post", "/api/v1/inbound/{provider}/order-status"): (
        "A POS's order status webhook, read by that provider's `order_status_update.js` (Revel's"
        " `order.finalized`: a closed Cata order becomes COMPLETED; Lightspeed's and Atlas's order"
        " notifications: their Cata status). `{skip: true}` from the script is a 200 that changes"
        " nothing. A body the script cannot use is a 500 on purpose, so that the POS sends it again."
    ),
    ("get", "/api/v1/adapters"): (
        "The adapter scripts the service runs: provider, topic, version and source (`builtin`, or the"
        " file from `--adapters DIR`). A changed file is picked up at the next dispatch (mtimes are"
        " checked at most once a second) or by `POST /api/v1/adapters/reload`."
    ),
    ("post", "/api/v1/adapters/reload"): (
        "Load the adapter scripts again from disk. A bad script is a 400 naming its file and line; the"
        " scripts loaded before stay in use."
    ),
    ("put", "/api/v1/provider-connections/{slug}"): (
        "The tenant's connection to a POS provider: `status`, `apiKey`, `apiSecret` (write-only),"
        " `webhookUrl`, `baseUrl`, `config`. Scripts get them as `input`; an outlet's own credentials"
        " in its `outlet-providers` settings win. Replaces the whole connection."
    ),
    ("get", "/api/v1/provider-connections/{slug}"): (
        "The tenant's connection to a provider; secrets are named in `secretsSet`, never shown."
    ),
    ("delete", "/api/v1/provider-connections/{slug}"): "Remove the tenant's connection to a provider.",
    ("get", "/api/v1/attempts/stream"): (
        "Server-Sent Events: one `attempt` event per delivery attempt of the tenant (of one outlet with"
        " `outletId`) as it is recorded, each with `id:` its number in commit order and a JSON object as"
        " data. Reconnect with `Last-Event-ID` (EventSource does) to get exactly the attempts after it;"
        " without it the stream starts with the next attempt (`after` starts it elsewhere). A comment"
        " every 15 s keeps the connection open. The stream ends when the service stops."
    ),
}


def _example_media(media: OpenAPIMediaType, example: Any) -> None:
    media.example = example


def _ensure_schema(parameter: Parameter) -> None:
    if parameter.schema is None:
        parameter.schema = Schema()


def document(openapi: OpenAPI, operations: list[tuple[str, str, Operation]]) -> None:
    """Add descriptions and examples to ``operations`` of ``openapi``; idempotent."""
    for method, path, operation in operations:
        key = (method, path)
        operation.description = DESCRIPTIONS.get(key, operation.description or operation.summary)
        for parameter in operation.parameters or []:
            if isinstance(parameter, Parameter):
                _ensure_schema(parameter)
                if parameter.example is None and parameter.name in PARAMETER_EXAMPLES:
                    parameter.example = PARAMETER_EXAMPLES[parameter.name]
        body = operation.request_body
        if key in REQUEST_EXAMPLES and body is not None and not isinstance(body, dict):
            for media in (getattr(body, "content", None) or {}).values():
                _example_media(media, REQUEST_EXAMPLES[key])
        for status, response in (operation.responses or {}).items():
            if not isinstance(response, OpenAPIResponse):
                continue
            for header in (response.headers or {}).values():
                # OpenAPI 3.1 wants a schema (or content) on every header; Litestar leaves it out.
                if isinstance(header, OpenAPIHeader) and header.schema is None:
                    header.schema = Schema(type=OpenAPIType.STRING)
            example = RESPONSE_EXAMPLES.get(key) if status.startswith("2") else ERROR_EXAMPLES.get(status)
            for media_type, media in (response.content or {}).items():
                if media_type == "text/event-stream" and not getattr(media.schema, "type", None):
                    media.schema = Schema(type=OpenAPIType.STRING, description="Server-Sent Events")
                if example is not None and media.example is None:
                    _example_media(media, example)
