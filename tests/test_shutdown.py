"""Graceful shutdown: SIGTERM lets dispatches in flight finish (within the dispatch budget), then exits 0.

A real ``cata-sandbox serve`` process and a receiver that takes its time. On SQLite and PostgreSQL.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

import httpx
import msgspec
import pytest

from tests.harness import ORDER, MockPos, envelope, start_sandbox, stop_sandbox
from tests.reliability import ServiceProcess, wait_until

RECEIVER_DELAY_S = 1.5


def test_sigterm_lets_a_dispatch_in_flight_finish_and_exits_0(
    database_url: str, mock_pos: MockPos, tmp_path: Path
) -> None:
    service = ServiceProcess(database_url, tmp_path / "serve.log", dispatch_timeout=10).start()
    answers: list[httpx.Response] = []
    try:
        with service.client() as client:
            response = client.post(
                "/api/v1/webhooks/register",
                json={"outletId": "o-1", "callbackUrl": f"{mock_pos.url}/webhooks/r1"},
            )
            mock_pos.receiver("r1", response.json()["webhook"]["secret"])
        mock_pos.fault("r1", "delay", seconds=RECEIVER_DELAY_S)

        def send() -> None:
            with service.client() as own:
                answers.append(
                    own.post("/api/v1/orders/dispatch", content=envelope("o-1", msgspec.json.encode(ORDER)))
                )

        sender = threading.Thread(target=send)
        sender.start()
        wait_until(lambda: len(mock_pos.journal("r1")) == 1, 10, "the dispatch reached the receiver")
        signalled = time.monotonic()
        service.terminate()

        sender.join(timeout=30)
        exit_code = service.wait(timeout=30)
        stopped_after = time.monotonic() - signalled
    finally:
        service.stop()

    assert exit_code == 0, service.log.read_text()
    (answer,) = answers
    assert answer.status_code == 200, answer.text
    assert answer.json()["dispatched"] is True
    assert answer.json()["externalOrderId"]
    assert stopped_after < 10, "shutdown waited longer than the dispatch budget"
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{service.url}/health", timeout=1)

    reader = start_sandbox(database_url)
    try:
        stored = reader.order(answer.json()["orderId"])
    finally:
        stop_sandbox(reader)
    assert stored["status"] == "dispatched"
    (attempt,) = stored["attempts"]
    assert attempt["dispatched"] is True
    assert attempt["responseStatus"] == 200
    assert attempt["durationMs"] >= RECEIVER_DELAY_S * 1000 * 0.9


def test_sigterm_on_an_idle_service_exits_0_at_once(tmp_path: Path) -> None:
    service = ServiceProcess(f"sqlite:///{tmp_path / 'idle.db'}", tmp_path / "serve.log").start()
    try:
        signalled = time.monotonic()
        service.terminate()
        exit_code = service.wait(timeout=30)
    finally:
        service.stop()

    assert exit_code == 0, service.log.read_text()
    assert time.monotonic() - signalled < 5
