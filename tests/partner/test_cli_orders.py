"""`cata-sandbox orders`, `show` and `register` against a running `up`, as real subprocesses."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest

from mock_pos.client import MockAdmin, read_journal
from tests.support.up import Up, start_up

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


@pytest.fixture(scope="module")
def up(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Up]:
    """A sandbox holding a few dispatched and a few failed orders on both outlets."""
    running = start_up(tmp_path_factory.mktemp("orders"))
    try:
        for args in (
            ["--count", "2", "--seed", "1"],
            ["--count", "1", "--seed", "2", "--fault", "status:503"],
            ["--count", "1", "--seed", "3", "--transformer", "revel", "--fault", "error_body:Sold out"],
            ["--count", "1", "--seed", "4", "--transformer", "revel"],
        ):
            result, _ = running.trigger(*args)
            assert result.returncode == 0, result.stderr
        yield running
    finally:
        assert running.stop() == 0


def listing(up: Up, *args: str) -> dict[str, Any]:
    result = up.cli("orders", "--json", *args)
    assert result.returncode == 0, result.stderr
    found: dict[str, Any] = json.loads(result.stdout)
    return found


def test_orders_lists_the_stored_orders_newest_first_in_a_table(up: Up) -> None:
    result = up.cli("orders")
    assert result.returncode == 0, result.stderr
    header = next(line for line in result.stdout.splitlines() if "orderRefNo" in line)
    for column in ("orderId", "outlet", "route", "status", "reason", "created"):
        assert column in header
    assert "Orders (5 of 5, newest first)" in result.stdout
    for ref in ("SBX-00001-0001", "SBX-00001-0002", "SBX-00002-0001", "SBX-00003-0001", "SBX-00004-0001"):
        assert ref in result.stdout
    ids = UUID.findall(result.stdout)
    assert len(ids) == 5, "every orderId is printed whole, ready to copy"
    assert ids[0] == listing(up)["orders"][0]["orderId"]
    assert listing(up)["orders"][0]["orderRefNo"] == "SBX-00004-0001"


def test_orders_failed_shows_only_the_failed_ones_with_their_reasons(up: Up) -> None:
    failed = listing(up, "--failed")["orders"]
    assert {o["orderRefNo"] for o in failed} == {"SBX-00002-0001", "SBX-00003-0001"}
    assert {o["status"] for o in failed} == {"failed"}
    reasons = {o["orderRefNo"]: o["reason"] for o in failed}
    assert reasons["SBX-00002-0001"] == "callback returned HTTP 503"
    assert reasons["SBX-00003-0001"] == "POS returned 2xx but body indicated error: Sold out"
    table = up.cli("orders", "--failed").stdout
    assert "callback returned HTTP 503" in table
    assert "SBX-00001-0001" not in table


def test_orders_filters_by_outlet_and_limit(up: Up) -> None:
    revel = listing(up, "--outlet", "outlet-revel")
    assert revel["total"] == 2
    assert {o["outletId"] for o in revel["orders"]} == {"outlet-revel"}
    assert {o["route"] for o in revel["orders"]} == {"revel"}
    assert len(listing(up, "--limit", "2")["orders"]) == 2


def test_orders_stuck_lists_pending_orders(up: Up) -> None:
    assert listing(up, "--stuck")["orders"] == []
    both = up.cli("orders", "--failed", "--stuck")
    assert both.returncode == 2
    assert "exclude each other" in both.stderr


def test_show_prints_a_failed_webhook_order_with_its_attempt(up: Up) -> None:
    order_id = next(o["orderId"] for o in listing(up, "--failed")["orders"] if o["route"] == "webhook")

    result = up.cli("show", order_id)

    assert result.returncode == 0, result.stderr
    text = result.stdout
    assert f"order {order_id}  (SBX-00002-0001)" in text
    assert re.search(r"status\s+failed", text)
    assert re.search(r"reason\s+callback returned HTTP 503", text)
    assert f"request   POST {up.mock_url}/webhooks/outlet-webhook" in text
    for header in ("Content-Type: application/json", "X-Cata-Signature: sha256=", "X-Cata-Event: order.paid"):
        assert header in text
    assert re.search(r"X-Cata-Delivery-ID: " + UUID.pattern, text)
    assert "response  HTTP 503" in text
    assert '{"error":"mock status 503"}' in text
    assert '"notes":"mock:status:503"' in text, "the order JSON is shown as stored"


def test_show_keeps_revel_credentials_out_of_the_attempt(up: Up) -> None:
    order_id = next(o["orderId"] for o in listing(up, "--failed")["orders"] if o["route"] == "revel")

    result = up.cli("show", order_id)

    assert result.returncode == 0, result.stderr
    assert f"request   POST {up.mock_url}/revel/specialresources/cart/submit" in result.stdout
    assert "API-AUTHENTICATION: [redacted]" in result.stdout
    assert "sandbox-secret" not in result.stdout
    assert "POS returned 2xx but body indicated error: Sold out" in result.stdout


def test_show_truncates_long_response_bodies(up: Up) -> None:
    long_body = "E" * 5000
    with MockAdmin(up.mock_url) as admin:
        admin.add_fault(
            {"target": "outlet-webhook", "mode": "status", "code": 500, "body": long_body, "times": 1}
        )
    result, rows = up.trigger("--count", "1", "--seed", "9")
    assert result.returncode == 1, "the planted admin fault makes the order fail"
    shown = up.cli("show", rows[0]["orderId"]).stdout
    assert "E" * 600 + "... (4400 more characters)" in shown
    assert "E" * 601 not in shown
    whole = json.loads(up.cli("show", rows[0]["orderId"], "--json").stdout)
    assert whole["order"]["attempts"][0]["responseBody"] == long_body


def test_show_an_unknown_order_is_a_one_line_error(up: Up) -> None:
    result = up.cli("show", "no-such-order")
    assert result.returncode == 1
    assert (
        result.stderr.strip()
        == "Error: GET /api/v1/orders/no-such-order answered HTTP 404: order no-such-order not found"
    )


def test_register_prints_a_secret_that_signs_the_partners_deliveries(up: Up) -> None:
    callback = f"{up.mock_url}/webhooks/partner-pos"

    result = up.cli("register", "--outlet", "partner-outlet", "--callback-url", callback)

    assert result.returncode == 0, result.stderr
    webhook_id = re.search(r"^webhook id\s+(\d+)", result.stdout, re.MULTILINE)
    secret = re.search(r"^secret\s+(whsec_\S+)", result.stdout, re.MULTILINE)
    assert webhook_id
    assert secret
    assert f"check-receiver {callback} --secret {secret.group(1)}" in result.stdout
    with MockAdmin(up.mock_url) as admin:
        admin.configure_receiver("partner-pos", secret.group(1))
    sent, rows = up.trigger("--outlet", "partner-outlet", "--count", "2")
    assert sent.returncode == 0, sent.stderr
    assert len(rows) == 2
    assert all(row["externalOrderId"].startswith("partner-pos-") for row in rows)
    journal = read_journal(up.mock_url, "partner-pos")
    assert [entry["signatureValid"] for entry in journal] == [True, True]


def test_register_with_a_bad_url_shows_the_services_message(up: Up) -> None:
    result = up.cli("register", "--outlet", "x", "--callback-url", "not a url")
    assert result.returncode == 1
    assert "answered HTTP 400" in result.stderr
    assert "Traceback" not in result.stderr
