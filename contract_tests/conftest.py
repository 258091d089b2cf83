"""Options, hypothesis profiles and the servers of the contract suite.

``pytest contract_tests`` starts the real service and mock_pos in-process on ephemeral loopback ports,
once per session. ``--cata-url URL --mock-url URL --api-key KEY`` runs the same tests against servers
that are already running (``cata-sandbox serve`` + ``mock-pos serve``, or ``cata-sandbox up``); the
service's dispatch budget is read from its ``GET /api/v1/sandbox`` (``--dispatch-budget S`` overrides it).
"""

from __future__ import annotations

import importlib
import logging
import os
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import httpx
import pytest
from hypothesis import settings

from contract_tests import profiles
from contract_tests.targets import DEFAULT_BUDGET_S, DEFAULT_CLOCK_TOLERANCE_S, Servers, in_process, live

# One INFO line per request would bury a failure's report.
for noisy in ("httpx", "cata_sandbox"):
    logging.getLogger(noisy).setLevel(logging.WARNING)
profiles.register()
settings.load_profile(profiles.active())

URL_OPTIONS = ("cata_url", "mock_url", "api_key")
# mutmut's stats run (`nox -s mutation`) ties a function to the tests during which it ran. The servers
# start once per session, inside the first test that needs them, so the service's start-up code (the
# Sender's budget, body cap, client) would be tied to that one test only and its mutants judged by it
# alone. Every test runs against what start-up built, so every test is tied to it.
_STARTUP: set[str] = set()


def _mutmut_stats() -> Any:
    """mutmut's state while it collects stats (None otherwise, or without mutmut installed)."""
    if os.environ.get("MUTANT_UNDER_TEST") != "stats":
        return None
    try:
        return importlib.import_module("mutmut.state").state()
    except ImportError:
        return None


def _started() -> None:
    stats = _mutmut_stats()
    if stats is not None:
        _STARTUP.update(stats._stats)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_teardown(item: pytest.Item) -> None:
    stats = _mutmut_stats()
    if stats is not None:
        stats._stats.update(_STARTUP)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("contract", "cata-sandbox contract suite")
    group.addoption("--cata-url", default=None, help="base URL of a running dispatch service")
    group.addoption("--mock-url", default=None, help="base URL of a running mock_pos")
    group.addoption("--api-key", default=None, help="an API key of the running service")
    group.addoption(
        "--dispatch-budget",
        type=float,
        default=None,
        help=(
            "override the service's dispatch budget in seconds (live: read from GET /api/v1/sandbox;"
            f" in-process default {DEFAULT_BUDGET_S})"
        ),
    )
    group.addoption(
        "--clock-tolerance",
        type=float,
        default=DEFAULT_CLOCK_TOLERANCE_S,
        help=(
            "seconds X-Cata-Timestamp may differ from mock_pos's clock when the delivery arrives; add the"
            f" clock difference of the two machines in live mode (default {DEFAULT_CLOCK_TOLERANCE_S})"
        ),
    )


def pytest_report_header(config: pytest.Config) -> str:
    mode = "live servers" if config.getoption("cata_url") else "in-process servers"
    return f"contract suite: {mode}, hypothesis profile {profiles.active()!r}"


@pytest.fixture(scope="session")
def servers(request: pytest.FixtureRequest) -> Iterator[Servers]:
    """HTTP clients of the service and mock_pos, live or started here for the session."""
    given = {name: request.config.getoption(name) for name in URL_OPTIONS}
    budget: float | None = request.config.getoption("dispatch_budget")
    tolerance: float = request.config.getoption("clock_tolerance")
    if any(given.values()):
        missing = [f"--{name.replace('_', '-')}" for name, value in given.items() if not value]
        if missing:
            raise pytest.UsageError(f"live mode needs {', '.join(missing)} as well")
        target = live(given["cata_url"], given["mock_url"], given["api_key"], budget)
        running = Servers(replace(target, clock_tolerance_s=tolerance))
        try:
            yield running
        finally:
            running.close()
        return
    with in_process(budget or DEFAULT_BUDGET_S) as target:
        _started()
        running = Servers(replace(target, clock_tolerance_s=tolerance))
        try:
            yield running
        finally:
            running.close()


@pytest.fixture(scope="session")
def fallback_servers(request: pytest.FixtureRequest) -> Iterator[Servers]:
    """A second in-process service whose outbound transport is httpx's own, so the service sends through
    its httpx fallback (``delivery.Sender._send_httpx``, taken for any transport but its aiohttp one)
    instead of the direct aiohttp path. In-process only: a live service's transport is its own business."""
    if request.config.getoption("cata_url"):
        pytest.skip("the fallback transport is chosen in-process; live servers use their own")
    budget: float | None = request.config.getoption("dispatch_budget")
    with in_process(budget or DEFAULT_BUDGET_S, transport=httpx.AsyncHTTPTransport()) as target:
        _started()
        running = Servers(replace(target, clock_tolerance_s=request.config.getoption("clock_tolerance")))
        try:
            yield running
        finally:
            running.close()


REDISPATCH_PATH = "/api/v1/orders/{order_id}/redispatch"


@pytest.fixture(scope="module")
def redispatch_available(servers: Servers) -> None:
    """Skips unless the service's OpenAPI document has the redispatch operation (properties 6 and 12)."""
    schema = servers.cata.get("/schema/openapi.json")
    if not (
        schema.status_code == 200
        and any(path.endswith("/redispatch") for path in schema.json().get("paths", {}))
    ):
        pytest.skip(f"the service has no POST {REDISPATCH_PATH} (issue 7)")
