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

Statements marked with :func:`hot` (the hot path's prebuilt statements) skip SQLAlchemy's execution
machinery on this connection: each is compiled once per parameter shape by SQLAlchemy for SQLite and run
on the DBAPI cursor with SQLAlchemy's own bind and result processors (about a third of the CPU of
``Connection.execute``). Anything a plan cannot express exactly (expanding parameters, non-scalar
defaults) goes through ``Connection.execute`` as every other statement does.

One thread and one connection: transactions run one after another, as SQLite runs writers anyway, and
waiting for a lock held by another process (``busy_timeout``) blocks that thread, never the event loop.
"""

from __future__ import annotations

import asyncio
import collections
import queue
import sqlite3
import threading
from collections.abc import Awaitable, Callable, Coroutine, Iterator, Sequence
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

T = TypeVar("T")
S = TypeVar("S")

# id -> statement for the statements marked hot; holding them keeps their ids from being reused.
_HOT: dict[int, Any] = {}


def hot(statement: S) -> S:
    """Mark a module-level, prebuilt statement for direct execution on the writer (returns it unchanged)."""
    _HOT[id(statement)] = statement
    return statement


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
        " the writer thread in one step (see cata_sandbox.store.sqlite_writer)"
    )


class PlanResult:
    """The rows (or row count) of a planned statement: the part of ``Result`` the repository uses."""

    __slots__ = ("_rows", "rowcount")

    def __init__(self, rows: list[Any], rowcount: int) -> None:
        self._rows = rows
        self.rowcount = rowcount

    def __iter__(self) -> Iterator[Any]:
        return iter(self._rows)

    def all(self) -> list[Any]:
        return list(self._rows)

    fetchall = all

    def first(self) -> Any:
        return self._rows[0] if self._rows else None

    def one(self) -> Any:
        if len(self._rows) != 1:
            raise sa.exc.NoResultFound("no row") if not self._rows else sa.exc.MultipleResultsFound("rows")
        return self._rows[0]

    def scalar(self) -> Any:
        return self._rows[0][0] if self._rows else None

    def scalar_one(self) -> Any:
        return self.one()[0]

    def scalar_one_or_none(self) -> Any:
        return None if not self._rows else self.one()[0]


_PARAM, _CONSTANT = 0, 1


class Plan:
    """A hot statement compiled once for SQLite, for one set of parameter names."""

    __slots__ = ("_dialect", "_result_processors", "_row", "_sources", "sql")

    def __init__(
        self,
        sql: str,
        sources: list[tuple[int, Any, Callable[[Any], Any] | None]],
        row: type | None,
        result_processors: Sequence[Callable[[Any], Any] | None],
        dialect: sa.Dialect,
    ) -> None:
        self.sql = sql
        self._sources = sources
        self._row = row
        self._result_processors = tuple(result_processors)
        self._dialect = dialect

    @classmethod
    def build(cls, statement: Any, names: tuple[str, ...], dialect: sa.Dialect) -> Plan | None:
        """The plan, or None when the statement needs more than a plan does (it then runs as usual)."""
        compiled = statement.compile(dialect=dialect, column_keys=list(names))
        if compiled.positiontup is None or any(b.expanding for b in compiled.binds.values()):
            return None
        prefetch = {c.key: c for c in [*compiled.insert_prefetch, *compiled.update_prefetch]}
        sources: list[tuple[int, Any, Callable[[Any], Any] | None]] = []
        for name in compiled.positiontup:
            bind = compiled.binds[name]
            processor = bind.type.dialect_impl(dialect).bind_processor(dialect)
            if bind.key in names:
                sources.append((_PARAM, bind.key, processor))
                continue
            if name in prefetch:
                column = prefetch[name]
                default = (
                    column.default if name in {c.key for c in compiled.insert_prefetch} else column.onupdate
                )
                if default is None or not default.is_scalar:
                    return None
                value = default.arg
            elif bind.required:
                return None
            else:
                value = bind.effective_value
            sources.append((_CONSTANT, processor(value) if processor else value, None))
        row: type | None = None
        result_processors: list[Callable[[Any], Any] | None] = []
        columns = (
            statement.selected_columns if isinstance(statement, sa.Select) else statement.exported_columns
        )
        if len(columns):
            row = collections.namedtuple("PlannedRow", [c.key for c in columns], rename=True)  # type: ignore[misc,no-redef]
            result_processors = [
                c.type.dialect_impl(dialect).result_processor(dialect, None) for c in columns
            ]
        return cls(compiled.string, sources, row, result_processors, dialect)

    def run(self, dbapi: sqlite3.Connection, parameters: dict[str, Any]) -> PlanResult:
        values = [
            (processor(parameters[source]) if processor else parameters[source]) if kind == _PARAM else source
            for kind, source, processor in self._sources
        ]
        try:
            cursor = dbapi.execute(self.sql, values)
            if self._row is None:
                count = cursor.rowcount
                cursor.close()
                return PlanResult([], count)
            raw_rows = cursor.fetchall()
            count = cursor.rowcount
            cursor.close()
        except sqlite3.Error as exc:
            raise sa.exc.DBAPIError.instance(
                self.sql, None, exc, sqlite3.Error, hide_parameters=True, dialect=self._dialect
            ) from exc
        make, processors = self._row, self._result_processors
        rows = [make(*[p(v) if p else v for p, v in zip(processors, raw, strict=True)]) for raw in raw_rows]
        return PlanResult(rows, count)


class WriterConnection:
    """What transaction bodies see on the writer thread: the awaitable subset of ``AsyncConnection``."""

    __slots__ = ("_conn", "_writer")

    def __init__(self, conn: sa.Connection, writer: SqliteWriter) -> None:
        self._conn = conn
        self._writer = writer

    async def execute(self, statement: Any, parameters: Any = None) -> Any:
        if id(statement) in _HOT and (parameters is None or isinstance(parameters, dict)):
            plan = self._writer.plan(statement, parameters or {})
            if plan is not None:
                return plan.run(self._writer.dbapi(), parameters or {})
        return self._conn.execute(statement, parameters)

    async def scalar(self, statement: Any, parameters: Any = None) -> Any:
        return self._conn.scalar(statement, parameters)


def _pragmas(dbapi_connection: Any, _record: Any) -> None:
    from cata_sandbox.store.db import _sqlite_pragmas

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
        self._conn: sa.Connection | None = None
        self._lock = threading.Lock()
        self._plans: dict[tuple[int, tuple[str, ...]], Plan | None] = {}
        self._closed = False
        # A queue and a thread of its own rather than an executor: a hop is a queue put and one
        # call_soon_threadsafe, the least the event loop can pay (executor futures cost twice that).
        self._queue: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None

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
        """Run ``body(conn)`` in one transaction on the writer thread: committed, or rolled back and raised.

        A caller cancelled while waiting does not cancel the transaction: it commits or rolls back whole.
        """
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        with self._lock:
            if self._closed:
                raise RuntimeError("the SQLite writer is closed")
            if self._thread is None:
                # A daemon: a Store that is never closed (a CLI command's) must not keep the process alive.
                self._thread = threading.Thread(target=self._serve, name="cata-sqlite-writer", daemon=True)
                self._thread.start()
            self._queue.put((loop, future, body))
        return await future

    def _serve(self) -> None:
        while (job := self._queue.get()) is not None:
            loop, future, body = job
            try:
                result = self._run(body)
            except BaseException as exc:
                loop.call_soon_threadsafe(_settle, future, None, exc)
            else:
                loop.call_soon_threadsafe(_settle, future, result, None)
        self._close_connection()

    def plan(self, statement: Any, parameters: dict[str, Any]) -> Plan | None:
        key = (id(statement), tuple(parameters))
        try:
            return self._plans[key]
        except KeyError:
            plan = self._plans[key] = Plan.build(statement, key[1], self._engine.dialect)
            return plan

    def dbapi(self) -> sqlite3.Connection:
        assert self._conn is not None
        driver: sqlite3.Connection = self._conn.connection.driver_connection  # type: ignore[assignment]
        return driver

    def _run(self, body: Callable[[WriterConnection], Awaitable[T]]) -> T:
        if self._conn is None:
            self._conn = self._engine.connect()
        conn = self._conn
        # Planned statements go to the DBAPI connection directly, so SQLAlchemy may not know that a
        # transaction is open: commit (or roll back) both, the second is a no-op when nothing is pending.
        try:
            result: T = run_to_completion(body(WriterConnection(conn, self)))  # type: ignore[arg-type]
        except BaseException:
            conn.rollback()
            self.dbapi().rollback()
            raise
        conn.commit()
        try:
            self.dbapi().commit()
        except sqlite3.Error as exc:
            self.dbapi().rollback()
            raise sa.exc.DBAPIError.instance(
                "COMMIT", None, exc, sqlite3.Error, hide_parameters=True, dialect=self._engine.dialect
            ) from exc
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
            thread = self._thread
        if thread is not None:
            self._queue.put(None)
            thread.join()
        self._engine.dispose()


_Job = tuple[asyncio.AbstractEventLoop, "asyncio.Future[Any]", Callable[[WriterConnection], Awaitable[Any]]]


def _settle(future: asyncio.Future[Any], result: Any, error: BaseException | None) -> None:
    if future.cancelled():
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(result)
