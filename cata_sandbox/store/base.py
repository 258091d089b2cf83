"""The store's shared core: the engine, the SQLite writer thread, and the one hot-path transaction."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncEngine

from cata_sandbox.store import attempt_feed
from cata_sandbox.store.sqlite_writer import SqliteWriter

T = TypeVar("T")


class StoreBase:
    """What every aggregate's part of the store uses: the engine and how a transaction runs."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        # SQLite files: the hot path's transactions run on a writer thread in one hop (see transaction()).
        self._writer = SqliteWriter.for_engine(engine)
        self._postgres = engine.dialect.name == "postgresql"
        # Wakes the attempt streams of this process (see cata_sandbox.store.attempt_feed).
        self.attempts_recorded = attempt_feed.AttemptSignal()

    async def transaction(self, body: Callable[..., Awaitable[T]], /, *args: Any, **kwargs: Any) -> T:
        """``await body(conn, *args, **kwargs)`` in one transaction, committed when it returns.

        On a SQLite file the body runs on the writer thread in one hop (cata_sandbox.sqlite_writer), so it
        may await only ``conn.execute``/``conn.scalar`` (and coroutines that do no more); elsewhere it runs
        in ``engine.begin()``.
        """
        if self._writer is not None:
            return await self._writer.transaction(lambda conn: body(conn, *args, **kwargs))
        async with self.engine.begin() as conn:
            return await body(conn, *args, **kwargs)

    async def read(self, body: Callable[..., Awaitable[T]], /, *args: Any, **kwargs: Any) -> T:
        """``await body(conn, *args, **kwargs)`` on a connection of the engine, off the hot path's writer."""
        async with self.engine.begin() as conn:
            return await body(conn, *args, **kwargs)

    async def aclose(self) -> None:
        """Let queued hot-path transactions finish and release the writer thread (idempotent)."""
        if self._writer is not None:
            await asyncio.get_running_loop().run_in_executor(None, self._writer.close)
