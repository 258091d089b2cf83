"""Replaying failed orders: POST /api/v1/orders/{orderId}/redispatch and `cata-sandbox replay` (a real subprocess)."""

from __future__ import annotations

import hashlib
import hmac
import os
import subprocess
from typing import Any

import msgspec

from mock_pos.client import entry_body, entry_headers
from tests.support import API_KEY, CLI, ORDER, MockPos, Sandbox, connect_receiver, envelope

RESPONSE_KEYS = {"code", "isSuccess", "message", "orderId", "externalOrderId", "dispatched", "reason"}
# Bytes no encoder would write: a replay must send these, not a re-encoding.
RAW_ORDER = (
    b'{ "orderRefNo" : "REPLAY-1","deliveryMethod":"PICKUP", "createdAt":"2026-11-27T10:00:00+08:00",\n'
    b'  "currency":"SGD","items":[{"plu":"101","name":"Caf\\u00e9","quantity":1,"unitPrice":4.50}],"totalPay":4.50 }'
)


def receiver_down(mock_pos: MockPos, name: str) -> int:
    """The receiver answers 503 until the returned fault is removed."""
    fault_id: int = mock_pos.fault(name, "status", code=503)["id"]
    return fault_id


def recover(mock_pos: MockPos, fault_id: int) -> None:
    mock_pos.admin.remove_fault(fault_id)


def failed_order(sandbox: Sandbox, outlet_id: str, raw: bytes) -> str:
    response = sandbox.dispatch(envelope(outlet_id, raw))
    body = response.json()
    assert (body["dispatched"], body["reason"]) == (False, "callback returned HTTP 503"), body
    order_id: str = body["orderId"]
    return order_id


def headers_of(entry: dict[str, Any]) -> dict[str, str]:
    return entry_headers(entry)


def test_replaying_a_failed_order_after_the_receiver_recovers(sandbox: Sandbox, mock_pos: MockPos) -> None:
    secret = connect_receiver(sandbox, mock_pos, "outlet-1", "r1")
    fault_id = receiver_down(mock_pos, "r1")
    order_id = failed_order(sandbox, "outlet-1", RAW_ORDER)
    assert sandbox.order(order_id)["fulfilmentStatus"] is None
    recover(mock_pos, fault_id)

    replayed = sandbox.client.post(f"/api/v1/orders/{order_id}/redispatch")

    assert replayed.status_code == 200, replayed.text
    body = replayed.json()
    assert set(body) == RESPONSE_KEYS
    assert (body["orderId"], body["dispatched"], body["reason"]) == (order_id, True, "")
    assert body["externalOrderId"] != ""
    order = sandbox.order(order_id)
    assert (order["status"], order["reason"], order["externalOrderId"]) == (
        "dispatched",
        "",
        body["externalOrderId"],
    )
    first, second = order["attempts"]
    assert (first["dispatched"], first["responseStatus"], second["dispatched"]) == (False, 503, True)
    assert first["deliveryId"] != second["deliveryId"]
    assert order["fulfilmentStatus"] == "PAID"
    assert [(e["status"], e["source"]) for e in order["statusHistory"]] == [("PAID", "dispatch")]
    journal = mock_pos.journal("r1")
    assert len(journal) == 2
    bodies = [entry_body(entry) for entry in journal]
    assert bodies == [RAW_ORDER, RAW_ORDER]
    delivery_ids = [headers_of(entry)["x-cata-delivery-id"] for entry in journal]
    assert delivery_ids == [first["deliveryId"], second["deliveryId"]]
    signature = "sha256=" + hmac.new(secret.encode(), RAW_ORDER, hashlib.sha256).hexdigest()
    assert [headers_of(entry)["x-cata-signature"] for entry in journal] == [signature, signature]


def test_a_replay_that_fails_again_is_stored_as_another_failed_attempt(
    sandbox: Sandbox, mock_pos: MockPos
) -> None:
    connect_receiver(sandbox, mock_pos, "outlet-1", "r1")
    receiver_down(mock_pos, "r1")
    order_id = failed_order(sandbox, "outlet-1", RAW_ORDER)

    replayed = sandbox.client.post(f"/api/v1/orders/{order_id}/redispatch").json()

    assert (replayed["dispatched"], replayed["reason"]) == (False, "callback returned HTTP 503")
    order = sandbox.order(order_id)
    assert [a["dispatched"] for a in order["attempts"]] == [False, False]
    assert (order["status"], order["fulfilmentStatus"], order["statusHistory"]) == ("failed", None, [])


def test_redispatch_of_an_unknown_order_is_404(sandbox: Sandbox) -> None:
    response = sandbox.client.post("/api/v1/orders/no-such-order/redispatch")

    assert response.status_code == 404
    assert response.json() == {"code": 404, "isSuccess": False, "message": "order no-such-order not found"}


# --- `cata-sandbox replay` ---------------------------------------------------------------------------


