"""SQLite transactions in one hop from the event loop, for the dispatch hot path.

Why: through SQLAlchemy's aiosqlite adapter every statement is several thread hand-offs (cursor,
execute, fetch, close, commit, the pool's reset), each a round trip through the event loop and a greenlet
switch. A dispatch's two transactions cost about 4 ms of CPU that way (profiled; README, Performance);
the same work here costs well under 1 ms.

How: a transaction body is the repository's own async code — coroutines whose only awaits are
``conn.execute(...)``. On the writer thread :class:`WriterConnection` executes those statements with a
synchronous SQLAlchemy connection (pysqlite, the same pragmas), so the body never suspends and
:func:`run_to_completion` drives it to its end in one step. The event loop waits once per transaction.
Statements, parameters, types and errors are SQLAlchemy's, so rows are stored exactly as the aiosqlite
path stores them, and a failure raises the same ``sqlalchemy.exc`` errors.

One thread and one connection: transactions run one after another, as SQLite runs writers anyway, and
waiting for a lock held by another process (``busy_timeout``) blocks that thread, never the event loop.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

T = TypeVar("T")


class SuspendedTransaction(RuntimeError):
    """A transaction body awaited something other than ``conn.execute`` (it cannot run in one hop)."""


def run_to_completion(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine that never suspends; raise :class:`SuspendedTransaction` if it tries to."""
    try:
        coroutine.send(None)
    except StopIteration as stop:
        return stop.value  # type: ignore[no-any-return]
    coroutine.close()
    raise SuspendedTransaction(
        "a transaction body awaited something other than conn.execute/conn.scalar; on SQLite it runs on"
        " the writer thread in one step (see cata_sandbox.sqlite_writer)"
    )


class WriterConnection:
    """What transaction bodies see on the writer thread: the awaitable subset of ``AsyncConnection``."""

    __slots__ = ("_conn",)

    def __init__(self, conn: sa.Connection) -> None:
        self._conn = conn

    async def execute(self, statement: Any, parameters: Any = None) -> sa.CursorResult[Any]:
        return self._conn.execute(statement, parameters)

    async def scalar(self, statement: Any, parameters: Any = None) -> Any:
        return self._conn.scalar(statement, parameters)


def _pragmas(dbapi_connection: Any, _record: Any) -> None:
    from cata_sandbox.db import _sqlite_pragmas

    _sqlite_pragmas(dbapi_connection, _record)


class SqliteWriter:
    """One SQLite connection on one thread; :meth:`transaction` runs a body there in one hop."""

    def __init__(self, url: sa.URL) -> None:
        self._engine = sa.create_engine(
            url.set(drivername="sqlite"),
            poolclass=sa.pool.StaticPool,
            connect_args={"timeout": 30, "check_same_thread": False},
            hide_parameters=True,
        )
        sa.event.listen(self._engine, "connect", _pragmas)
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="cata-sqlite-writer")
        self._conn: sa.Connection | None = None
        self._lock = threading.Lock()
        self._closed = False

    @classmethod
    def for_engine(cls, engine: AsyncEngine) -> SqliteWriter | None:
        """A writer for a SQLite *file* behind ``engine``; None for other databases and in-memory SQLite."""
        url = engine.url
        if engine.dialect.name != "sqlite" or not url.database or url.database == ":memory:":
            return None
        if "memory" in str(url.query.get("mode", "")):
            return None
        return cls(url)

    async def transaction(self, body: Callable[[WriterConnection], Awaitable[T]]) -> T:
        """Run ``body(conn)`` in one transaction on the writer thread: committed, or rolled back and raised."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, self._run, body)

    def _run(self, body: Callable[[WriterConnection], Awaitable[T]]) -> T:
        if self._conn is None:
            self._conn = self._engine.connect()
        conn = self._conn
        try:
            result = run_to_completion(body(WriterConnection(conn)))  # type: ignore[arg-type]
        except BaseException:
            conn.rollback()
            raise
        conn.commit()
        return result

    def _close_connection(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def close(self) -> None:
        """Finish queued transactions, then close the connection and the thread (idempotent)."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
        self._executor.submit(self._close_connection).result()
        self._executor.shutdown(wait=True)
        self._engine.dispose()
