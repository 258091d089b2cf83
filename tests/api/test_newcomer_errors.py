"""Every error a newcomer hit, as one line that names the fix; and nothing stored or changed by it.

Real subprocesses of the CLI, as a partner types them, against a real `up` where one is needed.
"""

from __future__ import annotations

import re
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from mock_pos.client import MockAdmin, read_journal
from tests.support import CLI, clean_env, free_port
from tests.support.up import Up, start_up

MOCK_CLI = [sys.executable, "-m", "mock_pos.cli"]


def run(
    *argv: str, env: dict[str, str] | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        list(argv), capture_output=True, text=True, env=env or clean_env(), cwd=cwd, timeout=120
    )


def one_line_error(result: subprocess.CompletedProcess[str]) -> str:
    """The error a command printed, checked to be a single `Error: ...` line with no traceback."""
    assert "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error: ")]
    assert len(errors) == 1, result.stderr
    return errors[0]


@pytest.fixture(scope="module")
def up(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Up]:
    running = start_up(tmp_path_factory.mktemp("errors"))
    try:
        yield running
    finally:
        assert running.stop() == 0


def counts(up: Up) -> tuple[int, int]:
    """(orders, webhooks) the tenant has: what an error must leave unchanged."""
    headers = {"X-Api-Key": up.api_key}
    orders = httpx.get(f"{up.url}/api/v1/orders", headers=headers).json()["total"]
    hooks = len(httpx.get(f"{up.url}/api/v1/webhooks", headers=headers).json()["webhooks"])
    return int(orders), hooks


@pytest.mark.parametrize("command", ["serve", "keys create", "up"])
def test_a_database_in_a_missing_folder_is_one_line_naming_the_folder(tmp_path: Path, command: str) -> None:
    folder = tmp_path / "no" / "such"
    url = f"sqlite:///{folder / 'sandbox.db'}"
    extra = {
        "serve": ["serve", "--port", str(free_port())],
        "keys create": ["keys", "create", "--tenant", "acme"],
        "up": ["up", "--port", str(free_port()), "--mock-port", str(free_port())],
    }[command]

    result = run(*CLI, *extra, "--database-url", url, cwd=tmp_path)

    assert result.returncode == 1
    assert one_line_error(result) == (
        f"Error: the database folder {folder} does not exist (--database-url {url}): create it with"
        f" `mkdir -p {folder}` or choose another path"
    )
    assert not (tmp_path / "no").exists(), "nothing was created"


@pytest.mark.parametrize(
    "command", [["trigger"], ["orders"], ["listen", "--forward-to", "http://127.0.0.1:9/x"]]
)
def test_a_url_that_is_not_a_url_is_refused_before_anything_is_sent(up: Up, command: list[str]) -> None:
    before = counts(up)

    result = run(*CLI, *command, "--url", "not-a-url", env=clean_env(CATA_API_KEY=up.api_key))

    assert result.returncode == 2
    assert one_line_error(result) == (
        "Error: Invalid value for '--url': 'not-a-url' is not an http:// or https:// URL of the sandbox,"
        " e.g. http://127.0.0.1:8700 (the URL `cata-sandbox up` printed)"
    )
    assert counts(up) == before


def test_a_valid_key_against_the_default_url_says_to_use_the_banners_export_line(up: Up) -> None:
    before = counts(up)
    assert f"export CATA_URL={up.url} CATA_API_KEY={up.api_key}" in up.banner

    # The key of the sandbox on its own port, but no CATA_URL: the default http://127.0.0.1:8700 is used.
    result = run(*CLI, "trigger", "--count", "1", env=clean_env(CATA_API_KEY=up.api_key))

    assert result.returncode == 1
    line = one_line_error(result)
    assert "http://127.0.0.1:8700" in line
    assert line.endswith(
        "; this is the default URL http://127.0.0.1:8700: if your sandbox runs on another port, use the"
        " `export CATA_URL=... CATA_API_KEY=...` line `cata-sandbox up` printed, or pass --url"
    )
    assert counts(up) == before


