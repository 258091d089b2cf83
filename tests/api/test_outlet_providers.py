"""PUT/GET /api/v1/outlet-providers/{outletId}: per-outlet provider settings, validated, tenant-scoped, with
write-only secrets that never reach a response, a log line or a stored attempt."""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from cata_sandbox.clock import SYSTEM_CLOCK
from cata_sandbox.store import Store
from cata_sandbox.store.db import create_engine
from cata_sandbox.store.tables import delivery_attempts
from cata_sandbox.validation import locate
from tests.support import MockPos, Sandbox, envelope
from tests.support.revel import (
    DINING,
    REVEL_KEY,
    REVEL_SECRET,
    configure_mock_revel,
    headers_of,
    map_outlet,
    order_json,
    revel_dispatch,
    revel_settings,
)

OTHER_KEY = "test-key-other-tenant"
PUBLIC_SETTINGS = {"establishmentId", "diningOptionIds", "paymentType", "productIdByPlu", "baseUrl"}


def _other_tenant(sandbox: Sandbox) -> httpx.Client:
    async def add_key() -> None:
        engine = create_engine(sandbox.database_url)
        try:
            await Store(engine).add_api_key("other", OTHER_KEY, SYSTEM_CLOCK.now())
        finally:
            await engine.dispose()

    asyncio.run(add_key())
    return httpx.Client(base_url=sandbox.url, headers={"X-Api-Key": OTHER_KEY}, timeout=30)


def _put(client: httpx.Client, outlet_id: str, body: Any) -> httpx.Response:
    if isinstance(body, bytes):
        return client.put(f"/api/v1/outlet-providers/{outlet_id}", content=body)
    return client.put(f"/api/v1/outlet-providers/{outlet_id}", json=body)


def test_put_then_get_shows_the_mapping_without_its_secrets(sandbox: Sandbox, mock_pos: MockPos) -> None:
    settings = revel_settings(mock_pos, productIdByPlu={"LATTE-L": 106})

    response = _put(
        sandbox.client, "outlet-1", {"providerSlug": "revel", "externalId": "est-1", "settings": settings}
    )

    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["code"], body["isSuccess"]) == (200, True)
    shown = body["outletProvider"]
    assert (shown["outletId"], shown["providerSlug"], shown["externalId"]) == ("outlet-1", "revel", "est-1")
    assert shown["settings"] == {
        "baseUrl": f"{mock_pos.url}/revel",
        "establishmentId": 1,
        "diningOptionIds": DINING,
        "paymentType": 7,
        "productIdByPlu": {"LATTE-L": 106},
    }
    assert shown["secretsSet"] == ["apiKey", "apiSecret"]
    assert shown["createdAt"] == shown["updatedAt"]
    got = sandbox.client.get("/api/v1/outlet-providers/outlet-1")
    assert got.status_code == 200
    assert got.json()["outletProvider"] == shown
    for text in (response.text, got.text):
        assert REVEL_KEY not in text
        assert REVEL_SECRET not in text


def test_a_second_put_replaces_the_mapping(sandbox: Sandbox, mock_pos: MockPos) -> None:
    first = map_outlet(sandbox, "outlet-1", revel_settings(mock_pos, paymentType=205), externalId="a")
    second = map_outlet(sandbox, "outlet-1", revel_settings(mock_pos, establishmentId=2), externalId="b")

    assert second["createdAt"] == first["createdAt"]
    assert second["updatedAt"] >= first["updatedAt"]
    assert (second["externalId"], second["settings"]["establishmentId"]) == ("b", 2)
    assert second["settings"]["paymentType"] == 7
    assert sandbox.client.get("/api/v1/outlet-providers/outlet-1").json()["outletProvider"] == second


def test_unmapped_outlet_is_404(sandbox: Sandbox) -> None:
    response = sandbox.client.get("/api/v1/outlet-providers/nowhere")
    assert response.status_code == 404
    assert response.json() == {
        "code": 404,
        "isSuccess": False,
        "message": "no provider mapping for outlet nowhere",
    }


def _without(settings: dict[str, Any], *names: str) -> dict[str, Any]:
    return {k: v for k, v in settings.items() if k not in names}


