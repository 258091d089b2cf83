"""``cata-sandbox bench``: how fast the dispatch layer is, as a ratio to sending the same load directly.

One run measures two things with the same load generator, the same concurrency and the same receiver:

- **dispatch**: ``POST /api/v1/orders/dispatch`` to the service, which stores, signs, sends and records;
- **direct**: the request the service would send (the order's bytes, signed, with the same headers) sent
  straight to the receiver.

``direct / dispatch`` throughput is the cost of the dispatch layer, a number that does not depend much on
the machine. The isolation scenario measures healthy outlets' throughput while one outlet's receiver
hangs, as a fraction of the all-healthy throughput.

The load generator runs in processes of its own so it does not share the service's interpreter: ``wrk``
when it is installed (the bench README's tool), otherwise an aiohttp client with keep-alive connections
in a child process. Without ``--url`` the bench starts everything itself on loopback: the service
(SQLite in a temporary directory, one worker) and a receiver that answers at once (:func:`fast_receiver`,
raw ASGI), or mock_pos for the Revel path.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import multiprocessing
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

import httpx
import msgspec

from cata_sandbox import signing
from cata_sandbox.clock import SYSTEM_CLOCK
from cata_sandbox.delivery import DELIVERY_ID_HEADER, attempt_headers, webhook_request
from cata_sandbox.sandbox_up import revel_settings

Path_ = Literal["webhook", "revel"]
Scenario = Literal["default", "isolation"]
Generator = Literal["auto", "wrk", "python"]

HEALTHY_OUTLETS = 3
ISOLATION_TARGET = 0.9
DIRECT = "direct"
DISPATCH = "dispatch"

# A realistic small order: the Revel path needs plus that mock Revel's default catalogue knows.
BENCH_ORDER: dict[str, Any] = {
    "orderRefNo": "BENCH-1",
    "deliveryMethod": "PICKUP",
    "createdAt": "2026-11-27T10:00:00+08:00",
    "currency": "SGD",
    "items": [
        {
            "plu": "106",
            "name": "Flat White",
            "quantity": 2,
            "unitPrice": 4.10,
            "notes": "extra hot",
            "modifiers": [{"plu": "205", "name": "Oat Milk", "quantity": 1, "unitPrice": 0.60}],
        }
    ],
    "totalPay": 8.80,
    "customer": {"firstName": "Ada", "lastName": "Lovelace", "phone": "+6590000000"},
}


class BenchError(Exception):
    """The bench could not run (a process did not start, the service refused a call, ...)."""


# --- the receiver that answers at once ----------------------------------------------------------------

_counter = iter(range(1, 2**62))


async def fast_receiver(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """A raw ASGI receiver, so the measurement is of the sender, not of the receiver.

    ``POST /hook`` answers ``200 {"externalOrderId": N}`` at once; ``/delay/<ms>`` answers after that
    many milliseconds; ``/hang`` never answers (it waits until the client goes away).
    """
    if scope["type"] != "http":
        return
    more = True
    while more:
        message = await receive()
        more = message.get("more_body", False)
    path: str = scope["path"]
    if path.startswith("/hang"):
        while (await receive())["type"] != "http.disconnect":
            pass
        return
    if path.startswith("/delay/"):
        with contextlib.suppress(ValueError):
            await asyncio.sleep(int(path.rsplit("/", 1)[1]) / 1000)
    body = b'{"externalOrderId":"%d"}' % next(_counter)
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(body))],
        }
    )
    await send({"type": "http.response.body", "body": body})


# --- processes ----------------------------------------------------------------------------------------


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of a process (Linux ``/proc``), or None where it cannot be read."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


def rss_mb(pid: int) -> float | None:
    """Resident set size of a process in MB (Linux ``/proc``), or None where it cannot be read."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


@dataclass
class Child:
    """A server started by the bench, stopped with SIGTERM (then SIGKILL) when the bench ends."""

    name: str
    process: subprocess.Popen[bytes]
    url: str
    log_path: Path

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)

    def log_tail(self, lines: int = 20) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


