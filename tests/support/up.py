"""`cata-sandbox up` as a partner runs it: a subprocess on free loopback ports, and what its banner said."""

from __future__ import annotations

import json
import re
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.support.cli import CLI, clean_env
from tests.support.net import free_port

BANNER_END = "Path 2, built-in Revel transformer"


def banner_complete(text: str) -> bool:
    """The banner ends with the Revel curl example (and, with --tls, the HTTPS sites after it)."""
    if "\nHTTPS: " in text:
        return "  tls:handshake-reset " in text and text.endswith("\n")
    return BANNER_END in text and text.rstrip().endswith("}'")


def free_port_run(length: int) -> int:
    """A free port followed by ``length - 1`` free ports (``up --tls`` takes the 8 after mock_pos's)."""
    for _ in range(50):
        first = free_port()
        if first + length > 65535:
            continue
        probes: list[socket.socket] = []
        try:
            for port in range(first, first + length):
                probe = socket.socket()
                probes.append(probe)
                probe.bind(("127.0.0.1", port))
            return first
        except OSError:
            continue
        finally:
            for probe in probes:
                probe.close()
    raise AssertionError(f"no run of {length} free ports found")


@dataclass
class Up:
    """A running `cata-sandbox up` and what its banner said."""

    process: subprocess.Popen[bytes]
    out: Path
    err: Path
    port: int
    mock_port: int
    banner: str

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def mock_url(self) -> str:
        return f"http://127.0.0.1:{self.mock_port}"

    def field(self, label: str) -> str:
        found = re.search(rf"^\s+{label}\s+(\S+)", self.banner, re.MULTILINE)
        assert found, self.banner
        return found.group(1)

    @property
    def api_key(self) -> str:
        return self.field("API key")

    @property
    def secret(self) -> str:
        return self.field("webhook secret")

    def cli(
        self, *args: str, api_key: str | None = None, timeout: float = 120
    ) -> subprocess.CompletedProcess[str]:
        env = clean_env(CATA_URL=self.url, CATA_API_KEY=api_key or self.api_key)
        return subprocess.run([*CLI, *args], capture_output=True, text=True, env=env, timeout=timeout)

    def trigger(self, *args: str) -> tuple[subprocess.CompletedProcess[str], list[dict[str, Any]]]:
        result = self.cli("trigger", "--json", *args)
        assert "Traceback" not in result.stderr, result.stderr
        rows: list[dict[str, Any]] = json.loads(result.stdout) if result.stdout.strip() else []
        return result, rows

    def stop(self, sig: int = signal.SIGINT) -> int:
        if self.process.poll() is None:
            self.process.send_signal(sig)
        return self.process.wait(timeout=30)


def start_up(
    directory: Path,
    *extra: str,
    env: dict[str, str] | None = None,
    ports: tuple[int, int] | None = None,
    timeout: float = 60,
) -> Up:
    """Start `up` (on two free ports unless given) in ``directory``; wait, with a deadline, for its banner."""
    directory.mkdir(parents=True, exist_ok=True)
    port, mock_port = ports or (free_port(), free_port())
    while mock_port == port:
        mock_port = free_port()
    out, err = directory / f"up-{port}.out", directory / f"up-{port}.err"
    with out.open("wb") as stdout, err.open("wb") as stderr:
        process = subprocess.Popen(
            [*CLI, "up", "--port", str(port), "--mock-port", str(mock_port), *extra],
            cwd=directory,
            stdout=stdout,
            stderr=stderr,
            env=env or clean_env(),
        )
    deadline = time.monotonic() + timeout
    while True:
        text = out.read_text(encoding="utf-8")
        if banner_complete(text):
            return Up(process, out, err, port, mock_port, text)
        if process.poll() is not None:
            raise AssertionError(f"up exited with {process.returncode}: {err.read_text()}")
        if time.monotonic() > deadline:
            process.kill()
            raise AssertionError(f"up did not print its banner in time: {text}\n{err.read_text()}")
        time.sleep(0.05)
