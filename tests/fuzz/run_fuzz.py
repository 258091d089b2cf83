"""Fuzz the service's HTTP API with schemathesis: ``nox -s fuzz`` (or ``python tests/fuzz/run_fuzz.py``).

Starts the service (SQLite in a temporary directory) and mock_pos on loopback in this process, seeds a
webhook so some dispatches are really sent, then runs ``st run`` over ``/schema/openapi.json``: every
operation, authenticated with the tenant's key, every check (no 5xx, statuses, content types, headers and
bodies as documented, valid data accepted, invalid data rejected, auth enforced) and the stateful phase
over the document's links. Exit code: schemathesis's.

Generated data never leaves the machine: the service's HTTP transport refuses any destination that is not
a loopback address, before any name is resolved (a fuzzer registers callback URLs such as
``http://10.0.0.1/``), and outbound calls fail as ``http request failed`` instead.

Extra arguments go to ``st run`` (e.g. ``--max-examples 200``, ``--seed 1``).
"""

from __future__ import annotations

import argparse
import ipaddress
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from cata_sandbox.app import create_app
from cata_sandbox.net.transport import AiohttpTransport
from cata_sandbox.settings import Settings
from mock_pos.app import create_mock_pos
from mock_pos.client import MockAdmin
from mock_pos.server import ServerThread

API_KEY = "fuzz-key-sandbox"
FUZZ_OUTLET = "outlet-fuzz"


class LoopbackOnlyTransport(httpx.AsyncBaseTransport):
    """Passes requests for loopback destinations to ``inner``; refuses every other one unresolved."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        host = request.url.host
        if not _is_loopback(host):
            raise httpx.ConnectError(
                f"fuzz run: {host!r} is not a loopback address; not sent", request=request
            )
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _schemathesis() -> str:
    beside = Path(sys.executable).with_name("st")
    found = str(beside) if beside.exists() else shutil.which("st")
    if found is None:
        raise SystemExit("schemathesis is not installed: pip install schemathesis (dependency group `fuzz`)")
    return found


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--max-examples", type=int, default=int(os.environ.get("FUZZ_MAX_EXAMPLES", "50")))
    parser.add_argument("--seed", type=int, default=int(os.environ.get("FUZZ_SEED", "20261127")))
    parser.add_argument("--report-dir", default="reports/fuzz")
    known, extra = parser.parse_known_args(argv)
    with tempfile.TemporaryDirectory(prefix="cata-fuzz-") as workdir:
        mock = ServerThread(create_mock_pos()).start()
        settings = Settings(
            database_url=f"sqlite:///{Path(workdir) / 'fuzz.db'}", api_key=API_KEY, dispatch_timeout_s=2.0
        )
        service = ServerThread(create_app(settings, transport=LoopbackOnlyTransport(AiohttpTransport())))
        service.start()
        try:
            with httpx.Client(base_url=service.url, headers={"X-Api-Key": API_KEY}, timeout=30) as client:
                hook = client.post(
                    "/api/v1/webhooks/register",
                    json={"outletId": FUZZ_OUTLET, "callbackUrl": f"{mock.url}/webhooks/fuzz"},
                ).json()["webhook"]
            with MockAdmin(mock.url) as admin:
                admin.configure_receiver("fuzz", hook["secret"])
            command = [
                _schemathesis(),
                "--config-file",
                str(Path(__file__).with_name("schemathesis.toml")),
                "run",
                f"{service.url}/schema/openapi.json",
                "--header",
                f"X-Api-Key: {API_KEY}",
                "--phases",
                "examples,coverage,fuzzing,stateful",
                "--max-examples",
                str(known.max_examples),
                "--seed",
                str(known.seed),
                # NUL is refused in every string by design (README, "Hostile input"): not valid data.
                "--generation-allow-x00",
                "false",
                "--generation-database",
                "none",
                # The order's schema (patterns, formats, bounds) makes hypothesis discard many drafts; that
                # is generation cost, not a finding.
                "--suppress-health-check",
                "filter_too_much,too_slow",
                "--request-timeout",
                "20",
                # One worker: hypothesis describes lambdas with ast.parse, which is not thread-safe on
                # CPython 3.11 ("AST constructor recursion depth mismatch" with several workers).
                "--workers",
                "1",
                "--report",
                "junit",
                "--report-dir",
                known.report_dir,
                "--no-color",
                *extra,
            ]
            print("$", " ".join(command), flush=True)
            started = time.monotonic()
            root = str(Path(__file__).resolve().parents[2])
            env = {
                **os.environ,
                "SCHEMATHESIS_HOOKS": "tests.fuzz.hooks",
                "PYTHONPATH": os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")])),
            }
            result = subprocess.run(command, check=False, env=env)
            print(
                f"schemathesis finished in {time.monotonic() - started:.0f} s with exit code {result.returncode}"
            )
            return result.returncode
        finally:
            service.stop()
            mock.stop()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
