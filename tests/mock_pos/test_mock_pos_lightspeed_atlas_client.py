"""``mock_pos.client.MockAdmin``'s mock Lightspeed and mock Atlas calls against a real loopback mock."""

from __future__ import annotations

import httpx
import pytest

from mock_pos import ServerThread
from mock_pos.client import MockAdmin, MockAdminError


def test_admin_client_drives_mock_lightspeed(mock_server: ServerThread) -> None:
    with MockAdmin(mock_server.url) as admin:
        assert admin.lightspeed_config()["clientId"] == "sandbox-client"
        assert admin.configure_lightspeed({"tokenLifetimeSeconds": 5})["tokenLifetimeSeconds"] == 5
        code = admin.lightspeed_authorization_code()
        answer = httpx.post(
            f"{mock_server.url}/lightspeed/oauth/token",
            data={"grant_type": "authorization_code", "code": code},
            auth=("sandbox-client", "sandbox-client-secret"),
        )
        assert answer.json()["expires_in"] == 5
        assert admin.lightspeed_tokens()["scope"] == "orders-api"
        assert admin.expire_lightspeed_tokens() == 2
        assert admin.lightspeed_orders() == []
        assert admin.add_lightspeed_notification_fault({"mode": "never"})["remaining"] is None
        with pytest.raises(MockAdminError, match=r"HTTP 404: no order with thirdPartyReference x"):
            admin.lightspeed_notify("x", "CLOSED")


def test_admin_client_drives_mock_atlas(mock_server: ServerThread) -> None:
    with MockAdmin(mock_server.url) as admin:
        assert admin.atlas_config()["merchantId"] == "sandbox-merchant"
        assert admin.configure_atlas({"eventSchedule": []})["eventSchedule"] == []
        assert admin.atlas_orders() == []
        assert admin.atlas_events() == []
        with pytest.raises(MockAdminError, match=r"HTTP 404: order 85 does not exist"):
            admin.atlas_event(85, "order.completed", "http://127.0.0.1:9/x")


def test_cli_help_names_both_new_mocks() -> None:
    from click.testing import CliRunner

    from mock_pos.cli import main

    top = CliRunner().invoke(main, ["--help"]).output
    serve = CliRunner().invoke(main, ["serve", "--help"]).output
    assert "/lightspeed" in top
    assert "/atlas" in top
    assert "sandbox-atlas-key" in " ".join(serve.split())
