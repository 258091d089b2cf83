"""Load generation: wrk when installed, else an aiohttp client in a child process; latency percentiles."""

from __future__ import annotations

import asyncio
import math
import multiprocessing
import shutil
import subprocess
import time
import uuid
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from cata_sandbox.bench.model import BenchError
from cata_sandbox.delivery import DELIVERY_ID_HEADER


@dataclass(frozen=True)
class LoadTarget:
    """Where a load goes: POSTs of ``bodies`` in turn, with ``headers``; optionally a fresh delivery id."""

    name: str
    url: str
    headers: dict[str, str]
    bodies: list[bytes]
    fresh_delivery_id: bool = False


@dataclass
class LoadResult:
    name: str
    generator: str
    requests: int
    errors: int
    duration_s: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    detail: dict[str, int] = field(default_factory=dict)

    @property
    def per_second(self) -> float:
        return self.requests / self.duration_s if self.duration_s > 0 else 0.0


def wrk_path() -> str | None:
    return shutil.which("wrk")


def _lua_string(data: str) -> str:
    return "[==[" + data + "]==]"


def _wrk_script(target: LoadTarget, workdir: Path) -> Path:
    paths = []
    for index, body in enumerate(target.bodies):
        path = workdir / f"{target.name}-body-{index}.json"
        path.write_bytes(body)
        paths.append(path)
    lines = ['wrk.method = "POST"']
    lines += [f"wrk.headers[ {_lua_string(k)} ] = {_lua_string(v)}" for k, v in target.headers.items()]
    lines.append("local bodies = {}")
    for path in paths:
        opened = f'local f = io.open({_lua_string(str(path))}, "rb")'
        lines.append(f'do {opened}; table.insert(bodies, f:read("*a")); f:close() end')
    if len(paths) == 1 and not target.fresh_delivery_id:
        lines.append("wrk.body = bodies[1]")
    else:
        lines += [
            "local n = 0",
            "local function uuid4()",
            '  return (string.gsub("xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx", "[xy]", function(c)',
            '    local v = (c == "x") and math.random(0, 15) or math.random(8, 11)',
            '    return string.format("%x", v) end))',
            "end",
            "request = function()",
            "  n = n + 1",
        ]
        if target.fresh_delivery_id:
            lines.append(f'  wrk.headers["{DELIVERY_ID_HEADER}"] = uuid4()')
        lines += ["  return wrk.format(nil, nil, nil, bodies[(n % #bodies) + 1])", "end"]
    lines += [
        "done = function(summary, latency, requests)",
        '  io.write(string.format("BENCH-RESULT requests=%d duration_us=%d connect=%d read=%d write=%d'
        ' status=%d timeout=%d p50=%d p95=%d p99=%d\\n",',
        "    summary.requests, summary.duration, summary.errors.connect, summary.errors.read,",
        "    summary.errors.write, summary.errors.status, summary.errors.timeout,",
        "    latency:percentile(50), latency:percentile(95), latency:percentile(99)))",
        "end",
    ]
    script = workdir / f"{target.name}.lua"
    script.write_text("\n".join(lines) + "\n")
    return script


def _start_wrk(
    target: LoadTarget, concurrency: int, duration: float, timeout: float, workdir: Path
) -> subprocess.Popen[str]:
    script = _wrk_script(target, workdir)
    wrk = wrk_path()
    assert wrk is not None
    argv = [
        wrk,
        "-t1",
        f"-c{concurrency}",
        f"-d{max(1, round(duration))}s",
        f"--timeout={max(1, math.ceil(timeout))}s",
    ]
    argv += ["-s", str(script), target.url]
    return subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def _finish_wrk(target: LoadTarget, process: subprocess.Popen[str]) -> LoadResult:
    output, _ = process.communicate()
    line = next((ln for ln in output.splitlines() if ln.startswith("BENCH-RESULT ")), None)
    if line is None:
        raise BenchError(f"wrk gave no result for {target.name}:\n{output}")
    values = {k: int(v) for k, v in (part.split("=") for part in line.split()[1:])}
    detail = {k: values[k] for k in ("connect", "read", "write", "status", "timeout") if values[k]}
    return LoadResult(
        name=target.name,
        generator="wrk",
        requests=values["requests"],
        errors=sum(detail.values()),
        duration_s=values["duration_us"] / 1e6,
        p50_ms=values["p50"] / 1000,
        p95_ms=values["p95"] / 1000,
        p99_ms=values["p99"] / 1000,
        detail=detail,
    )