def _bad_requests(mock_pos: MockPos) -> list[tuple[str, Any, tuple[str, str | None]]]:
    """(case, body, (the service's own start of the message, the JSON path it must end by naming)).

    The text between is the decoder's description, which a new release may word differently."""
    good = revel_settings(mock_pos)
    return [
        (
            "missing-apiKey",
            {"providerSlug": "revel", "settings": _without(good, "apiKey")},
            ("invalid settings for revel: ", "$.settings.apiKey"),
        ),
        (
            "missing-apiSecret",
            {"providerSlug": "revel", "settings": _without(good, "apiSecret")},
            ("invalid settings for revel: ", "$.settings.apiSecret"),
        ),
        (
            "missing-dining-option",
            {"providerSlug": "revel", "settings": {**good, "diningOptionIds": {"PICKUP": 1, "DELIVERY": 2}}},
            ("invalid settings for revel: ", "$.settings.diningOptionIds.DINE_IN"),
        ),
        (
            # Secrets are redacted from reasons by substitution: a one-character key would garble them.
            "one-character-apiKey",
            {"providerSlug": "revel", "settings": {**good, "apiKey": "0"}},
            ("invalid settings for revel: ", "$.settings.apiKey"),
        ),
        (
            "short-apiSecret",
            {"providerSlug": "revel", "settings": {**good, "apiSecret": "s3cr3t!"}},
            ("invalid settings for revel: ", "$.settings.apiSecret"),
        ),
        (
            "establishment-as-string",
            {"providerSlug": "revel", "settings": {**good, "establishmentId": "1"}},
            ("invalid settings for revel: ", "$.settings.establishmentId"),
        ),
        (
            "dining-option-as-float",
            {"providerSlug": "revel", "settings": {**good, "diningOptionIds": {**DINING, "PICKUP": 1.5}}},
            ("invalid settings for revel: ", "$.settings.diningOptionIds.PICKUP"),
        ),
        (
            "payment-type-as-bool",
            {"providerSlug": "revel", "settings": {**good, "paymentType": True}},
            ("invalid settings for revel: ", "$.settings.paymentType"),
        ),
        (
            "product-id-not-int",
            {"providerSlug": "revel", "settings": {**good, "productIdByPlu": {"LATTE": "106"}}},
            ("invalid settings for revel: ", "$.settings.productIdByPlu[...]"),
        ),
        (
            "ftp-base-url",
            {"providerSlug": "revel", "settings": {**good, "baseUrl": "ftp://acme.revelup.com"}},
            ("invalid settings for revel: ", "$.settings.baseUrl"),
        ),
        (
            "empty-api-secret",
            {"providerSlug": "revel", "settings": {**good, "apiSecret": ""}},
            ("invalid settings for revel: ", "$.settings.apiSecret"),
        ),
        (
            "newline-in-api-key",
            {"providerSlug": "revel", "settings": {**good, "apiKey": REVEL_KEY + "\r\nX-Evil: 1"}},
            ("invalid settings for revel: ", "$.settings.apiKey"),
        ),
        (
            "unknown-setting",
            {"providerSlug": "revel", "settings": {**good, "apikey": "x"}},
            ("invalid settings for revel: ", "$.settings.apikey"),
        ),
        (
            "settings-not-object",
            {"providerSlug": "revel", "settings": [good]},
            ("invalid outlet provider: ", "$.settings"),
        ),
        (
            "settings-missing",
            {"providerSlug": "revel"},
            ("invalid outlet provider: ", "$.settings"),
        ),
        (
            "unknown-provider",
            {"providerSlug": "toast", "settings": good},
            ("unknown providerSlug 'toast' - at `$.providerSlug` (known: atlas, lightspeed, revel)", None),
        ),
        (
            "provider-missing",
            {"settings": good},
            ("invalid outlet provider: ", "$.providerSlug"),
        ),
        ("malformed-json", b'{"providerSlug": "revel", "settings": {', ("malformed JSON: ", None)),
    ]


def test_missing_or_wrong_settings_are_400_naming_the_setting(sandbox: Sandbox, mock_pos: MockPos) -> None:
    for name, body, (start, path) in _bad_requests(mock_pos):
        response = _put(sandbox.client, "outlet-1", body)

        assert response.status_code == 400, (name, response.text)
        envelope_ = response.json()
        assert (envelope_["code"], envelope_["isSuccess"]) == (400, False), name
        assert envelope_["message"].startswith(start), (name, envelope_)
        if path is not None:
            assert envelope_["message"].endswith(f" - at `{path}`"), (name, envelope_)
        assert REVEL_SECRET not in response.text, name
        assert REVEL_KEY not in response.text, name
    assert sandbox.client.get("/api/v1/outlet-providers/outlet-1").status_code == 404


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        (
            "Object missing required field `apiKey`",
            "Object missing required field `apiKey` - at `$.settings.apiKey`",
        ),
        ("Expected `int`, got `str` - at `$.a.b`", "Expected `int`, got `str` - at `$.settings.a.b`"),
        (
            "Object contains unknown field `x` - at `$.d`",
            "Object contains unknown field `x` - at `$.settings.d.x`",
        ),
        ("Expected `int` >= 1 - at `$.m[...]`", "Expected `int` >= 1 - at `$.settings.m[...]`"),
    ],
)
def test_locate_moves_the_decoders_path_under_settings(message: str, expected: str) -> None:
    assert locate(message, "$.settings") == expected


