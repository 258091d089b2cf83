"""Cost of the adapter runtime: per-dispatch wall and worker CPU, and dispatches/s with 1 and 2 workers.

    .venv/bin/python benchmarks/adapter_runtime.py [--calls 2000] [--items 10]

A "dispatch" is what Path 2 runs per order: the standard script, then the Revel script, each one call
into the pool (the order bytes parsed by the engine). Also prints what one Revel call costs in-process
with a fresh context per call versus the warm, locked-down context the runtime uses.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time
from decimal import Decimal
from typing import Any

import msgspec

from cata_sandbox.adapters import AdapterRuntime, load_catalog


def make_order(items: int) -> bytes:
    lines = []
    for i in range(items):
        lines.append(
            {
                "plu": str(100 + i),
                "name": f"Item {i} with a name",
                "quantity": 1 + i % 3,
                "unitPrice": Decimal("5.50") + i,
                "notes": "no onion" if i % 2 else None,
                "modifiers": [
                    {
                        "plu": str(300 + i),
                        "name": "Extra cheese",
                        "quantity": 1,
                        "unitPrice": Decimal("0.75"),
                    },
                    {"plu": str(400 + i), "name": "Bacon", "quantity": 2, "unitPrice": Decimal("1.50")},
                ],
            }
        )
    order = {
        "orderRefNo": "BENCH-1",
        "deliveryMethod": "PICKUP",
        "createdAt": "2026-11-27T10:00:00+08:00",
        "currency": "SGD",
        "customer": {"firstName": "Mei", "lastName": "Tan", "phone": "+6591234567"},
        "items": lines,
        "totalPay": Decimal("123.45"),
    }
    return msgspec.json.Encoder(decimal_format="number").encode(order)


def inputs(order: bytes) -> tuple[dict[str, Any], dict[str, Any]]:
    standard = {
        "providerSlug": "_standard",
        "webhookUrl": "http://127.0.0.1:9/hook",
        "payload": msgspec.Raw(order),
    }
    revel = {
        "providerSlug": "revel",
        "baseUrl": "http://127.0.0.1:9/revel",
        "apiKey": "bench-key-1",
        "apiSecret": "bench-secret-1",
        "payload": msgspec.Raw(order),
        "standard": {"url": "http://127.0.0.1:9/hook", "method": "POST", "headers": {}, "body": None},
        "outlet": {
            "refCode": "OUT-1",
            "settings": {"establishmentId": 1, "diningOptionIds": {"PICKUP": 1, "DELIVERY": 2, "DINE_IN": 3}},
        },
    }
    return standard, revel


async def dispatch(runtime: AdapterRuntime, standard: dict[str, Any], revel: dict[str, Any] | None) -> float:
    """One Path-2 dispatch; returns the worker CPU it cost (seconds)."""
    deadline = time.monotonic() + 30
    first = await runtime.run("_standard", "order_dispatch", standard, deadline=deadline)
    if first.error is not None:
        raise SystemExit(f"standard script failed: {first.error}")
    if revel is None:
        return first.timings.worker_cpu
    second = await runtime.run("revel", "order_dispatch", revel, deadline=deadline)
    if second.error is not None:
        raise SystemExit(f"revel script failed: {second.error}")
    return first.timings.worker_cpu + second.timings.worker_cpu


def p95(values: list[float]) -> float:
    return sorted(values)[int(len(values) * 0.95) - 1]


async def per_call(calls: int, order: bytes) -> None:
    standard, revel = inputs(order)
    async with AdapterRuntime(load_catalog(), workers=1) as runtime:
        for label, second in (("standard only", None), ("standard + revel", revel)):
            for _ in range(50):  # warm up: compile each script once in the worker
                await dispatch(runtime, standard, second)
            walls, cpus = [], []
            parent = time.process_time()
            for _ in range(calls):
                started = time.perf_counter()
                cpus.append(await dispatch(runtime, standard, second))
                walls.append(time.perf_counter() - started)
            parent_ms = (time.process_time() - parent) / calls * 1000
            print(
                f"{label:18} per dispatch: wall median {statistics.median(walls) * 1000:.3f} ms, "
                f"p95 {p95(walls) * 1000:.3f} ms; worker CPU median {statistics.median(cpus) * 1000:.3f} ms, "
                f"p95 {p95(cpus) * 1000:.3f} ms; parent CPU {parent_ms:.3f} ms"
            )


async def throughput(workers: int, calls: int, order: bytes) -> None:
    standard, revel = inputs(order)
    async with AdapterRuntime(load_catalog(), workers=workers) as runtime:
        for _ in range(50 * workers):
            await dispatch(runtime, standard, revel)
        concurrency = workers * 2
        per_task = calls // concurrency

        async def loop() -> None:
            for _ in range(per_task):
                await dispatch(runtime, standard, revel)

        started = time.perf_counter()
        await asyncio.gather(*(loop() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
        done = per_task * concurrency
        print(
            f"{workers} worker(s), {concurrency} concurrent: {done / elapsed:.0f} dispatches/s "
            f"(standard + revel, {done * 2 / elapsed:.0f} script calls/s)"
        )


def in_process(order: bytes, calls: int) -> None:
    """One Revel call in-process: fresh context + prelude + script each call, vs the warm factory."""
    import quickjs

    from cata_sandbox.adapters.prelude import FACTORY_HEAD, FACTORY_TAIL, PRELUDE

    source = load_catalog().get("revel", "order_dispatch").source  # type: ignore[union-attr]
    text = json.dumps({**inputs(order)[1], "payload": json.loads(order)})

    def build() -> Any:
        context = quickjs.Context()
        context.set_memory_limit(64 * 1024 * 1024)
        context.add_callable("__cata_host", lambda token, body: "{}")
        context.add_callable("__cata_log", lambda token, body: None)
        context.eval(PRELUDE)
        context.eval(FACTORY_HEAD + source + FACTORY_TAIL)
        return context, context.eval("__cata_install(__cata_factory)")

    started = time.process_time()
    for _ in range(calls):
        _, runner = build()
        runner("transform", text, 1)
    fresh = (time.process_time() - started) / calls * 1000
    _, runner = build()
    started = time.process_time()
    for _ in range(calls):
        runner("transform", text, 1)
    warm = (time.process_time() - started) / calls * 1000
    print(f"in-process Revel call CPU: fresh context each call {fresh:.3f} ms, warm context {warm:.3f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--items", type=int, default=10)
    args = parser.parse_args()
    order = make_order(args.items)
    print(
        f"order: {args.items} items, 2 modifiers each, {len(order)} bytes; {args.calls} dispatches a figure"
    )
    in_process(order, min(args.calls, 500))
    asyncio.run(per_call(args.calls, order))
    for workers in (1, 2):
        asyncio.run(throughput(workers, args.calls, order))


if __name__ == "__main__":
    main()
