"""The OpenAPI document, completed with what Litestar cannot infer from the handlers.

- Request bodies of handlers that take the raw bytes (``RawBody``: the dispatch order must stay byte for
  byte): a handler names its body's msgspec type in ``opt={"request_body": Type}`` (or a function of the
  app returning it, for types that depend on the app, such as the registered transformers) and the schema
  is made from that type, the way msgspec itself decodes it.
- Every error answer, with the envelope schema ``{code, isSuccess, message}``: 400 on every operation
  (malformed input can reach any of them), 401 and the ``X-Api-Key`` security scheme where the handler
  needs a caller, 404 where the path names a resource, 409 on writes, 413 where a body is read.
- What the decoders enforce but the generated schemas leave out: ``additionalProperties: false`` for
  bodies that refuse unknown fields, and the rules ``PROPERTY_RULES`` lists (a callback URL's shape, the
  known events), so a generator of schema-valid requests produces requests the service accepts.
- Links between operations (an order's id from a dispatch to the order, a webhook's id from its
  registration to its detail), for stateful API testers such as schemathesis.

Completed once, on the first request for the document (building it costs ~0.2 s, which an app that never
serves ``/schema`` should not pay at start-up).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from typing import Annotated, Any, Union

import msgspec
from litestar import Litestar, Request
from litestar.datastructures import State
from litestar.handlers import HTTPRouteHandler
from litestar.openapi.spec import (
    Components,
    Link,
    OpenAPI,
    OpenAPIMediaType,
    OpenAPIResponse,
    Operation,
    Reference,
    RequestBody,
    Schema,
    SecurityScheme,
)
from litestar.openapi.spec.enums import OpenAPIFormat, OpenAPIType
from litestar.routes import HTTPRoute

from cata_sandbox.api.auth import API_KEY_HEADER
from cata_sandbox.api.openapi import reference as apidoc_reference
from cata_sandbox.api.openapi import webhooks as apidoc_webhooks
from cata_sandbox.fulfilment.states import ALL_STATUSES
from cata_sandbox.schemas import EVENTS, AwareDatetime
from cata_sandbox.transformers import TransformerRegistry
from cata_sandbox.validation import MONEY_LIMIT

ERROR_SCHEMA = "ErrorResponse"
SECURITY_SCHEME = "ApiKey"
REQUEST_BODY_OPT = "request_body"

ERROR_DESCRIPTIONS = {
    "400": "Malformed request or failed validation; the message names the JSON path",
    "401": "Missing, unknown or expired X-Api-Key",
    "404": "No such resource for this tenant",
    "409": "The request conflicts with the resource's state (or an Idempotency-Key's first use)",
    "413": "Request body larger than max_request_bytes",
    "500": "A webhook body the service cannot use, refused with a 5xx so that the POS sends it again",
}
# Operations that answer a 5xx by design (the POS retries a webhook it gets a 5xx for).
RETRY_ME_OPERATIONS = {("post", "/api/v1/inbound/{provider}/order-status")}

URL_RULE: dict[str, Any] = {
    # A subset of what ``callbacks.check_callback_url`` and the transformers' URL settings accept: ASCII
    # host, 4-digit port, plain path. (A regex's ``\s`` differs between JSON Schema and Python.)
    "pattern": r"^https?://[A-Za-z0-9.-]+(:[0-9]{1,4})?(/[A-Za-z0-9._~/-]*)?$",
    "max_length": 2048,
}
# (component, property) -> extra schema keywords (snake_case, as Litestar's Schema spells them).
PROPERTY_RULES: dict[tuple[str, str], dict[str, Any]] = {
    ("WebhookRegistration", "callbackUrl"): URL_RULE,
    ("WebhookUpdate", "callbackUrl"): URL_RULE,
}
# (component, array property) -> the values its items may take.
ITEM_ENUMS: dict[tuple[str, str], list[str]] = {
    ("WebhookRegistration", "events"): sorted(EVENTS),
    ("WebhookUpdate", "events"): sorted(EVENTS),
}

# (source method, source path, status) -> links to (method, path, {parameter: runtime expression}).
LINKS: dict[tuple[str, str, str], list[tuple[str, str, dict[str, str]]]] = {
    ("post", "/api/v1/orders/dispatch", "200"): [
        ("get", "/api/v1/orders/{order_id}", {"order_id": "$response.body#/orderId"}),
        ("post", "/api/v1/orders/{order_id}/redispatch", {"order_id": "$response.body#/orderId"}),
        ("post", "/api/v1/orders/{order_id}/status", {"order_id": "$response.body#/orderId"}),
    ],
    ("post", "/api/v1/webhooks/register", "201"): [
        ("get", "/api/v1/webhooks/{webhook_id}", {"webhook_id": "$response.body#/webhook/id"}),
        ("put", "/api/v1/webhooks/{webhook_id}", {"webhook_id": "$response.body#/webhook/id"}),
        ("post", "/api/v1/webhooks/{webhook_id}/rotate-secret", {"webhook_id": "$response.body#/webhook/id"}),
        ("delete", "/api/v1/webhooks/{webhook_id}", {"webhook_id": "$response.body#/webhook/id"}),
    ],
    ("put", "/api/v1/outlet-providers/{outlet_id}", "200"): [
        ("get", "/api/v1/outlet-providers/{outlet_id}", {"outlet_id": "$request.path.outlet_id"}),
    ],
}


def _operations(app: Litestar, openapi: OpenAPI) -> Iterator[tuple[str, str, HTTPRouteHandler, Operation]]:
    """(method, path, handler, operation) of every documented operation."""
    for route in app.routes:
        if not isinstance(route, HTTPRoute) or openapi.paths is None:
            continue
        item = openapi.paths.get(route.path_format)
        if item is None:
            continue
        for method, (handler, _) in route.route_handler_map.items():
            operation = getattr(item, method.lower(), None)
            if isinstance(operation, Operation):
                yield method.lower(), route.path_format, handler, operation


def _camel_to_snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def _schema(node: Any, names: dict[str, str]) -> Schema | Reference:
    """A Litestar Schema from a JSON Schema node made by msgspec (refs renamed through ``names``)."""
    if "$ref" in node:
        return Reference(ref="#/components/schemas/" + names[node["$ref"].rsplit("/", 1)[1]])
    if node.get("type") == "string" and node.get("format") == "decimal":
        # msgspec decodes a Decimal from the number's text; money is never negative (see validation).
        node = {"type": "number", "minimum": 0, "exclusiveMaximum": int(MONEY_LIMIT)}
    kwargs: dict[str, Any] = {}
    for key, value in node.items():
        if key == "type":
            value = OpenAPIType(value)
        elif key == "format":
            value = OpenAPIFormat(value)
        elif key == "properties":
            value = {name: _schema(child, names) for name, child in value.items()}
        elif key in ("items", "additionalProperties") and isinstance(value, dict):
            value = _schema(value, names)
        elif key in ("anyOf", "oneOf", "allOf"):
            value = [_schema(child, names) for child in value]
        kwargs[_camel_to_snake(key)] = value
    return Schema(**kwargs)


def _body_schema(kind: Any, components: dict[str, Schema]) -> Schema | Reference:
    """The schema of ``kind`` with its named parts added to ``components`` (renamed on a clash)."""
    (root,), parts = msgspec.json.schema_components([kind], ref_template="#/components/schemas/{name}")
    names = {name: name if name not in components else f"Request{name}" for name in parts}
    for name, part in parts.items():
        components[names[name]] = _schema(part, names)  # type: ignore[assignment]
    return _schema(root, names)


def one_of(names: Iterable[str]) -> Any:
    """A string type whose schema (and msgspec validation) admits exactly ``names``."""
    return Annotated[str, msgspec.Meta(pattern="^(" + "|".join(re.escape(n) for n in names) + ")$")]


def _registry(app: Litestar) -> TransformerRegistry:
    services = getattr(app.state, "services", None)
    return services.registry if services is not None else TransformerRegistry.discover()


def _status_update_type(app: Litestar) -> Any:
    return msgspec.defstruct(
        "StatusUpdate",
        [
            ("status", one_of(ALL_STATUSES)),
            ("posOrderId", str | None, None),
            ("timestamp", AwareDatetime | None, None),
            ("reason", str | None, None),
        ],
        kw_only=True,
    )


def _providers(app: Litestar) -> list[str]:
    """The ``providerSlug`` values: the providers with a dispatch script, plus Python plugins."""
    services = getattr(app.state, "services", None)
    if services is not None:
        known: list[str] = services.dispatcher.known_providers()
        return known
    from cata_sandbox.adapters.catalog import BUILTIN_DIR

    scripted = {path.parent.name for path in BUILTIN_DIR.glob("*/order_dispatch.js")} - {"_standard"}
    return sorted(scripted | set(_registry(app).slugs()))


def _outlet_provider_type(app: Litestar) -> Any:
    """One body per provider, told apart by ``providerSlug``: settings the service checks
    (``adapters.settings.SETTINGS_TYPES``) are documented exactly; another script's are any object."""
    from cata_sandbox.adapters.settings import SETTINGS_TYPES

    kinds = [
        msgspec.defstruct(
            f"OutletProviderInput_{slug}",
            [("settings", SETTINGS_TYPES.get(slug, dict[str, Any])), ("externalId", str, "")],
            kw_only=True,
            forbid_unknown_fields=True,
            tag_field="providerSlug",
            tag=slug,
        )
        for slug in _providers(app)
    ]
    return Union[tuple(kinds)] if len(kinds) > 1 else kinds[0]  # noqa: UP007 - built at run time


