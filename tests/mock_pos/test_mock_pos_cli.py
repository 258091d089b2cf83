"""The ``mock-pos`` command line."""

from __future__ import annotations

import subprocess
import sys
import time

import httpx
import pytest
from click.testing import CliRunner

from mock_pos.cli import main
from tests.support import free_port


def test_help_explains_the_tool() -> None:
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0
    assert "/webhooks/{name}" in result.output
    assert "/__admin/" in result.output


def test_serve_help_lists_its_options() -> None:
    result = CliRunner().invoke(main, ["serve", "--help"])
    assert result.exit_code == 0
    for option in ("--host", "--port", "--log-level", "8701"):
        assert option in result.output


def test_serve_runs_the_mock_with_connection_faults_available() -> None:
    port = free_port()
    command = [sys.executable, "-c", "from mock_pos.cli import main; main()", "serve", "--port", str(port)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 15
        with httpx.Client(base_url=url, timeout=2) as http:
            while True:
                try:
                    if http.get("/__admin/health").status_code == 200:
                        break
                except httpx.TransportError:
                    if time.monotonic() > deadline or process.poll() is not None:
                        raise
                time.sleep(0.02)
            http.post("/__admin/faults", json={"target": "shop", "mode": "reset"})
            with pytest.raises((httpx.ReadError, httpx.RemoteProtocolError)):
                http.post("/webhooks/shop", content=b"{}")
    finally:
        process.terminate()
        process.wait(timeout=10)
