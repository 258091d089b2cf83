"""Mock webhook receivers: signature checking, external ids, probes."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from mock_pos.receivers import sign, verify

BODY = b'{"orderRefNo":"R-1","total":"12.50"}'


def test_signature_golden_vector() -> None:
    # computed independently: printf '%s' '{"a":1}' | openssl dgst -sha256 -hmac s3cret
    expected = "sha256=5910e62016ef5034272c926c27071992a465c2335cecf41851bda071577f4f6d"
    assert sign("s3cret", b'{"a":1}') == expected


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "sha256=",
        "sha256=zz",
        "md5=abc",
        "sha256=" + "0" * 64,
        "sha256=\u00e9\u00e9",
        "garbage value",
    ],
)
def test_verify_rejects_missing_and_malformed_headers_without_raising(header: str | None) -> None:
    assert verify("s3cret", BODY, header) is False


def test_verify_accepts_the_signature_of_the_exact_bytes() -> None:
    assert verify("s3cret", BODY, sign("s3cret", BODY))
    assert not verify("s3cret", BODY + b" ", sign("s3cret", BODY))
    assert not verify("other", BODY, sign("s3cret", BODY))


async def test_correctly_signed_delivery_gets_an_external_id_per_order_and_receiver(
    client: httpx.AsyncClient, admin: Any
) -> None:
    await admin.receiver("shop", secret="s3cret")
    other = BODY.replace(b'"orderRefNo":"', b'"orderRefNo":"B-')
    assert other != BODY

    first = await client.post(
        "/webhooks/shop", content=BODY, headers={"X-Cata-Signature": sign("s3cret", BODY)}
    )
    again = await client.post(
        "/webhooks/shop", content=BODY, headers={"X-Cata-Signature": sign("s3cret", BODY)}
    )
    second = await client.post(
        "/webhooks/shop", content=other, headers={"X-Cata-Signature": sign("s3cret", other)}
    )

    assert (first.status_code, first.json()) == (200, {"externalOrderId": "shop-1"})
    assert again.json() == {"externalOrderId": "shop-1"}, "a duplicate of an order it has is not a new order"
    assert second.json() == {"externalOrderId": "shop-2"}
    assert [entry["signatureValid"] for entry in await admin.journal("shop")] == [True, True, True]


@pytest.mark.parametrize(
    ("headers", "problem"),
    [
        ({}, "missing"),
        ({"X-Cata-Signature": sign("wrong-secret", BODY)}, "invalid"),
        ({"X-Cata-Signature": "sha256=not-hex"}, "invalid"),
        ({"X-Cata-Signature": "sha256=\u00e9".encode()}, "invalid"),
    ],
)
async def test_bad_or_missing_signature_is_recorded_and_answered_401(
    client: httpx.AsyncClient, admin: Any, headers: dict[str, Any], problem: str
) -> None:
    await admin.receiver("shop", secret="s3cret")
    response = await client.post("/webhooks/shop", content=BODY, headers=headers)
    assert response.status_code == 401
    assert response.json() == {"error": f"{problem} X-Cata-Signature"}
    [entry] = await admin.journal("shop")
    assert (entry["signatureValid"], entry["responseStatus"]) == (False, 401)


async def test_receiver_without_secret_accepts_any_signature(client: httpx.AsyncClient, admin: Any) -> None:
    response = await client.post("/webhooks/anyone", content=BODY, headers={"X-Cata-Signature": "sha256=00"})
    assert response.json() == {"externalOrderId": "anyone-1"}
    [entry] = await admin.journal("anyone")
    assert entry["signatureValid"] is None


async def test_signature_is_checked_over_the_raw_bytes(client: httpx.AsyncClient, admin: Any) -> None:
    await admin.receiver("shop", secret="k")
    odd = b'{ "a" : "\\u00e9" ,"b":1.50 }\n'
    response = await client.post("/webhooks/shop", content=odd, headers={"X-Cata-Signature": sign("k", odd)})
    assert response.status_code == 200


async def test_receivers_are_listed(client: httpx.AsyncClient, admin: Any) -> None:
    await admin.receiver("shop", secret="s3cret")
    await admin.receiver("plain")
    await client.post("/webhooks/shop", content=BODY, headers={"X-Cata-Signature": sign("s3cret", BODY)})
    response = await client.get("/__admin/receivers")
    assert response.json() == [
        {"name": "shop", "secret": "s3cret", "issued": 1},
        {"name": "plain", "issued": 0},
    ]


async def test_bad_receiver_config_is_400_naming_the_field(client: httpx.AsyncClient) -> None:
    response = await client.put("/__admin/receivers/shop", json={"secret": 5})
    assert response.status_code == 400
    assert response.json()["field"] == "secret"
    response = await client.put("/__admin/receivers/shop", json={"probe": {"headers": {}}})
    assert response.json()["field"] == "probe.url"


async def test_other_methods_and_paths_are_refused(client: httpx.AsyncClient, admin: Any) -> None:
    assert (await client.get("/webhooks/shop")).status_code == 405
    assert (await client.post("/webhooks/shop/extra", content=BODY)).status_code == 404
    assert (await client.post("/webhooks", content=BODY)).status_code == 404
    assert (await client.post("/webhooksfoo", content=BODY)).status_code == 404
    assert [entry["method"] for entry in await admin.journal()] == ["GET"]  # only the real receiver call


async def test_probe_records_what_the_probed_url_answered(
    client: httpx.AsyncClient, admin: Any, recorder: Any
) -> None:
    url, target = recorder
    target.body = b'{"attempts":{count}}'
    await admin.receiver(
        "shop", secret="s3cret", probe={"url": f"{url}/orders/R-1", "headers": {"X-Api-Key": "key-1"}}
    )
    response = await client.post(
        "/webhooks/shop", content=BODY, headers={"X-Cata-Signature": sign("s3cret", BODY)}
    )
    assert response.status_code == 200
    [probed] = target.requests
    assert (probed["method"], probed["path"], probed["headers"]["x-api-key"]) == (
        "GET",
        "/orders/R-1",
        "key-1",
    )
    [entry] = await admin.journal("shop")
    assert entry["probe"] == {"status": 200, "body": json.dumps({"attempts": 1}, separators=(",", ":"))}


async def test_probe_failure_is_recorded_not_raised(client: httpx.AsyncClient, admin: Any) -> None:
    await admin.receiver("shop", probe={"url": "http://127.0.0.1:9/unreachable"})
    response = await client.post("/webhooks/shop", content=BODY)
    assert response.status_code == 200
    [entry] = await admin.journal("shop")
    assert entry["probe"]["error"] == "could not connect to http://127.0.0.1:9/unreachable"
