"""The bench's options and report, and the printed table."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from cata_sandbox.bench.load import LoadResult
from cata_sandbox.bench.model import ISOLATION_TARGET, PATH2_TARGET, Generator, Path_, Scenario


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
    # --path revel: Path 1 in the same run, to the same receiver, and the scripts' cost.
    path1: LoadResult | None = None
    path1_cpu_ms_per_dispatch: float | None = None
    worker_cpu_ms_per_dispatch: float | None = None
    isolation_fraction: float | None = None
    rss_mb: dict[str, float] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        for name in ("dispatch", "direct", "path1", "baseline", "isolated", "hanging", "baseline_after"):
            result = getattr(self, name)
            if result is not None:
                data[name]["per_second"] = round(result.per_second, 1)
        if self.dispatch and self.direct and self.dispatch.per_second:
            data["direct_over_dispatch"] = round(self.direct.per_second / self.dispatch.per_second, 3)
        if self.dispatch and self.path1 and self.path1.per_second:
            data["path2_over_path1"] = round(self.dispatch.per_second / self.path1.per_second, 3)
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


def _path2_lines(report: BenchReport, path2: LoadResult, path1: LoadResult) -> list[str]:
    """Path 2 (the Revel script) against Path 1 (the webhook), both to the same receiver in one run."""
    ratio = path2.per_second / path1.per_second if path1.per_second else 0.0
    verdict = "meets" if ratio >= PATH2_TARGET else "BELOW"
    lines = [
        _row("Path 1 (webhook, same receiver)", path1),
        f"Path 2 / Path 1 throughput = {ratio:.2f} ({verdict} the target {PATH2_TARGET});"
        f" latency added by the scripts p50 {_added(path2.p50_ms, path1.p50_ms)},"
        f" p95 {_added(path2.p95_ms, path1.p95_ms)}",
    ]
    service2, service1 = report.service_cpu_ms_per_dispatch, report.path1_cpu_ms_per_dispatch
    if service2 is not None and service1 is not None:
        workers = report.worker_cpu_ms_per_dispatch
        lines.append(
            f"script cost per dispatch: service CPU {service2 - service1:+.3f} ms over Path 1 ({service2:.3f}"
            f" vs {service1:.3f} ms); worker CPU {workers or 0.0:.3f} ms (_standard + revel, both scripts)"
        )
    return lines


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
    if report.dispatch and report.path1:
        lines += _path2_lines(report, report.dispatch, report.path1)
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
