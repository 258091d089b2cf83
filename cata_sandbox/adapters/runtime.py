"""A pool of adapter worker processes: one call at a time each; the deadline is enforced by kill + respawn."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import time
from collections.abc import Awaitable, Callable
from types import TracebackType
from typing import Any, TypeVar

import msgspec

from cata_sandbox.adapters.catalog import AdapterCatalog
from cata_sandbox.adapters.hostcalls import exchange
from cata_sandbox.adapters.priority import DEMOTE_AFTER, cpu_seconds, demote, restore
from cata_sandbox.adapters.results import HostHttp, RunResult, ScriptError, Timings, dispatch_request
from cata_sandbox.adapters.worker import MAX_LOG_LINES
from cata_sandbox.adapters.workerio import Killed as _Killed
from cata_sandbox.adapters.workerio import Process as _Process
from cata_sandbox.adapters.workerio import ready, receive, script_fields, send, spawn

__all__ = ["AdapterRuntime"]

T = TypeVar("T")

_encoder = msgspec.json.Encoder()
_decoder = msgspec.json.Decoder()


class AdapterRuntime:
    """``await run(provider, topic, input, deadline=...)`` runs one script call in a worker process.

    Each call gets a fresh quickjs-ng context in the worker (see the README, "Adapter scripts (runtime)").
    ``deadline`` is a ``time.monotonic()`` instant: queueing, the script, and every ``context.http``
    exchange all count against it; past it the worker is killed and a new one started. So it is past
    ``compute_limit`` seconds spent outside ``context.http``.
    """

    def __init__(
        self,
        catalog: AdapterCatalog,
        *,
        workers: int = 2,
        http: HostHttp | None = None,
        memory_limit: int = 64 * 1024 * 1024,
        stack_limit: int = 512 * 1024,
        max_result: int = 4 * 1024 * 1024,
        compute_limit: float = 2.0,
        share: int | None = None,
    ) -> None:
        self.catalog = catalog
        self.workers = workers
        self.http = http
        self.memory_limit = memory_limit
        self.stack_limit = stack_limit
        self.max_result = max_result
        # Wall time a call may spend outside context.http, however long its deadline: a runaway
        # script holds a worker this long, not the whole dispatch budget.
        self.compute_limit = compute_limit
        # Workers one script may hold at once (the rest stay free for the other scripts).
        self.share = max(1, workers - 1) if share is None else max(1, share)
        self._gates: dict[tuple[str, str], asyncio.Semaphore] = {}
        self.respawns = 0
        self._idle: asyncio.Queue[_Process] = asyncio.Queue()
        self._all: set[_Process] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self._calls = itertools.count(1)
        self._closed = False

    async def __aenter__(self) -> AdapterRuntime:
        await self.start()
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    async def start(self) -> None:
        for process in await asyncio.gather(*(self._spawn() for _ in range(self.workers))):
            self._idle.put_nowait(process)

    async def close(self) -> None:
        self._closed = True
        for task in list(self._tasks):
            task.cancel()
        for process in list(self._all):
            await self._kill(process)

    def worker_pids(self) -> list[int]:
        return sorted(p.process.pid for p in self._all)

    async def run(
        self,
        provider: str,
        topic: str,
        input: dict[str, Any] | bytes,
        *,
        deadline: float,
        http: HostHttp | None = None,
        function: str = "transform",
        then: str | None = None,
    ) -> RunResult:
        """One call of ``function`` in the script for (provider, topic). Put the order in ``input`` as
        ``msgspec.Raw(order_bytes)`` so the engine's own ``JSON.parse`` reads the original bytes.

        ``then`` (a provider) chains a dispatch in one worker message: this script's request, checked,
        is that provider's ``input.standard``; the result is the last script's, or the first failure."""
        started = time.perf_counter()
        script = self.catalog.get(provider, topic)
        chained = None if then is None else self.catalog.get(then, topic)
        if script is None or (then is not None and chained is None):
            name = provider if script is None else then
            return RunResult(error=ScriptError(f"no adapter script {name}/{topic}.js", "missing"))
        if function == "interpret" and not script.has_interpret:
            return RunResult(error=ScriptError(f"{script.label} has no interpret(response)", "missing"))
        if function == "reference" and not script.has_reference:
            return RunResult(error=ScriptError(f"{script.label} has no reference(input)", "missing"))
        text = input if isinstance(input, bytes) else _encoder.encode(input)
        budget_ms = max(0, round((deadline - time.monotonic()) * 1000))
        # One script may hold at most ``share`` workers at once, so a script that spins (or is slow) for
        # every call cannot take the whole pool from the other scripts: their calls keep a worker.
        # A chain is gated by its provider's script alone: every dispatch chains the same standard
        # script, so gating that would let one spinning provider hold up every outlet.
        last = script if chained is None else chained
        gate = self._gates.setdefault((last.provider, last.topic), asyncio.Semaphore(self.share))
        try:
            await _by(gate.acquire, not gate.locked(), deadline)
        except TimeoutError:
            return _waited(budget_ms, started)
        try:
            process = await _by(self._idle.get, not self._idle.empty(), deadline)
        except TimeoutError:
            gate.release()
            return _waited(budget_ms, started)
        try:
            return await self._on_a_worker(
                process, (script, chained), function, topic, text, deadline, http, budget_ms, started
            )
        finally:
            gate.release()

    async def _on_a_worker(
        self,
        process: _Process,
        scripts: tuple[Any, Any],
        function: str,
        topic: str,
        text: bytes,
        deadline: float,
        http: HostHttp | None,
        budget_ms: int,
        started: float,
    ) -> RunResult:
        logs: list[str] = []
        calls = [0]
        try:
            done = await self._call(
                process, scripts, function, text, deadline, http or self.http, logs, calls, budget_ms
            )
        except _Killed as killed:
            self._replace(process)
            return RunResult(
                error=killed.error, logs=logs, timings=Timings(time.perf_counter() - started, 0.0, calls[0])
            )
        except BaseException:
            self._replace(process)
            raise
        if process.demoted and not restore(process.process.pid):
            self._replace(process)  # it may not come back up: a new worker, at the normal priority
        else:
            process.demoted = False
            self._idle.put_nowait(process)
        timings = Timings(time.perf_counter() - started, float(done["cpu"]), calls[0])
        if not done["ok"]:
            return RunResult(
                error=ScriptError(done["error"], done.get("kind", "throw")), logs=logs, timings=timings
            )
        value_text = str(done["value"]).encode()
        if topic == "order_dispatch" and function == "transform":
            checked = dispatch_request(value_text)
            if isinstance(checked, ScriptError):
                return RunResult(error=checked, text=value_text, logs=logs, timings=timings)
            return RunResult(
                value=_decoder.decode(value_text),
                text=value_text,
                logs=logs,
                timings=timings,
                request=checked,
            )
        return RunResult(value=_decoder.decode(value_text), text=value_text, logs=logs, timings=timings)

    async def _call(
        self,
        process: _Process,
        scripts: tuple[Any, Any],
        function: str,
        text: bytes,
        deadline: float,
        http: HostHttp | None,
        logs: list[str],
        calls: list[int],
        budget_ms: int,
    ) -> dict[str, Any]:
        call = next(self._calls)
        script, chained = scripts
        job: dict[str, Any] = {
            "t": "run",
            "call": call,
            **script_fields(script, process.seen),
            "fn": function,
            "input": text.decode(),
            "mem": self.memory_limit,
            "stack": self.stack_limit,
            "maxResult": self.max_result,
        }
        if chained is not None:
            job["then"] = script_fields(chained, process.seen)
        expired = ScriptError(f"script exceeded the deadline ({budget_ms} ms)", "deadline")
        overrun = ScriptError(
            f"script exceeded its compute limit ({round(self.compute_limit * 1000)} ms outside context.http)",
            "compute",
        )
        began = time.monotonic()
        await send(process, job)
        process.seen.update(s.digest for s in scripts if s is not None)
        # A call that keeps a CPU busy past DEMOTE_AFTER gets only the CPU nobody else wants (priority.py).
        process.probe = None
        process.watch = asyncio.get_running_loop().call_later(DEMOTE_AFTER, self._watch, process)
        try:
            return await self._frames(process, call, began, deadline, http, logs, calls, expired, overrun)
        finally:
            process.watch.cancel()

    def _watch(self, process: _Process) -> None:
        """Demote once the worker used at least half a CPU over the last DEMOTE_AFTER: a call that is
        starved by the machine's load, or waiting on context.http, keeps its priority."""
        now = cpu_seconds(process.process.pid)
        if now is not None and process.probe is not None and now - process.probe >= DEMOTE_AFTER / 2:
            if demote(process.process.pid):
                process.demoted, process.cpu_mark = True, now
            return
        process.probe = now
        process.watch = asyncio.get_running_loop().call_later(DEMOTE_AFTER, self._watch, process)

    async def _frame(
        self,
        process: _Process,
        computing: float,
        cap: float,
        deadline: float,
        overrun: ScriptError,
        expired: ScriptError,
    ) -> dict[str, Any]:
        """The next frame. Past ``computing``, a demoted worker (which only gets idle CPU) is held to its
        compute limit in CPU seconds, up to ``cap`` (twice the limit in wall time), so a slow call on a
        busy machine keeps its verdict and a spinning one still meets its compute limit."""
        while True:
            frame = await receive(process, deadline, expired, soft=computing)
            if frame is not None:
                return frame
            now, mark = cpu_seconds(process.process.pid), process.cpu_mark
            if not process.demoted or now is None or mark is None:
                raise _Killed(overrun)
            spent = 2 * DEMOTE_AFTER + now - mark
            if spent >= self.compute_limit or time.monotonic() >= cap:
                raise _Killed(overrun)
            computing = min(cap, time.monotonic() + self.compute_limit - spent)

    async def _frames(
        self,
        process: _Process,
        call: int,
        began: float,
        deadline: float,
        http: HostHttp | None,
        logs: list[str],
        calls: list[int],
        expired: ScriptError,
        overrun: ScriptError,
    ) -> dict[str, Any]:
        in_http = 0.0
        while True:
            computing = began + in_http + self.compute_limit
            frame = await self._frame(
                process, computing, computing + self.compute_limit, deadline, overrun, expired
            )
            if frame.get("call") != call:
                raise _Killed(ScriptError("the script's worker answered out of step", "crash"))
            kind = frame.get("t")
            if kind == "done":
                return frame
            if kind == "log":
                if len(logs) < MAX_LOG_LINES:
                    logs.append(str(frame.get("line", "")))
            elif kind == "http":
                requests = _decoder.decode(str(frame["req"]))
                calls[0] += len(requests)
                asked = time.monotonic()
                try:
                    answer = await exchange(requests, http, deadline, calls[0])
                except TimeoutError:
                    raise _Killed(expired) from None
                in_http += time.monotonic() - asked
                await send(process, {"t": "http", "call": call, "res": _encoder.encode(answer).decode()})

    async def _spawn(self) -> _Process:
        wrapped = await spawn()
        self._all.add(wrapped)
        await ready(wrapped)
        return wrapped

    async def _kill(self, process: _Process) -> None:
        self._all.discard(process)
        if process.process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                process.process.kill()
        await process.process.wait()

    def _replace(self, process: _Process) -> None:
        """Kill the worker now; a new one joins the pool when it is up (the caller does not wait)."""
        self.respawns += 1

        async def replace() -> None:
            await self._kill(process)
            if not self._closed:
                self._idle.put_nowait(await self._spawn())

        task = asyncio.get_running_loop().create_task(replace())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        if process.process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                process.process.kill()


def _waited(budget_ms: int, started: float) -> RunResult:
    text = f"script exceeded the deadline ({budget_ms} ms) waiting for a free worker"
    return RunResult(error=ScriptError(text, "deadline"), timings=Timings(time.perf_counter() - started, 0.0))


async def _by(take: Callable[[], Awaitable[T]], ready: bool, deadline: float) -> T:
    """``await take()`` by ``deadline`` (else TimeoutError). When ``ready`` it returns at once, so it is
    awaited bare: ``wait_for`` makes a task and a timer per call, a tenth of a call's cost (profiled)."""
    if ready:
        return await take()
    return await asyncio.wait_for(take(), max(0.0, deadline - time.monotonic()))
