"""The inspector's forms over plain HTTP (no browser): the mock panel takes every fault mode with times and
match, bad fields are 4xx pages naming the field, and nothing changes without the CSRF token."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from mock_pos.faults import FAULT_MODES
from tests.support import API_KEY, MockPos, Sandbox, running_sandbox
from tests.support.browser import signed_in_client

# The one parameter each mode needs (or a changed default), as the panel's JSON field takes it.
PARAMS = {
    "status": '{"code": 503}',
    "error_body": '{"shape": "errorMsg", "message": "Sold out"}',
    "delay": '{"seconds": 0.5}',
    "reset": "",
    "malformed": "",
    "html": '{"code": 504}',
    "trickle": '{"seconds": 0.2, "chunks": 2}',
    "redirect": '{"code": 307}',
}


@pytest.fixture
def beside_mock(database_url: str, mock_pos: MockPos) -> Iterator[Sandbox]:
    with running_sandbox(database_url, mock_url=mock_pos.url) as running:
        yield running


@pytest.fixture
def browser_client(beside_mock: Sandbox) -> Iterator[httpx.Client]:
    client = signed_in_client(beside_mock.url, API_KEY)
    try:
        yield client
    finally:
        client.close()


def post(client: httpx.Client, path: str, **fields: str) -> httpx.Response:
    return client.post(path, data={"csrf": client.headers["X-Test-Csrf"], **fields})


def test_the_panel_adds_every_fault_mode_with_times_and_match(
    browser_client: httpx.Client, mock_pos: MockPos
) -> None:
    assert set(PARAMS) == set(FAULT_MODES)
    for mode in FAULT_MODES:
        added = post(
            browser_client,
            "/inspector/mock/faults",
            target="outlet-webhook",
            mode=mode,
            params=PARAMS[mode],
            times="2",
            match_orderRefNo=f"REF-{mode}",
            match_header="X-Cata-Event: order.paid",
        )
        assert added.status_code == 303, added.text[:400]
    active: list[dict[str, Any]] = mock_pos.admin.faults()
    assert [f["mode"] for f in active] == list(FAULT_MODES)
    assert all(f["times"] == 2 for f in active)
    assert active[0]["match"] == {"orderRefNo": "REF-status", "header": {"X-Cata-Event": "order.paid"}}
    page = browser_client.get("/inspector/mock")
    assert page.status_code == 200
    assert page.text.count('<td><form method="post" action="/inspector/mock/faults/') == len(FAULT_MODES)

    cleared = post(browser_client, "/inspector/mock/faults/clear")
    assert cleared.status_code == 303
    assert mock_pos.admin.faults() == []


@pytest.mark.parametrize(
    ("fields", "named"),
    [
        ({"mode": "status", "params": "{not json"}, "`params`"),
        ({"mode": "status", "params": "[1]"}, "`params`"),
        ({"mode": "status", "params": '{"code": 503}', "times": "two"}, "`times`"),
        ({"mode": "status", "params": '{"code": 503}', "match_header": "no colon"}, "`match_header`"),
        ({"mode": "sideways"}, "`mode`"),
        # mock_pos's own refusal (status needs its code), passed on in mock_pos.client's words.
        ({"mode": "status"}, "mock_pos POST /__admin/faults answered HTTP 400"),
    ],
)
def test_a_bad_fault_is_a_400_page_naming_the_field_and_nothing_is_added(
    browser_client: httpx.Client, mock_pos: MockPos, fields: dict[str, str], named: str
) -> None:
    refused = post(browser_client, "/inspector/mock/faults", target="outlet-webhook", **fields)
    assert refused.status_code == 400
    assert named in refused.text
    assert mock_pos.admin.faults() == []


def test_no_form_changes_anything_without_the_csrf_token(
    browser_client: httpx.Client, mock_pos: MockPos
) -> None:
    for path, fields in [
        ("/inspector/mock/faults", {"target": "outlet-webhook", "mode": "reset"}),
        ("/inspector/webhooks", {"outletId": "o-1", "callbackUrl": f"{mock_pos.url}/webhooks/x"}),
    ]:
        refused = browser_client.post(path, data=fields)
        assert refused.status_code == 403
        assert "CSRF token is missing" in refused.text
    assert mock_pos.admin.faults() == []
    assert "o-1" not in browser_client.get("/inspector/webhooks").text


def test_a_bad_webhook_registration_names_its_field(browser_client: httpx.Client) -> None:
    refused = post(browser_client, "/inspector/webhooks", outletId="o-2", callbackUrl="not a url")
    assert refused.status_code == 400
    assert "callbackUrl" in refused.text
    empty = post(browser_client, "/inspector/webhooks", outletId="", callbackUrl="http://127.0.0.1:9/x")
    assert empty.status_code == 400
    assert "outletId" in empty.text


def test_a_status_the_state_machine_refuses_is_a_409_page(
    browser_client: httpx.Client, beside_mock: Sandbox
) -> None:
    missing = post(browser_client, "/inspector/orders/no-such-order/status", status="ACCEPTED")
    assert missing.status_code == 404
    assert "order no-such-order not found" in missing.text
    unknown = post(browser_client, "/inspector/orders/no-such-order/status", status="LOST")
    assert unknown.status_code == 400
    assert "at `status`" in unknown.text


def test_without_mock_pos_the_panel_says_how_to_run_it(sandbox: Sandbox) -> None:
    client = signed_in_client(sandbox.url, API_KEY)
    try:
        page = client.get("/inspector/mock")
        assert page.status_code == 200
        assert "mock_pos is not running beside this sandbox" in page.text
        refused = post(client, "/inspector/mock/faults", target="outlet-webhook", mode="reset")
        assert refused.status_code == 400
        assert "cata-sandbox up" in refused.text
    finally:
        client.close()


def test_after_signing_out_pages_and_forms_lead_to_the_sign_in_page(browser_client: httpx.Client) -> None:
    assert post(browser_client, "/inspector/signout").status_code == 303
    for response in (
        browser_client.get("/inspector/webhooks"),
        post(browser_client, "/inspector/orders/any/replay"),
    ):
        assert response.status_code in (302, 303)
        assert response.headers["location"].startswith("/inspector/signin?why=not+signed+in")
    assert browser_client.get("/inspector/orders/counts").status_code == 401
    assert browser_client.get("/inspector/stream").status_code == 401
