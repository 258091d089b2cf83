"""A correct receiver written in Node with ``@octokit/webhooks-methods`` passes check-receiver cleanly.

Its sources are in ``tests/support/receivers/node/`` (the dependency pinned in ``package-lock.json``); the test
installs them with ``npm ci`` into a temporary copy and skips when ``node`` or ``npm`` is missing.
"""

from __future__ import annotations

import json
import os
import queue
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.receivers.partners import SECRET

SOURCES = Path(__file__).parent.parent / "support" / "receivers" / "node"
START_TIMEOUT_S = 20.0


@pytest.fixture
def node_receiver(tmp_path: Path) -> Iterator[str]:
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        pytest.skip("the Node receiver test needs node and npm (Node.js 20 or later) on PATH")
    app = tmp_path / "node-receiver"
    shutil.copytree(SOURCES, app, ignore=shutil.ignore_patterns("node_modules"))
    installed = subprocess.run(
        [npm, "ci", "--no-audit", "--no-fund"], cwd=app, capture_output=True, text=True, timeout=300
    )
    assert installed.returncode == 0, f"npm ci failed:\n{installed.stdout}\n{installed.stderr}"
    env = {**os.environ, "CATA_WEBHOOK_SECRET": SECRET, "PORT": "0"}
    process = subprocess.Popen([node, "server.js"], cwd=app, env=env, stdout=subprocess.PIPE, text=True)
    lines: queue.Queue[str] = queue.Queue()
    stdout = process.stdout
    assert stdout is not None

    def forward() -> None:
        for line in stdout:
            lines.put(line)

    threading.Thread(target=forward, daemon=True).start()
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        port = None
        while port is None:
            remaining = deadline - time.monotonic()
            assert process.poll() is None, "the Node receiver exited during start-up"
            assert remaining > 0, f"the Node receiver did not print its port within {START_TIMEOUT_S:g} s"
            try:
                line = lines.get(timeout=min(remaining, 0.5))
            except queue.Empty:
                continue
            if line.startswith("listening "):
                port = int(line.split()[1])
        yield f"http://127.0.0.1:{port}/cata"
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_a_correct_node_receiver_using_octokit_webhooks_methods_passes_nine_of_nine(
    node_receiver: str,
) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "cata_sandbox.cli",
            "check-receiver",
            node_receiver,
            "--secret",
            SECRET,
            "--json",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    document = json.loads(result.stdout)
    # The one warning is the tls check's: a loopback receiver is plain http://.
    assert document["counts"] == {"passed": 9, "failed": 0, "warnings": 1, "notRun": 0}, document["checks"]
    valid = next(check for check in document["checks"] if check["name"] == "valid-delivery")
    assert "returned externalOrderId 'node-1'" in valid["explanation"]
    duplicate = next(check for check in document["checks"] if check["name"] == "duplicate-delivery")
    assert "the same externalOrderId 'node-1'" in duplicate["explanation"]
