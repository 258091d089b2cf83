"""The inspector in a real browser (chromium) against `cata-sandbox up`: sign-in, live orders, one order's
attempts, the mock panel, Replay and status pushes. Screenshots go to reports/inspector/."""

from __future__ import annotations

import json
import subprocess

import httpx
from playwright.sync_api import Page, expect

from tests.support.browser import chromium_or_skip, screenshot, sign_in
from tests.support.cli import CLI, clean_env
from tests.support.factories import ORDER, envelope
from tests.support.up import Up

chromium_or_skip(module=True)


def trigger_one(up: Up, *args: str) -> dict[str, object]:
    result, rows = up.trigger("--count", "1", *args)
    assert len(rows) == 1, result.stderr
    return rows[0]


def other_tenants_order(up: Up) -> str:
    """An order of another tenant, made with that tenant's own key."""
    database = f"sqlite+aiosqlite:///{up.out.parent / 'cata-sandbox.db'}"
    made = subprocess.run(
        [*CLI, "keys", "create", "--tenant", "someone-else", "--database-url", database],
        capture_output=True,
        text=True,
        env=clean_env(),
        timeout=60,
        check=True,
    )
    key = made.stdout.strip().split()[-1]
    with httpx.Client(base_url=up.url, headers={"X-Api-Key": key}, timeout=30) as other:
        hook = other.post(
            "/api/v1/webhooks/register",
            json={"outletId": "their-outlet", "callbackUrl": f"{up.mock_url}/webhooks/theirs"},
        )
        assert hook.status_code == 201, hook.text
        sent = other.post(
            "/api/v1/orders/dispatch",
            content=envelope("their-outlet", json.dumps({**ORDER, "orderRefNo": "THEIRS-1"}).encode()),
        )
        assert sent.status_code == 200, sent.text
        order_id: str = sent.json()["orderId"]
    return order_id


def test_sign_in_refuses_a_wrong_key_and_another_tenants_order_is_not_found(page: Page, up: Up) -> None:
    page.goto(f"{up.url}/inspector/orders")
    expect(page).to_have_url(f"{up.url}/inspector/signin?why=not+signed+in")
    sign_in(page, up.url, "cata_sk_not-a-key")
    expect(page.get_by_role("alert")).to_contain_text("Refused: invalid or expired API key")
    screenshot(page, "01-signin-refused")

    sign_in(page, up.url, up.api_key)
    expect(page).to_have_url(f"{up.url}/inspector/orders")
    expect(page.get_by_role("heading", name="Orders")).to_be_visible()

    theirs = other_tenants_order(up)
    response = page.goto(f"{up.url}/inspector/orders/{theirs}")
    assert response is not None
    assert response.status == 404
    expect(page.get_by_role("heading", name="Not found")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text(f"order {theirs} not found")
    screenshot(page, "02-other-tenants-order-404")


def test_a_trigger_from_another_process_appears_live_with_its_reason(page: Page, up: Up) -> None:
    sign_in(page, up.url, up.api_key)
    expect(page.locator("body[data-stream='open']")).to_have_count(1)
    page.evaluate("window.__sameDocument = true")
    failed_before = int(page.locator("[data-count='failed']").inner_text())
    total_before = int(page.locator("[data-total]").inner_text())

    row = trigger_one(up, "--fault", "status:503", "--fault-times", "3")

    live = page.locator(f"tr[data-order-id='{row['orderId']}']")
    expect(live).to_contain_text(str(row["orderRefNo"]))
    expect(live).to_contain_text("failed")
    expect(live).to_contain_text("callback returned HTTP 503")
    expect(page.locator("[data-count='failed']")).to_have_text(str(failed_before + 1))
    expect(page.locator("[data-total]")).to_have_text(str(total_before + 1))
    assert page.evaluate("window.__sameDocument") is True, "the page was reloaded"
    screenshot(page, "03-orders-live")


def test_an_attempt_shows_a_valid_signature_then_replay_after_clearing_the_fault_dispatches(
    page: Page, up: Up
) -> None:
    row = trigger_one(up, "--fault", "status:503", "--fault-times", "3")
    sign_in(page, up.url, up.api_key)
    page.get_by_role("link", name=str(row["orderRefNo"])).click()
    expect(page.locator("#order-status")).to_contain_text("failed")
    attempt = page.locator("#attempt-1")
    attempt.get_by_text("Request headers").click()
    expect(attempt.locator("table.headers").first).to_contain_text("X-Cata-Signature")
    expect(attempt.locator("table.headers").first).to_contain_text("X-Cata-Delivery-ID")
    expect(attempt.locator(".signature")).to_contain_text("valid: HMAC-SHA256 of the body with webhook #1")
    expect(attempt).to_contain_text("Reason: callback returned HTTP 503")
    screenshot(page, "04-order-failed")
    order_url = page.url

    page.get_by_role("link", name="mock_pos").click()
    expect(page.locator("#faults tbody tr").first).to_contain_text("status")
    screenshot(page, "05-mock-panel")
    page.get_by_role("button", name="Clear all faults").click()
    expect(page.get_by_role("status")).to_contain_text("fault(s) cleared")
    expect(page.locator("#faults")).to_contain_text("No faults")

    page.goto(order_url)
    page.get_by_role("button", name="Replay").click()
    expect(page.get_by_role("status")).to_contain_text("replayed: dispatched")
    expect(page.locator("#order-status")).to_contain_text("dispatched")
    expect(page.locator("#fulfilment-status")).to_have_text("PAID")
    expect(page.locator("#attempt-2")).to_contain_text("dispatched")
    screenshot(page, "06-order-replayed")


def test_push_accepted_then_completed_and_no_backward_move_is_offered(page: Page, up: Up) -> None:
    row = trigger_one(up)
    assert row["dispatched"] is True, row
    sign_in(page, up.url, up.api_key)
    page.goto(f"{up.url}/inspector/orders/{row['orderId']}")
    status = page.get_by_label("Push a status")
    offered = status.locator("option").all_inner_texts()
    assert "PAID" not in offered
    assert "ACCEPTED" in offered
    assert "REJECTED" in offered

    status.select_option("ACCEPTED")
    page.get_by_role("button", name="Push").click()
    expect(page.locator("#fulfilment-status")).to_have_text("ACCEPTED")
    offered = page.get_by_label("Push a status").locator("option").all_inner_texts()
    assert offered == ["IN_PROGRESS", "READY", "DRIVER_PICKED_UP", "COMPLETED", "CANCELLED"]

    page.get_by_label("Push a status").select_option("COMPLETED")
    page.get_by_role("button", name="Push").click()
    expect(page.locator("#fulfilment-status")).to_have_text("COMPLETED")
    expect(page.get_by_label("Push a status")).to_have_count(0)
    expect(page.get_by_text("COMPLETED is final")).to_be_visible()
    history = page.locator("#history tbody")
    expect(history).to_contain_text("ACCEPTED")
    expect(history).to_contain_text("inspector")
    screenshot(page, "07-order-completed")
    listing = httpx.get(f"{up.url}/api/v1/orders/{row['orderId']}", headers={"X-Api-Key": up.api_key})
    assert json.loads(listing.text)["order"]["fulfilmentStatus"] == "COMPLETED"