# Bodies of RawBody handlers that do not name theirs in ``opt`` (a handler's own ``opt`` wins).
FALLBACK_BODIES: dict[tuple[str, str], Callable[[Litestar], Any]] = {
    ("post", "/api/v1/orders/{order_id}/status"): _status_update_type,
    ("put", "/api/v1/outlet-providers/{outlet_id}"): _outlet_provider_type,
}


def _body_type(app: Litestar, method: str, path: str, handler: HTTPRouteHandler) -> Any:
    declared: type | Callable[[Litestar], Any] | None = handler.opt.get(REQUEST_BODY_OPT)
    if declared is None:
        declared = FALLBACK_BODIES.get((method, path))
    if declared is None or isinstance(declared, type):
        return declared
    return declared(app)


def _string_schemas(schema: Schema | Reference) -> Iterator[Schema]:
    """The schema itself, or its non-null alternatives (``str | None`` is a ``oneOf`` with null)."""
    if isinstance(schema, Schema):
        if schema.any_of or schema.one_of:
            for option in schema.any_of or schema.one_of or []:
                yield from _string_schemas(option)
        elif schema.type != OpenAPIType.NULL:
            yield schema


def _apply_rules(schemas: dict[str, Schema], strict_bodies: set[str]) -> None:
    for name in strict_bodies:
        if name in schemas:
            schemas[name].additional_properties = False
    for (component, prop), rule in PROPERTY_RULES.items():
        found = schemas.get(component)
        if found is not None and found.properties and prop in found.properties:
            for target in _string_schemas(found.properties[prop]):
                for key, value in rule.items():
                    setattr(target, key, value)
    for (component, prop), values in ITEM_ENUMS.items():
        found = schemas.get(component)
        if found is not None and found.properties and prop in found.properties:
            for target in _string_schemas(found.properties[prop]):
                if isinstance(target.items, Schema):
                    target.items.enum = list(values)


