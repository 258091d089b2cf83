"""Mock Lightspeed's OAuth2: the token endpoint's grants and errors, token expiry and refresh, 401s."""

from __future__ import annotations

from typing import Any

import httpx
import pytest


async def test_token_response_is_an_oauth2_bearer_pair(client: httpx.AsyncClient, lightspeed: Any) -> None:
    tokens = await lightspeed.login()
    assert set(tokens) == {"access_token", "token_type", "expires_in", "refresh_token", "scope"}
    assert (tokens["token_type"], tokens["expires_in"], tokens["scope"]) == ("bearer", 3600, "orders-api")


async def test_an_authorization_code_is_good_once(lightspeed: Any, client: httpx.AsyncClient) -> None:
    code = (await client.post("/__admin/lightspeed/authorize")).json()["code"]
    first = await lightspeed.oauth(grant_type="authorization_code", code=code)
    second = await lightspeed.oauth(grant_type="authorization_code", code=code)
    assert first.status_code == 200
    assert (second.status_code, second.json()["error"]) == (400, "invalid_grant")


@pytest.mark.parametrize(
    ("form", "status", "error"),
    [
        (
            {"client_secret": "wrong", "grant_type": "refresh_token", "refresh_token": "x"},
            401,
            "invalid_client",
        ),
        ({"grant_type": "password"}, 400, "unsupported_grant_type"),
        ({}, 400, "invalid_request"),
        ({"grant_type": "authorization_code"}, 400, "invalid_request"),
        ({"grant_type": "refresh_token", "refresh_token": "made-up"}, 400, "invalid_grant"),
        ({"grant_type": "refresh_token", "refresh_token": "x", "scope": "menu-api"}, 400, "invalid_scope"),
    ],
)
async def test_token_endpoint_errors(lightspeed: Any, form: dict[str, str], status: int, error: str) -> None:
    response = await lightspeed.oauth(**form)
    assert (response.status_code, response.json()["error"]) == (status, error)


async def test_client_credentials_may_come_as_http_basic(lightspeed: Any, client: httpx.AsyncClient) -> None:
    code = (await client.post("/__admin/lightspeed/authorize")).json()["code"]
    response = await client.post(
        "/lightspeed/oauth/token",
        data={"grant_type": "authorization_code", "code": code},
        auth=("sandbox-client", "sandbox-client-secret"),
    )
    assert response.status_code == 200, response.text


@pytest.mark.parametrize(
    ("authorization", "description"),
    [
        (None, "Full authentication is required to access this resource"),
        ("Bearer not-a-token", "Invalid access token"),
    ],
)
async def test_wrong_or_missing_token_is_401(
    client: httpx.AsyncClient, lightspeed: Any, authorization: str | None, description: str
) -> None:
    headers = {} if authorization is None else {"Authorization": authorization}
    response = await client.post("/lightspeed/o/op/1/order/toGo", content=b"{}", headers=headers)
    assert response.status_code == 401
    assert response.json() == {"error": "invalid_token", "error_description": description}
    assert response.headers["www-authenticate"].startswith('Bearer realm="lightspeed", error="invalid_token"')


async def test_expired_token_is_401_until_refreshed(client: httpx.AsyncClient, lightspeed: Any) -> None:
    await client.patch("/__admin/lightspeed", json={"tokenLifetimeSeconds": 0})
    await lightspeed.login()  # issued already expired
    expired = await lightspeed.place(lightspeed.order())
    assert (expired.status_code, expired.json()["error_description"]) == (401, "Access token expired")
    await client.patch("/__admin/lightspeed", json={"tokenLifetimeSeconds": 60})
    refreshed = await lightspeed.oauth(grant_type="refresh_token", refresh_token=lightspeed.refresh)
    assert refreshed.status_code == 200, refreshed.text
    assert refreshed.json()["expires_in"] == 60
    lightspeed.token = refreshed.json()["access_token"]
    assert (await lightspeed.place(lightspeed.order())).status_code == 200
    reused = await lightspeed.oauth(grant_type="refresh_token", refresh_token=lightspeed.refresh)
    assert (reused.status_code, reused.json()["error"]) == (400, "invalid_grant")  # refresh tokens rotate


async def test_admin_can_expire_every_token(client: httpx.AsyncClient, lightspeed: Any) -> None:
    expired = await client.post("/__admin/lightspeed/tokens/expire")
    assert expired.json() == {"expired": 1}
    assert (await lightspeed.place(lightspeed.order())).status_code == 401
    direct = (await client.post("/__admin/lightspeed/tokens")).json()
    lightspeed.token = direct["access_token"]
    assert (await lightspeed.place(lightspeed.order())).status_code == 200
