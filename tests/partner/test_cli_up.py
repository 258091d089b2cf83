"""`cata-sandbox up` and `trigger` as a partner runs them: real subprocesses on free loopback ports."""

from __future__ import annotations

import asyncio
import json
import re
import shlex
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from cata_sandbox.partner.up import seed
from cata_sandbox.signing import verify
from mock_pos.client import MockAdmin, read_journal
from mock_pos.server import ServerThread
from tests.support import API_KEY, CLI, ORDER, MockPos, Sandbox, clean_env, envelope, free_port, port_closed
from tests.support.asgi_receiver import receiver
from tests.support.up import Up, banner_complete, start_up

README = Path(__file__).resolve().parents[2] / "README.md"


@pytest.fixture(scope="module")
def up(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Up]:
    """One sandbox for the module, with a short dispatch budget so `delay` faults time out quickly."""
    running = start_up(tmp_path_factory.mktemp("up"), "--dispatch-timeout", "2")
    try:
        yield running
    finally:
        assert running.stop() == 0


def test_banner_shows_urls_key_outlets_secret_and_two_working_curl_examples(up: Up) -> None:
    banner = up.banner
    for expected in (up.url, f"{up.url}/schema", up.mock_url, "outlet-webhook", "outlet-revel"):
        assert expected in banner
    assert up.api_key.startswith("cata_sk_")
    assert f"export CATA_URL={up.url} CATA_API_KEY={up.api_key}" in banner
    assert up.secret.startswith("whsec_")
    assert "mapped to mock Revel" in banner
    assert f"inspector         {up.url}/inspector" in banner
    assert httpx.get(f"{up.url}/health").json() == {"status": "healthy"}
    assert httpx.get(f"{up.url}/schema/openapi.json").status_code == 200
    with MockAdmin(up.mock_url) as admin:
        assert admin.health() == {"status": "ok"}

    curls = [line.strip() for line in banner.splitlines() if line.strip().startswith("curl ")]
    assert len(curls) == 2
    for command, route in zip(curls, ("webhook", "revel"), strict=True):
        words = shlex.split(command)
        url = next(w for w in words if w.startswith("http://"))
        headers = dict(words[i + 1].split(": ", 1) for i, w in enumerate(words) if w == "-H")
        body = words[words.index("-d") + 1].encode()
        answer = httpx.post(url, headers=headers, content=body).json()
        assert answer["dispatched"] is True, answer
        stored = httpx.get(f"{up.url}/api/v1/orders/{answer['orderId']}", headers={"X-Api-Key": up.api_key})
        assert stored.json()["order"]["route"] == route
    # The webhook secret is wired on both sides: the mock receiver verified the signature.
    entries = read_journal(up.mock_url, "outlet-webhook")
    assert entries
    assert entries[-1]["signatureValid"] is True


@pytest.mark.parametrize("transformer", [None, "revel"])
def test_trigger_20_orders_all_dispatch_on_each_path(up: Up, transformer: str | None) -> None:
    args = ["--count", "20", "--seed", "6"] + (["--transformer", transformer] if transformer else [])

    result, rows = up.trigger(*args)

    assert result.returncode == 0, result.stdout + result.stderr
    assert len(rows) == 20
    assert all(row["dispatched"] and row["asExpected"] and row["reason"] == "" for row in rows)
    assert all(row["externalOrderId"] for row in rows)
    assert {row["route"] for row in rows} == {transformer or "webhook"}
    assert "20/20 as expected" in result.stderr
    if transformer == "revel":
        with MockAdmin(up.mock_url) as admin:
            accepted = admin.revel_orders()
        ids = {str(order["orderId"]) for order in accepted}
        assert {row["externalOrderId"] for row in rows} <= ids


def test_trigger_prints_a_table_by_default(up: Up) -> None:
    result = up.cli("trigger", "--count", "2", "--seed", "8")
    assert result.returncode == 0, result.stderr
    header = next(line for line in result.stdout.splitlines() if "orderRefNo" in line)
    for column in ("route", "dispatched", "externalOrderId", "reason", "latency ms"):
        assert column in header
    assert "SBX-00008-0001" in result.stdout
    assert "2/2 as expected" in result.stdout


EXACT, PREFIX = "exact", "prefix"


