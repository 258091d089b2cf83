"""The suite runs against live servers, not only in-process.

Starts ``cata-sandbox serve`` and ``mock-pos serve`` as subprocesses on free loopback ports, runs every
property against them with ``--cata-url``/``--mock-url``/``--api-key`` (profile ``mutant``: few examples, as the
in-process run has already checked each property at its own counts), and checks that the
run passed and that the traffic really went to those servers.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from contract_tests.mutants import PROPERTIES
from contract_tests.targets import Target, wait_until_up
from mock_pos.client import read_journal

ROOT = Path(__file__).resolve().parent.parent
API_KEY = "live-contract-key"
BUDGET_S = 1.0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def _command(script: str, module: str) -> list[str]:
    """The console script installed beside this interpreter, else the module's ``main``."""
    found = shutil.which(script, path=str(Path(sys.executable).parent))
    if found:
        return [found]
    return [sys.executable, "-c", f"import sys; from {module} import main; sys.exit(main())"]


@pytest.fixture
def live_servers(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Target]:
    if request.config.getoption("cata_url"):
        pytest.skip("already running against live servers")
    cata_port, mock_port = _free_port(), _free_port()
    env = {**os.environ, "CATA_API_KEY": API_KEY, "CATA_LOG_LEVEL": "warning"}
    cata_log = (tmp_path / "cata.log").open("wb")
    mock_log = (tmp_path / "mock.log").open("wb")
    cata = subprocess.Popen(
        [
            *_command("cata-sandbox", "cata_sandbox.cli"),
            "serve",
            "--port",
            str(cata_port),
            "--database-url",
            f"sqlite:///{tmp_path / 'live.db'}",
            "--dispatch-timeout",
            str(BUDGET_S),
        ],
        env=env,
        stdout=cata_log,
        stderr=subprocess.STDOUT,
    )
    mock = subprocess.Popen(
        [*_command("mock-pos", "mock_pos.cli"), "serve", "--port", str(mock_port), "--log-level", "warning"],
        env=env,
        stdout=mock_log,
        stderr=subprocess.STDOUT,
    )
    target = Target(
        f"http://127.0.0.1:{cata_port}", f"http://127.0.0.1:{mock_port}", API_KEY, BUDGET_S, False
    )
    try:
        wait_until_up(target, timeout=60)
        yield target
    finally:
        for process in (cata, mock):
            process.terminate()
        for process in (cata, mock):
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)
        cata_log.close()
        mock_log.close()


def test_every_property_passes_against_live_servers(live_servers: Target, tmp_path: Path) -> None:
    report = tmp_path / "live-junit.xml"
    command = [
        sys.executable,
        "-m",
        "pytest",
        *(f"contract_tests/{module}.py" for module in PROPERTIES),
        "-p",
        "no:cacheprovider",
        "-o",
        "addopts=",
        f"--junitxml={report}",
        "--cata-url",
        live_servers.cata_url,
        "--mock-url",
        live_servers.mock_url,
        "--api-key",
        live_servers.api_key,
        # No --dispatch-budget: the suite reads the budget from GET /api/v1/sandbox.
        "-rs",
    ]
    env = {**os.environ, "HYPOTHESIS_PROFILE": "mutant"}
    env.pop("PYTEST_ADDOPTS", None)

    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)

    output = done.stdout + done.stderr
    assert done.returncode == 0, output[-5000:]
    assert "contract suite: live servers" in output
    assert "over-budget faults need" not in output, "the budget was read from the service"
    passed: dict[str, int] = {}
    for case in ET.parse(report).getroot().iter("testcase"):
        assert not {child.tag for child in case} & {"failure", "error"}, case.get("name")
        if not any(child.tag == "skipped" for child in case):
            module = case.get("classname", "").rsplit(".", 1)[-1]
            passed[module] = passed.get(module, 0) + 1
    assert set(passed) == set(PROPERTIES), passed
    # The traffic went to these servers: their journal and their database hold it.
    journal = read_journal(live_servers.mock_url)
    orders = httpx.get(
        f"{live_servers.cata_url}/api/v1/orders", headers={"X-Api-Key": API_KEY}, timeout=10
    ).json()
    assert len(journal) > 0
    assert orders["total"] > 0
