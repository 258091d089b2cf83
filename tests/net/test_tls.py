"""TLS end to end: each of mock_pos's TLS faults, on both send paths and through the service on Path 1
(a webhook) and Path 2 (the Revel transformer), with the reason in the service's own words."""

from __future__ import annotations

import asyncio
import socket
import ssl
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from cata_sandbox.net.failures import FailureKind, describe_failure, failure_kind
from cata_sandbox.net.transport import AiohttpTransport, trust
from cata_sandbox.settings import Settings
from mock_pos.certs import load_or_create_authority
from mock_pos.tls import TLS_FAULT_MODES, TlsSites
from tests.support import MockPos, Sandbox, envelope, running_mock_pos, running_sandbox
from tests.support.revel import configure_mock_revel, map_outlet, order_json, revel_settings

# The detail each fault must produce, before " (127.0.0.1:<port>)".
WORDS = {
    "tls:expired": "TLS certificate has expired",
    "tls:wrong-host": "TLS certificate is for another host",
    "tls:self-signed": "TLS certificate is self-signed",
    "tls:untrusted-ca": "TLS certificate chain ends at an untrusted authority",
    "tls:missing-intermediate": (
        "TLS certificate chain is incomplete: an intermediate certificate is missing or its issuer is unknown"
    ),
    "tls:old-protocol": "TLS protocol version refused (the server offers nothing from TLS 1.2 on)",
    "tls:handshake-reset": "TLS handshake cut off: the server reset the connection",
}


def test_every_tls_fault_mode_has_its_words() -> None:
    assert set(WORDS) == set(TLS_FAULT_MODES)


@pytest.fixture(scope="module")
def tls_mock(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MockPos]:
    with running_mock_pos(tmp_path_factory.mktemp("tls")) as mock:
        yield mock


def _sites(mock: MockPos) -> TlsSites:
    assert mock.tls is not None
    return mock.tls


def _direct(url: str, ca_file: str) -> BaseException | int:
    async def run() -> BaseException | int:
        transport = AiohttpTransport(ssl_context=trust(ca_file))
        try:
            status, _, _ = await transport.exchange("GET", url, {}, b"", 1000)
            return status
        except Exception as exc:
            return exc
        finally:
            await transport.aclose()

    return asyncio.run(run())


def _httpx(url: str, ca_file: str) -> BaseException | int:
    async def run() -> BaseException | int:
        async with httpx.AsyncClient(transport=httpx.AsyncHTTPTransport(verify=trust(ca_file))) as client:
            try:
                return (await client.get(url)).status_code
            except Exception as exc:
                return exc

    return asyncio.run(run())


PATHS = [pytest.param(_direct, id="aiohttp"), pytest.param(_httpx, id="httpx")]
Send = Callable[[str, str], "BaseException | int"]


@pytest.mark.parametrize("send", PATHS)
def test_the_valid_site_is_trusted_through_the_sandbox_ca(tls_mock: MockPos, send: Send) -> None:
    sites = _sites(tls_mock)
    assert send(f"{sites.url()}/__admin/health", str(sites.authority.ca_file)) == 200


@pytest.mark.parametrize("send", PATHS)
def test_without_the_sandbox_ca_the_valid_site_is_not_trusted(tls_mock: MockPos, send: Send) -> None:
    url = f"{_sites(tls_mock).url()}/__admin/health"
    failure = send(url, "")
    assert isinstance(failure, BaseException)
    assert describe_failure(failure, url).startswith("TLS certificate chain is incomplete")


@pytest.mark.parametrize("send", PATHS)
@pytest.mark.parametrize("mode", TLS_FAULT_MODES)
def test_each_tls_fault_in_own_words_on_both_paths(tls_mock: MockPos, send: Send, mode: str) -> None:
    sites = _sites(tls_mock)
    url = f"{sites.url(mode)}/webhooks/any"
    failure = send(url, str(sites.authority.ca_file))
    assert isinstance(failure, BaseException)
    assert describe_failure(failure, url) == f"{WORDS[mode]} (127.0.0.1:{sites.port(mode)})"
    assert failure_kind(failure) is FailureKind.NO_CONNECTION


