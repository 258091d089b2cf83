"""check-receiver's tls check: a trusted HTTPS receiver passes, each TLS fault fails naming the problem,
a certificate expiring in 5 days warns, and the certificate's details reach the report and JUnit."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import socket
import ssl
import threading
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest

from cata_sandbox.partner.check_receiver import check_receiver, junit_xml
from cata_sandbox.partner.check_receiver.model import CheckResult, Verdict
from cata_sandbox.partner.check_receiver.tls_check import tls_check
from mock_pos.certs import load_or_create_authority, valid_leaf
from mock_pos.tls import TLS_FAULT_MODES, TlsSites, server_context
from tests.support import MockPos, running_mock_pos

PROBLEMS = {
    "tls:expired": "TLS certificate has expired",
    "tls:wrong-host": "TLS certificate is for another host",
    "tls:self-signed": "TLS certificate is self-signed",
    "tls:untrusted-ca": "TLS certificate chain ends at an untrusted authority",
    "tls:missing-intermediate": "TLS certificate chain is incomplete",
    "tls:old-protocol": "TLS protocol version refused",
    "tls:handshake-reset": "TLS handshake cut off: the server reset the connection",
}


@pytest.fixture(scope="module")
def tls_mock(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MockPos]:
    with running_mock_pos(tmp_path_factory.mktemp("tls")) as mock:
        yield mock


def _sites(mock: MockPos) -> TlsSites:
    assert mock.tls is not None
    return mock.tls


def _check(url: str, ca_file: str | None) -> CheckResult:
    return asyncio.run(tls_check(url, ca_file, 5.0))


def test_a_trusted_https_receiver_passes_with_its_certificate_shown(tls_mock: MockPos) -> None:
    sites = _sites(tls_mock)
    result = _check(f"{sites.url()}/webhooks/partner", str(sites.authority.ca_file))
    assert result.verdict is Verdict.PASS, result.explanation
    assert result.explanation.startswith("trusted: TLSv1.3, certificate for ")
    assert "issued by CN=Cata Sandbox Local CA - Intermediate" in result.explanation
    assert "names: localhost, 127.0.0.1, ::1" in result.explanation


@pytest.mark.parametrize("mode", TLS_FAULT_MODES)
def test_each_tls_fault_fails_naming_the_problem(tls_mock: MockPos, mode: str) -> None:
    sites = _sites(tls_mock)
    result = _check(f"{sites.url(mode)}/webhooks/partner", str(sites.authority.ca_file))
    assert result.verdict is Verdict.FAIL
    assert result.kind == "tls-refused"
    assert result.explanation.startswith(PROBLEMS[mode]), result.explanation
    if mode != "tls:handshake-reset":  # a site that presents a certificate has it shown
        assert "; the server presents TLSv1" in result.explanation


def test_the_sandbox_ca_must_be_trusted(tls_mock: MockPos) -> None:
    result = _check(f"{_sites(tls_mock).url()}/webhooks/partner", None)
    assert result.verdict is Verdict.FAIL
    assert result.explanation.startswith("TLS certificate chain is incomplete")


@contextlib.contextmanager
def _handshaking_server(context: ssl.SSLContext) -> Iterator[int]:
    """A TLS server on loopback that completes handshakes and closes."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()

    def serve() -> None:
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            with contextlib.suppress(OSError), context.wrap_socket(conn, server_side=True) as tls:
                tls.recv(1)

    threading.Thread(target=serve, daemon=True).start()
    try:
        yield int(listener.getsockname()[1])
    finally:
        listener.close()


def test_a_certificate_expiring_in_5_days_warns(tmp_path: Path) -> None:
    authority = load_or_create_authority(tmp_path)
    now = dt.datetime.now(dt.UTC)
    leaf = valid_leaf(authority, not_after=now + dt.timedelta(days=5, hours=1))
    with _handshaking_server(server_context(leaf, tmp_path / "soon.pem")) as port:
        result = _check(f"https://127.0.0.1:{port}/hook", str(authority.ca_file))
    assert result.verdict is Verdict.WARN
    assert result.kind == "tls-expires-soon"
    assert result.explanation.startswith("the certificate expires in 5 days (under 14): renew it; TLSv1.3")


def test_an_http_receiver_is_warned_that_production_needs_https() -> None:
    result = _check("http://127.0.0.1:9/hook", None)
    assert result.verdict is Verdict.WARN
    assert result.kind == "plain-http"
    assert "production callbacks must be HTTPS" in result.explanation


def test_a_full_run_against_an_https_mock_receiver_passes_tls_and_reports_it_in_junit(
    tls_mock: MockPos,
) -> None:
    sites = _sites(tls_mock)
    tls_mock.admin.configure_receiver("certified", "whsec_tls_test_secret")
    url = f"{sites.url()}/webhooks/certified"
    certification = check_receiver(
        url, "whsec_tls_test_secret", budget_s=5.0, ca_bundle=str(sites.authority.ca_file)
    )
    verdicts = {result.name: result for result in certification.results}
    assert verdicts["valid-delivery"].verdict is Verdict.PASS, verdicts["valid-delivery"].explanation
    assert verdicts["tls"].verdict is Verdict.PASS
    suite = ET.fromstring(junit_xml(certification))
    case = next(c for c in suite.iter("testcase") if c.attrib["name"] == "tls")
    assert case.find("failure") is None
    assert "certificate for " in (case.findtext("system-out") or "")
