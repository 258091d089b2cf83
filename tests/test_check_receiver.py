"""`cata-sandbox check-receiver` against tiny receivers over loopback, run as a partner runs it."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Awaitable, Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from cata_sandbox.certify import tamper_one_byte, unusual_json
from cata_sandbox.fake_orders import OrderFactory
from cata_sandbox.signing import sign, verify
from mock_pos.server import ServerThread
from tests.test_fake_orders import NOW

CLI = [sys.executable, "-m", "cata_sandbox.cli"]
SECRET = "whsec_test_receiver_secret"
CHECKS = [
    "valid-delivery",
    "forged-signature",
    "tampered-byte",
    "missing-signature",
    "wrong-secret",
    "raw-bytes",
    "non-ascii",
    "duplicate-delivery",
    "within-budget",
]
Asgi = Callable[
    [dict[str, Any], Callable[[], Awaitable[dict[str, Any]]], Callable[..., Awaitable[None]]], Awaitable[None]
]


def receiver(
    *,
    check: Callable[[bytes, str | None], bool],
    status: int = 200,
    sleep_s: float = 0.0,
    seen: list[tuple[dict[str, str], bytes]] | None = None,
) -> Asgi:
    """A webhook receiver: ``check(body, signature)`` decides 2xx or 401; valid ones may sleep first."""
    accepted = 0

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        nonlocal accepted
        assert scope["type"] == "http"
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        if seen is not None:
            seen.append((headers, body))
        if check(body, headers.get("x-cata-signature")):
            if sleep_s:
                await asyncio.sleep(sleep_s)
            accepted += 1
            code, payload = status, json.dumps({"externalOrderId": f"pos-{accepted}"}).encode()
        else:
            code, payload = 401, b'{"error":"bad signature"}'
        await send(
            {
                "type": "http.response.start",
                "status": code,
                "headers": [(b"content-type", b"application/json")],
            }
        )
        await send({"type": "http.response.body", "body": payload})

    return app


def verifies_raw(body: bytes, signature: str | None) -> bool:
    return verify(SECRET, body, signature)


def skips_verification(body: bytes, signature: str | None) -> bool:
    return True


def verifies_reserialized(body: bytes, signature: str | None) -> bool:
    """The classic bug: parse, re-serialize, then compute the HMAC over the new bytes."""
    again = json.dumps(json.loads(body), separators=(",", ":"), ensure_ascii=False).encode()
    return verify(SECRET, again, signature)


@pytest.fixture
def serve() -> Iterator[Callable[[Asgi], str]]:
    servers: list[ServerThread] = []

    def start(app: Asgi) -> str:
        server = ServerThread(app, lifespan="off").start()
        servers.append(server)
        return f"{server.url}/cata"

    yield start
    for server in servers:
        server.stop()


def run_check(
    url: str, tmp_path: Path, *extra: str
) -> tuple[subprocess.CompletedProcess[str], dict[str, str | None]]:
    """Run the CLI; returns the process and, from its JUnit XML, each check's failure message (None: passed)."""
    report = tmp_path / f"junit-{uuid.uuid4().hex}.xml"
    result = subprocess.run(
        [*CLI, "check-receiver", url, "--secret", SECRET, "--junit-xml", str(report), *extra],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "Traceback" not in result.stderr, result.stderr
    suite = ET.parse(report).getroot().find("testsuite")
    assert suite is not None
    outcomes: dict[str, str | None] = {}
    for case in suite.iter("testcase"):
        failure = case.find("failure")
        outcomes[case.attrib["name"]] = None if failure is None else failure.attrib["message"]
    assert suite.attrib["tests"] == str(len(outcomes))
    assert suite.attrib["failures"] == str(sum(1 for m in outcomes.values() if m is not None))
    return result, outcomes


def failed(outcomes: dict[str, str | None]) -> set[str]:
    return {name for name, message in outcomes.items() if message is not None}


def test_a_correct_receiver_passes_every_check_with_deliveries_shaped_like_catas(
    serve: Callable[[Asgi], str], tmp_path: Path
) -> None:
    seen: list[tuple[dict[str, str], bytes]] = []
    url = serve(receiver(check=verifies_raw, seen=seen))
    started = time.time()

    result, outcomes = run_check(url, tmp_path)

    assert result.returncode == 0, result.stdout + result.stderr
    assert list(outcomes) == CHECKS
    assert failed(outcomes) == set()
    assert "9/9 checks passed" in result.stdout
    assert "returned externalOrderId 'pos-1'" in result.stdout
    for name in CHECKS:
        assert name in result.stdout
    # Every delivery carries Cata's headers; each has its own delivery id.
    assert len(seen) == 8
    for headers, _ in seen:
        assert headers["content-type"] == "application/json"
        assert headers["x-cata-event"] == "order.paid"
        assert uuid.UUID(headers["x-cata-delivery-id"])
        assert abs(int(headers["x-cata-timestamp"]) - started) < 120
    assert len({h["x-cata-delivery-id"] for h, _ in seen}) == len(seen)
    valid = [body for headers, body in seen if verify(SECRET, body, headers.get("x-cata-signature"))]
    assert len(valid) == 4  # valid, raw-bytes, non-ascii, duplicate
    assert valid[0] == valid[3], "the duplicate is the same body again"
    assert "Zoë".encode() in valid[2], "non-ASCII goes out as raw UTF-8"
    assert not any("x-cata-signature" in h for h, _ in seen[3:4]), "missing-signature has no header"


@pytest.mark.parametrize(
    ("name", "check", "status", "sleep_s", "extra", "must_fail", "must_pass", "explains"),
    [
        pytest.param(
            "skips verification",
            skips_verification,
            200,
            0.0,
            (),
            {"forged-signature", "tampered-byte", "missing-signature", "wrong-secret"},
            {"valid-delivery", "raw-bytes", "non-ascii", "duplicate-delivery", "within-budget"},
            ("forged-signature", "must check X-Cata-Signature"),
            id="skips-verification",
        ),
        pytest.param(
            "re-serializes before verifying",
            verifies_reserialized,
            200,
            0.0,
            (),
            {"raw-bytes"},
            {"forged-signature", "tampered-byte", "missing-signature", "wrong-secret"},
            ("raw-bytes", "raw request bytes"),
            id="verifies-reserialized-json",
        ),
        pytest.param(
            "answers 500",
            verifies_raw,
            500,
            0.0,
            (),
            {"valid-delivery", "duplicate-delivery"},
            {"forged-signature", "within-budget"},
            ("valid-delivery", "HTTP 500"),
            id="answers-500",
        ),
        pytest.param(
            "takes 2 s",
            verifies_raw,
            200,
            2.0,
            ("--timeout", "1"),
            {"within-budget", "valid-delivery"},
            {"forged-signature", "missing-signature"},
            ("within-budget", "no answer within 1s"),
            id="slower-than-the-budget",
        ),
    ],
)
def test_a_faulty_receiver_fails_the_check_that_names_its_fault(
    serve: Callable[[Asgi], str],
    tmp_path: Path,
    name: str,
    check: Callable[[bytes, str | None], bool],
    status: int,
    sleep_s: float,
    extra: tuple[str, ...],
    must_fail: set[str],
    must_pass: set[str],
    explains: tuple[str, str],
) -> None:
    url = serve(receiver(check=check, status=status, sleep_s=sleep_s))

    result, outcomes = run_check(url, tmp_path, *extra)

    assert result.returncode == 1, f"{name}: {result.stdout}"
    assert must_fail <= failed(outcomes), outcomes
    assert not (must_pass & failed(outcomes)), outcomes
    summary = result.stdout.strip().splitlines()[-1]
    assert summary.endswith(", ".join(n for n in CHECKS if n in failed(outcomes))), summary
    for check_name in must_fail:
        assert outcomes[check_name], "a failure carries its one-line explanation"
        assert "\n" not in str(outcomes[check_name])
    check_name, text = explains
    assert text in str(outcomes[check_name])
    row = next(line for line in result.stdout.splitlines() if f" {check_name} " in line)
    assert "FAIL" in row


def test_an_unreachable_receiver_fails_every_check_without_a_traceback(tmp_path: Path) -> None:
    result, outcomes = run_check("http://127.0.0.1:9/cata", tmp_path, "--timeout", "2")
    assert result.returncode == 1
    assert failed(outcomes) == set(CHECKS)


def test_a_tampered_byte_keeps_the_json_valid_and_breaks_the_signature() -> None:
    body = OrderFactory().order(1, 0, now=NOW).body
    tampered = tamper_one_byte(body)
    assert len(tampered) == len(body)
    assert sum(a != b for a, b in zip(body, tampered, strict=True)) == 1
    json.loads(tampered)
    assert not verify(SECRET, tampered, sign(SECRET, body))


def test_unusual_json_means_the_same_order_in_other_bytes() -> None:
    order = OrderFactory().order(1, 1, now=NOW)
    unusual = unusual_json(order.order).encode()
    assert unusual != order.body
    assert json.loads(unusual, parse_float=Decimal) == json.loads(order.body, parse_float=Decimal)
    assert b"\\u" in unusual or all(ord(c) < 128 for c in order.body.decode())
    compact = json.dumps(json.loads(unusual), separators=(",", ":"), ensure_ascii=False).encode()
    assert compact != unusual
