"""Secrets: webhook secrets and POS credentials appear nowhere but where they must.

A full run against a real ``cata-sandbox serve`` process (log level debug): a webhook registered and its
secret rotated, deliveries that succeed and that fail every way mock_pos can fail (a receiver that echoes
the secret back included), the Revel path with its credentials (success, bad credentials, error bodies, a
POS that echoes its auth header, settings refused as invalid). Then every API answer, the CLI's output,
the service's log and the stored attempts and orders are searched for each secret. The only places a
webhook secret may show up are the two answers that hand it out once (registration and rotation).
"""

from __future__ import annotations

import asyncio
import copy
import subprocess
from pathlib import Path
from typing import Any

import httpx
import msgspec
import sqlalchemy as sa

from cata_sandbox.store.db import create_engine
from cata_sandbox.store.tables import delivery_attempts, orders
from tests.support import API_KEY, CLI, ORDER, MockPos, envelope
from tests.support.processes import ServiceProcess

REVEL_KEY = "revel-key-9f3c2d1e"
REVEL_SECRET = "revel-secret-7a6b5c4d3e2f"
DINING = {"PICKUP": 1, "DELIVERY": 2, "DINE_IN": 3}
WEBHOOK_FAULTS: list[dict[str, Any]] = [
    {"mode": "status", "code": 500, "body": "internal error"},
    {"mode": "status", "code": 401, "body": "bad signature"},
    {"mode": "error_body", "shape": "nested", "message": "rejected"},
    {"mode": "html", "code": 502},
    {"mode": "malformed"},
    {"mode": "reset"},
    {"mode": "redirect", "code": 302},
    {"mode": "delay", "seconds": 3},
    {"mode": "trickle", "seconds": 0.3, "chunks": 3},
]


def order_bytes(ref: str, **extra: Any) -> bytes:
    return msgspec.json.encode({**ORDER, "orderRefNo": ref, **extra})


async def stored_rows(database_url: str) -> list[str]:
    """Every attempt and order row, as text: what the service keeps about deliveries."""
    engine = create_engine(database_url)
    try:
        async with engine.connect() as conn:
            rows = [*(await conn.execute(sa.select(delivery_attempts))).all()]
            rows += (await conn.execute(sa.select(orders))).all()
    finally:
        await engine.dispose()
    return [repr(tuple(row)) for row in rows]


def test_secrets_never_appear_in_logs_answers_attempts_or_messages(
    database_url: str, mock_pos: MockPos, tmp_path: Path
) -> None:
    log = tmp_path / "serve.log"
    service = ServiceProcess(database_url, log, dispatch_timeout=2, env={"CATA_LOG_LEVEL": "debug"}).start()
    answers: list[str] = []
    handed_out: list[dict[str, Any]] = []
    try:
        with service.client() as client:

            def call(method: str, path: str, **kwargs: Any) -> httpx.Response:
                response = client.request(method, path, **kwargs)
                answers.append(f"{method} {path} -> {response.status_code} {response.text}")
                return response

            registered = client.post(
                "/api/v1/webhooks/register",
                json={"outletId": "o-1", "callbackUrl": f"{mock_pos.url}/webhooks/r1"},
            ).json()
            handed_out.append(registered)
            first_secret = registered["webhook"]["secret"]
            hook_id = registered["webhook"]["id"]
            rotated = client.post(f"/api/v1/webhooks/{hook_id}/rotate-secret").json()
            handed_out.append(rotated)
            secret = rotated["webhook"]["secret"]
            assert secret != first_secret
            mock_pos.receiver("r1", secret)

            delivered = call("POST", "/api/v1/orders/dispatch", content=envelope("o-1", order_bytes("OK-1")))
            assert delivered.json()["dispatched"] is True
            # A receiver that echoes the secret back, in its body and its headers.
            mock_pos.fault("r1", "status", code=500, body=f"bad secret {secret}", times=1)
            echoed = call("POST", "/api/v1/orders/dispatch", content=envelope("o-1", order_bytes("ECHO-1")))
            assert echoed.json()["dispatched"] is False
            for n, fault in enumerate(WEBHOOK_FAULTS):
                mock_pos.fault("r1", **fault, times=1)
                failed = call(
                    "POST", "/api/v1/orders/dispatch", content=envelope("o-1", order_bytes(f"FAIL-{n}"))
                )
                assert failed.status_code == 200, (fault, failed.text)
            call("POST", "/api/v1/orders/dispatch", content=envelope("o-1", b'{"orderRefNo": 1}'))
            call("PUT", f"/api/v1/webhooks/{hook_id}", json={"callbackUrl": "ftp://nowhere/"})

            revel_echo = exercise_revel(call, mock_pos)  # Revel is a shipped script: always there

            for listing in call("GET", "/api/v1/orders", params={"limit": 500}).json()["orders"]:
                call("GET", f"/api/v1/orders/{listing['orderId']}")
            # The CLI's rendering of the orders whose receiver echoed a secret back.
            for order_id in (echoed.json()["orderId"], revel_echo):
                cli = subprocess.run(
                    [*CLI, "show", order_id, "--url", service.url, "--api-key", API_KEY],
                    capture_output=True,
                    text=True,
                    timeout=60,
                    check=True,
                )
                answers.append(cli.stdout + cli.stderr)
            for path in ("/api/v1/webhooks", f"/api/v1/webhooks/{hook_id}", "/api/v1/auth/whoami"):
                call("GET", path)
            call("GET", "/api/v1/outlet-providers/o-revel")
            cli = subprocess.run(
                [*CLI, "orders", "--json", "--limit", "500", "--url", service.url, "--api-key", API_KEY],
                capture_output=True,
                text=True,
                timeout=60,
                check=True,
            )
            answers.append(cli.stdout + cli.stderr)
    finally:
        service.stop()

    secrets = {
        "first webhook secret": first_secret,
        "webhook secret": secret,
        "Revel key": REVEL_KEY,
        "Revel secret": REVEL_SECRET,
    }
    places = {
        "API answers and CLI output": "\n".join(answers),
        "service log": log.read_text(errors="replace"),
        "stored attempts and orders": "\n".join(asyncio.run(stored_rows(database_url))),
    }
    leaks = [
        f"{name} in {place}"
        for name, value in secrets.items()
        for place, text in places.items()
        if value in text
    ]
    assert leaks == [], "\n".join(
        f"{name} in {place}: ...{text[max(0, text.find(value) - 300) : text.find(value) + 80]}..."
        for name, value in secrets.items()
        for place, text in places.items()
        if value in text
    )
    assert "dispatch order=" in places["service log"], "the log captured nothing: the search proves nothing"
    assert places["stored attempts and orders"].count("[redacted]") >= 1
    # Handed out once each, in the `secret` field and nowhere else in those answers.
    for answer, value in zip(handed_out, (first_secret, secret), strict=True):
        shown = copy.deepcopy(answer)
        assert shown["webhook"].pop("secret") == value
        assert value not in msgspec.json.encode(shown).decode()