def run_cli(*args: str, api_key: str | None = API_KEY) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CATA_")}
    if api_key is not None:
        env["CATA_API_KEY"] = api_key
    return subprocess.run([*CLI, *args], capture_output=True, text=True, env=env, timeout=120, check=False)


def rows_of(output: str) -> dict[str, list[str]]:
    """The table's rows by orderId (columns: orderId, orderRefNo, dispatched, reason..., attempts)."""
    lines = output.strip().splitlines()
    assert lines[0].split()[:3] == ["orderId", "orderRefNo", "dispatched"], output
    assert lines[0].split()[-1] == "attempts", output
    return {line.split()[0]: line.split() for line in lines[1:-1]}


def test_cli_replays_one_order(sandbox: Sandbox, mock_pos: MockPos) -> None:
    connect_receiver(sandbox, mock_pos, "outlet-1", "r1")
    fault_id = receiver_down(mock_pos, "r1")
    order_id = failed_order(sandbox, "outlet-1", RAW_ORDER)
    recover(mock_pos, fault_id)

    done = run_cli("replay", order_id, "--url", sandbox.url)

    assert done.returncode == 0, done.stdout + done.stderr
    row = rows_of(done.stdout)[order_id]
    assert row[1:3] == ["REPLAY-1", "yes"]
    assert row[-1] == "2"
    assert done.stdout.strip().splitlines()[-1] == "1 replayed: 1 dispatched, 0 not dispatched"
    journal = mock_pos.journal("r1")
    assert [entry_body(e) for e in journal] == [RAW_ORDER, RAW_ORDER]
    assert len({headers_of(e)["x-cata-delivery-id"] for e in journal}) == 2
    assert sandbox.order(order_id)["status"] == "dispatched"


def test_cli_replays_failed_orders_by_outlet_and_exits_1_while_one_still_fails(
    sandbox: Sandbox, mock_pos: MockPos
) -> None:
    connect_receiver(sandbox, mock_pos, "outlet-a", "ra")
    connect_receiver(sandbox, mock_pos, "outlet-b", "rb")
    fault_a = receiver_down(mock_pos, "ra")
    receiver_down(mock_pos, "rb")
    a1 = failed_order(sandbox, "outlet-a", RAW_ORDER)
    a2 = failed_order(sandbox, "outlet-a", msgspec.json.encode(ORDER))
    b1 = failed_order(sandbox, "outlet-b", RAW_ORDER)
    recover(mock_pos, fault_a)

    outlet_a = run_cli("replay", "--failed", "--outlet", "outlet-a", "--url", sandbox.url)
    the_rest = run_cli("replay", "--failed", "--url", sandbox.url, "--api-key", API_KEY, api_key=None)
    nothing_left = run_cli("replay", "--failed", "--outlet", "outlet-a", "--url", sandbox.url)

    assert outlet_a.returncode == 0, outlet_a.stdout + outlet_a.stderr
    rows = rows_of(outlet_a.stdout)
    assert set(rows) == {a1, a2}
    assert {rows[a1][1], rows[a2][1]} == {"REPLAY-1", ORDER["orderRefNo"]}
    assert all(row[2] == "yes" and row[-1] == "2" for row in rows.values())
    assert the_rest.returncode == 1, the_rest.stdout + the_rest.stderr
    [row] = rows_of(the_rest.stdout).values()
    assert row[0] == b1
    assert row[2] == "no"
    assert "callback returned HTTP 503" in the_rest.stdout
    assert the_rest.stdout.strip().splitlines()[-1] == "1 replayed: 0 dispatched, 1 not dispatched"
    assert (nothing_left.returncode, nothing_left.stdout.strip()) == (
        0,
        "no failed orders to replay for outlet outlet-a",
    )
    assert [a["dispatched"] for a in sandbox.order(b1)["attempts"]] == [False, False]


def test_cli_reports_unknown_orders_and_bad_keys(sandbox: Sandbox) -> None:
    unknown = run_cli("replay", "no-such-order", "--url", sandbox.url)
    bad_key = run_cli("replay", "--failed", "--url", sandbox.url, api_key="wrong-key")
    no_key = run_cli("replay", "--failed", "--url", sandbox.url, api_key=None)

    assert unknown.returncode == 1
    assert rows_of(unknown.stdout)["no-such-order"][2] == "no"
    assert "HTTP 404: order no-such-order not found" in unknown.stdout
    assert bad_key.returncode == 1
    assert "HTTP 401" in bad_key.stderr
    assert no_key.returncode == 2
    assert "CATA_API_KEY" in no_key.stderr


def test_cli_replay_help_explains_the_command() -> None:
    shown = run_cli("replay", "--help", api_key=None)
    misuse = run_cli("replay", "some-id", "--failed", api_key=None)

    assert shown.returncode == 0
    for text in ("--failed", "--outlet", "--url", "--api-key", "X-Cata-Delivery-ID", "Exits 0 only when"):
        assert text in shown.stdout
    assert misuse.returncode == 2
    assert "not both" in misuse.stderr
