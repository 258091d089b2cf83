"""Engine creation and schema migrations (Alembic, applied at start-up, once across workers)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

MIGRATIONS_DIR = Path(__file__).parent.parent / "migrations"
# Any constant will do; it only has to be the same in every worker process.
MIGRATION_LOCK_ID = 0x0CA7A5A1


def async_url(url: str) -> str:
    """Accept plain ``postgresql://`` and ``sqlite:///`` URLs and pick the async drivers."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres", "postgresql+psycopg2"):
        parsed = parsed.set(drivername="postgresql+asyncpg")
    elif parsed.drivername == "sqlite":
        parsed = parsed.set(drivername="sqlite+aiosqlite")
    return parsed.render_as_string(hide_password=False)


class DatabaseLocationError(ValueError):
    """A SQLite file whose folder does not exist: SQLite would only say "unable to open database file"."""


def check_location(url: str) -> None:
    """Refuse a SQLite URL whose folder is missing, naming the folder and the fix (nothing is created)."""
    try:
        parsed = make_url(url)
    except Exception:
        raise DatabaseLocationError(
            f"{url!r} is not a database URL (e.g. sqlite:///./cata-sandbox.db or postgresql://host/db)"
        ) from None
    if not parsed.drivername.startswith("sqlite") or parsed.database in (None, "", ":memory:"):
        return
    folder = Path(parsed.database).expanduser().resolve().parent
    if not folder.is_dir():
        raise DatabaseLocationError(
            f"the database folder {folder} does not exist (--database-url {url}): create it with"
            f" `mkdir -p {folder}` or choose another path"
        )


def create_engine(url: str) -> AsyncEngine:
    url = async_url(url)
    kwargs: dict[str, Any] = {}
    if url.startswith("sqlite"):
        kwargs["connect_args"] = {"timeout": 30}
    else:
        kwargs["pool_size"] = 20
        kwargs["max_overflow"] = 20
        kwargs["pool_pre_ping"] = True
    # Rows hold credentials (POS settings, webhook secrets): keep statement parameters out of logs and
    # error messages (aiosqlite logs every statement with its parameters at DEBUG).
    logging.getLogger("aiosqlite").setLevel(max(logging.INFO, logging.getLogger("aiosqlite").level))
    engine = create_async_engine(url, hide_parameters=True, **kwargs)
    if engine.dialect.name == "sqlite":
        sa.event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets readers (a receiver checking the order row, the CLI) run while a dispatch writes.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _upgrade(connection: sa.Connection) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    # "heads": features add migrations on branches of their own off the initial revision.
    command.upgrade(config, "heads")


async def migrate(engine: AsyncEngine) -> None:
    """Bring the schema to the newest revision; on PostgreSQL, workers take turns behind an advisory lock."""
    async with engine.connect() as conn:
        postgres = engine.dialect.name == "postgresql"
        if postgres:
            await conn.execute(sa.text("SELECT pg_advisory_lock(:id)"), {"id": MIGRATION_LOCK_ID})
            await conn.commit()
        try:
            await conn.run_sync(_upgrade)
            await conn.commit()
        finally:
            if postgres:
                await conn.execute(sa.text("SELECT pg_advisory_unlock(:id)"), {"id": MIGRATION_LOCK_ID})
                await conn.commit()