def test_mappings_are_per_tenant(sandbox: Sandbox, mock_pos: MockPos) -> None:
    configure_mock_revel(mock_pos)
    map_outlet(sandbox, "outlet-1", revel_settings(mock_pos))
    with _other_tenant(sandbox) as other:
        assert other.get("/api/v1/outlet-providers/outlet-1").status_code == 404
        # the other tenant's dispatch to the same outlet id finds no route of ours
        routed = other.post(
            "/api/v1/orders/dispatch",
            content=envelope("outlet-1", order_json(), builtInTransformer="revel"),
        ).json()
        assert routed["reason"] == "no dispatch route configured for this outlet/provider"
        assert mock_pos.journal("revel") == []
        # its own mapping of the same outlet id (with other credentials) leaves ours alone
        theirs = _put(
            other,
            "outlet-1",
            {
                "providerSlug": "revel",
                "settings": revel_settings(mock_pos, apiSecret="wrong-secret", establishmentId=2),
            },
        )
        assert theirs.status_code == 200
    ours = sandbox.client.get("/api/v1/outlet-providers/outlet-1").json()["outletProvider"]
    assert ours["settings"]["establishmentId"] == 1
    assert revel_dispatch(sandbox, "outlet-1", order_json())["dispatched"] is True


def test_secrets_never_appear_in_responses_logs_or_stored_attempts(
    sandbox: Sandbox, mock_pos: MockPos, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    wrong_secret = "rs_wrong_5ecret_77"
    configure_mock_revel(mock_pos)
    texts: list[str] = []

    def call(method: str, url: str, **kwargs: Any) -> httpx.Response:
        response = sandbox.client.request(method, url, **kwargs)
        texts.append(response.text)
        return response

    call(
        "PUT",
        "/api/v1/outlet-providers/good",
        json={"providerSlug": "revel", "settings": revel_settings(mock_pos)},
    )
    call(
        "PUT",
        "/api/v1/outlet-providers/bad",
        json={"providerSlug": "revel", "settings": revel_settings(mock_pos, apiSecret=wrong_secret)},
    )
    call(
        "PUT",
        "/api/v1/outlet-providers/bad",
        json={"providerSlug": "revel", "settings": {**revel_settings(mock_pos), "establishmentId": "x"}},
    )
    call("GET", "/api/v1/outlet-providers/good")
    order_ids = []
    for outlet, notes in (("good", ""), ("bad", ""), ("good", "mock:error_body.errorMsg:Kitchen closed")):
        response = call(
            "POST",
            "/api/v1/orders/dispatch",
            content=envelope(outlet, order_json(notes=notes), builtInTransformer="revel"),
        )
        order_ids.append(response.json()["orderId"])
    outcomes = []
    for order_id in order_ids:
        stored = call("GET", f"/api/v1/orders/{order_id}").json()["order"]
        outcomes.append((stored["status"], stored["reason"][:23]))
        [attempt] = stored["attempts"]
        assert attempt["requestHeaders"]["API-AUTHENTICATION"] == "[redacted]"
    call("GET", "/api/v1/orders")

    assert outcomes == [
        ("dispatched", ""),
        ("failed", "POS returned HTTP 403: "),
        ("failed", "POS returned 2xx but bo"),
    ]
    # the secrets did reach Revel (so the checks below are about not leaking them elsewhere)
    sent = {headers_of(e)["api-authentication"] for e in mock_pos.journal("revel")}
    assert sent == {f"{REVEL_KEY}:{REVEL_SECRET}", f"{REVEL_KEY}:{wrong_secret}"}
    logged = "\n".join(
        [caplog.text]
        + [record.getMessage() for record in caplog.records]
        + [repr(r.args) for r in caplog.records]
    )
    # the capture works: both the dispatch and the mapping wrote their lines
    assert "dispatch order=" in logged
    assert "outlet provider set" in logged
    for secret in (REVEL_KEY, REVEL_SECRET, wrong_secret):
        assert secret not in logged, secret
        for text in texts:
            assert secret not in text, (secret, text[:300])
    assert json.loads(texts[0])["outletProvider"]["secretsSet"] == ["apiKey", "apiSecret"]
    stored_attempts = _stored_attempt_bytes(sandbox.database_url)
    assert stored_attempts.count(b"[redacted]") >= 3
    for secret in (REVEL_KEY, REVEL_SECRET, wrong_secret):
        assert secret.encode() not in stored_attempts, secret


def _stored_attempt_bytes(database_url: str) -> bytes:
    """Every stored attempt column, straight from the database (the API shows only some of them)."""

    async def read() -> bytes:
        engine = create_engine(database_url)
        try:
            async with engine.connect() as conn:
                rows = (await conn.execute(sa.select(delivery_attempts))).all()
        finally:
            await engine.dispose()
        return b"\n".join(
            value if isinstance(value, bytes) else str(value).encode() for row in rows for value in row
        )

    return asyncio.run(read())
