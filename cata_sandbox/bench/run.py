"""The run itself: the default and isolation scenarios, against the bench's own service or a given one."""

from __future__ import annotations

import contextlib
import secrets
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import asdict
from pathlib import Path
from typing import Any

import httpx
import msgspec

from cata_sandbox.bench.load import LoadTarget, run_load, wrk_path
from cata_sandbox.bench.model import BENCH_ORDER, DIRECT, DISPATCH, HEALTHY_OUTLETS, BenchError, Generator
from cata_sandbox.bench.processes import Child, start_fast_receiver, start_mock_pos, start_service
from cata_sandbox.bench.report import BenchOptions, BenchReport
from cata_sandbox.bench.service import (
    ServiceHandle,
    revel_direct_target,
    signed_webhook_request,
    webhook_direct_target,
)
from cata_sandbox.delivery import attempt_headers
from cata_sandbox.partner.client import SandboxClient, dispatch_body


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
        with SandboxClient(service_url, api_key, timeout=30) as client:
            service = ServiceHandle(client, api_key, pid)
            client.whoami()
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
    hooks = [h for h in service.api.list_webhooks() if h["isActive"]]
    mine = [h for h in hooks if h["callbackUrl"] == url and "order.paid" in h["events"]]
    if not mine:
        raise BenchError(
            f"no webhook points at {url}: register your receiver first (`cata-sandbox listen --forward-to"
            f" {url}` or `cata-sandbox register`), configure the secret it prints, then run the bench again"
        )
    hook = mine[-1]
    secret = service.api.webhook_secret(int(hook["id"]))
    order = msgspec.json.encode(BENCH_ORDER)
    request = signed_webhook_request(url, secret, order)
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
