"""A call still computing after DEMOTE_AFTER puts its worker at SCHED_IDLE; no worker stays demoted after."""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path

import pytest

from cata_sandbox.adapters import AdapterRuntime, load_catalog
from cata_sandbox.adapters.priority import demote, is_demoted
from tests.support.scripts import soon, write_script

pytestmark = pytest.mark.skipif(not hasattr(os, "SCHED_IDLE"), reason="no SCHED_IDLE on this OS")


async def _until(check, what: str, seconds: float = 30.0) -> None:  # type: ignore[no-untyped-def]
    limit = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < limit, f"gave up waiting: {what}"
        await asyncio.sleep(0.01)


async def test_a_spinning_call_is_demoted_and_its_replacement_is_not(tmp_path: Path) -> None:
    write_script(tmp_path, "spin", "sync_products", "function transform(input, context) { for (;;) {} }")
    runtime = AdapterRuntime(load_catalog(tmp_path), workers=1, compute_limit=0.3)
    await runtime.start()
    try:
        (first,) = runtime.worker_pids()
        assert not is_demoted(first)
        call = asyncio.ensure_future(runtime.run("spin", "sync_products", {}, deadline=soon(30)))
        await _until(lambda: is_demoted(first) or call.done(), "the spinning worker demoted")
        assert is_demoted(first)
        result = await call
        assert result.error is not None
        assert result.error.kind == "compute"
        assert result.error.message == "script exceeded its compute limit (300 ms outside context.http)"
        await _until(lambda: len(runtime.worker_pids()) == 1 and runtime.worker_pids() != [first], "respawn")
        (second,) = runtime.worker_pids()
        assert not is_demoted(second)
    finally:
        await runtime.close()


async def test_a_slow_call_that_ends_in_time_leaves_no_worker_demoted(tmp_path: Path) -> None:
    write_script(
        tmp_path,
        "slow",
        "sync_products",
        "function transform(input, context) { var t = Date.now(); while (Date.now() - t < 200) {} return 7; }",
    )
    runtime = AdapterRuntime(load_catalog(tmp_path), workers=1)
    await runtime.start()
    try:
        result = await runtime.run("slow", "sync_products", {}, deadline=soon(30))
        assert result.error is None
        assert result.value == 7
        # Restored in place, or (where the OS will not raise it again) replaced by a fresh worker.
        await _until(lambda: len(runtime.worker_pids()) == 1, "the pool back to one worker")
        assert not any(is_demoted(pid) for pid in runtime.worker_pids())
        again = await runtime.run("slow", "sync_products", {}, deadline=soon(30))
        assert again.value == 7
    finally:
        await runtime.close()


async def test_demote_refuses_a_process_that_is_gone() -> None:
    process = await asyncio.create_subprocess_exec("true")
    await process.wait()
    assert demote(process.pid) is False