def test_old_protocol_site_really_speaks_tls_1_1_only(tls_mock: MockPos) -> None:
    sites = _sites(tls_mock)
    lenient = ssl.create_default_context(cafile=str(sites.authority.ca_file))
    lenient.set_ciphers("DEFAULT:@SECLEVEL=0")
    with warnings.catch_warnings():  # the version is deprecated: the point of the test
        warnings.simplefilter("ignore", DeprecationWarning)
        lenient.minimum_version = ssl.TLSVersion.TLSv1_1
    with (
        socket.create_connection(("127.0.0.1", sites.port("tls:old-protocol")), timeout=10) as raw,
        lenient.wrap_socket(raw, server_hostname="127.0.0.1") as tls,
    ):
        assert tls.version() == "TLSv1.1"
        tls.sendall(b"GET / HTTP/1.1\r\nhost: x\r\n\r\n")
        assert tls.recv(4096).startswith(b"HTTP/1.1 200 OK")


def test_the_ca_is_kept_and_reused(tmp_path: Path) -> None:
    first = load_or_create_authority(tmp_path)
    again = load_or_create_authority(tmp_path)
    assert again.root.cert == first.root.cert
    assert again.intermediate.cert == first.intermediate.cert
    assert (tmp_path / "ca.pem").read_bytes().startswith(b"-----BEGIN CERTIFICATE-----")


def test_the_admin_api_lists_the_tls_sites(tls_mock: MockPos) -> None:
    listed = tls_mock.admin.tls()
    sites = _sites(tls_mock)
    assert listed["caFile"] == str(sites.authority.ca_file)
    assert listed["url"] == sites.url()
    assert listed["faults"] == {mode: sites.url(mode) for mode in TLS_FAULT_MODES}


@pytest.fixture
def tls_sandbox(database_url: str, tls_mock: MockPos) -> Iterator[Sandbox]:
    with running_sandbox(database_url, ca_bundle=str(_sites(tls_mock).authority.ca_file)) as sandbox:
        yield sandbox


def _webhook_dispatch(sandbox: Sandbox, mock: MockPos, base: str, name: str) -> dict[str, object]:
    webhook = sandbox.register(f"outlet-{name}", f"{base}/webhooks/{name}")
    mock.receiver(name, webhook["secret"])
    response = sandbox.dispatch(envelope(f"outlet-{name}", order_json(orderRefNo=f"REF-{name}")))
    assert response.status_code == 200, response.text
    answer: dict[str, object] = response.json()
    return answer


def _revel_dispatch(sandbox: Sandbox, mock: MockPos, base: str, name: str) -> dict[str, object]:
    configure_mock_revel(mock)
    map_outlet(sandbox, f"outlet-{name}", revel_settings(mock, baseUrl=f"{base}/revel"))
    body = envelope(f"outlet-{name}", order_json(orderRefNo=f"REF-{name}"), builtInTransformer="revel")
    response = sandbox.dispatch(body)
    assert response.status_code == 200, response.text
    answer: dict[str, object] = response.json()
    return answer


ROUTES = [
    pytest.param(_webhook_dispatch, id="path1-webhook"),
    pytest.param(_revel_dispatch, id="path2-revel"),
]


@pytest.mark.parametrize("route", ROUTES)
def test_a_valid_https_destination_is_dispatched(
    tls_sandbox: Sandbox, tls_mock: MockPos, route: Callable[..., dict[str, object]]
) -> None:
    answer = route(tls_sandbox, tls_mock, _sites(tls_mock).url(), "valid")
    assert answer["dispatched"] is True, answer
    assert answer["reason"] == ""


@pytest.mark.parametrize("route", ROUTES)
@pytest.mark.parametrize("mode", TLS_FAULT_MODES)
def test_each_tls_fault_is_a_transport_failure_in_own_words(
    tls_sandbox: Sandbox, tls_mock: MockPos, route: Callable[..., dict[str, object]], mode: str
) -> None:
    sites = _sites(tls_mock)
    name = mode.replace(":", "-")
    answer = route(tls_sandbox, tls_mock, sites.url(mode), name)
    assert answer["dispatched"] is False
    assert answer["reason"] == f"http request failed: {WORDS[mode]} (127.0.0.1:{sites.port(mode)})"
    stored = tls_sandbox.order(str(answer["orderId"]))
    assert stored["reason"] == answer["reason"]


def test_a_ca_bundle_that_is_not_a_file_is_refused_naming_the_variable(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="CATA_CA_BUNDLE '/nonexistent' is not a file"):
        Settings.from_env({"CATA_CA_BUNDLE": "/nonexistent"})
    text = tmp_path / "notes.txt"
    text.write_text("not a certificate")
    assert Settings.from_env({"CATA_CA_BUNDLE": str(text)}).ca_bundle == str(text)
    with pytest.raises(ValueError, match="is not a readable PEM file of certificates"):
        trust(str(text))
