"""The kit's engine: the service's own pipeline pieces on a private event-loop thread.

One dispatch is what the engine does (ADR 0002, ``cata_sandbox.pipeline``): ``ScriptPipeline.build``
runs ``_standard/order_dispatch.js`` and then the provider's script in the worker pool
(``AdapterRuntime``); the request goes out through the service's :class:`~cata_sandbox.delivery.Sender`
(``context.http`` too, via ``SenderHttp``); ``ScriptPipeline.read`` reads the answer (the script's
``interpret`` or the seed's rules) and words the reason; a transport failure is ``transport_reason``.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Coroutine
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import msgspec

from cata_sandbox.adapters import AdapterCatalog, AdapterRuntime, DispatchRequest, RunResult, Timings
from cata_sandbox.adapters.library import AdapterLibrary
from cata_sandbox.classify import transport_reason
from cata_sandbox.clock import SYSTEM_CLOCK
from cata_sandbox.delivery import Sender, outbound_client
from cata_sandbox.net.transport import AiohttpTransport
from cata_sandbox.pipeline import ScriptPipeline, SenderHttp
from cata_sandbox.settings import Settings

__all__ = ["Answer", "Harness", "Sent"]

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Answer:
    """What the POS answered (``status`` None: no answer, ``failure`` says why)."""

    status: int | None
    body: bytes = b""
    failure: str = ""


@dataclass(frozen=True, slots=True)
class Sent:
    """One dispatch: the built request (or the scripts' error), the answer and how it was read."""

    error: str  # "transformer failed: ..." when the scripts built no request, else ""
    request: DispatchRequest | None
    answer: Answer | None
    dispatched: bool
    reason: str
    external_order_id: str
    wall: float  # seconds in the parent, both script calls
    worker_cpu: float  # seconds of worker CPU, both script calls


class _FixedLibrary(AdapterLibrary):
    """The scripts the kit resolved (a folder's or a provider's), never reloaded behind its back."""

    def __init__(self, catalog: AdapterCatalog) -> None:  # no super().__init__: nothing to load
        self.builtin_dir, self.extra_dir = Path(), None
        self.catalog = catalog

    def refresh_if_changed(self) -> None:
        return None


class _TimedRuntime(AdapterRuntime):
    """The worker pool, keeping the timings of every call (the kit's time per dispatch)."""

    timings: list[Timings]

    async def run(self, *args: Any, **kwargs: Any) -> RunResult:
        result = await super().run(*args, **kwargs)
        self.timings.append(result.timings)
        return result


class Harness:
    """The pipeline, callable from synchronous code (hypothesis); ``budget`` is one dispatch's."""

    def __init__(self, catalog: AdapterCatalog, *, workers: int = 1, budget: float = 10.0) -> None:
        self.catalog = catalog
        self.timeout = budget
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self._wait(self._start(workers))

    async def _start(self, workers: int) -> None:
        transport = AiohttpTransport()
        self.client = outbound_client(self.timeout, transport)
        body_cap = Settings().response_body_cap
        self.sender = Sender(
            client=self.client,
            transport=transport,
            budget_s=self.timeout,
            body_cap=body_cap,
            clock=SYSTEM_CLOCK,
        )
        self.runtime = _TimedRuntime(self.catalog, workers=workers, http=SenderHttp(self.sender))
        self.runtime.timings = []
        self.pipeline = ScriptPipeline(_FixedLibrary(self.catalog), self.runtime)
        await self.runtime.start()

    def _wait(self, coroutine: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(self.timeout + 30)

    def run(self, provider: str, topic: str, input: dict[str, Any], function: str = "transform") -> RunResult:
        deadline = time.monotonic() + self.timeout
        return self._wait(self.runtime.run(provider, topic, input, deadline=deadline, function=function))

    def build(self, provider: str, input: dict[str, Any]) -> RunResult:
        """``_standard`` then the provider's script, as the pipeline chains them: the provider's result."""
        standard = self.run("_standard", "order_dispatch", input)
        if standard.error is not None:
            return standard
        return self.run(provider, "order_dispatch", {**input, "standard": msgspec.Raw(standard.text)})

    def dispatch(self, provider: str, input: dict[str, Any], order: bytes) -> Sent:
        return self._wait(self._dispatch(provider, input, order))

    async def _dispatch(self, provider: str, input: dict[str, Any], order: bytes) -> Sent:
        deadline = time.monotonic() + self.timeout
        del self.runtime.timings[:]
        built = await self.pipeline.build(provider, input, order, deadline=deadline)
        wall = sum(t.wall for t in self.runtime.timings)
        cpu = sum(t.worker_cpu for t in self.runtime.timings)
        request = built.request
        if request is None:
            return Sent(built.error, None, None, False, built.error, "", wall, cpu)
        budget = max(0.0, deadline - time.monotonic())
        exchange = await self.sender.exchange(
            request.method, request.url, request.headers, request.body or b"", budget=budget
        )
        if exchange.status is None:
            reason = transport_reason(exchange.error or "unknown error")
            return Sent("", request, Answer(None, failure=exchange.error or ""), False, reason, "", wall, cpu)
        answer = Answer(exchange.status, exchange.body)
        reading = await self.pipeline.read(
            provider, exchange.status, exchange.headers, exchange.body, deadline=deadline
        )
        outcome = reading.outcome
        return Sent(
            "", request, answer, outcome.dispatched, reading.reason, outcome.external_order_id, wall, cpu
        )

    def close(self) -> None:
        self._wait(self.runtime.close())
        self._wait(self.client.aclose())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)
        self.loop.close()