def start_child(
    name: str, argv: list[str], url: str, health_path: str, workdir: Path, env: dict[str, str] | None = None
) -> Child:
    log_path = workdir / f"{name}.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            argv,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env={**os.environ, **(env or {})},
        )
    child = Child(name, process, url, log_path)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise BenchError(f"{name} exited during start-up:\n{child.log_tail()}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(url + health_path, timeout=1).status_code < 500:
                return child
        time.sleep(0.05)
    child.stop()
    raise BenchError(f"{name} did not start within 30 s:\n{child.log_tail()}")


def start_fast_receiver(workdir: Path) -> Child:
    port = free_port()
    argv = [sys.executable, "-m", "uvicorn", "cata_sandbox.bench:fast_receiver", "--host", "127.0.0.1"]
    argv += ["--port", str(port), "--no-access-log", "--log-level", "warning", "--lifespan", "off"]
    return start_child("receiver", argv, f"http://127.0.0.1:{port}", "/hook", workdir)


def start_mock_pos(workdir: Path) -> Child:
    port = free_port()
    code = "import sys; from mock_pos.cli import main; sys.exit(main())"
    argv = [sys.executable, "-c", code, "serve", "--port", str(port), "--log-level", "warning"]
    return start_child("mock_pos", argv, f"http://127.0.0.1:{port}", "/__admin/journal", workdir)


def start_service(workdir: Path, api_key: str, dispatch_timeout: float, log_level: str) -> Child:
    port = free_port()
    argv = [sys.executable, "-m", "cata_sandbox.cli", "serve", "--host", "127.0.0.1", "--port", str(port)]
    argv += [
        "--database-url",
        f"sqlite:///{workdir / 'bench.db'}",
        "--dispatch-timeout",
        f"{dispatch_timeout:g}",
    ]
    argv += ["--log-level", log_level]
    return start_child(
        "service", argv, f"http://127.0.0.1:{port}", "/health", workdir, {"CATA_API_KEY": api_key}
    )


# --- load generation ------------------------------------------------------------------------------------


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


# --- the service side -------------------------------------------------------------------------------------


@dataclass
class ServiceHandle:
    """The sandbox under test, reached over HTTP with an API key."""

    url: str
    api_key: str
    pid: int | None
    client: httpx.Client

    def call(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        try:
            response = self.client.request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            raise BenchError(f"{method} {self.url}{path} failed: {exc}") from exc
        if response.status_code >= 300:
            raise BenchError(
                f"{method} {self.url}{path} answered {response.status_code}: {response.text[:300]}"
            )
        data: dict[str, Any] = response.json()
        return data

    def register_webhook(self, outlet_id: str, callback_url: str) -> str:
        webhook = self.call(
            "POST", "/api/v1/webhooks/register", json={"outletId": outlet_id, "callbackUrl": callback_url}
        )["webhook"]
        secret: str = webhook["secret"]
        return secret

    def map_revel(self, outlet_id: str, mock_url: str) -> dict[str, Any]:
        """Map the outlet to mock Revel at ``mock_url`` with the settings ``up`` gives ``outlet-revel``."""
        settings = revel_settings(mock_url)
        self.call(
            "PUT",
            f"/api/v1/outlet-providers/{outlet_id}",
            json={"providerSlug": "revel", "settings": settings},
        )
        return settings

    def failed_orders(self, outlet_id: str) -> int:
        listing = self.call(
            "GET", "/api/v1/orders", params={"outletId": outlet_id, "status": "failed", "limit": 1}
        )
        return int(listing.get("total", 0))

    def rss_mb(self) -> float | None:
        return None if self.pid is None else rss_mb(self.pid)

    def cpu_seconds(self) -> float | None:
        return None if self.pid is None else cpu_seconds(self.pid)


def dispatch_body(outlet_id: str, order: bytes, transformer: str | None = None) -> bytes:
    """The dispatch envelope with the order bytes spliced in verbatim."""
    head: dict[str, Any] = {"outletId": outlet_id, "event": "order.paid"}
    if transformer:
        head["builtInTransformer"] = transformer
    return msgspec.json.encode(head)[:-1] + b',"order":' + order + b"}"


def webhook_direct_target(name: str, url: str, secret: str, order: bytes) -> LoadTarget:
    """The webhook request the service would send for ``order``, for the direct run: the same request
    (:func:`cata_sandbox.delivery.webhook_request`), with a fresh ``X-Cata-Delivery-ID`` per request."""
    request = webhook_request(
        url,
        order,
        signing.sign(secret, order),
        event="order.paid",
        timestamp=int(SYSTEM_CLOCK.now().timestamp()),
    )
    return LoadTarget(name, request.url, dict(request.headers), [request.body], fresh_delivery_id=True)


def revel_direct_target(name: str, order: bytes, settings: dict[str, Any]) -> LoadTarget:
    """The request the Revel transformer would send, for the direct run."""
    from cata_sandbox.schemas import Order
    from cata_sandbox.transformers.revel import RevelSettings, RevelTransformer

    outgoing = RevelTransformer().build_request(
        msgspec.json.decode(order, type=Order), msgspec.convert(settings, RevelSettings), "order.paid"
    )
    return LoadTarget(name, outgoing.url, dict(outgoing.headers), [outgoing.body])


# --- options, results, report -----------------------------------------------------------------------------


@dataclass
class BenchOptions:
    url: str | None = None
    api_key: str | None = None
    concurrency: int = 16
    duration: float = 10.0
    warmup: float = 1.0
    path: Path_ = "webhook"
    receiver_delay_ms: int = 0
    scenario: Scenario = "default"
    receiver: str | None = None
    generator: Generator = "auto"
    dispatch_timeout: float = 2.0
    service_log_level: str = "info"
    hanging_clients: int | None = None


@dataclass
class BenchReport:
    options: dict[str, Any]
    generator: str
    service: str
    receiver: str
    dispatch: LoadResult | None = None
    direct: LoadResult | None = None
    dispatch_failed: int = 0
    baseline: LoadResult | None = None
    isolated: LoadResult | None = None
    hanging: LoadResult | None = None
    baseline_after: LoadResult | None = None
    healthy_failed: int = 0
    service_cpu_ms_per_dispatch: float | None = None
    isolation_fraction: float | None = None
    rss_mb: dict[str, float] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        for name in ("dispatch", "direct", "baseline", "isolated", "hanging", "baseline_after"):
            result = getattr(self, name)
            if result is not None:
                data[name]["per_second"] = round(result.per_second, 1)
        if self.dispatch and self.direct and self.dispatch.per_second:
            data["direct_over_dispatch"] = round(self.direct.per_second / self.dispatch.per_second, 3)
        return data


def _row(label: str, result: LoadResult, errors: int | None = None) -> str:
    errs = result.errors if errors is None else errors
    return (
        f"  {label:<28} {result.per_second:>9.1f} /s {result.p50_ms:>9.2f} ms {result.p95_ms:>9.2f} ms"
        f" {result.p99_ms:>9.2f} ms {errs:>7d} {result.requests:>9d}"
    )


def _added(dispatch_ms: float, direct_ms: float) -> str:
    """The latency the dispatch layer adds; a direct run slower than the dispatch adds none (noise)."""
    added = dispatch_ms - direct_ms
    return f"{added:.2f} ms" if added >= 0 else "0 ms (the direct run was slower)"


HEADER = f"  {'':<28} {'throughput':>12} {'p50':>12} {'p95':>12} {'p99':>12} {'errors':>7} {'requests':>9}"


def render(report: BenchReport) -> str:
    lines = [
        f"service:  {report.service}",
        f"receiver: {report.receiver}",
        f"load generator: {report.generator}",
    ]
    if report.dispatch and report.direct:
        d, r = report.dispatch, report.direct
        # Errors are counted among the requests measured: never more errors than requests.
        failed = min(d.errors + report.dispatch_failed, d.requests + d.errors)
        lines += [HEADER, _row("dispatch (via the service)", d, failed)]
        lines.append(_row("direct (to the receiver)", r))
        ratio = r.per_second / d.per_second if d.per_second else float("inf")
        lines.append(
            f"dispatch overhead: direct/dispatch throughput = {ratio:.2f}x;"
            f" latency added p50 {_added(d.p50_ms, r.p50_ms)}, p95 {_added(d.p95_ms, r.p95_ms)},"
            f" p99 {_added(d.p99_ms, r.p99_ms)}"
        )
        lines.append(
            f"dispatch errors: {d.errors} transport/HTTP, {report.dispatch_failed} orders not dispatched"
            " (orders still in flight when the measurement ended included)"
        )
        if report.service_cpu_ms_per_dispatch is not None:
            lines.append(
                f"service CPU: {report.service_cpu_ms_per_dispatch:.2f} ms per dispatch (user + system; less"
                " disturbed by other load on the machine than throughput is)"
            )
    if report.baseline and report.isolated:
        b, i = report.baseline, report.isolated
        lines += [HEADER, _row("healthy outlets, all healthy", b), _row("healthy outlets, one hanging", i)]
        if report.baseline_after is not None:
            lines.append(_row("healthy outlets, healthy again", report.baseline_after))
        if report.hanging is not None:
            h = report.hanging
            lines.append(
                f"  hanging outlet: {h.requests} dispatches answered, each only when the dispatch budget"
                f" ran out (p50 {h.p50_ms / 1000:.2f} s)"
            )
        if report.healthy_failed:
            lines.append(f"  healthy outlets: {report.healthy_failed} orders not dispatched")
        fraction = report.isolation_fraction or 0.0
        verdict = "meets" if fraction >= ISOLATION_TARGET else "BELOW"
        lines.append(
            f"isolation fraction: {fraction:.3f} (one hanging / mean of the healthy runs before and after;"
            f" {verdict} the target {ISOLATION_TARGET})"
        )
    if report.rss_mb:
        parts = ", ".join(f"{k} {v:.1f} MB" for k, v in report.rss_mb.items())
        start, end = report.rss_mb.get("start"), report.rss_mb.get("end")
        growth = f" (growth {end - start:+.1f} MB)" if start is not None and end is not None else ""
        lines.append(f"service RSS: {parts}{growth}")
    return "\n".join(lines)


# --- the run ------------------------------------------------------------------------------------------------


@contextlib.contextmanager
def _children() -> Iterator[list[Child]]:
    started: list[Child] = []
    try:
        yield started
    finally:
        for child in reversed(started):
            child.stop()


def choose_generator(requested: Generator) -> str:
    if requested == "wrk" and wrk_path() is None:
        raise BenchError("--load-generator wrk: wrk is not installed (apt-get install wrk)")
    if requested == "auto":
        return "wrk" if wrk_path() is not None else "python"
    return requested


def run_bench(options: BenchOptions, echo: Callable[[str], None] = print) -> BenchReport:
    """Run the scenario and return its report (``echo`` receives progress lines)."""
    if options.concurrency < 1 or options.duration <= 0:
        raise BenchError("--concurrency must be >= 1 and --duration > 0")
    if options.path == "revel" and options.receiver:
        raise BenchError("--receiver goes with the webhook path; the Revel path always uses mock Revel")
    if options.url and not options.api_key:
        raise BenchError("--url needs --api-key (or CATA_API_KEY)")
    if options.receiver and not options.url:
        raise BenchError(
            "--receiver needs --url: your receiver verifies the secret of the webhook registered for it on"
            " your sandbox (a sandbox the bench starts would give it a secret it does not know)"
        )
    generator = choose_generator(options.generator)
    with tempfile.TemporaryDirectory(prefix="cata-bench-") as tmp, _children() as children:
        workdir = Path(tmp)
        run_id = secrets.token_hex(3)
        api_key = options.api_key or "cata_sk_bench_" + secrets.token_urlsafe(12)
        pid: int | None = None
        if options.url:
            service_url = options.url.rstrip("/")
            service_text = f"{service_url} (running; not started by the bench)"
        else:
            echo("starting the service (SQLite in a temporary directory, one worker) ...")
            child = start_service(workdir, api_key, options.dispatch_timeout, options.service_log_level)
            children.append(child)
            service_url, pid = child.url, child.process.pid
            service_text = (
                f"{service_url} (started by the bench: SQLite, 1 worker, dispatch budget"
                f" {options.dispatch_timeout:g} s, pid {pid})"
            )
        receiver_base: str | None = None
        if options.path == "revel":
            mock = start_mock_pos(workdir)
            children.append(mock)
            receiver_base = mock.url
        elif options.receiver is None or options.scenario == "isolation":
            fast = start_fast_receiver(workdir)
            children.append(fast)
            receiver_base = fast.url
        with httpx.Client(base_url=service_url, headers={"X-Api-Key": api_key}, timeout=30) as client:
            service = ServiceHandle(service_url, api_key, pid, client)
            service.call("GET", "/api/v1/auth/whoami")
            report = BenchReport(
                options=asdict(options) | {"api_key": "[redacted]" if options.api_key else None},
                generator=generator,
                service=service_text,
                receiver="",
            )
            if pid is not None:
                report.rss_mb["start"] = service.rss_mb() or 0.0
            timeout = options.dispatch_timeout + 10 if not options.url else 60.0
            if options.scenario == "isolation":
                assert receiver_base is not None
                _isolation(options, service, receiver_base, run_id, generator, timeout, workdir, report, echo)
            else:
                _default(options, service, receiver_base, run_id, generator, timeout, workdir, report, echo)
            if pid is not None:
                report.rss_mb["end"] = service.rss_mb() or 0.0
    return report


def your_receiver(service: ServiceHandle, url: str, echo: Callable[[str], None]) -> tuple[str, str]:
    """(outlet, secret) of the active webhook already pointing at ``url``, once ``url`` accepted one
    delivery signed with that secret; else :class:`BenchError` saying what to do (nothing is stored)."""
    hooks = [h for h in service.call("GET", "/api/v1/webhooks")["webhooks"] if h["isActive"]]
    mine = [h for h in hooks if h["callbackUrl"] == url and "order.paid" in h["events"]]
    if not mine:
        raise BenchError(
            f"no webhook points at {url}: register your receiver first (`cata-sandbox listen --forward-to"
            f" {url}` or `cata-sandbox register`), configure the secret it prints, then run the bench again"
        )
    hook = mine[-1]
    secret: str = service.call("GET", f"/api/v1/webhooks/{hook['id']}/secret")["secret"]
    order = msgspec.json.encode(BENCH_ORDER)
    request = webhook_request(
        url,
        order,
        signing.sign(secret, order),
        event="order.paid",
        timestamp=int(SYSTEM_CLOCK.now().timestamp()),
    )
    headers = attempt_headers(request, str(uuid.uuid4()))
    try:
        answer = httpx.post(url, content=order, headers=headers, timeout=30, follow_redirects=False)
        verdict = f"HTTP {answer.status_code}: {answer.text[:200]}"
        accepted = 200 <= answer.status_code < 300
    except httpx.HTTPError as exc:
        verdict, accepted = f"no answer ({type(exc).__name__})", False
    if not accepted:
        raise BenchError(
            f"{url} did not accept a delivery signed with the secret of webhook {hook['id']} ({verdict}):"
            f" configure that secret in your receiver (`cata-sandbox webhooks show {hook['id']} --secret`)"
            " and run the bench again"
        )
    echo(f"{url} accepted a signed delivery ({verdict[:40]}); measuring with webhook {hook['id']}'s outlet")
    return str(hook["outletId"]), secret


def _receiver_path(options: BenchOptions) -> str:
    return f"/delay/{options.receiver_delay_ms}" if options.receiver_delay_ms > 0 else "/hook"


def _default(
    options: BenchOptions,
    service: ServiceHandle,
    receiver_base: str | None,
    run_id: str,
    generator: str,
    timeout: float,
    workdir: Path,
    report: BenchReport,
    echo: Callable[[str], None],
) -> None:
    outlet = f"bench-{run_id}"
    order = msgspec.json.encode(BENCH_ORDER)
    api_headers = {"Content-Type": "application/json", "X-Api-Key": service.api_key}
    if options.path == "revel":
        assert receiver_base is not None
        settings = service.map_revel(outlet, receiver_base)
        body = dispatch_body(outlet, order, "revel")
        direct = revel_direct_target(DIRECT, order, settings)
        report.receiver = f"mock Revel {receiver_base}/revel (mock_pos, started by the bench)"
    else:
        if options.receiver:
            callback = options.receiver
            outlet, secret = your_receiver(service, callback, echo)
            report.receiver = f"{callback} (given with --receiver; webhook of outlet {outlet})"
        else:
            assert receiver_base is not None
            callback = receiver_base + _receiver_path(options)
            delay = (
                f", answers after {options.receiver_delay_ms} ms"
                if options.receiver_delay_ms
                else ", answers at once"
            )
            report.receiver = f"{callback} (fast raw-ASGI receiver started by the bench{delay})"
            secret = service.register_webhook(outlet, callback)
        body = dispatch_body(outlet, order)
        direct = webhook_direct_target(DIRECT, callback, secret, order)
    dispatch = LoadTarget(DISPATCH, service.url + "/api/v1/orders/dispatch", api_headers, [body])
    kw: dict[str, Any] = {"generator": generator, "timeout": timeout, "workdir": workdir}
    if options.warmup > 0:
        echo(f"warming up for {options.warmup:g} s ...")
        run_load([(dispatch, options.concurrency)], options.warmup, **kw)
        run_load([(direct, options.concurrency)], min(options.warmup, 1.0), **kw)
        if service.pid is not None:
            report.rss_mb["after warm-up"] = service.rss_mb() or 0.0
    failed_before = service.failed_orders(outlet)
    echo(f"dispatch: {options.concurrency} connections for {options.duration:g} s ...")
    cpu_before = service.cpu_seconds()
    (report.dispatch,) = run_load([(dispatch, options.concurrency)], options.duration, **kw)
    cpu_after = service.cpu_seconds()
    if cpu_before is not None and cpu_after is not None and report.dispatch.requests:
        report.service_cpu_ms_per_dispatch = 1000 * (cpu_after - cpu_before) / report.dispatch.requests
    report.dispatch_failed = service.failed_orders(outlet) - failed_before
    echo(f"direct: {options.concurrency} connections for {options.duration:g} s ...")
    (report.direct,) = run_load([(direct, options.concurrency)], options.duration, **kw)


def _isolation(
    options: BenchOptions,
    service: ServiceHandle,
    receiver_base: str,
    run_id: str,
    generator: str,
    timeout: float,
    workdir: Path,
    report: BenchReport,
    echo: Callable[[str], None],
) -> None:
    order = msgspec.json.encode(BENCH_ORDER)
    api_headers = {"Content-Type": "application/json", "X-Api-Key": service.api_key}
    healthy_callback = options.receiver or receiver_base + _receiver_path(options)
    if options.receiver:
        # Your receiver knows one secret: its own webhook's, so the healthy load goes to that outlet.
        healthy_outlets = [your_receiver(service, options.receiver, echo)[0]]
    else:
        healthy_outlets = [f"bench-{run_id}-ok{index + 1}" for index in range(HEALTHY_OUTLETS)]
        for outlet in healthy_outlets:
            service.register_webhook(outlet, healthy_callback)
    healthy_bodies = [dispatch_body(outlet, order) for outlet in healthy_outlets]
    hanging_outlet = f"bench-{run_id}-hang"
    service.register_webhook(hanging_outlet, receiver_base + "/hang")
    dispatch_url = service.url + "/api/v1/orders/dispatch"
    healthy = LoadTarget("healthy", dispatch_url, api_headers, healthy_bodies)
    hanging = LoadTarget("hanging", dispatch_url, api_headers, [dispatch_body(hanging_outlet, order)])
    hanging_clients = options.hanging_clients or max(2, options.concurrency // 4)
    report.receiver = (
        f"{HEALTHY_OUTLETS} healthy outlets -> {healthy_callback}; outlet {hanging_outlet} ->"
        f" {receiver_base}/hang (never answers; {hanging_clients} clients)"
    )
    kw: dict[str, Any] = {"generator": generator, "timeout": timeout, "workdir": workdir}
    if options.warmup > 0:
        echo(f"warming up for {options.warmup:g} s ...")
        run_load([(healthy, options.concurrency)], options.warmup, **kw)
    echo(
        f"all healthy: {options.concurrency} connections over {HEALTHY_OUTLETS} outlets"
        f" for {options.duration:g} s ..."
    )
    (report.baseline,) = run_load([(healthy, options.concurrency)], options.duration, **kw)
    echo(f"one hanging: the same, plus {hanging_clients} connections to the hanging outlet ...")
    report.isolated, report.hanging = run_load(
        [(healthy, options.concurrency), (hanging, hanging_clients)], options.duration, **kw
    )
    # All healthy again, once the hung dispatches are over: the fraction is against the mean of the two
    # healthy runs that bracket the hanging one, so a drift in the machine's load does not pass for it.
    if not options.url:
        time.sleep(options.dispatch_timeout)  # the cut-off hung dispatches end with their budget
    echo("all healthy again ...")
    (report.baseline_after,) = run_load([(healthy, options.concurrency)], options.duration, **kw)
    report.healthy_failed = sum(service.failed_orders(outlet) for outlet in healthy_outlets)
    healthy_rate = (report.baseline.per_second + report.baseline_after.per_second) / 2
    if healthy_rate > 0:
        report.isolation_fraction = report.isolated.per_second / healthy_rate
