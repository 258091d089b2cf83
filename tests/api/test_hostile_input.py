"""Hostile input: oversized, deeply nested, huge-numbered, non-UTF-8, NUL-laden and mislabelled requests.

Each is answered 4xx with the envelope and a message saying what is wrong, never 5xx; nothing is stored;
and the service still answers ``/health`` at once afterwards (no stuck worker). On SQLite and PostgreSQL.
"""

from __future__ import annotations

import copy
import socket
import time
from collections.abc import Iterator
from contextlib import ExitStack
from typing import Any

import httpx
import msgspec
import pytest

from cata_sandbox.partner.up import revel_settings
from mock_pos.client import entry_body
from tests.support import ORDER, MockPos, Sandbox, connect_receiver, envelope, pg, start_sandbox, stop_sandbox

ORDER_BYTES = msgspec.json.encode(ORDER)
MIB = 1024 * 1024


def with_order(**changes: Any) -> bytes:
    return msgspec.json.encode({**ORDER, **changes})


def order_with_number(field: str, number: bytes) -> bytes:
    """The order with ``number`` written verbatim as ``field`` (an item field for quantity/unitPrice)."""
    order = copy.deepcopy(ORDER)
    target = order["items"][0] if field in ("quantity", "unitPrice") else order
    target[field] = "__NUMBER__"
    return msgspec.json.encode(order).replace(b'"__NUMBER__"', number)


def nested(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


def assert_rejected(response: httpx.Response, status: int, *fragments: str) -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["code"] == status
    assert body["isSuccess"] is False
    for fragment in fragments:
        assert fragment in body["message"], body["message"]


def stored(sandbox: Sandbox) -> tuple[int, int]:
    """(orders, webhooks) of the tenant."""
    return sandbox.orders()["total"], len(sandbox.client.get("/api/v1/webhooks").json()["webhooks"])


def assert_nothing_stored(sandbox: Sandbox) -> None:
    assert stored(sandbox) == BASELINE[sandbox.url]


BASELINE: dict[str, tuple[int, int]] = {}


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def running(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sandbox]:
    """One service per database for the whole module: these tests only add rows they account for."""
    with ExitStack() as stack:
        if request.param == "sqlite":
            url = f"sqlite:///{tmp_path_factory.mktemp('hostile') / 'sandbox.db'}"
        else:
            admin_url = pg.server_url()
            if admin_url is None:
                pytest.skip(pg.SKIP_MESSAGE)
            url = stack.enter_context(pg.fresh_database(admin_url))
        sandbox = start_sandbox(url)
        stack.callback(stop_sandbox, sandbox)
        yield sandbox


@pytest.fixture
def service(running: Sandbox) -> Iterator[Sandbox]:
    """The service, checked afterwards to answer /health promptly: no hostile request left it stuck."""
    BASELINE[running.url] = stored(running)
    yield running
    started = time.monotonic()
    health = httpx.get(f"{running.url}/health", timeout=2)
    assert health.status_code == 200
    assert time.monotonic() - started < 1.0


# --- size ----------------------------------------------------------------------------------------


def test_a_body_over_the_limit_is_413_with_the_envelope(service: Sandbox) -> None:
    response = service.dispatch(b'{"outletId":"' + b"x" * (2 * MIB) + b'"}')

    assert_rejected(response, 413, "larger than 1048576 bytes", "CATA_MAX_REQUEST_BYTES")
    assert_nothing_stored(service)


def test_a_chunked_body_without_content_length_is_cut_off_at_the_limit(service: Sandbox) -> None:
    sent: list[int] = []

    def chunks() -> Iterator[bytes]:
        for _ in range(64):  # 4 MiB in 64 KiB chunks, no Content-Length
            sent.append(1)
            yield b" " * 65536

    response = service.client.post("/api/v1/orders/dispatch", content=chunks())

    assert "content-length" not in response.request.headers
    assert_rejected(response, 413, "larger than 1048576 bytes")
    assert_nothing_stored(service)


def test_a_body_just_under_the_limit_is_decoded(service: Sandbox) -> None:
    order = msgspec.json.encode({**ORDER, "notes": "n" * (MIB - 1024)})

    response = service.dispatch(envelope("o-big", order))

    assert response.status_code == 200, response.text
    assert service.order(response.json()["orderId"])["order"] == msgspec.json.decode(order)


def test_register_and_other_json_endpoints_have_the_same_limit(service: Sandbox) -> None:
    response = service.client.post(
        "/api/v1/webhooks/register",
        content=b'{"outletId":"o","callbackUrl":"http://127.0.0.1:9/' + b"p" * (2 * MIB) + b'"}',
    )

    assert_rejected(response, 413, "larger than")


# --- structure ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/v1/orders/dispatch", envelope("o-1", nested(100_000))),
        ("/api/v1/orders/dispatch", b'{"junk":' + nested(100_000) + b"}"),
        (
            "/api/v1/orders/dispatch",
            envelope("o-1", ORDER_BYTES[:-1] + b',"extra":' + nested(100_000) + b"}"),
        ),
        (
            "/api/v1/orders/dispatch",
            envelope("o-1", ORDER_BYTES[:-1] + b',"deep":' + b'{"a":' * 50_000 + b"1" + b"}" * 50_001),
        ),
    ],
    ids=["order-is-arrays", "envelope-field", "unknown-order-field", "nested-objects"],
)
def test_deeply_nested_json_is_400(service: Sandbox, path: str, body: bytes) -> None:
    response = service.client.post(path, content=body)

    assert_rejected(response, 400, "nested too deeply")
    assert_nothing_stored(service)


