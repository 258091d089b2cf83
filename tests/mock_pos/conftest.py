"""Fixtures for the mock_pos tests: a fresh mock on a real loopback port, a client, admin helpers, carts.

Helpers are fixtures (not importable functions) because the test directories are not packages.
"""

from __future__ import annotations

import asyncio
import copy
from collections.abc import AsyncIterator, Callable, Iterator
from decimal import Decimal
from typing import Any

import httpx
import msgspec
import pytest
from litestar import Litestar
from litestar.types import Receive, Scope, Send

from mock_pos import ServerThread, create_mock_pos
from mock_pos.client import MockAdmin

WELL_FORMED_CART: dict[str, Any] = {
    "skin": "weborder",
    "establishmentId": 1,
    "customMenuInfo": {"mode": 0, "name": ""},
    "items": [
        {
            "product": 101,
            "quantity": 2,
            "price": Decimal("12.50"),
            "special_request": "well done",
            "modifieritems": [
                {
                    "modifier": 201,
                    "product_id": 201,
                    "modifier_price": Decimal("1.50"),
                    "qty": 1,
                    "qty_type": 0,
                    "mod_type": 0,
                }
            ],
        },
        {"product": 103, "quantity": 1, "price": Decimal("3.20"), "special_request": ""},
    ],
    "orderInfo": {
        "dining_option": 2,
        "asap": True,
        "notes": "",
        "call_name": "ORD-1001",
        "customer": {"first_name": "Dan", "last_name": "Smith", "phone": "4155555555"},
    },
    "paymentInfo": {"type": 7, "amount": Decimal("31.20"), "tip": Decimal("0.00"), "transaction_id": "tx-1"},
}

_EXACT = msgspec.json.Encoder(decimal_format="number")
_TLS = httpx.create_ssl_context()  # shared: building one per client costs ~30 ms (the tests use plain http)


@pytest.fixture
def make_cart() -> Callable[..., dict[str, Any]]:
    """A fresh well-formed cart for the default catalogue (Decimal prices), with top-level overrides."""

    def build(**overrides: Any) -> dict[str, Any]:
        cart = copy.deepcopy(WELL_FORMED_CART)
        cart.update(overrides)
        return cart

    return build


@pytest.fixture
def encode() -> Callable[[Any], bytes]:
    """JSON with every ``Decimal`` written as a number of its exact text (``Decimal("12.50")`` → ``12.50``)."""
    return _EXACT.encode


class FreshAppPerTest:
    """An ASGI app that forwards to whichever mock_pos app the current test installed.

    Why: stopping a uvicorn server costs ~0.2 s of fixed sleeps, which over a hundred tests is most of
    the suite's runtime. One loopback server for the session, with a brand-new mock app (fresh state,
    counters from 1) per test, keeps the tests isolated and fast. The forwarded apps need no lifespan.
    """

    def __init__(self) -> None:
        self.app: Litestar | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            while (message := await receive())["type"] != "lifespan.shutdown":
                assert message["type"] == "lifespan.startup"
                await send({"type": "lifespan.startup.complete"})
            await send({"type": "lifespan.shutdown.complete"})
            return
        assert self.app is not None, "no mock app installed"
        await self.app(scope, receive, send)


@pytest.fixture(scope="session")
def shared_server() -> Iterator[tuple[ServerThread, FreshAppPerTest]]:
    """One loopback server for the whole session (see :class:`FreshAppPerTest`)."""
    switch = FreshAppPerTest()
    with ServerThread(switch) as server:
        yield server, switch


@pytest.fixture
def mock_server(shared_server: tuple[ServerThread, FreshAppPerTest]) -> ServerThread:
    """A fresh mock_pos app on a real loopback port."""
    server, switch = shared_server
    switch.app = create_mock_pos()
    return server


@pytest.fixture(scope="session")
def mock_admin(shared_server: tuple[ServerThread, FreshAppPerTest]) -> Iterator[MockAdmin]:
    """mock_pos's own admin client (``mock_pos.client``), one for the session like the server."""
    server, _ = shared_server
    with MockAdmin(server.url, timeout=5.0) as admin:
        yield admin


@pytest.fixture
async def client(mock_server: ServerThread) -> AsyncIterator[httpx.AsyncClient]:
    """A plain httpx client against the mock."""
    async with httpx.AsyncClient(base_url=mock_server.url, timeout=5.0, verify=_TLS) as http:
        yield http


