"""One log line format for the service, mock_pos and uvicorn's own records: ``<time> <level> <logger>: <msg>``."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
from pathlib import Path

import msgspec

from mock_pos.client import MockAdmin, MockAdminError
from tests.support import ORDER, envelope, free_port, wait_until
from tests.support.processes import ServiceProcess

LINE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} (DEBUG|INFO|WARNING|ERROR|CRITICAL) [\w.]+: \S")
# What `serve` prints for the person at the terminal, not log records.
ECHOED = ("Created tenant 'sandbox'", "cata-sandbox listening on ")


def log_records(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip() and not line.startswith(ECHOED)]


def test_serve_logs_its_records_and_uvicorns_in_one_format(tmp_path: Path) -> None:
    service = ServiceProcess(f"sqlite:///{tmp_path / 'log.db'}", tmp_path / "serve.log").start()
    try:
        with service.client() as client:
            client.post("/api/v1/orders/dispatch", content=envelope("o-none", msgspec.json.encode(ORDER)))
        service.process.send_signal(signal.SIGINT)  # type: ignore[union-attr]
        assert service.wait(timeout=30) == 0
    finally:
        service.stop()
    records = log_records(service.log.read_text())
    assert any(" uvicorn.error: Started server process" in line for line in records), records
    assert any(" cata_sandbox.dispatch: dispatch order=" in line for line in records), records
    for line in records:
        assert LINE.match(line), line
        assert "(unknown file)" not in line


def test_mock_pos_serve_logs_in_the_same_format(tmp_path: Path) -> None:
    port = free_port()
    log = tmp_path / "mock.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "mock_pos.cli", "serve", "--port", str(port)],
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    try:

        def up() -> bool:
            try:
                with MockAdmin(f"http://127.0.0.1:{port}", timeout=1) as admin:
                    return admin.health() == {"status": "ok"}
            except MockAdminError:
                return False

        wait_until(up, 30, "mock-pos serve answers")
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=30) == 0
    finally:
        if process.poll() is None:
            process.kill()
    records = log_records(log.read_text())
    assert any(" uvicorn.error: Started server process" in line for line in records), records
    for line in records:
        assert LINE.match(line), line
