"""The inspector in chromium: the HAR download, forms refused without their CSRF token, the session
cookie's flags, and the webhooks, outlets and adapters pages. Screenshots go to reports/inspector/."""

from __future__ import annotations

import base64
import json
import time
from pathlib import Path

import httpx
import msgspec
from playwright.sync_api import BrowserContext, Page, expect

from cata_sandbox.partner.up import revel_settings
from tests.support.browser import chromium_or_skip, screenshot, sign_in
from tests.support.up import Up

chromium_or_skip(module=True)


class _Stored(msgspec.Struct):
    order: msgspec.Raw


class _Envelope(msgspec.Struct):
    order: _Stored


def stored_order_bytes(up: Up, order_id: str) -> bytes:
    """The order's bytes as the API returns them (``order`` is the stored bytes, spliced in verbatim)."""
    response = httpx.get(f"{up.url}/api/v1/orders/{order_id}", headers={"X-Api-Key": up.api_key})
    assert response.status_code == 200, response.text
    return bytes(msgspec.json.decode(response.content, type=_Envelope).order.order)


def dispatched_order(up: Up) -> str:
    result, rows = up.trigger("--count", "1")
    assert rows, result.stderr
    assert rows[0]["dispatched"] is True, rows
    return str(rows[0]["orderId"])


def test_the_har_download_parses_and_its_request_body_is_the_stored_bytes(
    page: Page, up: Up, tmp_path: Path
) -> None:
    order_id = dispatched_order(up)
    sign_in(page, up.url, up.api_key)
    page.goto(f"{up.url}/inspector/orders/{order_id}")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download HAR").click()
    download = download_info.value
    assert download.suggested_filename == f"order-{order_id}.har"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    har = json.loads(saved.read_bytes())

    assert har["log"]["version"] == "1.2"
    assert har["log"]["creator"]["name"] == "cata-sandbox inspector"
    (entry,) = har["log"]["entries"]
    posted = entry["request"]["postData"]
    sent = base64.b64decode(posted["text"]) if posted.get("encoding") == "base64" else posted["text"].encode()
    assert sent == stored_order_bytes(up, order_id)
    assert entry["request"]["method"] == "POST"
    assert entry["request"]["url"] == f"{up.mock_url}/webhooks/outlet-webhook"
    assert {"name", "value"} <= set(entry["request"]["headers"][0])
    assert entry["response"]["status"] == 200
    assert entry["time"] >= 0
    screenshot(page, "08-order-dispatched")


def test_a_form_without_the_csrf_token_is_refused_and_the_session_cookie_has_its_flags(
    page: Page, context: BrowserContext, up: Up
) -> None:
    order_id = dispatched_order(up)
    sign_in(page, up.url, up.api_key)

    cookies = {c["name"]: c for c in context.cookies()}
    session = cookies["cata_inspector_session"]
    assert session["httpOnly"] is True
    assert session["sameSite"] == "Strict"
    assert session["path"] == "/inspector"
    assert time.time() < session["expires"] <= time.time() + 8 * 3600 + 60
    csrf = cookies["cata_inspector_csrf"]
    assert (csrf["httpOnly"], csrf["sameSite"], csrf["path"]) == (True, "Strict", "/inspector")

    # A page of another origin (about:blank here) posting the Replay form, without the token.
    page.set_content(
        f'<form method="post" action="{up.url}/inspector/orders/{order_id}/replay">'
        '<button type="submit">Replay it</button></form>'
    )
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Replay it").click()
    response = navigation.value
    assert response is not None
    assert response.status == 403
    expect(page.get_by_role("alert")).to_contain_text("the form's CSRF token is missing")
    screenshot(page, "09-cross-site-post-refused")

    # With the session cookie but a wrong token: refused too, and nothing was sent.
    refused = context.request.post(
        f"{up.url}/inspector/orders/{order_id}/replay", form={"csrf": "x" * 43}, max_redirects=0
    )
    assert refused.status == 403
    page.goto(f"{up.url}/inspector/orders/{order_id}")
    expect(page.locator("article.attempt")).to_have_count(1)


def test_webhooks_register_and_rotate_show_the_secret_once_and_outlets_show_charts(
    page: Page, up: Up
) -> None:
    sign_in(page, up.url, up.api_key)
    page.get_by_role("link", name="Webhooks").click()
    expect(page.locator("#webhook-1")).to_contain_text("outlet-webhook")
    form = page.locator("#register")
    form.get_by_label("Outlet id").fill("outlet-browser")
    form.get_by_label("Callback URL").fill(f"{up.mock_url}/webhooks/browser")
    form.get_by_role("button", name="Register").click()
    expect(page.get_by_role("alert")).to_contain_text("shown this once")
    first_secret = page.locator("#shown-secret").inner_text()
    assert first_secret.startswith("whsec_")
    screenshot(page, "10-webhook-registered")
    page.get_by_role("link", name="Webhooks").click()
    expect(page.locator("#shown-secret")).to_have_count(0)
    assert first_secret not in page.content()

    row = page.locator("tr", has_text="outlet-browser")
    row.get_by_role("button", name="Rotate secret").click()
    rotated = page.locator("#shown-secret").inner_text()
    assert rotated.startswith("whsec_")
    assert rotated != first_secret
    page.locator("tr", has_text="outlet-browser").get_by_role("button", name="Delete").click()
    expect(page.get_by_role("status")).to_contain_text("deleted")

    dispatched_order(up)
    page.get_by_role("link", name="Outlets").click()
    card = page.locator("section.card", has_text="outlet-webhook")
    expect(card.locator("svg.chart g.dispatched").first).to_be_attached()
    expect(card.locator("svg.chart title").first).to_contain_text("dispatched")
    revel = page.locator("section.card", has_text="outlet-revel")
    expect(revel).to_contain_text("Provider revel")
    expect(revel).to_contain_text("(secret)")
    assert "apiSecret" in revel.inner_text()
    secret = revel_settings(up.mock_url)["apiSecret"]
    assert secret not in page.content()
    screenshot(page, "11-outlets")

    page.get_by_role("link", name="Adapters").click()
    expect(page.locator("#scripts")).to_contain_text("revel")
    screenshot(page, "12-adapters")
    page.set_viewport_size({"width": 400, "height": 800})
    page.get_by_role("link", name="Orders").click()
    expect(page.get_by_role("heading", name="Orders")).to_be_visible()
    screenshot(page, "13-orders-narrow")