class Recorder:
    """A tiny ASGI app that records each request and answers ``status`` with ``body`` (a probe/webhook target)."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.status = 200
        self.body = b'{"seen":true}'

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            while (message := await receive())["type"] != "lifespan.shutdown":
                await send({"type": "lifespan.startup.complete"})
            await send({"type": "lifespan.shutdown.complete"})
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body", False):
                break
        headers = {name.decode().lower(): value.decode() for name, value in scope["headers"]}
        self.requests.append(
            {"method": scope["method"], "path": scope["path"], "headers": headers, "body": body}
        )
        answer = self.body.replace(b"{count}", str(len(self.requests)).encode())
        await send(
            {
                "type": "http.response.start",
                "status": self.status,
                "headers": [(b"content-type", b"application/json")],
            }
        )
        await send({"type": "http.response.body", "body": answer})


@pytest.fixture(scope="session")
def recording_server() -> Iterator[tuple[ServerThread, list[Recorder]]]:
    """A second loopback server (for probes and finalize webhooks); the recorder is swapped per test."""
    current = [Recorder()]

    async def forward(scope: Scope, receive: Receive, send: Send) -> None:
        await current[0](scope, receive, send)

    with ServerThread(forward) as server:
        yield server, current


@pytest.fixture
def recorder(recording_server: tuple[ServerThread, list[Recorder]]) -> tuple[str, Recorder]:
    """``(base_url, recorder)`` of a fresh recorder on the second server."""
    server, current = recording_server
    current[0] = Recorder()
    return server.url, current[0]


class Admin:
    """The admin client (:class:`MockAdmin`, off the event loop) and a Revel submit with its credentials.

    Each admin call raises :class:`mock_pos.client.MockAdminError` unless it succeeds.
    """

    revel_headers = {"API-AUTHENTICATION": "sandbox-key:sandbox-secret", "Content-Type": "text/plain"}
    submit_path = "/revel/specialresources/cart/submit/"

    def __init__(self, http: httpx.AsyncClient, mock: MockAdmin) -> None:
        self.http = http
        self.mock = mock

    async def fault(self, **spec: Any) -> dict[str, Any]:
        return await asyncio.to_thread(self.mock.add_fault, spec)

    async def faults(self) -> list[dict[str, Any]]:
        return await asyncio.to_thread(self.mock.faults)

    async def journal(self, target: str | None = None) -> list[dict[str, Any]]:
        return await asyncio.to_thread(self.mock.journal, target)

    async def receiver(self, name: str, **config: Any) -> None:
        secret = config.pop("secret", None)
        await asyncio.to_thread(self.mock.configure_receiver, name, secret, **config)

    async def submit(self, body: bytes, **headers: str) -> httpx.Response:
        """POST a cart to mock Revel with the default credentials (override headers by keyword)."""
        sent = {**self.revel_headers, **{name.replace("_", "-"): value for name, value in headers.items()}}
        return await self.http.post(self.submit_path, content=body, headers=sent)


@pytest.fixture
def admin(client: httpx.AsyncClient, mock_admin: MockAdmin) -> Admin:
    """Admin API helpers bound to the test's client."""
    return Admin(client, mock_admin)


# --- mock Lightspeed and mock Atlas Kitchen (issue 17) ---------------------------------------------

LIGHTSPEED_ORDER: dict[str, Any] = {
    "businessLocationId": 45454565682155,
    "thirdPartyReference": "cata-ord-0001",
    "endpointId": "CATA-WEBHOOK",
    "customerInfo": {"firstName": "Jane", "lastName": "Doe", "email": "jane.doe@example.com"},
    "orderNote": "Ring the bell",
    "items": [
        {
            "sku": "BURGER-01",
            "quantity": 1,
            "modifiers": [{"modifierId": "236025632784492"}],
            "subItems": [{"sku": "CHEESE-01", "quantity": 1}],
        },
        {"sku": "FRIES-01", "quantity": 2},
    ],
    "payment": {
        "paymentMethod": "OOPAYMENT",
        "paymentAmount": Decimal("21.10"),
        "tipAmount": Decimal("2.00"),
    },
}


async def poll_until(check: Callable[[], Any], *, within: float = 5.0) -> Any:
    """Poll ``check`` (sync or async) until it returns something truthy, or fail after ``within`` seconds."""
    import asyncio
    import inspect

    deadline = asyncio.get_running_loop().time() + within
    while True:
        found = check()
        if inspect.isawaitable(found):
            found = await found
        if found:
            return found
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"nothing within {within}s")
        await asyncio.sleep(0.02)


@pytest.fixture
def poll() -> Callable[..., Any]:
    """``await poll(check, within=5.0)``: poll with a deadline (never a fixed sleep)."""
    return poll_until


