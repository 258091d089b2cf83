"""`cata-sandbox listen` and the attempt stream it reads, as a partner runs them: real processes on loopback."""

from __future__ import annotations

import json
import signal
import subprocess
from pathlib import Path
from typing import Any

import httpx

from tests.support import CLI, clean_env, wait_until
from tests.support.tcp_proxy import CuttableProxy
from tests.support.up import start_up


def json_lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def stored_delivery_ids(url: str, api_key: str, order_ids: list[str]) -> set[str]:
    found: set[str] = set()
    for order_id in order_ids:
        order = httpx.get(f"{url}/api/v1/orders/{order_id}", headers={"X-Api-Key": api_key}).json()["order"]
        found |= {attempt["deliveryId"] for attempt in order["attempts"]}
    return found


def ignore_sigint() -> None:
    """What a job started with ``&`` by a script without job control inherits (CI runners start so)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def test_listen_streams_what_trigger_sends_and_resumes_after_the_stream_is_cut(tmp_path: Path) -> None:
    up = start_up(tmp_path / "up", "--dispatch-timeout", "2")
    out, err = tmp_path / "listen.out", tmp_path / "listen.err"
    try:
        with CuttableProxy(up.port) as proxy, out.open("wb") as stdout, err.open("wb") as stderr:
            # listen reaches the service through a proxy the test can cut; trigger goes straight to it.
            listener = subprocess.Popen(
                [*CLI, "listen", "--json", "--forward-to", f"{up.mock_url}/webhooks/outlet-webhook"],
                env=clean_env(CATA_URL=proxy.url, CATA_API_KEY=up.api_key),
                stdout=stdout,
                stderr=stderr,
                preexec_fn=ignore_sigint,  # Ctrl-C stops it even so, as it stops `serve` and `up`
            )
            try:
                wait_until(lambda: "Streaming the attempts of outlet-webhook" in err.read_text(), 30)
                first, before_cut = up.trigger("--count", "3", "--seed", "11")
                assert first.returncode == 0, first.stderr
                wait_until(lambda: len(json_lines(out)) == 3, 20)

                proxy.cut()
                second, after_cut = up.trigger("--count", "2", "--seed", "12", "--fault", "status:503")
                assert second.returncode == 0, second.stderr
                wait_until(lambda: len(json_lines(out)) == 5, 30)
            finally:
                listener.send_signal(signal.SIGINT)
                exit_code = listener.wait(timeout=20)
        ids = [row["orderId"] for row in before_cut + after_cut]
        stored = stored_delivery_ids(up.url, up.api_key, ids)
    finally:
        assert up.stop() == 0

    shown = json_lines(out)
    log = err.read_text()
    assert exit_code == 0, log
    assert "Traceback" not in log
    assert proxy.connections >= 2, "the stream was opened again after the cut"
    assert "reconnecting" in log
    # The secret the banner printed: the webhook was reused, not registered anew.
    assert f"Signing secret: {up.secret}" in log
    assert f"export CATA_WEBHOOK_SECRET={up.secret}" in log
    # Every attempt once, in feed order, none lost across the cut.
    assert len(shown) == 5
    assert [event["seq"] for event in shown] == sorted({event["seq"] for event in shown})
    assert sorted(e["orderRefNo"] for e in shown) == sorted(r["orderRefNo"] for r in before_cut + after_cut)
    assert {event["deliveryId"] for event in shown} == stored
    by_ref = {event["orderRefNo"]: event for event in shown}
    for row in before_cut:
        assert by_ref[row["orderRefNo"]]["dispatched"] is True
        assert by_ref[row["orderRefNo"]]["responseStatus"] == 200
    for row in after_cut:
        assert by_ref[row["orderRefNo"]]["dispatched"] is False
        assert by_ref[row["orderRefNo"]]["reason"] == "callback returned HTTP 503"


def test_listen_prints_one_line_per_attempt_and_registers_a_new_receiver(tmp_path: Path) -> None:
    up = start_up(tmp_path / "up")
    err = tmp_path / "listen.err"
    out = tmp_path / "listen.out"
    try:
        # A receiver of its own: mock_pos's `partner` receiver, which checks no signature.
        forward_to = f"{up.mock_url}/webhooks/partner"
        with out.open("wb") as stdout, err.open("wb") as stderr:
            listener = subprocess.Popen(
                [*CLI, "listen", "--outlet", "my-outlet", "--forward-to", forward_to],
                env=clean_env(CATA_URL=up.url, CATA_API_KEY=up.api_key),
                stdout=stdout,
                stderr=stderr,
            )
            try:
                wait_until(lambda: "Streaming the attempts of my-outlet" in err.read_text(), 30)
                result, rows = up.trigger("--outlet", "my-outlet", "--count", "1", "--seed", "5")
                assert result.returncode == 0, result.stderr
                wait_until(lambda: "SBX-00005-0001" in out.read_text(), 20)
            finally:
                listener.send_signal(signal.SIGTERM)
                assert listener.wait(timeout=20) == 0
        log = err.read_text()
        assert "of my-outlet registered" in log
        again = up.cli("webhooks", "list", "--outlet", "my-outlet", "--json")
        (hook,) = json.loads(again.stdout)
        assert hook["callbackUrl"] == forward_to
        secret = up.cli("webhooks", "show", str(hook["id"]), "--secret")
        assert secret.returncode == 0, secret.stderr
        printed = next(line for line in log.splitlines() if line.startswith("Signing secret: "))
        assert printed.removeprefix("Signing secret: ") in secret.stdout
    finally:
        assert up.stop() == 0
    (line,) = [line for line in out.read_text().splitlines() if line.strip()]
    delivery = rows[0]["orderId"]
    assert "SBX-00005-0001" in line
    assert "HTTP 200" in line
    assert " ms  dispatched" in line
    assert delivery not in line, "the delivery id is shown, not the order id"
    assert line.split("  ")[2].startswith("delivery ")
