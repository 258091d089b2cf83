"""``cata-sandbox bench`` end to end: it starts the service and a receiver, loads both, and reports.

Only sanity is asserted (figures present, positive, no errors where none can happen): the timing goals
belong in the bench's output, not in tests that run on a busy machine.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from cata_sandbox.bench import (
    dispatch_body,
    fast_receiver,
    percentile,
    webhook_direct_target,
)
from cata_sandbox.signing import verify
from mock_pos.server import ServerThread

FIGURE = r"[0-9]+\.[0-9]+"


def run_bench(tmp_path: Path, *args: str) -> tuple[str, dict[str, Any]]:
    report = tmp_path / "report.json"
    done = subprocess.run(
        [sys.executable, "-m", "cata_sandbox.cli", "bench", "--json", str(report), *args],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    data: dict[str, Any] = json.loads(report.read_text())
    return done.stdout, data


def test_default_scenario_reports_dispatch_and_direct_figures(tmp_path: Path) -> None:
    out, data = run_bench(tmp_path, "--duration", "2", "--warmup", "0.5", "--concurrency", "4")
    assert re.search(
        rf"dispatch \(via the service\)\s+{FIGURE} /s\s+{FIGURE} ms\s+{FIGURE} ms\s+{FIGURE} ms", out
    )
    assert re.search(rf"direct \(to the receiver\)\s+{FIGURE} /s", out)
    assert re.search(rf"direct/dispatch throughput = {FIGURE}x", out)
    assert re.search(rf"service RSS: start {FIGURE} MB.*end {FIGURE} MB", out)
    assert re.search(rf"service CPU: {FIGURE} ms per dispatch", out)
    dispatch, direct = data["dispatch"], data["direct"]
    assert dispatch["per_second"] > 0
    assert direct["per_second"] > 0
    assert dispatch["requests"] > 0
    assert dispatch["errors"] == 0
    assert data["dispatch_failed"] == 0
    assert direct["errors"] == 0
    assert 0 < dispatch["p50_ms"] <= dispatch["p95_ms"] <= dispatch["p99_ms"]
    assert data["direct_over_dispatch"] > 0
    assert data["rss_mb"]["start"] > 0
    assert data["rss_mb"]["end"] > 0


def test_isolation_scenario_reports_the_healthy_fraction(tmp_path: Path) -> None:
    out, data = run_bench(
        tmp_path,
        "--scenario",
        "isolation",
        "--duration",
        "2",
        "--warmup",
        "0.5",
        "--concurrency",
        "4",
        "--dispatch-timeout",
        "0.5",
    )
    assert re.search(rf"healthy outlets, all healthy\s+{FIGURE} /s", out)
    assert re.search(rf"healthy outlets, one hanging\s+{FIGURE} /s", out)
    assert re.search(rf"healthy outlets, healthy again\s+{FIGURE} /s", out)
    assert re.search(rf"isolation fraction: {FIGURE}", out)
    assert data["baseline"]["per_second"] > 0
    assert data["isolated"]["per_second"] > 0
    assert data["isolation_fraction"] > 0
    assert data["healthy_failed"] == 0
    # The hanging outlet's dispatches end only when the budget runs out, never sooner.
    hanging = data["hanging"]
    if hanging["requests"]:
        assert hanging["p50_ms"] >= 500


def test_python_load_generator_works_without_wrk(tmp_path: Path) -> None:
    out, data = run_bench(
        tmp_path, "--duration", "1", "--warmup", "0", "--concurrency", "2", "--load-generator", "python"
    )
    assert "load generator: python" in out
    assert data["dispatch"]["per_second"] > 0
    assert data["dispatch"]["errors"] == 0
    assert data["direct"]["per_second"] > 0


def test_direct_requests_carry_a_valid_signature_over_the_order_bytes() -> None:
    order = b'{"orderRefNo":"R-1","totalPay":1.50}'
    target = webhook_direct_target("direct", "http://127.0.0.1:9/hook", "whsec_test", order)
    headers = target.headers
    assert target.bodies == [order]
    assert target.fresh_delivery_id
    assert verify("whsec_test", order, headers["X-Cata-Signature"])
    assert headers["Content-Type"] == "application/json"
    assert headers["X-Cata-Event"] == "order.paid"
    body = dispatch_body("outlet-1", order)
    assert body.endswith(b'"order":' + order + b"}")
    assert b'"outletId":"outlet-1"' in body


def test_percentile_is_the_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 50) == 50.0
    assert percentile(values, 99) == 99.0
    assert percentile([], 99) == 0.0


@pytest.mark.parametrize(("path", "status"), [("/hook", 200), ("/delay/10", 200)])
def test_fast_receiver_answers_with_an_external_order_id(path: str, status: int) -> None:
    import httpx

    with ServerThread(fast_receiver, lifespan="off") as server:
        response = httpx.post(server.url + path, content=b"{}")
        assert response.status_code == status
        assert response.json()["externalOrderId"]
        with pytest.raises(httpx.ReadTimeout):
            httpx.post(server.url + "/hang", content=b"{}", timeout=0.3)


def test_revel_path_compares_path_2_with_path_1_on_the_same_receiver(tmp_path: Path) -> None:
    out, data = run_bench(
        tmp_path, "--path", "revel", "--duration", "2", "--warmup", "0.5", "--concurrency", "4"
    )
    assert "Path 2 posts the Revel script's request to http://127.0.0.1:" in out
    assert re.search(rf"Path 1 \(webhook, same receiver\)\s+{FIGURE} /s", out)
    assert re.search(rf"Path 2 / Path 1 throughput = {FIGURE} \((meets|BELOW) the target 0.7\)", out)
    assert re.search(rf"script cost per dispatch: service CPU [+-]{FIGURE} ms over Path 1", out)
    assert re.search(rf"worker CPU {FIGURE} ms \(_standard \+ revel", out)
    assert data["dispatch"]["errors"] == 0
    assert data["dispatch_failed"] == 0  # the receiver's Revel body is read as a success
    assert data["path1"]["per_second"] > 0
    assert data["path2_over_path1"] > 0
    assert data["worker_cpu_ms_per_dispatch"] > 0
