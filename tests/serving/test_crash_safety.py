"""Crash safety: SIGKILL the service (a real ``cata-sandbox serve`` process) with dispatches in flight.

After a restart on the same database: every order the service acknowledged is there, the orders it had
persisted and was still sending are ``pending`` (the API's ``status=pending`` and ``cata-sandbox orders
--stuck``), they can be replayed, and the database passes its integrity check. On SQLite and PostgreSQL.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import subprocess
import threading
from pathlib import Path
from typing import Any

import httpx
import msgspec
from sqlalchemy.engine import make_url

from tests.support import API_KEY, CLI, ORDER, MockPos, envelope, wait_until
from tests.support.processes import ServiceProcess

IN_FLIGHT = 4
ACKNOWLEDGED = 5


def order_bytes(ref: str) -> bytes:
    return msgspec.json.encode({**ORDER, "orderRefNo": ref})


def connect(client: httpx.Client, mock_pos: MockPos, outlet_id: str, receiver: str) -> None:
    response = client.post(
        "/api/v1/webhooks/register",
        json={"outletId": outlet_id, "callbackUrl": f"{mock_pos.url}/webhooks/{receiver}"},
    )
    assert response.status_code == 201, response.text
    mock_pos.receiver(receiver, response.json()["webhook"]["secret"])


def integrity_problems(database_url: str) -> list[str]:
    """What is wrong with the database's integrity (empty when nothing is)."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        with sqlite3.connect(str(url.database)) as conn:
            problems = [row[0] for row in conn.execute("PRAGMA integrity_check") if row[0] != "ok"]
            problems += [f"foreign key: {row}" for row in conn.execute("PRAGMA foreign_key_check")]
        return problems
    return asyncio.run(_postgres_problems(database_url))


async def _postgres_problems(database_url: str) -> list[str]:
    import asyncpg

    url = make_url(database_url)
    conn = await asyncpg.connect(
        host=url.host, port=url.port or 5432, user=url.username, password=url.password, database=url.database
    )
    checks = {
        "attempts without their order": "SELECT count(*) FROM delivery_attempts a"
        " LEFT JOIN orders o ON o.id = a.order_id WHERE o.id IS NULL",
        "idempotency keys without their order": "SELECT count(*) FROM idempotency_keys k"
        " LEFT JOIN orders o ON o.id = k.order_id WHERE o.id IS NULL",
        "orders with an unknown status": "SELECT count(*) FROM orders"
        " WHERE status NOT IN ('pending', 'dispatched', 'failed')",
        "dispatched orders without a dispatched attempt": "SELECT count(*) FROM orders o WHERE o.status ="
        " 'dispatched' AND NOT EXISTS (SELECT 1 FROM delivery_attempts a WHERE a.order_id = o.id AND a.dispatched)",
        "invalid indexes": "SELECT count(*) FROM pg_index WHERE NOT indisvalid",
    }
    try:
        found = {name: await conn.fetchval(query) for name, query in checks.items()}
    finally:
        await conn.close()
    return [f"{name}: {count}" for name, count in found.items() if count]


def test_a_killed_service_loses_no_acknowledged_order_and_leaves_the_rest_pending_and_replayable(
    database_url: str, mock_pos: MockPos, tmp_path: Path
) -> None:
    log = tmp_path / "serve.log"
    service = ServiceProcess(database_url, log, dispatch_timeout=60).start()
    in_flight_answers: list[str] = []
    try:
        with service.client() as client:
            connect(client, mock_pos, "o-fast", "fast")
            connect(client, mock_pos, "o-slow", "slow")
            mock_pos.fault("slow", "delay", seconds=120)
            acknowledged = {}
            for n in range(ACKNOWLEDGED):
                answer = client.post(
                    "/api/v1/orders/dispatch", content=envelope("o-fast", order_bytes(f"ACK-{n}"))
                )
                assert answer.status_code == 200, answer.text
                acknowledged[answer.json()["orderId"]] = f"ACK-{n}"

        def send_slow(ref: str) -> None:
            try:
                with service.client() as own:
                    own.post("/api/v1/orders/dispatch", content=envelope("o-slow", order_bytes(ref)))
                in_flight_answers.append(ref)
            except httpx.HTTPError:
                pass  # the service died under it: expected

        senders = [threading.Thread(target=send_slow, args=(f"SLOW-{n}",)) for n in range(IN_FLIGHT)]
        for sender in senders:
            sender.start()
        wait_until(
            lambda: len(mock_pos.journal("slow")) == IN_FLIGHT, 30, "every slow dispatch reached the receiver"
        )

        service.kill()
        for sender in senders:
            sender.join(timeout=30)
    finally:
        service.stop()
    assert in_flight_answers == [], "a dispatch in flight was answered before the kill"

    restarted = ServiceProcess(database_url, log, dispatch_timeout=5).start()
    try:
        mock_pos.admin.clear_faults()
        with restarted.client() as client:
            for order_id, ref in acknowledged.items():
                found = client.get(f"/api/v1/orders/{order_id}")
                assert found.status_code == 200, f"acknowledged order {ref} is missing: {found.text}"
                assert found.json()["order"]["status"] == "dispatched"
                assert found.json()["order"]["orderRefNo"] == ref

            pending = client.get("/api/v1/orders", params={"status": "pending"}).json()
            assert pending["total"] == IN_FLIGHT
            assert sorted(o["orderRefNo"] for o in pending["orders"]) == [
                f"SLOW-{n}" for n in range(IN_FLIGHT)
            ]

            stuck = subprocess.run(
                [*CLI, "orders", "--stuck", "--json", "--url", restarted.url, "--api-key", API_KEY],
                capture_output=True,
                text=True,
                timeout=60,
                check=True,
            )
            listed: dict[str, Any] = json.loads(stuck.stdout)
            assert {o["orderId"] for o in listed["orders"]} == {o["orderId"] for o in pending["orders"]}

            for stuck_order in pending["orders"]:
                replayed = client.post(f"/api/v1/orders/{stuck_order['orderId']}/redispatch")
                assert replayed.status_code == 200, replayed.text
                assert replayed.json()["dispatched"] is True
            assert client.get("/api/v1/orders", params={"status": "pending"}).json()["total"] == 0
            assert len(mock_pos.journal("slow")) == 2 * IN_FLIGHT
            assert client.get("/api/v1/orders").json()["total"] == ACKNOWLEDGED + IN_FLIGHT
    finally:
        restarted.stop()

    assert integrity_problems(database_url) == []