def exercise_revel(call: Any, mock_pos: MockPos) -> str:
    """Every Revel outcome; the id of the order whose POS echoed its credentials back."""
    config = mock_pos.admin.revel()
    mock_pos.admin.configure_revel({**config, "apiKey": REVEL_KEY, "apiSecret": REVEL_SECRET})
    settings = {
        "baseUrl": f"{mock_pos.url}/revel",
        "apiKey": REVEL_KEY,
        "apiSecret": REVEL_SECRET,
        "establishmentId": 1,
        "diningOptionIds": DINING,
    }
    mapped = call(
        "PUT", "/api/v1/outlet-providers/o-revel", json={"providerSlug": "revel", "settings": settings}
    )
    assert mapped.status_code == 200, mapped.text
    revel_order = order_bytes(
        "REVEL-OK", items=[{"plu": "101", "name": "Pizza", "quantity": 1, "unitPrice": 12.5}]
    )

    def dispatch() -> httpx.Response:
        return call(
            "POST",
            "/api/v1/orders/dispatch",
            content=envelope("o-revel", revel_order, builtInTransformer="revel"),
        )

    assert dispatch().json()["dispatched"] is True
    # A POS that echoes the auth header it got, and Revel's own failure shapes.
    mock_pos.fault("revel", "status", code=400, body=f"bad auth {REVEL_KEY}:{REVEL_SECRET}", times=1)
    echoed = dispatch().json()
    assert echoed["dispatched"] is False
    mock_pos.fault("revel", "error_body", shape="details", message="Invalid establishment", times=1)
    assert dispatch().json()["dispatched"] is False
    mock_pos.admin.configure_revel({**config, "apiKey": REVEL_KEY, "apiSecret": "another-secret"})
    refused = dispatch()
    assert refused.json()["dispatched"] is False
    assert "403" in refused.json()["reason"]
    bad = {**settings, "apiSecret": REVEL_SECRET + "\x01"}
    invalid = call("PUT", "/api/v1/outlet-providers/o-revel", json={"providerSlug": "revel", "settings": bad})
    assert invalid.status_code == 400
    # A secret that breaks the header it goes into: whatever answers, it must not be repeated.
    mock_pos.admin.configure_revel({**config, "apiKey": REVEL_KEY, "apiSecret": REVEL_SECRET})
    newline = {**settings, "apiSecret": REVEL_SECRET + "\n"}
    if call(
        "PUT", "/api/v1/outlet-providers/o-revel", json={"providerSlug": "revel", "settings": newline}
    ).is_success:
        dispatch()
    order_id: str = echoed["orderId"]
    return order_id
