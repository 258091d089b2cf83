"""The service as a real child process (``serve``), and a database per test module.

``ServiceProcess`` runs ``python -m cata_sandbox.cli serve`` the way an operator does, so tests can kill it
with SIGKILL, stop it with SIGTERM and run it with several workers.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support import pg
from tests.support.cli import CLI
from tests.support.net import free_port
from tests.support.service import API_KEY

DATABASES = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


def module_database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, stack: ExitStack
) -> str:
    """A fresh database for ``request.param`` ("sqlite" or "postgres"), dropped when ``stack`` closes."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path_factory.mktemp('db') / 'sandbox.db'}"
    admin_url = pg.server_url()
    if admin_url is None:
        pytest.skip(pg.SKIP_MESSAGE)
    return stack.enter_context(pg.fresh_database(admin_url))


@dataclass
class ServiceProcess:
    """``cata-sandbox serve`` in a child process, logging to ``log``."""

    database_url: str
    log: Path
    dispatch_timeout: float = 10.0
    workers: int = 1
    env: dict[str, str] = field(default_factory=dict)
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def client(self, **kwargs: Any) -> httpx.Client:
        return httpx.Client(base_url=self.url, headers={"X-Api-Key": API_KEY}, timeout=30, **kwargs)

    def start(self, timeout: float = 60.0) -> ServiceProcess:
        env = {k: v for k, v in os.environ.items() if not k.startswith("CATA_")}
        env.update({"CATA_API_KEY": API_KEY, "CATA_LOG_LEVEL": "info", **self.env})
        argv = [
            *CLI,
            "serve",
            "--port",
            str(self.port),
            "--database-url",
            self.database_url,
            "--dispatch-timeout",
            f"{self.dispatch_timeout:g}",
            "--workers",
            str(self.workers),
        ]
        with self.log.open("ab") as sink:
            self.process = subprocess.Popen(argv, stdout=sink, stderr=subprocess.STDOUT, env=env)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"serve exited with {self.process.returncode}:\n{self.log.read_text()}")
            try:
                if httpx.get(f"{self.url}/health", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.05)
        self.kill()
        raise AssertionError(f"serve did not become healthy in {timeout}s:\n{self.log.read_text()}")

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def kill(self) -> None:
        """SIGKILL: no shutdown at all, as in a crash or an OOM kill."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=30)

    def terminate(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)

    def wait(self, timeout: float) -> int:
        assert self.process is not None
        return self.process.wait(timeout=timeout)

    def stop(self) -> None:
        """Stop it whatever state it is in (test teardown)."""
        self.terminate()
        try:
            self.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.kill()