def _strict_body(handler: HTTPRouteHandler) -> str | None:
    """The component name of a body (``data``, or declared in ``opt``) whose Struct forbids unknown fields."""
    data = handler.parsed_fn_signature.parameters.get("data")
    body = data.annotation if data is not None else handler.opt.get(REQUEST_BODY_OPT)
    config = getattr(body, "__struct_config__", None)
    if config is not None and config.forbid_unknown_fields:
        return str(body.__name__)  # type: ignore[union-attr]
    return None


def _error_response(status: str) -> OpenAPIResponse:
    return OpenAPIResponse(
        description=ERROR_DESCRIPTIONS[status],
        content={
            "application/json": OpenAPIMediaType(schema=Reference(ref=f"#/components/schemas/{ERROR_SCHEMA}"))
        },
    )


def _error_statuses(method: str, path: str, handler: HTTPRouteHandler) -> list[str]:
    statuses = ["400"]
    if "caller" in handler.parsed_fn_signature.parameters:
        statuses.append("401")
    if "{" in path:
        statuses.append("404")
    if method in ("post", "put", "patch", "delete"):
        statuses.append("409")
    if method in ("post", "put", "patch"):
        statuses.append("413")
    if (method, path) in RETRY_ME_OPERATIONS:
        statuses.append("500")
    return statuses


