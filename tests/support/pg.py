"""PostgreSQL for the store suite: testcontainers where Docker works, else ``CATA_TEST_POSTGRES_URL``.

Each test gets a database of its own, created and dropped around it.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.engine import make_url

_container_url: str | None = None
_container_tried = False

SKIP_MESSAGE = (
    "PostgreSQL not available: Docker is not running (testcontainers) and CATA_TEST_POSTGRES_URL is not set;"
    " set it, e.g. CATA_TEST_POSTGRES_URL=postgresql://postgres@127.0.0.1:5432/test"
)


def _docker_works() -> bool:
    try:
        import docker

        client = docker.from_env(timeout=3)
        client.ping()
        return True
    except Exception:
        return False


def server_url() -> str | None:
    """An admin URL of a reachable PostgreSQL server, or None."""
    global _container_url, _container_tried
    if _container_url:
        return _container_url
    if not _container_tried:
        _container_tried = True
        if _docker_works():
            from testcontainers.postgres import PostgresContainer

            container = PostgresContainer("postgres:16-alpine", driver=None)
            container.start()
            _container_url = container.get_connection_url()
            return _container_url
    return os.environ.get("CATA_TEST_POSTGRES_URL") or None


async def _admin(url: str, statement: str) -> None:
    import asyncpg

    parsed = make_url(url)
    conn = await asyncpg.connect(
        host=parsed.host or "127.0.0.1",
        port=parsed.port or 5432,
        user=parsed.username or "postgres",
        password=parsed.password,
        database=parsed.database or "postgres",
    )
    try:
        await conn.execute(statement)
    finally:
        await conn.close()


@contextmanager
def fresh_database(admin_url: str) -> Iterator[str]:
    name = f"cata_test_{uuid.uuid4().hex[:12]}"
    asyncio.run(_admin(admin_url, f'CREATE DATABASE "{name}"'))
    try:
        yield (
            make_url(admin_url)
            .set(database=name, drivername="postgresql")
            .render_as_string(hide_password=False)
        )
    finally:
        asyncio.run(_admin(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