class Lightspeed:
    """Helpers for mock Lightspeed: a token, a registered endpoint, orders POSTed with the bearer token."""

    base = "/lightspeed"

    def __init__(self, http: httpx.AsyncClient, mock: MockAdmin, notify_url: str) -> None:
        self.http = http
        self.mock = mock
        self.notify_url = notify_url
        self.token = ""
        self.refresh = ""

    def order(self, **overrides: Any) -> dict[str, Any]:
        body = copy.deepcopy(LIGHTSPEED_ORDER)
        body.update(overrides)
        return body

    async def oauth(self, **form: str) -> httpx.Response:
        sent = {"client_id": "sandbox-client", "client_secret": "sandbox-client-secret", **form}
        return await self.http.post(f"{self.base}/oauth/token", data=sent)

    async def login(self) -> dict[str, Any]:
        code = await asyncio.to_thread(self.mock.lightspeed_authorization_code)
        response = await self.oauth(grant_type="authorization_code", code=code, scope="orders-api")
        assert response.status_code == 200, response.text
        tokens: dict[str, Any] = response.json()
        self.token, self.refresh = tokens["access_token"], tokens["refresh_token"]
        return tokens

    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    async def register(self, endpoint_id: str = "CATA-WEBHOOK", **extra: Any) -> httpx.Response:
        body = {"endpointId": endpoint_id, "url": self.notify_url, **extra}
        return await self.http.put(f"{self.base}/o/wh/1/webhook", json=body, headers=self.auth())

    async def place(self, body: Any, kind: str = "toGo", **headers: str) -> httpx.Response:
        content = body if isinstance(body, bytes) else _EXACT.encode(body)
        sent = {**self.auth(), "Content-Type": "application/json", **headers}
        return await self.http.post(f"{self.base}/o/op/1/order/{kind}", content=content, headers=sent)

    async def orders(self) -> list[dict[str, Any]]:
        return await asyncio.to_thread(self.mock.lightspeed_orders)


@pytest.fixture
async def lightspeed(
    client: httpx.AsyncClient, mock_admin: MockAdmin, recorder: tuple[str, Recorder]
) -> AsyncIterator[Lightspeed]:
    """Logged in, with ``CATA-WEBHOOK`` registered to the recorder's ``/ls-notify``.

    On teardown the mock is reset, which cancels notifications still pending, so none lands in the next
    test's recorder (the recording server is shared).
    """
    url, _ = recorder
    helper = Lightspeed(client, mock_admin, f"{url}/ls-notify")
    await helper.login()
    registered = await helper.register()
    assert registered.status_code == 200, registered.text
    yield helper
    await asyncio.to_thread(mock_admin.reset)


ATLAS_ORDER: dict[str, Any] = {
    "fulfilment_type": "delivery",
    "serving_date": "2025-04-03",
    "timeslot_start": 54000,
    "timeslot_end": 55800,
    "timeslot_type": "asap",
    "contact_name": "John",
    "contact_number": "80000001",
    "postal_code": "038988",
    "address_line1": "8 Temasek Boulevard",
    "external_order_id": "CATA8F2C91",
    "notes": "Leave at the door",
    "order_items": [
        {
            "item_id": 381,
            "quantity": 1,
            "price_cents": 1500,
            "notes": "less spicy",
            "sub_items": [{"item_id": 496, "quantity": 1, "price_cents": 0}],
        },
        {"item_id": 480, "quantity": 2, "price_cents": 500},
    ],
}


class Atlas:
    """Helpers for mock Atlas Kitchen: orders POSTed with the default credentials."""

    headers = {"X-Api-Key": "sandbox-atlas-key", "X-Merchant-Id": "sandbox-merchant"}
    create_path = "/atlas/admin/v1/outlets/3/channels/1/orders"

    def __init__(self, http: httpx.AsyncClient, mock: MockAdmin) -> None:
        self.http = http
        self.mock = mock

    def order(self, **overrides: Any) -> dict[str, Any]:
        body = copy.deepcopy(ATLAS_ORDER)
        body.update(overrides)
        return body

    async def create(self, body: Any, path: str | None = None, **headers: str) -> httpx.Response:
        content = body if isinstance(body, bytes) else _EXACT.encode(body)
        sent = {**self.headers, "Content-Type": "application/json"}
        sent.update({name.replace("_", "-"): value for name, value in headers.items()})
        return await self.http.post(path or self.create_path, content=content, headers=sent)

    async def get(self, path: str) -> httpx.Response:
        return await self.http.get(f"/atlas/admin/v1{path}", headers=self.headers)

    async def configure(self, **changes: Any) -> dict[str, Any]:
        return await asyncio.to_thread(self.mock.configure_atlas, changes)

    async def events(self) -> list[dict[str, Any]]:
        return await asyncio.to_thread(self.mock.atlas_events)


@pytest.fixture
async def atlas(client: httpx.AsyncClient, mock_admin: MockAdmin) -> AsyncIterator[Atlas]:
    """Atlas helpers; on teardown the mock is reset, cancelling scheduled events and retries."""
    yield Atlas(client, mock_admin)
    await asyncio.to_thread(mock_admin.reset)