@pytest.mark.parametrize(
    ("transformer", "fault", "dispatched", "match", "reason"),
    [
        (None, "status:503", False, EXACT, "callback returned HTTP 503"),
        (
            None,
            "error_body:Sold out",
            False,
            EXACT,
            "callback returned 2xx but body indicated error: Sold out",
        ),
        (None, "delay:5", False, EXACT, "http request failed: timeout after 2s"),
        (None, "reset", False, PREFIX, "http request failed: "),
        (None, "malformed", True, EXACT, ""),
        (None, "html", False, EXACT, "callback returned HTTP 502"),
        (None, "redirect", False, EXACT, "callback returned HTTP 302"),
        ("revel", "status:503", False, EXACT, 'POS returned HTTP 503: {"error":"mock status 503"}'),
        ("revel", "error_body:Sold out", False, EXACT, "POS returned 2xx but body indicated error: Sold out"),
        (
            "revel",
            "error_body.errorMsg:No stock",
            False,
            EXACT,
            "POS returned 2xx but body indicated error: No stock",
        ),
        ("revel", "html", False, PREFIX, "POS returned HTTP 502: <!DOCTYPE html>"),
        ("revel", "reset", False, PREFIX, "http request failed: "),
    ],
)
def test_each_fault_gives_its_exact_reason(
    up: Up, transformer: str | None, fault: str, dispatched: bool, match: str, reason: str
) -> None:
    args = ["--count", "2", "--fault", fault] + (["--transformer", transformer] if transformer else [])

    result, rows = up.trigger(*args)

    assert result.returncode == 0, result.stdout + result.stderr
    assert len(rows) == 2
    for row in rows:
        assert row["dispatched"] is dispatched
        assert row["asExpected"] is True
        if match == EXACT:
            assert row["reason"] == reason
        else:
            assert row["reason"].startswith(reason), row["reason"]
    assert f"`mock:{fault}`" in result.stderr
    assert "Expected: dispatched:" in result.stderr


def test_trigger_exits_1_when_an_outcome_is_not_the_one_the_fault_prescribes(up: Up) -> None:
    # An outlet with no webhook: the order is kept, not dispatched, while a dispatch was expected.
    result, rows = up.trigger("--count", "1", "--outlet", "outlet-nowhere")
    assert result.returncode == 1
    assert rows[0]["dispatched"] is False
    assert rows[0]["asExpected"] is False
    assert "did not get the expected outcome" in result.stderr


@pytest.mark.parametrize(
    ("fault", "dispatched", "reason"),
    [
        ("delay:1", True, ""),
        ("delay:3", False, "http request failed: timeout after 2s"),
        ("trickle:0.5", True, ""),
        ("trickle:3", False, "http request failed: timeout after 2s"),
    ],
)
def test_delay_and_trickle_verdicts_follow_a_2s_budget(
    up: Up, fault: str, dispatched: bool, reason: str
) -> None:
    result, rows = up.trigger("--count", "1", "--fault", fault)

    assert result.returncode == 0, result.stdout + result.stderr
    (row,) = rows
    assert row["dispatched"] is dispatched
    assert row["reason"] == reason
    assert row["asExpected"] is True
    assert "2s dispatch budget" in result.stderr


def test_delay_and_trickle_verdicts_follow_a_30s_budget(tmp_path: Path) -> None:
    # The default budget: a one-second delay and a two-second trickle are well inside it.
    running = start_up(tmp_path)
    try:
        for fault in ("delay:1", "trickle:2"):
            result, rows = running.trigger("--count", "1", "--fault", fault)
            assert result.returncode == 0, result.stdout + result.stderr
            assert rows[0]["dispatched"] is True
            assert rows[0]["asExpected"] is True
            assert "within the sandbox's 30s dispatch budget: dispatched" in result.stderr
    finally:
        assert running.stop() == 0


@pytest.mark.parametrize("transformer", [None, "revel"])
def test_fault_times_1_fails_each_order_once_and_replay_then_dispatches_it(
    up: Up, transformer: str | None
) -> None:
    extra = ["--transformer", transformer] if transformer else []
    result, rows = up.trigger("--count", "2", "--fault", "status:503", "--fault-times", "1", *extra)

    assert result.returncode == 0, result.stdout + result.stderr
    assert all(row["dispatched"] is False and row["asExpected"] for row in rows)
    assert "the next 1 request(s) of each order" in result.stderr
    # Through the admin API, not the order's notes: the stored orders carry no directive.
    headers = {"X-Api-Key": up.api_key}
    for row in rows:
        stored = httpx.get(f"{up.url}/api/v1/orders/{row['orderId']}", headers=headers).json()["order"]
        assert "mock:" not in json.dumps(stored["order"])

    replayed = up.cli("replay", *(row["orderId"] for row in rows))

    assert replayed.returncode == 0, replayed.stdout + replayed.stderr
    assert "2 replayed: 2 dispatched, 0 not dispatched" in replayed.stdout


