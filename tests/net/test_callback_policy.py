"""callback_policy: http(s) only, no credentials; ``public-only`` refuses private destinations at registration
and again at send time, after DNS resolution.

Nothing here sends traffic off the machine: public addresses are only ever registered (registration
connects to nothing), and names that resolve to public addresses come from a replaced resolver.
"""

from __future__ import annotations

import asyncio
import ipaddress
import uuid
from collections.abc import Iterator
from contextlib import ExitStack

import msgspec
import pytest

from cata_sandbox.net import policy as netpolicy
from cata_sandbox.partner.up import revel_settings
from tests.support import ORDER, MockPos, Sandbox, envelope, start_sandbox, stop_sandbox
from tests.support.processes import DATABASES, module_database_url

PUBLIC_ADDRESS = "93.184.216.34"  # registered only; never connected to
REFUSED = "is not allowed by callback_policy public-only"


@pytest.mark.parametrize(
    ("address", "category"),
    [
        ("127.0.0.1", "loopback"),
        ("127.255.0.9", "loopback"),
        ("::1", "loopback"),
        ("10.1.2.3", "private"),
        ("172.16.0.1", "private"),
        ("192.168.1.1", "private"),
        ("fc00::1", "private"),
        ("169.254.169.254", "cloud metadata"),
        ("fd00:ec2::254", "cloud metadata"),
        ("169.254.1.1", "link-local"),
        ("fe80::1", "link-local"),
        ("100.64.0.1", "carrier-grade NAT"),
        ("100.127.255.254", "carrier-grade NAT"),
        ("0.0.0.0", "unspecified"),
        ("::", "unspecified"),
        ("224.0.0.1", "multicast"),
        ("ff02::1", "multicast"),
        ("::ffff:127.0.0.1", "loopback"),
        ("::ffff:10.0.0.1", "private"),
        ("64:ff9b::a9fe:a9fe", "cloud metadata"),
        ("2002:7f00:1::", "loopback"),
        ("192.0.2.1", "private"),
        ("240.0.0.1", "private"),
    ],
)
def test_non_public_addresses_are_classified(address: str, category: str) -> None:
    assert netpolicy.refusal(ipaddress.ip_address(address)) == category


@pytest.mark.parametrize("address", ["8.8.8.8", "1.1.1.1", PUBLIC_ADDRESS, "2606:4700:4700::1111"])
def test_public_addresses_are_allowed(address: str) -> None:
    assert netpolicy.refusal(ipaddress.ip_address(address)) is None


def test_allow_private_resolves_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    async def must_not_resolve(host: str, port: int) -> list[str]:
        raise AssertionError(f"resolved {host}")

    monkeypatch.setattr(netpolicy, "resolve_host", must_not_resolve)

    asyncio.run(netpolicy.check_destination("http://receiver.internal:9000/hook", "allow-private"))


@pytest.fixture(scope="module", params=DATABASES)
def services(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, Sandbox]]:
    """The service under each policy, on one database per kind, shared by the registration tests."""
    with ExitStack() as stack:
        url = module_database_url(request, tmp_path_factory, stack)
        running: dict[str, Sandbox] = {}
        for policy in ("allow-private", "public-only"):
            running[policy] = start_sandbox(url, callback_policy=policy)
            stack.callback(stop_sandbox, running[policy])
        yield running


@pytest.fixture
def public_only(services: dict[str, Sandbox]) -> Sandbox:
    return services["public-only"]


def webhook_count(sandbox: Sandbox) -> int:
    return len(sandbox.client.get("/api/v1/webhooks").json()["webhooks"])


def register(sandbox: Sandbox, url: str, outlet_id: str | None = None) -> tuple[int, str]:
    # An outlet of its own per registration: a second active webhook of one outlet is a 409.
    outlet_id = outlet_id or f"o-{uuid.uuid4().hex[:12]}"
    response = sandbox.client.post(
        "/api/v1/webhooks/register", json={"outletId": outlet_id, "callbackUrl": url}
    )
    return response.status_code, response.json()["message"]


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("http://127.0.0.1:9000/hook", "127.0.0.1 (loopback)"),
        ("http://[::1]:9000/hook", "::1 (loopback)"),
        ("http://10.0.0.5/hook", "10.0.0.5 (private)"),
        ("https://192.168.0.10/hook", "192.168.0.10 (private)"),
        ("http://169.254.169.254/latest/meta-data/", "169.254.169.254 (cloud metadata)"),
        ("http://[fd00:ec2::254]/latest/meta-data/", "fd00:ec2::254 (cloud metadata)"),
        ("http://metadata.google.internal/computeMetadata/v1/", "metadata.google.internal (cloud metadata)"),
        ("http://METADATA.google.internal./computeMetadata/v1/", "metadata.google.internal (cloud metadata)"),
        ("http://100.64.1.1/hook", "100.64.1.1 (carrier-grade NAT)"),
        ("http://0.0.0.0:8700/hook", "0.0.0.0 (unspecified)"),
        ("http://224.0.0.1/hook", "224.0.0.1 (multicast)"),
        ("http://[::ffff:127.0.0.1]/hook", "::ffff:7f00:1 (loopback)"),
        # Names resolve through the system resolver: localhost and the numeric forms never leave the host.
        ("http://localhost:9000/hook", "(loopback)"),
        ("http://127.1:9000/hook", "127.0.0.1 (loopback)"),
        ("http://2130706433/hook", "127.0.0.1 (loopback)"),
        ("http://0x7f000001/hook", "127.0.0.1 (loopback)"),
    ],
)
def test_public_only_refuses_private_destinations_at_registration(
    public_only: Sandbox, url: str, shown: str
) -> None:
    before = webhook_count(public_only)

    status, message = register(public_only, url)

    assert status == 400
    assert shown in message
    assert REFUSED in message
    assert message.endswith("- at `$.callbackUrl`")
    assert webhook_count(public_only) == before


