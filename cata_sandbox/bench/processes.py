"""The bench's child processes: start, watch (CPU, RSS) and stop the service, receivers and mock_pos."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from cata_sandbox.bench.model import BenchError


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of a process (Linux ``/proc``), or None where it cannot be read."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


def rss_mb(pid: int) -> float | None:
    """Resident set size of a process in MB (Linux ``/proc``), or None where it cannot be read."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def descendants_cpu_seconds(pid: int) -> float:
    """User + system CPU of every live descendant of ``pid`` (the service's adapter workers)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, ValueError, IndexError):
                parents[int(entry.name)] = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
    found: set[int] = set()
    frontier = {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return sum(cpu_seconds(child) or 0.0 for child in found)


@dataclass
class Child:
    """A server started by the bench, stopped with SIGTERM (then SIGKILL) when the bench ends."""

    name: str
    process: subprocess.Popen[bytes]
    url: str
    log_path: Path

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)

    def log_tail(self, lines: int = 20) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


def start_child(
    name: str, argv: list[str], url: str, health_path: str, workdir: Path, env: dict[str, str] | None = None
) -> Child:
    log_path = workdir / f"{name}.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            argv,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env={**os.environ, **(env or {})},
        )
    child = Child(name, process, url, log_path)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise BenchError(f"{name} exited during start-up:\n{child.log_tail()}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(url + health_path, timeout=1).status_code < 500:
                return child
        time.sleep(0.05)
    child.stop()
    raise BenchError(f"{name} did not start within 30 s:\n{child.log_tail()}")


def start_fast_receiver(workdir: Path) -> Child:
    port = free_port()
    argv = [
        sys.executable,
        "-m",
        "uvicorn",
        "cata_sandbox.bench.receiver:fast_receiver",
        "--host",
        "127.0.0.1",
    ]
    argv += ["--port", str(port), "--no-access-log", "--log-level", "warning", "--lifespan", "off"]
    return start_child("receiver", argv, f"http://127.0.0.1:{port}", "/hook", workdir)


def start_mock_pos(workdir: Path) -> Child:
    port = free_port()
    code = "import sys; from mock_pos.cli import main; sys.exit(main())"
    argv = [sys.executable, "-c", code, "serve", "--port", str(port), "--log-level", "warning"]
    return start_child("mock_pos", argv, f"http://127.0.0.1:{port}", "/__admin/journal", workdir)


def start_service(
    workdir: Path, api_key: str, dispatch_timeout: float, log_level: str, adapters_dir: Path | None = None
) -> Child:
    port = free_port()
    argv = [sys.executable, "-m", "cata_sandbox.cli", "serve", "--host", "127.0.0.1", "--port", str(port)]
    argv += [
        "--database-url",
        f"sqlite:///{workdir / 'bench.db'}",
        "--dispatch-timeout",
        f"{dispatch_timeout:g}",
    ]
    argv += ["--log-level", log_level]
    if adapters_dir is not None:
        argv += ["--adapters", str(adapters_dir)]
    return start_child(
        "service", argv, f"http://127.0.0.1:{port}", "/health", workdir, {"CATA_API_KEY": api_key}
    )
