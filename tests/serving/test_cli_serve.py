"""`cata-sandbox serve` and `keys create` as a user runs them: real subprocesses."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import msgspec
import pytest

from tests.support import CLI, ORDER, envelope, free_port


def wait_for_health(url: str, process: subprocess.Popen[str], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"server exited early with {process.returncode}")
        try:
            if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.05)
    raise AssertionError("server did not become healthy in time")


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[tuple[str, subprocess.Popen[str], Path]]:
    port = free_port()
    database = tmp_path / "serve.db"
    env = {k: v for k, v in os.environ.items() if not k.startswith("CATA_")}
    env["CATA_DISPATCH_TIMEOUT_S"] = "7"
    log = tmp_path / "serve.log"
    with log.open("w") as sink:
        process = subprocess.Popen(
            [
                *CLI,
                "serve",
                "--port",
                str(port),
                "--database-url",
                f"sqlite:///{database}",
                "--dispatch-timeout",
                "2",
            ],
            stdout=sink,
            stderr=subprocess.STDOUT,
            text=True,
            env=env,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for_health(url, process)
        yield url, process, log
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=30)


def test_serve_creates_a_key_prints_it_and_logs_each_dispatch(
    serve: tuple[str, subprocess.Popen[str], Path],
) -> None:
    url, _, log = serve
    match = re.search(r"API key: (\S+)", log.read_text())
    assert match, log.read_text()
    key = match.group(1)
    headers = {"X-Api-Key": key}
    assert httpx.get(f"{url}/api/v1/auth/whoami", headers=headers).status_code == 200

    body = httpx.post(
        f"{url}/api/v1/orders/dispatch", headers=headers, content=envelope("o-1", msgspec.json.encode(ORDER))
    )
    order_id = body.json()["orderId"]

    deadline = time.monotonic() + 10
    while order_id not in log.read_text() and time.monotonic() < deadline:
        time.sleep(0.05)
    line = next(line for line in log.read_text().splitlines() if order_id in line)
    assert "outlet=o-1" in line
    assert "route=none" in line
    assert "outcome=failed" in line
    assert "duration_ms=" in line


def test_keys_create_prints_a_working_key_for_a_new_tenant(
    serve: tuple[str, subprocess.Popen[str], Path], tmp_path: Path
) -> None:
    url, _, _ = serve
    result = subprocess.run(
        [*CLI, "keys", "create", "--tenant", "acme", "--database-url", f"sqlite:///{tmp_path / 'serve.db'}"],
        capture_output=True,
        text=True,
        check=True,
    )
    key = result.stdout.strip()
    whoami = httpx.get(f"{url}/api/v1/auth/whoami", headers={"X-Api-Key": key})
    assert whoami.status_code == 200
    sandbox_key = re.search(r"API key: (\S+)", (tmp_path / "serve.log").read_text())
    assert sandbox_key
    sandbox_tenant = httpx.get(
        f"{url}/api/v1/auth/whoami", headers={"X-Api-Key": sandbox_key.group(1)}
    ).json()
    assert whoami.json()["tenantId"] != sandbox_tenant["tenantId"]


def test_env_api_key_is_used_and_flags_win_over_env(tmp_path: Path) -> None:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("CATA_")}
    env.update(
        {
            "CATA_API_KEY": "env-key-123",
            "CATA_PORT": "1",
            "CATA_DATABASE_URL": f"sqlite:///{tmp_path / 'e.db'}",
        }
    )
    process = subprocess.Popen(
        [*CLI, "serve", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    try:
        wait_for_health(f"http://127.0.0.1:{port}", process)
        whoami = httpx.get(
            f"http://127.0.0.1:{port}/api/v1/auth/whoami", headers={"X-Api-Key": "env-key-123"}
        )
        assert whoami.status_code == 200
    finally:
        process.send_signal(signal.SIGINT)
        output, _ = process.communicate(timeout=30)
    assert "API key:" not in output
    assert (tmp_path / "e.db").exists()


def test_port_in_use_is_one_line_not_a_traceback(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = subprocess.run(
            [*CLI, "serve", "--port", str(port), "--database-url", f"sqlite:///{tmp_path / 'p.db'}"],
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode != 0
    assert "already in use" in result.stderr
    assert "Traceback" not in result.stderr