def test_deeply_nested_registration_is_400_at_the_first_wrong_type(service: Sandbox) -> None:
    """A typed decoder stops where the nesting starts: no field of a registration holds an array of arrays."""
    response = service.client.post(
        "/api/v1/webhooks/register", content=b'{"outletId":' + nested(100_000) + b"}"
    )

    assert_rejected(response, 400, "invalid webhook registration: ")
    assert response.json()["message"].endswith(" - at `$.outletId`")
    assert_nothing_stored(service)


# --- numbers --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "number", "fragment"),
    [
        ("totalPay", b"1e999999999", "at `$.order.totalPay`"),
        ("totalPay", b"9" * 100_000, "at `$.order.totalPay`"),
        ("totalPay", b"1e15", "Expected `number` < 1e15 - at `$.order.totalPay`"),
        ("tip", b"-1e999999999", "at `$.order.tip`"),
        ("quantity", b"9" * 100_000, "at `$.order.items[0].quantity`"),
        ("unitPrice", b"1" + b"0" * 5000, "at `$.order.items[0].unitPrice`"),
    ],
    ids=[
        "exponent",
        "100k-digit-money",
        "at-the-cap",
        "negative-exponent",
        "100k-digit-int",
        "5k-digit-price",
    ],
)
def test_huge_numbers_in_the_order_are_400(
    service: Sandbox, field: str, number: bytes, fragment: str
) -> None:
    response = service.dispatch(envelope("o-1", order_with_number(field, number)))

    assert_rejected(response, 400, fragment)
    assert_nothing_stored(service)


def test_huge_numbers_in_unknown_fields_are_forwarded_untouched(service: Sandbox, mock_pos: MockPos) -> None:
    connect_receiver(service, mock_pos, "o-forward", "r1")
    order = ORDER_BYTES[:-1] + b',"vendorData":{"big":1e999999999,"long":' + b"7" * 20_000 + b"}}"

    response = service.dispatch(envelope("o-forward", order))

    assert response.status_code == 200, response.text
    assert response.json()["dispatched"] is True
    (delivery,) = mock_pos.journal("r1")
    assert entry_body(delivery) == order