def test_public_only_accepts_a_public_address(public_only: Sandbox) -> None:
    status, _ = register(public_only, f"https://{PUBLIC_ADDRESS}/cata")
    assert status == 201


HTTP_REFUSED = (
    "callback URL refused: plain http:// is not allowed by callback_policy public-only (production Cata"
    " calls HTTPS only): use an https:// URL - at `$.callbackUrl`"
)


def test_public_only_refuses_a_plain_http_callback_at_registration(public_only: Sandbox) -> None:
    before = webhook_count(public_only)
    status, message = register(public_only, f"http://{PUBLIC_ADDRESS}/cata")
    assert (status, message) == (400, HTTP_REFUSED)
    assert webhook_count(public_only) == before


def test_public_only_refuses_a_plain_http_url_in_an_update(public_only: Sandbox) -> None:
    response = public_only.client.post(
        "/api/v1/webhooks/register",
        json={"outletId": "o-http-update", "callbackUrl": f"https://{PUBLIC_ADDRESS}/"},
    )
    hook_id = response.json()["webhook"]["id"]
    updated = public_only.client.put(
        f"/api/v1/webhooks/{hook_id}", json={"callbackUrl": f"http://{PUBLIC_ADDRESS}/"}
    )
    assert updated.status_code == 400
    assert updated.json()["message"] == HTTP_REFUSED
    detail = public_only.client.get(f"/api/v1/webhooks/{hook_id}").json()["webhook"]
    assert detail["callbackUrl"] == f"https://{PUBLIC_ADDRESS}/"


def test_allow_private_keeps_http_and_https(services: dict[str, Sandbox]) -> None:
    for url in (f"http://{PUBLIC_ADDRESS}/cata", f"https://{PUBLIC_ADDRESS}/cata"):
        assert register(services["allow-private"], url)[0] == 201


