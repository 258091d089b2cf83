"""`cata-sandbox up --tls`: mock_pos's HTTPS sites beside the service, the CA kept beside the database and
trusted by the service, and `trigger --fault tls:*` on both paths."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.net import free_port
from tests.support.up import free_port_run, start_up


@pytest.mark.parametrize(
    ("extra", "fault", "words"),
    [
        ((), "tls:expired", "TLS certificate has expired"),
        (("--transformer", "revel"), "tls:wrong-host", "TLS certificate is for another host"),
    ],
)
def test_trigger_a_tls_fault_through_up_tls(
    tmp_path: Path, extra: tuple[str, ...], fault: str, words: str
) -> None:
    mock_port = free_port_run(9)
    port = free_port()
    while mock_port <= port <= mock_port + 8:
        port = free_port()
    running = start_up(tmp_path, "--tls", ports=(port, mock_port))
    try:
        assert f"HTTPS: https://127.0.0.1:{mock_port + 1}" in running.banner
        ca = tmp_path / "cata-sandbox-tls" / "ca.pem"
        assert f"trust {ca}" in running.banner
        result, rows = running.trigger("--count", "2", "--fault", fault, *extra)
        assert result.returncode == 0, result.stdout + result.stderr
        for row in rows:
            assert row["dispatched"] is False
            assert row["reason"].startswith(f"http request failed: {words} (127.0.0.1:")
            assert row["asExpected"] is True
        valid = running.cli(
            "check-receiver",
            f"https://127.0.0.1:{mock_port + 1}/webhooks/outlet-webhook",
            "--secret",
            running.secret,
            "--ca-bundle",
            str(ca),
            "--timeout",
            "5",
        )
        assert valid.returncode == 0, valid.stdout + valid.stderr
        assert "10 passed: the receiver behaves as Cata expects" in valid.stdout
        first = ca.read_bytes()
    finally:
        assert running.stop() == 0
    again = start_up(tmp_path, "--tls", ports=(port, mock_port))
    try:
        assert ca.read_bytes() == first  # the CA is kept and reused: a partner trusts it once
    finally:
        assert again.stop() == 0
