"""The kit's engine: the worker-pool runtime on its own event-loop thread, and the HostHttp it sends with.

One dispatch is what the pipeline does (ADR 0002): ``_standard/order_dispatch.js``, then the provider's
``order_dispatch.js`` with ``input.standard``, then the built request sent through the HostHttp. The
answer is read as the engine reads it: a 2xx by the script's ``interpret(response)`` when it has one
(else the generic reading), and the reason worded by :mod:`cata_sandbox.classify`.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Coroutine
from dataclasses import dataclass
from typing import Any, TypeVar

import msgspec

from cata_sandbox.adapters import AdapterCatalog, AdapterRuntime, DispatchRequest, RunResult, ScriptError
from cata_sandbox.adapters.hosthttp import HttpxHostHttp
from cata_sandbox.classify import NOT_DISPATCHED, Outcome, interpret_generic, pos_reason, transport_reason
from cata_sandbox.net.failures import describe_failure

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
    """One dispatch through the pipeline: the script calls, the request, the answer and its reading."""

    error: ScriptError | None
    request: DispatchRequest | None
    answer: Answer | None
    dispatched: bool
    reason: str
    external_order_id: str
    wall: float  # seconds in the parent, both scripts
    worker_cpu: float  # seconds of worker CPU, both scripts
    logs: list[str]


class Harness:
    """A runtime and a HostHttp on a private loop thread, callable from synchronous code (hypothesis)."""

    def __init__(self, catalog: AdapterCatalog, *, workers: int = 1, timeout: float = 10.0) -> None:
        self.catalog = catalog
        self.timeout = timeout
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.http = HttpxHostHttp()
        self.runtime = AdapterRuntime(catalog, workers=workers, http=self.http)
        self._wait(self.runtime.start())

    def _wait(self, coroutine: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(self.timeout + 30)

    def run(self, provider: str, topic: str, input: dict[str, Any], function: str = "transform") -> RunResult:
        deadline = time.monotonic() + self.timeout
        return self._wait(self.runtime.run(provider, topic, input, deadline=deadline, function=function))

    def build(self, provider: str, input: dict[str, Any]) -> tuple[RunResult, float, float]:
        """``_standard`` then the provider's script: the provider's result, wall and worker CPU (both)."""
        standard = self.run("_standard", "order_dispatch", input)
        if standard.error is not None:
            return standard, standard.timings.wall, standard.timings.worker_cpu
        result = self.run(provider, "order_dispatch", {**input, "standard": standard.value})
        wall = standard.timings.wall + result.timings.wall
        return result, wall, standard.timings.worker_cpu + result.timings.worker_cpu

    def send(self, request: DispatchRequest) -> Answer:
        try:
            status, _, body = self._wait(
                self.http.request(
                    request.method, request.url, request.headers, request.body, timeout=self.timeout
                )
            )
        except Exception as exc:
            return Answer(None, failure=describe_failure(exc, request.url))
        return Answer(status, body)

    def dispatch(self, provider: str, input: dict[str, Any]) -> Sent:
        result, wall, cpu = self.build(provider, input)
        if result.error is not None or result.request is None:
            error = result.error or ScriptError("the script built no request", "invalid")
            reason = f"transformer failed: {error.message}"
            return Sent(error, None, None, False, reason, "", wall, cpu, result.logs)
        answer = self.send(result.request)
        outcome, reason = self.read(provider, answer)
        return Sent(
            None,
            result.request,
            answer,
            outcome.dispatched,
            reason,
            outcome.external_order_id,
            wall,
            cpu,
            result.logs,
        )

    def read(self, provider: str, answer: Answer) -> tuple[Outcome, str]:
        """The outcome and the reason the pipeline gives for ``answer``."""
        if answer.status is None:
            return NOT_DISPATCHED, transport_reason(answer.failure)
        if not 200 <= answer.status < 300:
            return NOT_DISPATCHED, pos_reason(answer.status, answer.body, NOT_DISPATCHED)
        script = self.catalog.get(provider, "order_dispatch")
        outcome = interpret_generic(answer.status, answer.body)
        if script is not None and script.has_interpret:
            outcome = self._interpret(provider, answer)
        return outcome, pos_reason(answer.status, answer.body, outcome)

    def _interpret(self, provider: str, answer: Answer) -> Outcome:
        try:
            msgspec.json.decode(answer.body)
            body: Any = msgspec.Raw(answer.body)
        except (msgspec.DecodeError, UnicodeDecodeError):
            body = answer.body.decode("utf-8", errors="replace")
        response = {"statusCode": answer.status, "headers": {}, "body": body}
        result = self.run(provider, "order_dispatch", response, function="interpret")
        if result.error is not None or not isinstance(result.value, dict):
            return Outcome(False, f"interpret failed: {result.error}")
        value = result.value
        return Outcome(
            bool(value.get("dispatched")),
            str(value.get("message") or ""),
            str(value.get("externalOrderId") or ""),
        )

    def close(self) -> None:
        self._wait(self.runtime.close())
        self._wait(self.http.aclose())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)
        self.loop.close()