def test_huge_numbers_in_query_and_path_parameters_are_4xx(service: Sandbox) -> None:
    assert_rejected(service.client.get("/api/v1/orders", params={"limit": "9" * 5000}), 400, "limit")
    assert_rejected(service.client.get("/api/v1/orders", params={"offset": "-1"}), 400, "offset")
    assert_rejected(service.client.get("/api/v1/orders", params={"offset": str(2**64)}), 400, "offset")
    assert service.client.get("/api/v1/webhooks/" + "9" * 5000).status_code in (400, 404)
    assert_rejected(service.client.get(f"/api/v1/webhooks/{2**64}"), 400, "webhook_id")
    assert_rejected(service.client.delete(f"/api/v1/webhooks/{2**63}"), 400, "webhook_id")


# --- encodings and NUL ----------------------------------------------------------------------------


NOT_UTF8 = [
    (
        "POST",
        "/api/v1/orders/dispatch",
        envelope("oX-1", ORDER_BYTES).replace(b"oX-1", b"o\xff-1"),
        "$.outletId",
    ),
    (
        "POST",
        "/api/v1/orders/dispatch",
        envelope("o-1", ORDER_BYTES.replace(b"extra hot", b"extra \xfe\xff")),
        "$.order.items[0].notes",
    ),
    (
        "POST",
        "/api/v1/orders/dispatch",
        envelope("o-1", ORDER_BYTES.replace(b"Flat White", b"Flat \xed\xa0\x80")),
        "$.order.items[0].name",
    ),
    (
        "POST",
        "/api/v1/webhooks/register",
        b'{"outletId":"\xff","callbackUrl":"http://127.0.0.1:9/"}',
        "$.outletId",
    ),
    ("PUT", "/api/v1/webhooks/1", b'{"callbackUrl":"http://127.0.0.1:9/\xc3"}', "$.callbackUrl"),
    ("POST", "/api/v1/orders/some-order/status", b'{"status":"ACCEPTED","reason":"\xe2\x82"}', "$.reason"),
    (
        "PUT",
        "/api/v1/outlet-providers/o-1",
        b'{"providerSlug":"revel","settings":{"apiKey":"k\xa0ey"}}',
        "$.settings.apiKey",
    ),
    (
        "POST",
        "/api/v1/inbound/revel/order-status",
        b'{"orderInfo":{"id":1,"note":"\x80"}}',
        "$.orderInfo.note",
    ),
]


@pytest.mark.parametrize(
    ("method", "path", "body", "json_path"),
    NOT_UTF8,
    ids=[
        "envelope-string",
        "order-string",
        "surrogate",
        "register",
        "update",
        "status",
        "outlet-provider",
        "inbound",
    ],
)
def test_bodies_that_are_not_utf8_get_the_services_own_message_everywhere(
    service: Sandbox, method: str, path: str, body: bytes, json_path: str
) -> None:
    with pytest.raises(UnicodeDecodeError) as undecodable:
        body.decode("utf-8")
    first_bad = undecodable.value.start

    response = service.client.request(method, path, content=body)

    assert_rejected(response, 400)
    assert response.json()["message"] == (
        f"request body is not valid UTF-8: invalid byte at offset {first_bad} - at `{json_path}`"
    )
    assert_nothing_stored(service)


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ("\ufeff".encode() + envelope("o-1", ORDER_BYTES), "malformed JSON: "),
        # UTF-16 puts a NUL byte beside every ASCII character.
        (
            envelope("o-1", ORDER_BYTES).decode().encode("utf-16"),
            "request body contains a NUL byte at offset ",
        ),
    ],
    ids=["bom", "utf-16"],
)
def test_other_encodings_are_400(service: Sandbox, body: bytes, fragment: str) -> None:
    response = service.client.post("/api/v1/orders/dispatch", content=body)

    assert_rejected(response, 400)
    assert response.json()["message"].startswith(fragment)
    assert_nothing_stored(service)


