"""Hostile scripts: each costs one call a ScriptError with the sandbox's own message, and the pool serves on."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from cata_sandbox.adapters import AdapterRuntime, load_catalog
from cata_sandbox.adapters.hosthttp import HttpxHostHttp
from tests.support.scripts import Loopback, soon, write_script

HOSTILE = {
    "loop": "function transform() { while (true) {} }",
    "bomb": "function transform() { var a = []; while (true) a.push('xxxxxxxxxxxxxxxx' + a.length); }",
    "hugestring": "function transform() { return 'x'.repeat(100 * 1024 * 1024); }",
    "hugeresult": "function transform() { var a = []; for (var i = 0; i < 600000; i++) a.push(i); return a; }",
    "recursion": "function transform() { function f(n) { return f(n + 1) + 1; } return f(0); }",
    "throw42": "function transform() { throw 42; }",
    "throwobject": "function transform() { throw {code: 'E1', detail: [1, 2]}; }",
    "throwstring": "function transform() { throw 'plain text'; }",
    "thrownull": "function transform() { throw null; }",
    "promise": "async function transform() { return 1; }",
    "healthy": "function transform(input) { return {ok: true, n: input.n}; }",
    "http": "function transform(input, context) { return context.http.get(input.url).statusCode; }",
}
EXPECTED = {
    "loop": ("deadline", "script exceeded the deadline (300 ms)"),
    "bomb": ("memory", "script threw null or exceeded its memory limit (32 MB)"),
    "hugestring": ("memory", "script exceeded its memory limit (32 MB)"),
    "hugeresult": (
        "size",
        f"script result is {len(json.dumps(list(range(600000))).replace(' ', ''))} bytes, over the 1000000-byte limit",
    ),
    "recursion": ("stack", "script exceeded the stack limit (deep recursion)"),
    "throw42": ("throw", "script threw a non-Error value: 42"),
    "throwobject": ("throw", 'script threw a non-Error value: {"code":"E1","detail":[1,2]}'),
    "throwstring": ("throw", 'script threw a non-Error value: "plain text"'),
    "thrownull": ("memory", "script threw null or exceeded its memory limit (32 MB)"),
    "promise": ("throw", "Error: transform returned a Promise: adapter scripts are synchronous (at "),
}


@pytest.fixture
async def pool(tmp_path: Path, host_http: HttpxHostHttp) -> AsyncIterator[AdapterRuntime]:
    for provider, body in HOSTILE.items():
        write_script(tmp_path, provider, "sync_products", body)
    runtime = AdapterRuntime(
        load_catalog(tmp_path), workers=1, http=host_http, memory_limit=32 * 1024 * 1024, max_result=1_000_000
    )
    await runtime.start()
    try:
        yield runtime
    finally:
        await runtime.close()


async def healthy(pool: AdapterRuntime, n: int) -> None:
    result = await pool.run("healthy", "sync_products", {"n": n}, deadline=soon())
    assert (result.error, result.value) == (None, {"ok": True, "n": n})


@pytest.mark.parametrize("provider", sorted(EXPECTED))
async def test_each_hostile_script_gives_its_own_error_and_the_pool_keeps_serving(
    pool: AdapterRuntime, provider: str
) -> None:
    await healthy(pool, 1)
    budget = 0.3 if provider == "loop" else 5.0
    result = await pool.run(provider, "sync_products", {}, deadline=time.monotonic() + budget)
    kind, message = EXPECTED[provider]
    assert result.error is not None
    assert result.error.kind == kind
    assert result.error.message.startswith(message), result.error.message
    await healthy(pool, 2)
    await healthy(pool, 3)


async def test_an_endless_loop_is_killed_at_the_deadline_without_blocking_the_event_loop(
    pool: AdapterRuntime,
) -> None:
    [before] = pool.worker_pids()
    gaps: list[float] = []
    stop = asyncio.Event()

    async def tick() -> None:
        last = time.perf_counter()
        while not stop.is_set():
            await asyncio.sleep(0.01)
            now = time.perf_counter()
            gaps.append(now - last)
            last = now

    ticker = asyncio.create_task(tick())
    started = time.monotonic()
    result = await pool.run("loop", "sync_products", {}, deadline=started + 0.5)
    elapsed = time.monotonic() - started
    stop.set()
    await ticker
    assert result.error is not None
    assert result.error.kind == "deadline"
    # Bounds loose enough for a shared 2-core machine; the benchmark prints the real figures.
    assert 0.5 <= elapsed < 1.5
    assert max(gaps) < 0.25
    await healthy(pool, 1)
    assert pool.worker_pids() != [before]
    assert pool.respawns == 1


async def test_an_http_call_past_the_deadline_is_the_deadline(
    pool: AdapterRuntime, loopback: Loopback
) -> None:
    started = time.monotonic()
    result = await pool.run("http", "sync_products", {"url": loopback.url + "/slow"}, deadline=started + 0.4)
    assert result.error is not None
    assert (result.error.kind, result.error.message) == ("deadline", "script exceeded the deadline (400 ms)")
    assert time.monotonic() - started < 1.5  # the endpoint takes 2 s
    await healthy(pool, 1)


async def test_a_worker_that_dies_costs_its_call_and_is_replaced(
    pool: AdapterRuntime, tmp_path: Path
) -> None:
    [pid] = pool.worker_pids()
    task = asyncio.create_task(pool.run("loop", "sync_products", {}, deadline=soon(5)))
    # Once the call has taken the only worker, kill that worker (a process this test started).
    deadline = time.monotonic() + 5
    while not pool._idle.empty() and time.monotonic() < deadline:  # noqa: ASYNC110
        await asyncio.sleep(0.01)
    os.kill(pid, signal.SIGKILL)
    result = await task
    assert result.error is not None
    assert result.error.kind == "crash"
    assert result.error.message == f"the script's worker process died (exit status {-signal.SIGKILL})"
    await healthy(pool, 1)


async def test_a_runaway_script_holds_a_worker_for_the_compute_limit_not_the_whole_budget(
    tmp_path: Path, host_http: HttpxHostHttp, loopback: Loopback
) -> None:
    write_script(tmp_path, "spin", "sync_products", "function transform() { while (true) {} }")
    write_script(
        tmp_path,
        "waits",
        "sync_products",
        "function transform(input, context) { context.http.get(input.url); context.http.get(input.url);"
        " return 'done'; }",
    )
    runtime = AdapterRuntime(load_catalog(tmp_path), workers=1, http=host_http, compute_limit=0.3)
    await runtime.start()
    try:
        started = time.monotonic()
        spun = await runtime.run("spin", "sync_products", {}, deadline=started + 30)
        spun_for = time.monotonic() - started
        # Time spent waiting on context.http (2 x 2 s here) does not count against the compute limit.
        waited = await runtime.run(
            "waits", "sync_products", {"url": loopback.url + "/slow"}, deadline=soon(30)
        )
    finally:
        await runtime.close()
    assert spun.error is not None
    assert (spun.error.kind, spun.error.message) == (
        "compute",
        "script exceeded its compute limit (300 ms outside context.http)",
    )
    assert spun_for < 5
    assert (waited.error, waited.value) == (None, "done")


@pytest.mark.parametrize(("share", "served"), [(None, True), (2, False)], ids=["capped", "uncapped"])
async def test_a_script_that_spins_on_every_call_leaves_a_worker_to_the_other_scripts(
    tmp_path: Path, host_http: HttpxHostHttp, share: int | None, served: bool
) -> None:
    write_script(tmp_path, "spin", "sync_products", "function transform() { while (true) {} }")
    write_script(tmp_path, "ok", "sync_products", "function transform() { return 1; }")
    catalog = load_catalog(tmp_path)
    runtime = AdapterRuntime(catalog, workers=2, http=host_http, compute_limit=5, share=share)
    await runtime.start()
    try:
        # Four spinning calls at once: uncapped, they hold both workers until their deadline (3 s).
        spinning = [
            asyncio.ensure_future(runtime.run("spin", "sync_products", {}, deadline=soon(3)))
            for _ in range(4)
        ]
        await asyncio.sleep(0.2)  # let them take their workers first
        answers = [await runtime.run("ok", "sync_products", {}, deadline=soon(0.5)) for _ in range(5)]
        spun = await asyncio.gather(*spinning)
        # The killed workers' replacements start before the pool closes (polled against a deadline).
        if runtime._tasks:
            await asyncio.wait(set(runtime._tasks), timeout=30)
    finally:
        await runtime.close()
    assert all(result.error is not None for result in spun)
    if served:
        assert runtime.share == 1
        assert [(a.error, a.value) for a in answers] == [(None, 1)] * 5
    else:
        assert answers[0].error is not None
        assert answers[0].error.message.endswith("waiting for a free worker")
