"""The service against the hand-tuned reference in ``../shared/bench``, side by side in one run.

    python benchmarks/compare_reference.py [--rounds 3] [--duration 8] [--concurrency 16]

Starts one receiver that answers at once (the reference's own ``fast_receiver.py``), the reference
(``ref_dispatch.py`` under uvicorn, as its README runs it) and the service (``cata-sandbox serve``, SQLite
in a temporary directory, one worker), both pointed at that receiver. Then it loads them in turn with
the same generator (wrk when installed, as the README does) for ``--rounds`` rounds, alternating which
goes first, and prints every run, the medians, the throughput ratio (service / reference, target >= 0.8)
and the p99 ratio (service / reference, target <= 1.5). Each run also reports the server's CPU time per
request, which other load on the machine disturbs much less than throughput.
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import httpx
import msgspec

from cata_sandbox.bench import (
    BENCH_ORDER,
    Child,
    LoadTarget,
    choose_generator,
    dispatch_body,
    free_port,
    run_load,
    start_child,
    start_service,
)

DEFAULT_REFERENCE = Path(__file__).resolve().parents[2] / "shared" / "bench"
OUTLET = "outlet-bench"  # the reference's webhook is registered for this outlet


@dataclass
class Run:
    name: str
    per_second: float
    p50_ms: float
    p99_ms: float
    errors: int
    cpu_ms_per_request: float


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def uvicorn_child(name: str, reference: Path, app: str, workdir: Path, env: dict[str, str]) -> Child:
    port = free_port()
    argv = [sys.executable, "-m", "uvicorn", "--app-dir", str(reference), "--port", str(port), app]
    argv += ["--no-access-log", "--log-level", "warning"]
    return start_child(
        name, argv, f"http://127.0.0.1:{port}", "/hook" if "receiver" in app else "/", workdir, env
    )


def measure(name: str, child: Child, target: LoadTarget, args: argparse.Namespace, workdir: Path) -> Run:
    before = cpu_seconds(child.process.pid)
    (result,) = run_load(
        [(target, args.concurrency)], args.duration, generator=args.generator, timeout=30, workdir=workdir
    )
    used = cpu_seconds(child.process.pid) - before
    return Run(
        name,
        result.per_second,
        result.p50_ms,
        result.p99_ms,
        result.errors,
        1000 * used / max(result.requests, 1),
    )


def profile(child: Child, target: LoadTarget, args: argparse.Namespace, workdir: Path) -> None:
    """One more run of the service with py-spy sampling it (GIL-holding samples only)."""
    spy_path = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    argv = [spy_path, "record", "--gil", "-r", "250", "-f", "raw", "-o", str(args.profile)]
    spy = subprocess.Popen([*argv, "-p", str(child.process.pid)], stdout=subprocess.DEVNULL)
    try:
        run = measure("service", child, target, args, workdir)
    finally:
        spy.send_signal(signal.SIGINT)
        spy.wait(timeout=60)
    print(f"  profiled  service  {run.per_second:8.1f} /s -> {args.profile}")
    print(f"  summary: python benchmarks/profile_summary.py {args.profile}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=float, default=8.0)
    parser.add_argument("--warmup", type=float, default=2.0)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--reference", type=Path, default=DEFAULT_REFERENCE)
    parser.add_argument("--generator", choices=["auto", "wrk", "python"], default="auto")
    parser.add_argument(
        "--profile",
        type=Path,
        help="after the rounds, record the service under one more run with py-spy (raw format) to this file",
    )
    args = parser.parse_args()
    args.generator = choose_generator(args.generator)
    if not (args.reference / "ref_dispatch.py").exists():
        sys.exit(f"no reference at {args.reference} (pass --reference DIR)")
    children: list[Child] = []
    with tempfile.TemporaryDirectory(prefix="cata-compare-") as tmp:
        workdir = Path(tmp)
        try:
            receiver = uvicorn_child("receiver", args.reference, "fast_receiver:app", workdir, {})
            children.append(receiver)
            hook = receiver.url + "/hook"
            reference = uvicorn_child(
                "reference",
                args.reference,
                "ref_dispatch:app",
                workdir,
                {"REF_DB": str(workdir / "ref.db"), "REF_WEBHOOK_URL": hook},
            )
            children.append(reference)
            api_key = "cata_sk_compare_" + secrets.token_urlsafe(12)
            service = start_service(workdir, api_key, dispatch_timeout=30, log_level="info")
            children.append(service)
            headers = {"Content-Type": "application/json", "X-Api-Key": api_key}
            registered = httpx.post(
                service.url + "/api/v1/webhooks/register",
                json={"outletId": OUTLET, "callbackUrl": hook},
                headers=headers,
            )
            registered.raise_for_status()
            body = dispatch_body(OUTLET, msgspec.json.encode(BENCH_ORDER))
            path = "/api/v1/orders/dispatch"
            targets = {
                "service": (service, LoadTarget("service", service.url + path, headers, [body])),
                "reference": (reference, LoadTarget("reference", reference.url + path, headers, [body])),
            }
            print(
                f"generator {args.generator}, {args.concurrency} connections, {args.duration:g} s per run,"
                f" {args.rounds} rounds; receiver {hook}"
            )
            for name, (_child, target) in targets.items():
                run_load(
                    [(target, args.concurrency)],
                    args.warmup,
                    generator=args.generator,
                    timeout=30,
                    workdir=workdir,
                )
                print(f"  warmed up {name}")
            runs: dict[str, list[Run]] = {"service": [], "reference": []}
            for round_no in range(args.rounds):
                order = ["service", "reference"] if round_no % 2 == 0 else ["reference", "service"]
                for name in order:
                    child, target = targets[name]
                    run = measure(name, child, target, args, workdir)
                    runs[name].append(run)
                    print(
                        f"  round {round_no + 1} {name:<9} {run.per_second:8.1f} /s  p50 {run.p50_ms:7.2f} ms"
                        f"  p99 {run.p99_ms:7.2f} ms  errors {run.errors}"
                        f"  CPU {run.cpu_ms_per_request:.2f} ms/request"
                    )
            if args.profile is not None:
                profile(targets["service"][0], targets["service"][1], args, workdir)
        finally:
            for child in reversed(children):
                child.stop()
    med = {
        name: Run(
            name,
            statistics.median(r.per_second for r in rs),
            statistics.median(r.p50_ms for r in rs),
            statistics.median(r.p99_ms for r in rs),
            sum(r.errors for r in rs),
            statistics.median(r.cpu_ms_per_request for r in rs),
        )
        for name, rs in runs.items()
    }
    s, r = med["service"], med["reference"]
    print("medians:")
    for run in (s, r):
        print(
            f"  {run.name:<9} {run.per_second:8.1f} /s  p50 {run.p50_ms:7.2f} ms  p99 {run.p99_ms:7.2f} ms"
            f"  CPU {run.cpu_ms_per_request:.2f} ms/request  errors {run.errors}"
        )
    throughput = s.per_second / r.per_second if r.per_second else 0.0
    p99 = s.p99_ms / r.p99_ms if r.p99_ms else float("inf")
    print(f"throughput ratio service/reference: {throughput:.2f} (target >= 0.8)")
    print(f"p99 ratio service/reference: {p99:.2f} (target <= 1.5)")
    print(f"CPU per request ratio service/reference: {s.cpu_ms_per_request / r.cpu_ms_per_request:.2f}")


if __name__ == "__main__":
    main()