@pytest.mark.parametrize(
    ("path", "body", "fragment"),
    [
        (
            "/api/v1/orders/dispatch",
            envelope("o-1", ORDER_BYTES).replace(b'"o-1"', b'"o\x00-1"'),
            "NUL byte at offset",
        ),
        ("/api/v1/orders/dispatch", envelope("o\x00-1", ORDER_BYTES), "NUL character"),
        ("/api/v1/orders/dispatch", envelope("o-1", with_order(orderRefNo="R\x00")), "NUL character"),
        ("/api/v1/orders/dispatch", envelope("o-1", with_order(notes="a\x00b")), "NUL character"),
        (
            "/api/v1/webhooks/register",
            msgspec.json.encode({"outletId": "o\x00", "callbackUrl": "http://127.0.0.1:9/"}),
            "NUL character",
        ),
        (
            "/api/v1/webhooks/register",
            msgspec.json.encode({"outletId": "o", "provider": "\x00", "callbackUrl": "http://127.0.0.1:9/"}),
            "NUL character",
        ),
        (
            "/api/v1/webhooks/register",
            msgspec.json.encode({"outletId": "o", "callbackUrl": "http://127.0.0.1:9/\x00"}),
            "NUL character",
        ),
    ],
    ids=[
        "raw-byte",
        "outlet",
        "order-ref",
        "order-notes",
        "register-outlet",
        "register-provider",
        "register-url",
    ],
)
def test_nul_characters_in_bodies_are_400(service: Sandbox, path: str, body: bytes, fragment: str) -> None:
    response = service.client.post(path, content=body)

    assert_rejected(response, 400, fragment)
    assert_nothing_stored(service)


def test_an_escaped_backslash_before_u0000_is_text_not_nul(service: Sandbox) -> None:
    order = with_order(notes="C:\\u0000 is a path, not a NUL")
    assert b"\\\\u0000" in order

    response = service.dispatch(envelope("o-1", order))

    assert response.status_code == 200, response.text
    stored = service.order(response.json()["orderId"])
    assert stored["order"]["notes"] == "C:\\u0000 is a path, not a NUL"


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/orders/a%00b",
        "/api/v1/orders?outletId=a%00b",
        "/api/v1/webhooks?outletId=%00",
        "/api/v1/outlet-providers/o%00",
    ],
)
def test_nul_characters_in_paths_and_queries_are_400(service: Sandbox, url: str) -> None:
    assert_rejected(service.client.get(url), 400, "NUL character (%00)")


def test_long_identifiers_are_400_on_every_database(service: Sandbox) -> None:
    too_long = "o" * 201

    assert_rejected(service.dispatch(envelope(too_long, ORDER_BYTES)), 400, "$.outletId")
    assert_rejected(
        service.client.post(
            "/api/v1/webhooks/register", json={"outletId": too_long, "callbackUrl": "http://127.0.0.1:9/"}
        ),
        400,
        "outletId",
    )
    assert_rejected(
        service.client.post(
            "/api/v1/webhooks/register",
            json={"outletId": "o", "provider": "p" * 51, "callbackUrl": "http://127.0.0.1:9/"},
        ),
        400,
        "provider",
    )
    assert_nothing_stored(service)


# --- content types --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/x-www-form-urlencoded", "", "application/xml", "image/png"]
)
def test_dispatch_decodes_a_json_body_whatever_the_content_type_says(
    service: Sandbox, content_type: str
) -> None:
    response = service.client.post(
        "/api/v1/orders/dispatch",
        content=envelope("o-1", ORDER_BYTES),
        headers={"Content-Type": content_type},
    )

    assert response.status_code == 200, response.text
    assert stored(service)[0] == BASELINE[service.url][0] + 1