def percentile(sorted_values: Sequence[float], pct: float) -> float:
    if not sorted_values:
        return 0.0
    rank = max(0, min(len(sorted_values) - 1, math.ceil(pct / 100 * len(sorted_values)) - 1))
    return sorted_values[rank]


async def _drive(target: LoadTarget, concurrency: int, duration: float, timeout: float) -> LoadResult:
    import aiohttp

    latencies: list[float] = []
    detail: dict[str, int] = {}
    loop = asyncio.get_running_loop()
    connector = aiohttp.TCPConnector(limit=concurrency, ttl_dns_cache=None)
    client_timeout = aiohttp.ClientTimeout(total=timeout)
    async with aiohttp.ClientSession(connector=connector, timeout=client_timeout) as session:
        started = loop.time()
        deadline = started + duration

        async def client(offset: int) -> None:
            turn = offset
            while loop.time() < deadline:
                body = target.bodies[turn % len(target.bodies)]
                turn += 1
                headers = target.headers
                if target.fresh_delivery_id:
                    headers = {**headers, DELIVERY_ID_HEADER: str(uuid.uuid4())}
                sent = time.perf_counter()
                try:
                    async with session.post(
                        target.url, data=body, headers=headers, allow_redirects=False
                    ) as r:
                        await r.read()
                        status = r.status
                except TimeoutError:
                    detail["timeout"] = detail.get("timeout", 0) + 1
                    continue
                except aiohttp.ClientError:
                    detail["connect/read"] = detail.get("connect/read", 0) + 1
                    continue
                if loop.time() > deadline:
                    break
                latencies.append(time.perf_counter() - sent)
                if not 200 <= status < 400:
                    detail["status"] = detail.get("status", 0) + 1

        tasks = [asyncio.create_task(client(i)) for i in range(concurrency)]
        _done, pending = await asyncio.wait(tasks, timeout=duration + 0.05)
        # Requests still in flight at the end (a hanging receiver's) are dropped, as wrk drops them.
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
        elapsed = min(loop.time() - started, duration) if pending else loop.time() - started
    latencies.sort()
    return LoadResult(
        name=target.name,
        generator="python",
        requests=len(latencies),
        errors=sum(detail.values()),
        duration_s=elapsed,
        p50_ms=percentile(latencies, 50) * 1000,
        p95_ms=percentile(latencies, 95) * 1000,
        p99_ms=percentile(latencies, 99) * 1000,
        detail=detail,
    )


def _python_load_process(
    target: LoadTarget, concurrency: int, duration: float, timeout: float, results: Any
) -> None:
    """Child-process entry point of the Python load generator (uvloop when installed)."""
    try:
        import uvloop

        result = uvloop.run(_drive(target, concurrency, duration, timeout))
    except ImportError:  # pragma: no cover - uvloop comes with litestar[standard]
        result = asyncio.run(_drive(target, concurrency, duration, timeout))
    results.put(asdict(result))


def run_load(
    groups: Sequence[tuple[LoadTarget, int]],
    duration: float,
    *,
    generator: str,
    timeout: float,
    workdir: Path,
) -> list[LoadResult]:
    """Run every (target, connections) group at once for ``duration`` seconds, each in its own process."""
    if duration <= 0:
        return []
    if generator == "wrk":
        started = [(t, _start_wrk(t, c, duration, timeout, workdir)) for t, c in groups]
        return [_finish_wrk(t, p) for t, p in started]
    context = multiprocessing.get_context("spawn")
    queues = []
    processes = []
    for target, connections in groups:
        queue = context.Queue()
        process = context.Process(
            target=_python_load_process, args=(target, connections, duration, timeout, queue), daemon=True
        )
        process.start()
        queues.append(queue)
        processes.append(process)
    results = []
    for target, queue, process in zip([g[0] for g in groups], queues, processes, strict=True):
        try:
            raw = queue.get(timeout=duration + 60)
        except Exception as exc:
            raise BenchError(f"the load generator for {target.name} gave no result") from exc
        process.join(5)
        results.append(LoadResult(**raw))
    return results
