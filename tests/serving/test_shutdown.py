"""Graceful shutdown: SIGTERM lets dispatches in flight finish (within the dispatch budget), then exits 0.

A real ``cata-sandbox serve`` process and a receiver that takes its time. On SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import msgspec
import pytest

from mock_pos.client import MockAdmin, MockAdminError, read_journal
from tests.support import ORDER, MockPos, envelope, free_port, start_sandbox, stop_sandbox, wait_until
from tests.support.processes import ServiceProcess

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


# --- `up` and `mock-pos serve`: Ctrl-C in order, no traceback ------------------------------------------


def test_ctrl_c_in_up_during_a_delayed_dispatch_stores_its_true_outcome(tmp_path: Path) -> None:
    from tests.support import CLI, clean_env
    from tests.support.up import start_up

    up = start_up(tmp_path, "--dispatch-timeout", "10")
    trigger = subprocess.Popen(
        [*CLI, "trigger", "--json", "--count", "1", "--seed", "9", "--fault", "delay:2"],
        env=clean_env(CATA_URL=up.url, CATA_API_KEY=up.api_key),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_until(
            lambda: bool(read_journal(up.mock_url, "outlet-webhook")),
            30,
            "the dispatch reached mock_pos's receiver",
        )
        up.process.send_signal(signal.SIGINT)
        out, err = trigger.communicate(timeout=60)
        exit_code = up.process.wait(timeout=60)
    finally:
        if trigger.poll() is None:
            trigger.kill()
        up.stop()

    assert exit_code == 0
    assert "Traceback" not in up.err.read_text()
    assert "cata-sandbox stopped" in up.out.read_text()
    (row,) = json.loads(out)
    # mock_pos kept answering until the service had drained: the delivery really succeeded.
    assert row["dispatched"] is True, err
    assert row["reason"] == ""

    again = start_up(tmp_path)  # the same database
    try:
        stored = httpx.get(
            f"{again.url}/api/v1/orders/{row['orderId']}", headers={"X-Api-Key": again.api_key}
        ).json()["order"]
    finally:
        assert again.stop() == 0
    assert stored["status"] == "dispatched"
    (attempt,) = stored["attempts"]
    assert attempt["responseStatus"] == 200
    assert attempt["durationMs"] >= 2000 * 0.9


def start_mock_pos(tmp_path: Path, *extra: str) -> tuple[subprocess.Popen[bytes], str, Path]:
    port = free_port()
    log = tmp_path / f"mock-{port}.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "mock_pos.cli", "serve", "--port", str(port), *extra],
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"

    def healthy() -> bool:
        try:
            with MockAdmin(url, timeout=1) as admin:
                return admin.health() == {"status": "ok"}
        except MockAdminError:
            return process.poll() is not None

    wait_until(healthy, 30, "mock-pos serve answers")
    assert process.poll() is None, log.read_text()
    return process, url, log


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_mock_pos_serve_lets_a_delayed_answer_finish_then_exits_0(tmp_path: Path, sig: int) -> None:
    process, url, log = start_mock_pos(tmp_path)
    answers: list[httpx.Response] = []
    try:
        with MockAdmin(url) as admin:
            admin.add_fault({"target": "shop", "mode": "delay", "seconds": 1.5})
        sender = threading.Thread(
            target=lambda: answers.append(httpx.post(f"{url}/webhooks/shop", content=b"{}", timeout=30))
        )
        sender.start()
        wait_until(lambda: bool(read_journal(url)), 10, "the request arrived")
        process.send_signal(sig)
        sender.join(30)
        exit_code = process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    assert exit_code == 0, log.read_text()
    (answer,) = answers
    assert answer.status_code == 200
    assert "externalOrderId" in answer.json()
    assert "Traceback" not in log.read_text()


def test_mock_pos_serve_cuts_a_delay_longer_than_its_drain_timeout_quietly(tmp_path: Path) -> None:
    process, url, log = start_mock_pos(tmp_path, "--drain-timeout", "1")
    failures: list[BaseException] = []

    def send() -> None:
        try:
            httpx.post(f"{url}/webhooks/shop", content=b'{"notes": "mock:delay:60"}', timeout=30)
        except httpx.HTTPError as exc:
            failures.append(exc)

    try:
        sender = threading.Thread(target=send)
        sender.start()
        wait_until(lambda: bool(read_journal(url)), 10, "the request arrived")
        signalled = time.monotonic()
        process.send_signal(signal.SIGINT)
        exit_code = process.wait(timeout=30)
        stopped_after = time.monotonic() - signalled
        sender.join(30)
    finally:
        if process.poll() is None:
            process.kill()
    assert exit_code == 0, log.read_text()
    assert stopped_after < 10, "the 60 s delay did not hold the shutdown"
    assert len(failures) == 1, "the client saw its connection closed, not an answer"
    text = log.read_text()
    assert "Traceback" not in text
    assert "Exception in ASGI application" not in text