def test_fault_times_without_a_fault_is_a_usage_error(up: Up) -> None:
    result = up.cli("trigger", "--fault-times", "2")
    assert result.returncode == 2
    assert "--fault-times goes with --fault" in result.stderr


def test_the_same_seed_sends_the_same_orders(up: Up) -> None:
    _, first = up.trigger("--count", "3", "--seed", "77")
    _, again = up.trigger("--count", "3", "--seed", "77")
    assert [r["orderRefNo"] for r in first] == [r["orderRefNo"] for r in again]
    headers = {"X-Api-Key": up.api_key}

    def items(order_id: str) -> Any:
        stored = httpx.get(f"{up.url}/api/v1/orders/{order_id}", headers=headers).json()["order"]["order"]
        return stored["items"], stored["customer"], stored["totalPay"]

    assert [items(r["orderId"]) for r in first] == [items(r["orderId"]) for r in again]


def test_large_batches_show_progress_on_stderr(up: Up) -> None:
    result, rows = up.trigger("--count", "60", "--concurrency", "16")
    assert result.returncode == 0
    assert len(rows) == 60
    # Progress counts what was sent; the verdict line says how many were dispatched.
    assert "sent 6/60 (10%)" in result.stderr
    assert "sent 60/60 (100%)" in result.stderr
    assert "60 order(s): 60 dispatched, 0 not dispatched" in result.stderr


def test_trigger_without_a_key_or_with_a_bad_one_is_a_one_line_error(up: Up) -> None:
    env = clean_env(CATA_URL=up.url)
    missing = subprocess.run([*CLI, "trigger"], capture_output=True, text=True, env=env, timeout=60)
    assert missing.returncode != 0
    assert "no API key" in missing.stderr
    assert "Traceback" not in missing.stderr
    refused = up.cli("trigger", api_key="not-a-key")
    assert refused.returncode == 1
    assert "HTTP 401" in refused.stderr
    assert "Traceback" not in refused.stderr
    bad_fault = up.cli("trigger", "--fault", "explode")
    assert bad_fault.returncode == 2
    assert "unknown fault mode 'explode'" in bad_fault.stderr


