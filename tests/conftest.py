"""Fixtures every test module shares: the database under test, the service and mock_pos (tests/support)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from tests.support import MockPos, Sandbox, pg, running_mock_pos, running_sandbox

settings.register_profile("dev", max_examples=25, deadline=None)
settings.register_profile("ci", max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """One line, even under ``-q``, when PostgreSQL tests were skipped, and how to run them."""
    skipped = [
        report
        for report in terminalreporter.stats.get("skipped", [])
        if pg.SKIP_MESSAGE in str(getattr(report, "longrepr", ""))
    ]
    if skipped:
        terminalreporter.write_line(
            f"{len(skipped)} PostgreSQL tests skipped: no Docker for testcontainers and no"
            " CATA_TEST_POSTGRES_URL; run them with"
            " CATA_TEST_POSTGRES_URL=postgresql://postgres@127.0.0.1:5432/test (what .ci/run sets)",
            yellow=True,
            bold=True,
        )


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The store under test: a SQLite file, and a fresh PostgreSQL database where one is reachable."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'sandbox.db'}"
        return
    admin_url = pg.server_url()
    if admin_url is None:
        pytest.skip(pg.SKIP_MESSAGE)
    with pg.fresh_database(admin_url) as url:
        yield url


@pytest.fixture
def sandbox(database_url: str) -> Iterator[Sandbox]:
    """The service on loopback with tenant ``sandbox`` keyed ``support.API_KEY``."""
    with running_sandbox(database_url) as running:
        yield running


@pytest.fixture
def mock_pos() -> Iterator[MockPos]:
    """mock_pos on loopback; reset between tests by being new."""
    with running_mock_pos() as running:
        yield running
