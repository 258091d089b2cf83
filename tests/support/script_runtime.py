"""A runtime on its own event loop thread, so synchronous (hypothesis) tests can call scripts."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Coroutine
from typing import Any, TypeVar

from cata_sandbox.adapters import AdapterCatalog, AdapterRuntime, RunResult

T = TypeVar("T")


class SyncRuntime:
    def __init__(self, catalog: AdapterCatalog, workers: int = 1) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.runtime = AdapterRuntime(catalog, workers=workers)
        self._wait(self.runtime.start())

    def _wait(self, coroutine: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(30)

    def run(self, provider: str, topic: str, input: dict[str, Any], function: str = "transform") -> RunResult:
        deadline = time.monotonic() + 5
        return self._wait(self.runtime.run(provider, topic, input, deadline=deadline, function=function))

    def close(self) -> None:
        self._wait(self.runtime.close())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)
        self.loop.close()
