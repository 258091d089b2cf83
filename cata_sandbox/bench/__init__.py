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

from cata_sandbox.bench.load import LoadResult, LoadTarget, percentile, run_load, wrk_path
from cata_sandbox.bench.model import (
    BENCH_ORDER,
    DIRECT,
    DISPATCH,
    HEALTHY_OUTLETS,
    ISOLATION_TARGET,
    BenchError,
    Generator,
    Path_,
    Scenario,
)
from cata_sandbox.bench.processes import (
    Child,
    cpu_seconds,
    free_port,
    rss_mb,
    start_child,
    start_fast_receiver,
    start_mock_pos,
    start_service,
)
from cata_sandbox.bench.receiver import fast_receiver
from cata_sandbox.bench.report import HEADER, BenchOptions, BenchReport, render
from cata_sandbox.bench.run import choose_generator, run_bench, your_receiver
from cata_sandbox.bench.service import (
    ServiceHandle,
    revel_direct_target,
    webhook_direct_target,
)
from cata_sandbox.partner.client import dispatch_body

__all__ = [
    "BENCH_ORDER",
    "DIRECT",
    "DISPATCH",
    "HEADER",
    "HEALTHY_OUTLETS",
    "ISOLATION_TARGET",
    "BenchError",
    "BenchOptions",
    "BenchReport",
    "Child",
    "Generator",
    "LoadResult",
    "LoadTarget",
    "Path_",
    "Scenario",
    "ServiceHandle",
    "choose_generator",
    "cpu_seconds",
    "dispatch_body",
    "fast_receiver",
    "free_port",
    "percentile",
    "render",
    "revel_direct_target",
    "rss_mb",
    "run_bench",
    "run_load",
    "start_child",
    "start_fast_receiver",
    "start_mock_pos",
    "start_service",
    "webhook_direct_target",
    "wrk_path",
    "your_receiver",
]