def test_a_plain_http_webhook_is_refused_at_send_time_under_public_only(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def resolve(host: str, port: int) -> list[str]:
        return {"partner.example": [PUBLIC_ADDRESS]}.get(host, [])

    monkeypatch.setattr(netpolicy, "resolve_host", resolve)
    permissive = start_sandbox(database_url)
    try:
        permissive.register("o-http", "http://partner.example/cata")
    finally:
        stop_sandbox(permissive)
    strict = start_sandbox(database_url, callback_policy="public-only")
    try:
        response = strict.dispatch(envelope("o-http", msgspec.json.encode(ORDER)))
        body = response.json()
        stored = strict.order(body["orderId"])
    finally:
        stop_sandbox(strict)

    assert body["dispatched"] is False
    assert body["reason"] == (
        "http request failed: plain http:// is not allowed by callback_policy public-only (production Cata"
        " calls HTTPS only): use an https:// URL"
    )
    (attempt,) = stored["attempts"]
    assert attempt["responseStatus"] is None


def test_public_only_refuses_a_private_url_in_an_update(public_only: Sandbox) -> None:
    response = public_only.client.post(
        "/api/v1/webhooks/register",
        json={"outletId": "o-update", "callbackUrl": f"https://{PUBLIC_ADDRESS}/"},
    )
    hook_id = response.json()["webhook"]["id"]

    updated = public_only.client.put(f"/api/v1/webhooks/{hook_id}", json={"callbackUrl": "http://10.9.9.9/"})

    assert updated.status_code == 400
    assert "10.9.9.9 (private)" in updated.json()["message"]
    detail = public_only.client.get(f"/api/v1/webhooks/{hook_id}").json()["webhook"]
    assert detail["callbackUrl"] == f"https://{PUBLIC_ADDRESS}/"


def test_public_only_refuses_a_name_that_resolves_to_a_private_address(
    public_only: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def resolve(host: str, port: int) -> list[str]:
        return {"partner.example": [PUBLIC_ADDRESS, "10.0.0.7"]}.get(host, [])

    monkeypatch.setattr(netpolicy, "resolve_host", resolve)

    status, message = register(public_only, "https://partner.example/cata")

    assert status == 400
    assert "10.0.0.7 (private)" in message


def test_public_only_refuses_a_name_that_does_not_resolve(
    public_only: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def resolve(host: str, port: int) -> list[str]:
        raise OSError(-2, "Name or service not known")

    monkeypatch.setattr(netpolicy, "resolve_host", resolve)

    status, message = register(public_only, "https://nowhere.example/cata")

    assert status == 400
    assert "nowhere.example does not resolve" in message


@pytest.mark.parametrize(
    ("url", "fragment"),
    [
        ("ftp://127.0.0.1/hook", "must use http or https, not 'ftp'"),
        ("file:///etc/passwd", "must use http or https"),
        ("gopher://127.0.0.1:70/", "must use http or https"),
        ("http://user:secret@127.0.0.1/hook", "must not carry credentials"),
        ("http://user@127.0.0.1/hook", "must not carry credentials"),
        ("http:///hook", "has no host"),
        ("http://127.0.0.1:99999/", "invalid callback URL"),
        ("http://127.0.0.1/a b", "spaces or control characters"),
        ("http://127.0.0.1/\r\nX-Injected: 1", "spaces or control characters"),
        ("http://127.0.0.1/" + "a" * 2100, "longer than 2048"),
    ],
)
@pytest.mark.parametrize("policy", ["allow-private", "public-only"])
def test_callback_urls_are_http_without_credentials_under_every_policy(
    services: dict[str, Sandbox], policy: str, url: str, fragment: str
) -> None:
    status, message = register(services[policy], url)

    assert status == 400
    assert fragment in message


def test_allow_private_accepts_loopback_and_private_receivers(services: dict[str, Sandbox]) -> None:
    for url in ("http://127.0.0.1:9000/hook", "http://localhost:9/", "http://10.0.0.5/hook"):
        status, _ = register(services["allow-private"], url)
        assert status == 201


# --- at send time -------------------------------------------------------------------------------


def test_a_webhook_registered_under_allow_private_is_refused_at_send_time_under_public_only(
    database_url: str, mock_pos: MockPos
) -> None:
    permissive = start_sandbox(database_url)
    try:
        hook = permissive.register("o-1", f"{mock_pos.url}/webhooks/r1")
        mock_pos.receiver("r1", hook["secret"])
    finally:
        stop_sandbox(permissive)
    strict = start_sandbox(database_url, callback_policy="public-only")
    try:
        response = strict.dispatch(envelope("o-1", msgspec.json.encode(ORDER)))
        body = response.json()
        stored = strict.order(body["orderId"])
    finally:
        stop_sandbox(strict)

    assert response.status_code == 200, response.text
    assert body["dispatched"] is False
    assert body["reason"] == (
        "http request failed: destination address 127.0.0.1 (loopback) is not allowed by callback_policy"
        " public-only"
    )
    assert mock_pos.journal("r1") == []
    (attempt,) = stored["attempts"]
    assert attempt["responseStatus"] is None
    assert attempt["reason"] == body["reason"]
    assert stored["status"] == "failed"


def test_a_name_rebound_to_a_private_address_after_registration_is_refused_at_send_time(
    database_url: str, mock_pos: MockPos, monkeypatch: pytest.MonkeyPatch
) -> None:
    answers = {"rebind.example": [PUBLIC_ADDRESS]}

    async def resolve(host: str, port: int) -> list[str]:
        return answers.get(host, [])

    monkeypatch.setattr(netpolicy, "resolve_host", resolve)
    # https: public-only refuses plain http:// at registration; the send is refused before any connection.
    url = f"https://rebind.example:{mock_pos.server.port}/webhooks/r1"
    public_only = start_sandbox(database_url, callback_policy="public-only")
    try:
        hook = public_only.register("o-1", url)
        mock_pos.receiver("r1", hook["secret"])
        answers["rebind.example"] = ["127.0.0.1"]  # the attacker's DNS now points at the loopback

        response = public_only.dispatch(envelope("o-1", msgspec.json.encode(ORDER)))
    finally:
        stop_sandbox(public_only)

    assert response.status_code == 200, response.text
    assert response.json()["dispatched"] is False
    assert response.json()["reason"] == (
        "http request failed: destination address 127.0.0.1 (loopback) is not allowed by callback_policy"
        " public-only"
    )
    assert mock_pos.journal() == []


def test_public_only_refuses_a_private_pos_at_send_time_too(database_url: str, mock_pos: MockPos) -> None:
    permissive = start_sandbox(database_url)
    try:
        mapped = permissive.client.put(
            "/api/v1/outlet-providers/o-revel",
            json={
                "providerSlug": "revel",
                "settings": revel_settings(mock_pos.url),
            },
        )
        assert mapped.status_code == 200, mapped.text
    finally:
        stop_sandbox(permissive)
    order = msgspec.json.encode(
        {**ORDER, "items": [{"plu": "101", "name": "Pizza", "quantity": 1, "unitPrice": 12.5}]}
    )
    strict = start_sandbox(database_url, callback_policy="public-only")
    try:
        response = strict.dispatch(envelope("o-revel", order, builtInTransformer="revel"))
    finally:
        stop_sandbox(strict)

    assert response.status_code == 200, response.text
    assert response.json()["dispatched"] is False
    assert response.json()["reason"].startswith(
        "http request failed: destination address 127.0.0.1 (loopback)"
    )
    assert mock_pos.journal("revel") == []
