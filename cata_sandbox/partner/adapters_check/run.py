"""One ``adapters check`` run: the mock (in-process, on a free loopback port), the orders, the faults,
the samples, into one :class:`Report`."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from cata_sandbox.adapters import AdapterCatalog
from cata_sandbox.partner.adapters_check.faults import check_faults
from cata_sandbox.partner.adapters_check.harness import Harness
from cata_sandbox.partner.adapters_check.orders import OrderCheck
from cata_sandbox.partner.adapters_check.profiles import PROFILES
from cata_sandbox.partner.adapters_check.report import Report
from cata_sandbox.partner.adapters_check.samples import check_samples

__all__ = ["run_check"]


def run_check(
    report: Report,
    catalog: AdapterCatalog,
    provider: str,
    *,
    mock: str | None,
    samples: Path | None,
    examples: int,
    seed: int,
    progress: Callable[[str], None],
) -> None:
    harness = Harness(catalog)
    try:
        if mock is not None:
            if catalog.get(provider, "order_dispatch") is None:
                report.prop("orders", "script runs").record(False, f"no script {provider}/order_dispatch.js")
            else:
                _against_mock(report, harness, provider, mock, examples, seed, progress)
        if samples is not None:
            check_samples(report, harness, provider, samples, progress)
    finally:
        harness.close()


def _against_mock(
    report: Report,
    harness: Harness,
    provider: str,
    mock: str,
    examples: int,
    seed: int,
    progress: Callable[[str], None],
) -> None:
    from mock_pos import ServerThread, create_mock_pos
    from mock_pos.client import MockAdmin

    profile = PROFILES[mock]
    with ServerThread(create_mock_pos()) as server, MockAdmin(server.url) as admin:
        progress(f"mock_pos ({mock}) on {server.url}")
        check = OrderCheck(harness, profile, admin, server.url, provider, progress)
        check.survey(report, examples, seed)
        known_good = check.accepted
        check.shrink(report, examples, seed)
        check_faults(report, harness, admin, profile.target, provider, check.input, known_good, progress)