def test_a_busy_port_is_a_one_line_error(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        for flag in ("--port", "--mock-port"):
            result = subprocess.run(
                [
                    *CLI,
                    "up",
                    flag,
                    str(port),
                    *(["--port", str(free_port())] if flag == "--mock-port" else []),
                ],
                capture_output=True,
                text=True,
                cwd=tmp_path,
                env=clean_env(),
                timeout=60,
            )
            assert result.returncode == 1
            assert result.stderr.strip() == f"Error: port {port} on 127.0.0.1 is already in use"
            assert "Traceback" not in result.stderr


def test_sigterm_and_sigint_stop_both_servers_and_a_restart_keeps_the_secret(tmp_path: Path) -> None:
    first = start_up(tmp_path)
    old_key = first.api_key
    assert "webhook #1 " in first.banner
    assert first.stop(signal.SIGTERM) == 0
    assert port_closed(first.port)
    assert port_closed(first.mock_port)
    assert "cata-sandbox stopped" in first.out.read_text()

    ports = (first.port, first.mock_port)
    second = start_up(tmp_path, env=clean_env(CATA_API_KEY="partner-chosen-key"), ports=ports)
    try:
        assert second.api_key == "partner-chosen-key"
        # The same database: the same webhook and the same secret, so a partner's receiver keeps working.
        assert "webhook #1 " in second.banner
        assert second.secret == first.secret
        result, rows = second.trigger("--count", "2")
        assert result.returncode == 0, result.stderr
        assert all(row["dispatched"] for row in rows)
        whoami = httpx.get(f"{second.url}/api/v1/auth/whoami", headers={"X-Api-Key": old_key})
        assert whoami.status_code == 200, "keys printed by earlier starts keep working"
    finally:
        assert second.stop(signal.SIGINT) == 0
    assert port_closed(second.port)
    assert port_closed(second.mock_port)

    third = start_up(tmp_path)
    try:
        assert third.api_key not in (old_key, "partner-chosen-key"), "a fresh key is printed on every start"
        # New ports: the webhook is pointed at the new mock receiver, and keeps its secret.
        assert f"webhook #1 -> {third.mock_url}/webhooks/outlet-webhook" in third.banner
        assert third.secret == first.secret
        result, rows = third.trigger("--count", "1")
        assert result.returncode == 0, result.stderr
        listed = third.cli("webhooks", "list", "--outlet", "outlet-webhook", "--json")
        assert len(json.loads(listed.stdout)) == 1, "no second subscription was made"
    finally:
        assert third.stop() == 0


async def test_seeding_maps_revel_with_no_python_transformer_at_all(
    sandbox: Sandbox, mock_pos: MockPos
) -> None:
    # Revel is the shipped adapter script: no Python transformer (no plugin) is needed to map it.
    seeded = await seed(sandbox.url, mock_pos.url, API_KEY)

    assert seeded.revel_mapped is True
    assert seeded.warnings == []
    answer = await asyncio.to_thread(sandbox.dispatch, envelope("outlet-webhook", json.dumps(ORDER).encode()))
    assert answer.json()["dispatched"] is True


# --- the README -----------------------------------------------------------------------------------


def quickstart_blocks() -> list[list[str]]:
    text = README.read_text(encoding="utf-8")
    start = text.index("## Quickstart for partners (five minutes)")
    end = text.index("\n## ", start + 1)
    blocks = re.findall(r"```bash\n(.*?)```", text[start:end], re.DOTALL)
    return [[line for line in block.splitlines() if line.strip()] for block in blocks]


def test_the_quickstart_commands_work_as_written(tmp_path: Path) -> None:
    blocks = quickstart_blocks()
    assert blocks[0] == ["cata-sandbox up"]
    port, mock_port = free_port(), free_port()
    partner_secret: dict[str, str] = {}

    def partner_check(body: bytes, signature: str | None) -> bool:
        return verify(partner_secret.get("value", ""), body, signature)

    partner = ServerThread(receiver(check=partner_check), lifespan="off").start()
    # The README's command, on free ports instead of 8700/8701 (the test's only edit to it).
    with (tmp_path / "up.out").open("wb") as stdout, (tmp_path / "up.err").open("wb") as stderr:
        process = subprocess.Popen(
            ["bash", "-c", f"exec {blocks[0][0]} --port {port} --mock-port {mock_port}"],
            cwd=tmp_path,
            stdout=stdout,
            stderr=stderr,
            env=clean_env(),
        )
    try:
        deadline = time.monotonic() + 60
        while not banner_complete(banner := (tmp_path / "up.out").read_text()):
            assert process.poll() is None, (tmp_path / "up.err").read_text()
            assert time.monotonic() < deadline, "up did not print its banner"
            time.sleep(0.05)
        env = clean_env(CATA_URL=f"http://127.0.0.1:{port}")
        values = {
            "<the API key up printed>": re.search(r"API key\s+(\S+)", banner).group(1),  # type: ignore[union-attr]
            "<the webhook secret up printed>": re.search(r"webhook secret\s+(\S+)", banner).group(1),  # type: ignore[union-attr]
        }
        ran = []
        for line in [line for block in blocks[1:] for line in block]:
            command = line.replace("127.0.0.1:8701", f"127.0.0.1:{mock_port}").replace(
                "127.0.0.1:9000", f"127.0.0.1:{partner.port}"
            )
            for placeholder, value in values.items():
                command = command.replace(placeholder, value)
            assert "<" not in command, f"unknown placeholder in {line!r}"
            if command.startswith("export "):
                name, _, value = command[len("export ") :].partition("=")
                env[name] = value
                continue
            result = subprocess.run(
                ["bash", "-c", command], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120
            )
            assert result.returncode == 0, f"{line}\n{result.stdout}\n{result.stderr}"
            ran.append(command)
            if " orders " in f" {command} ":
                values["<an orderId from the list>"] = re.search(  # type: ignore[union-attr]
                    r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", result.stdout
                ).group(0)
            if " register " in f" {command} ":
                secret = re.search(r"^secret\s+(\S+)", result.stdout, re.MULTILINE).group(1)  # type: ignore[union-attr]
                values["<the secret register printed>"] = secret
                partner_secret["value"] = secret
        assert any("check-receiver" in c and str(partner.port) in c for c in ran)
        assert (tmp_path / "receiver.xml").exists()
    finally:
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=30) == 0
        partner.stop()