@pytest.mark.parametrize(
    ("path", "request_kwargs"),
    [
        ("/api/v1/orders/dispatch", {"data": {"outletId": "o-1", "event": "order.paid"}}),
        ("/api/v1/orders/dispatch", {"files": {"order": ("o.json", ORDER_BYTES, "application/json")}}),
        ("/api/v1/orders/dispatch", {"content": b""}),
        ("/api/v1/webhooks/register", {"data": {"outletId": "o-1", "callbackUrl": "http://127.0.0.1:9/"}}),
        ("/api/v1/webhooks/register", {"content": b"<xml/>", "headers": {"Content-Type": "application/xml"}}),
    ],
    ids=["dispatch-form", "dispatch-multipart", "dispatch-empty", "register-form", "register-xml"],
)
def test_bodies_that_are_not_json_are_400(
    service: Sandbox, path: str, request_kwargs: dict[str, Any]
) -> None:
    response = service.client.post(path, **request_kwargs)

    assert_rejected(response, 400)
    assert response.json()["message"]
    assert_nothing_stored(service)


# --- connections ----------------------------------------------------------------------------------


def test_a_client_that_stalls_mid_body_does_not_hold_up_others(service: Sandbox) -> None:
    host, port = service.server.host, service.server.port
    with socket.create_connection((host, port), timeout=5) as stalled:
        stalled.sendall(
            b"POST /api/v1/orders/dispatch HTTP/1.1\r\nHost: x\r\nX-Api-Key: k\r\n"
            b"Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n" + b'{"outletId":"'
        )
        started = time.monotonic()
        for _ in range(5):
            assert httpx.get(f"{service.url}/health", timeout=2).status_code == 200
        assert time.monotonic() - started < 2.0
        dispatched = service.dispatch(envelope("o-1", ORDER_BYTES))
        assert dispatched.status_code == 200, dispatched.text


def test_a_huge_plu_on_the_revel_path_fails_the_dispatch_without_calling_revel(
    service: Sandbox, mock_pos: MockPos
) -> None:
    response = service.client.put(
        "/api/v1/outlet-providers/o-revel",
        json={
            "providerSlug": "revel",
            "settings": revel_settings(mock_pos.url),
        },
    )
    assert response.status_code == 200, response.text
    order = copy.deepcopy(ORDER)
    order["items"][0]["plu"] = "9" * 5000

    dispatched = service.dispatch(envelope("o-revel", msgspec.json.encode(order), builtInTransformer="revel"))

    assert dispatched.status_code == 200, dispatched.text
    assert dispatched.json()["dispatched"] is False
    assert dispatched.json()["reason"]
    assert mock_pos.journal("revel") == []


# --- the OpenAPI document that schemathesis fuzzes (nox -s fuzz) -----------------------------------


def test_the_openapi_document_describes_the_dispatch_body_and_every_error(service: Sandbox) -> None:
    document = httpx.get(f"{service.url}/schema/openapi.json").json()
    error = {"$ref": "#/components/schemas/ErrorResponse"}
    dispatch = document["paths"]["/api/v1/orders/dispatch"]["post"]

    assert dispatch["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/DispatchRequest"
    }
    request = document["components"]["schemas"]["DispatchRequest"]
    assert request["required"] == ["outletId", "event", "order"]
    assert request["properties"]["order"] == {"$ref": "#/components/schemas/Order"}
    assert document["components"]["schemas"]["Order"]["properties"]["totalPay"]["type"] == "number"
    assert {p["name"] for p in dispatch["parameters"]} == {"Idempotency-Key"}
    for status in ("400", "401", "409", "413"):
        assert dispatch["responses"][status]["content"]["application/json"]["schema"] == error
    assert dispatch["security"] == [{"ApiKey": []}]
    assert document["components"]["securitySchemes"]["ApiKey"] == {
        "type": "apiKey",
        "name": "X-Api-Key",
        "in": "header",
    }
    for path, item in document["paths"].items():
        for method, operation in item.items():
            responses = operation["responses"]
            assert responses["400"]["content"]["application/json"]["schema"] == error, (method, path)
            if "{" in path:
                assert "404" in responses, (method, path)
            if "security" in operation:
                assert responses["401"]["content"]["application/json"]["schema"] == error, (method, path)
    assert "/health" in document["paths"]
    assert "security" not in document["paths"]["/health"]["get"]
    links = dispatch["responses"]["200"]["links"]
    assert any(link["parameters"] == {"order_id": "$response.body#/orderId"} for link in links.values())
