"""Scale out: ``cata-sandbox serve --workers 2`` on PostgreSQL under concurrent load, and migrations that run
once when several processes start at the same moment (the advisory lock in ``db.migrate``).
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import msgspec
import pytest
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy.engine import make_url

from cata_sandbox.store.db import MIGRATIONS_DIR
from mock_pos.client import entry_body, entry_headers
from tests.support import ORDER, MockPos, envelope, pg
from tests.support.processes import ServiceProcess

pytestmark = pytest.mark.postgres

ORDERS = 200
KEYED = 40  # Idempotency-Keys, each sent twice at once


@pytest.fixture
def postgres_url() -> Iterator[str]:
    admin_url = pg.server_url()
    if admin_url is None:
        pytest.skip(pg.SKIP_MESSAGE)
    with pg.fresh_database(admin_url) as url:
        yield url


def workers_of(pid: int) -> list[int]:
    """uvicorn's worker processes: the supervisor's children, less multiprocessing's resource tracker."""
    children = [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    return [
        child for child in children if b"resource_tracker" not in Path(f"/proc/{child}/cmdline").read_bytes()
    ]


def connections_to(pid: int, port: int) -> int:
    """Established TCP connections of process ``pid`` to local ``port`` (from /proc)."""
    inodes: set[str] = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            remote_port = int(fields[2].rsplit(":", 1)[1], 16)
            if remote_port == port and fields[3] == "01":
                inodes.add(fields[9])
    sockets = 0
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:[") and target[8:-1] in inodes:
            sockets += 1
    return sockets


def test_two_workers_store_every_order_once_and_record_every_attempt(
    postgres_url: str, mock_pos: MockPos, tmp_path: Path
) -> None:
    service = ServiceProcess(postgres_url, tmp_path / "serve.log", workers=2).start()
    try:
        workers = workers_of(service.pid)
        assert len(workers) == 2, workers
        with service.client() as client:
            hook = client.post(
                "/api/v1/webhooks/register",
                json={"outletId": "o-1", "callbackUrl": f"{mock_pos.url}/webhooks/r1"},
            ).json()["webhook"]
        mock_pos.receiver("r1", hook["secret"])
        plain = [
            (envelope("o-1", msgspec.json.encode({**ORDER, "orderRefNo": f"W-{n}"})), None)
            for n in range(ORDERS)
        ]
        keyed = [
            (envelope("o-1", msgspec.json.encode({**ORDER, "orderRefNo": f"K-{n}"})), f"key-{n}")
            for n in range(KEYED)
            for _ in range(2)
        ]
        limits = httpx.Limits(max_connections=16, max_keepalive_connections=0)

        with service.client(limits=limits) as client, ThreadPoolExecutor(max_workers=16) as pool:

            def send(request: tuple[bytes, str | None]) -> httpx.Response:
                body, key = request
                headers = {"Idempotency-Key": key} if key else {}
                return client.post("/api/v1/orders/dispatch", content=body, headers=headers)

            # Each worker's connections to the receiver, sampled all through the load: a worker whose last
            # delivery came early may have had its idle connections closed by the time the load ends.
            busy = dict.fromkeys(workers, 0)
            done = threading.Event()

            def sample() -> None:
                while not done.is_set():
                    for worker in workers:
                        busy[worker] = max(busy[worker], connections_to(worker, mock_pos.server.port))
                    done.wait(0.02)

            sampler = threading.Thread(target=sample, daemon=True)
            sampler.start()
            try:
                answers = list(pool.map(send, plain + keyed))
            finally:
                done.set()
                sampler.join(10)

            assert [a.status_code for a in answers] == [200] * len(answers)
            assert [a.json()["reason"] for a in answers if not a.json()["dispatched"]] == []
            order_ids = [a.json()["orderId"] for a in answers[:ORDERS]]
            assert len(set(order_ids)) == ORDERS
            keyed_ids = [a.json()["orderId"] for a in answers[ORDERS:]]
            assert keyed_ids[0::2] == keyed_ids[1::2], "a key answered two different orders"
            assert len(set(keyed_ids)) == KEYED
            assert all(count > 0 for count in busy.values()), (
                f"a worker sent nothing (most connections seen): {busy}"
            )

            stored = client.get("/api/v1/orders", params={"limit": 500}).json()
            assert stored["total"] == ORDERS + KEYED
            refs = sorted(o["orderRefNo"] for o in stored["orders"])
            assert refs == sorted([f"W-{n}" for n in range(ORDERS)] + [f"K-{n}" for n in range(KEYED)])

            journal = mock_pos.journal("r1")
            assert len(journal) == ORDERS + KEYED
            delivered = {entry_headers(e).get("x-cata-delivery-id") for e in journal}
            sent_bodies = sorted(entry_body(e) for e in journal)
            assert all(e["signatureValid"] for e in journal)
            recorded: set[str] = set()
            for order_id in set(order_ids) | set(keyed_ids):
                (attempt,) = client.get(f"/api/v1/orders/{order_id}").json()["order"]["attempts"]
                assert attempt["dispatched"] is True
                recorded.add(attempt["deliveryId"])
            assert recorded == delivered
            assert sent_bodies == sorted(msgspec.json.encode({**ORDER, "orderRefNo": ref}) for ref in refs)
    finally:
        service.stop()


MIGRATE = textwrap.dedent(
    """
    import asyncio, logging, sys, time
    from cata_sandbox.store.db import create_engine, migrate

    logging.basicConfig(level=logging.INFO, format="%(name)s: %(message)s", stream=sys.stdout)
    start_at = float(sys.argv[2])
    while time.time() < start_at:  # a barrier: every process starts migrating at the same moment
        time.sleep(0.001)

    async def main() -> None:
        engine = create_engine(sys.argv[1])
        try:
            await migrate(engine)
        finally:
            await engine.dispose()

    asyncio.run(main())
    """
)


def test_migrations_run_once_when_processes_start_together(postgres_url: str) -> None:
    start_at = time.time() + 3
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", MIGRATE, postgres_url, str(start_at)],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for _ in range(3)
    ]
    outputs = [process.communicate(timeout=120)[0] for process in processes]

    assert [process.returncode for process in processes] == [0, 0, 0], outputs
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    heads = set(ScriptDirectory.from_config(config).get_heads())
    assert {"0002_idempotency"} <= heads
    assert asyncio.run(_versions(postgres_url)) == heads
    upgrades = "".join(outputs).count("Running upgrade  -> 0001")
    assert upgrades == 1, outputs


async def _versions(database_url: str) -> set[str]:
    import asyncpg

    url = make_url(database_url)
    conn = await asyncpg.connect(
        host=url.host, port=url.port or 5432, user=url.username, password=url.password, database=url.database
    )
    try:
        return {row[0] for row in await conn.fetch("SELECT version_num FROM alembic_version")}
    finally:
        await conn.close()