def test_mock_pos_on_a_busy_port_is_one_line_and_h_is_help(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = run(*MOCK_CLI, "serve", "--port", str(port))
        still = socket.create_connection(("127.0.0.1", port), timeout=2)
        still.close()  # the port's owner is untouched

    assert result.returncode == 1
    assert result.stderr.strip() == (
        f"Error: port {port} on 127.0.0.1 is already in use: stop what runs there (another mock-pos or"
        " `cata-sandbox up`?) or pick another with --port"
    )
    helped = run(*MOCK_CLI, "serve", "-h")
    assert helped.returncode == 0
    assert "--drain-timeout" in helped.stdout
    assert run(*MOCK_CLI, "-h").returncode == 0


@pytest.mark.parametrize("tenant", ["", "   "])
def test_an_empty_tenant_name_is_refused_and_no_database_is_made(tmp_path: Path, tenant: str) -> None:
    database = tmp_path / "keys.db"

    result = run(*CLI, "keys", "create", "--tenant", tenant, "--database-url", f"sqlite:///{database}")

    assert result.returncode == 2
    assert (
        one_line_error(result) == "Error: Invalid value for '--tenant': must not be empty, e.g. --tenant acme"
    )
    assert not database.exists()


def test_check_receiver_without_a_secret_names_cata_webhook_secret_and_sends_nothing(up: Up) -> None:
    before = len(read_journal(up.mock_url))

    result = run(*CLI, "check-receiver", f"{up.mock_url}/webhooks/outlet-webhook")

    assert result.returncode == 2
    assert one_line_error(result) == (
        "Error: no webhook secret: pass --secret or set CATA_WEBHOOK_SECRET to the secret your receiver"
        " verifies with (`listen`, `register` and `up` print it; `webhooks show ID --secret` shows it)"
    )
    assert len(read_journal(up.mock_url)) == before, "no delivery was sent"


def bench(up: Up, receiver: str, *extra: str) -> subprocess.CompletedProcess[str]:
    return run(
        *CLI,
        "bench",
        "--url",
        up.url,
        "--api-key",
        up.api_key,
        "--receiver",
        receiver,
        "--load-generator",
        "python",
        *extra,
    )


def test_bench_with_your_receiver_first_checks_it_accepts_a_signed_delivery(up: Up) -> None:
    mine = f"{up.mock_url}/webhooks/mine"
    before = counts(up)

    unregistered = bench(up, mine)

    assert unregistered.returncode == 1
    assert one_line_error(unregistered) == (
        f"Error: no webhook points at {mine}: register your receiver first (`cata-sandbox listen"
        f" --forward-to {mine}` or `cata-sandbox register`), configure the secret it prints, then run the"
        " bench again"
    )
    assert counts(up) == before

    registered = up.cli("register", "--outlet", "my-bench-outlet", "--callback-url", mine)
    assert registered.returncode == 0, registered.stderr
    hook_id = re.search(r"^webhook id\s+(\d+)", registered.stdout, re.MULTILINE).group(1)  # type: ignore[union-attr]
    secret = re.search(r"^secret\s+(\S+)", registered.stdout, re.MULTILINE).group(1)  # type: ignore[union-attr]
    with MockAdmin(up.mock_url) as admin:
        admin.configure_receiver("mine", "not-the-secret")
    before = counts(up)

    refused = bench(up, mine)

    assert refused.returncode == 1
    line = one_line_error(refused)
    assert line.startswith(
        f"Error: {mine} did not accept a delivery signed with the secret of webhook {hook_id} (HTTP 401: "
    )
    assert line.endswith(
        f"configure that secret in your receiver (`cata-sandbox webhooks show {hook_id} --secret`) and run"
        " the bench again"
    )
    assert counts(up) == before, "no order was dispatched"

    with MockAdmin(up.mock_url) as admin:
        admin.configure_receiver("mine", secret)
    measured = bench(up, mine, "--duration", "1", "--warmup", "0", "--concurrency", "2")

    assert measured.returncode == 0, measured.stdout + measured.stderr
    assert "accepted a signed delivery" in measured.stdout
    added = next(line for line in measured.stdout.splitlines() if "latency added" in line)
    assert not re.search(r"-\d", added.split("latency added", 1)[1]), added
    row = next(line for line in measured.stdout.splitlines() if "dispatch (via the service)" in line)
    *_, errors, requests = row.split()
    assert int(errors) <= int(requests)


def test_bench_with_a_receiver_but_no_url_says_why_it_needs_your_sandbox() -> None:
    result = run(*CLI, "bench", "--receiver", "http://127.0.0.1:9/x")
    assert result.returncode == 1
    assert one_line_error(result).startswith(
        "Error: --receiver needs --url: your receiver verifies the secret"
    )