def complete_openapi(app: Litestar) -> OpenAPI:
    """Add request bodies, error answers, security and links to ``app``'s document; idempotent."""
    openapi = app.openapi_schema
    if openapi.components is None or isinstance(openapi.components, list):
        openapi.components = Components()
    components = openapi.components
    schemas: dict[str, Schema] = dict(components.schemas or {})
    if ERROR_SCHEMA in schemas:
        return openapi
    schemas[ERROR_SCHEMA] = Schema(
        type=OpenAPIType.OBJECT,
        required=["code", "isSuccess", "message"],
        properties={
            "code": Schema(type=OpenAPIType.INTEGER),
            "isSuccess": Schema(type=OpenAPIType.BOOLEAN, const=False),
            "message": Schema(type=OpenAPIType.STRING),
        },
        description="Every error answer: the HTTP status, false, and what is wrong",
    )
    components.security_schemes = {
        **(components.security_schemes or {}),
        SECURITY_SCHEME: SecurityScheme(type="apiKey", name=API_KEY_HEADER, security_scheme_in="header"),
    }
    operation_ids: dict[tuple[str, str], str] = {}
    strict_bodies: set[str] = set()
    for method, path, handler, operation in _operations(app, openapi):
        if (strict := _strict_body(handler)) is not None:
            strict_bodies.add(strict)
        if operation.operation_id:
            operation_ids[(method, path)] = operation.operation_id
        body_type = _body_type(app, method, path, handler)
        if body_type is not None and operation.request_body is None:
            operation.request_body = RequestBody(
                content={"application/json": OpenAPIMediaType(schema=_body_schema(body_type, schemas))},
                required=True,
            )
        responses = operation.responses if operation.responses is not None else {}
        for status in _error_statuses(method, path, handler):
            responses[status] = _error_response(status)
        operation.responses = responses
        if "401" in responses:
            operation.security = [{SECURITY_SCHEME: []}]
    for method, path, _, operation in _operations(app, openapi):
        for status, response in (operation.responses or {}).items():
            targets = LINKS.get((method, path, status), [])
            links = {
                operation_ids[(target_method, target_path)]: Link(
                    operation_id=operation_ids[(target_method, target_path)], parameters=dict(parameters)
                )
                for target_method, target_path, parameters in targets
                if (target_method, target_path) in operation_ids
            }
            if links and isinstance(response, OpenAPIResponse):
                response.links = {**(response.links or {}), **links}
    _apply_rules(schemas, strict_bodies)
    components.schemas = schemas
    apidoc_reference.document(openapi, [(m, p, op) for m, p, _, op in _operations(app, openapi)])
    apidoc_webhooks.add_webhooks(openapi)
    return openapi


async def complete_before_serving(request: Request[object, object, State]) -> None:
    """``before_request`` hook of the ``/schema`` router: complete the document before it is rendered."""
    complete_openapi(request.app)
