"""`cata-sandbox up` seeds outlet-lightspeed and outlet-atlas; `trigger --transformer lightspeed|atlas` works,
and for Lightspeed it waits for the asynchronous outcome (the notification) and shows it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from mock_pos.client import MockAdmin
from tests.support.up import Up, start_up


@pytest.fixture(scope="module")
def up(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Up]:
    running = start_up(tmp_path_factory.mktemp("up-pos"))
    try:
        yield running
    finally:
        assert running.stop() == 0


def test_the_banner_names_both_outlets(up: Up) -> None:
    assert "outlet-lightspeed mapped to mock Lightspeed" in up.banner  # the labels align at one column
    assert "outlet-atlas      mapped to mock Atlas Kitchen" in up.banner
    assert "cata-sandbox trigger --transformer lightspeed" in up.banner


def test_trigger_lightspeed_waits_for_each_acceptance(up: Up) -> None:
    result, rows = up.trigger("--transformer", "lightspeed", "--count", "4", "--seed", "3")
    assert result.returncode == 0, result.stdout + result.stderr
    assert [(r["route"], r["dispatched"], r["externalOrderId"]) for r in rows] == [
        ("lightspeed", True, "")
    ] * 4
    with MockAdmin(up.mock_url) as admin:
        accounts = {
            o["thirdPartyReference"]: o["ikentooAccountIdentifier"] for o in admin.lightspeed_orders()
        }
    for row in rows:
        assert f"  {row['orderRefNo']}: ACCEPTED (POS order " in result.stderr
    assert len(accounts) == 4
    order = httpx.get(f"{up.url}/api/v1/orders/{rows[0]['orderId']}", headers={"X-Api-Key": up.api_key})
    assert order.json()["order"]["externalOrderId"] == accounts[rows[0]["orderId"]]
    assert "4/4 as expected" in result.stderr


def test_trigger_lightspeed_shows_a_failure_after_200_ok(up: Up) -> None:
    result, rows = up.trigger(
        "--transformer", "lightspeed", "--count", "2", "--fault", "notification:failure:Kitchen closed"
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert all(row["dispatched"] for row in rows)
    for row in rows:
        assert f"  {row['orderRefNo']}: REJECTED (reason: Kitchen closed)" in result.stderr


def test_trigger_lightspeed_with_a_status_fault(up: Up) -> None:
    result, rows = up.trigger("--transformer", "lightspeed", "--count", "2", "--fault", "status:503")
    assert result.returncode == 0, result.stdout + result.stderr
    reasons = [row["reason"] for row in rows]
    assert len(reasons) == 2
    assert all(r.startswith("POS returned HTTP 503: ") and "mock status" in r for r in reasons), reasons
    assert "Waiting for the POS's notifications" not in result.stderr


def test_trigger_atlas_with_and_without_a_fault(up: Up) -> None:
    result, rows = up.trigger("--transformer", "atlas", "--count", "3", "--seed", "4")
    assert result.returncode == 0, result.stdout + result.stderr
    with MockAdmin(up.mock_url) as admin:
        ids = {str(o["order"]["id"]) for o in admin.atlas_orders()}
    assert {row["externalOrderId"] for row in rows} <= ids
    faulted, rows = up.trigger("--transformer", "atlas", "--count", "2", "--fault", "status:500")
    assert faulted.returncode == 0, faulted.stdout + faulted.stderr
    reasons = [row["reason"] for row in rows]
    assert len(reasons) == 2
    assert all(r.startswith("POS returned HTTP 500: ") and "Something went wrong" in r for r in reasons), (
        reasons
    )


def test_a_notification_fault_needs_lightspeed(up: Up, tmp_path: Path) -> None:
    result = up.cli("trigger", "--fault", "notification:failure")
    assert result.returncode == 2
    assert "--fault notification:... is mock Lightspeed's" in result.stderr
