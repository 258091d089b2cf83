"""`cata-sandbox check-receiver` run as a partner runs it: the output, the JSON, the JUnit report, the exit code."""

from __future__ import annotations

import json
import subprocess
import time
import uuid
import xml.etree.ElementTree as ET
from decimal import Decimal
from pathlib import Path

import pytest

from cata_sandbox.partner.check_receiver import CHECKS, ascii_escaped, tamper_one_byte, unusual_json
from cata_sandbox.partner.fake_orders import OrderFactory
from cata_sandbox.signing import sign, verify
from tests.support import CLI, NOW
from tests.support.receivers.loopback import LoopbackReceiver, Reply
from tests.support.receivers.partners import SECRET, Partner, skips_verification, verifies_raw


def run_check(url: str, tmp_path: Path, *extra: str) -> tuple[subprocess.CompletedProcess[str], ET.Element]:
    """The CLI with ``--junit-xml`` into a folder that does not exist yet; the process and the report."""
    report = tmp_path / uuid.uuid4().hex / "reports" / "receiver.xml"
    result = subprocess.run(
        [*CLI, "check-receiver", url, "--secret", SECRET, "--junit-xml", str(report), *extra],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "Traceback" not in result.stderr, result.stderr
    suite = ET.parse(report).getroot().find("testsuite")
    assert suite is not None
    return result, suite


def cases(suite: ET.Element) -> dict[str, ET.Element]:
    return {case.attrib["name"]: case for case in suite.iter("testcase")}


def test_a_correct_receiver_passes_nine_checks_with_deliveries_shaped_like_catas(tmp_path: Path) -> None:
    partner = Partner()
    with LoopbackReceiver(partner) as server:
        started = time.time()
        result, suite = run_check(server.url, tmp_path)
        seen = server.requests

    assert result.returncode == 0, result.stdout + result.stderr
    # A loopback receiver is plain http://: the tls check warns that production callbacks must be HTTPS.
    assert (
        result.stdout.strip().splitlines()[-1] == "9 passed, 1 warning: the receiver passes; read the warning"
    )
    assert list(cases(suite)) == CHECKS
    assert (suite.attrib["tests"], suite.attrib["failures"], suite.attrib["skipped"]) == ("10", "0", "0")
    assert "returned externalOrderId 'pos-1'" in result.stdout
    # Every delivery carries Cata's headers; each has its own delivery id.
    assert len(seen) == 9  # the nine checks' eight deliveries and the liveness one
    for request in seen:
        assert request.method == "POST"
        assert request.headers["content-type"] == "application/json"
        assert request.headers["x-cata-event"] == "order.paid"
        assert request.headers["user-agent"].startswith("cata-sandbox/")
        assert uuid.UUID(request.headers["x-cata-delivery-id"])
        assert abs(int(request.headers["x-cata-timestamp"]) - started) < 120
    assert len({r.headers["x-cata-delivery-id"] for r in seen}) == len(seen)
    valid = [r.body for r in seen if verify(SECRET, r.body, r.headers.get("x-cata-signature"))]
    assert len(valid) == 5  # valid, still accepting, raw-bytes, non-ascii, duplicate
    assert valid[0] == valid[4], "the duplicate is the same body again"
    assert "Zoë".encode() in valid[3], "non-ASCII goes out as raw UTF-8"
    assert "x-cata-signature" not in seen[3].headers, "missing-signature has no header"


@pytest.mark.parametrize(
    ("partner", "must_fail", "explains"),
    [
        pytest.param(
            Partner(check=skips_verification),
            {"forged-signature", "tampered-byte", "missing-signature", "wrong-secret"},
            ("forged-signature", "verify X-Cata-Signature"),
            id="skips-verification",
        ),
        pytest.param(
            Partner(check=lambda body, sig: False, refusal=Reply(500, b"Internal Server Error")),
            {"valid-delivery", "raw-bytes", "non-ascii", "duplicate-delivery"},
            ("valid-delivery", "HTTP 500 in"),
            id="answers-500",
        ),
    ],
)
def test_a_faulty_receiver_fails_with_a_summary_naming_each_failure(
    tmp_path: Path, partner: Partner, must_fail: set[str], explains: tuple[str, str]
) -> None:
    with LoopbackReceiver(partner) as server:
        result, suite = run_check(server.url, tmp_path)

    assert result.returncode == 1, result.stdout
    failures = {name: case.find("failure") for name, case in cases(suite).items()}
    failed = {name for name, failure in failures.items() if failure is not None}
    assert must_fail <= failed
    summary = result.stdout.strip().splitlines()[-1]
    counts, _, named = summary.partition(" — ")
    assert f", {len(failed)} failed" in counts
    for name in failed:
        assert name in named.partition("; warned: ")[0]
        message = failures[name].attrib["message"]  # type: ignore[union-attr]
        assert message, "a failure carries its explanation"
        assert "\n" not in message, "in one line"
    check_name, text = explains
    assert text in failures[check_name].attrib["message"]  # type: ignore[union-attr]
    row = next(line for line in result.stdout.splitlines() if f" {check_name} " in line)
    assert "FAIL" in row


def test_warnings_pass_with_exit_0_and_show_in_junit_and_json(tmp_path: Path) -> None:
    with LoopbackReceiver(Partner(dedupe=False)) as server:
        result, suite = run_check(server.url, tmp_path, "--json")

    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)  # stdout is the JSON document alone
    assert document["passed"] is True
    assert document["counts"] == {"passed": 8, "failed": 0, "warnings": 2, "notRun": 0}
    assert document["summary"] == "8 passed, 2 warnings: the receiver passes; read the warnings"
    assert document["summary"] in result.stderr
    verdicts = {check["name"]: check["verdict"] for check in document["checks"]}
    assert verdicts["duplicate-delivery"] == "warn"
    duplicate = cases(suite)["duplicate-delivery"]
    assert duplicate.find("failure") is None
    (warning,) = duplicate.iter("property")
    assert warning.attrib["name"] == "warning"
    assert warning.attrib["value"].startswith("second-order: HTTP 200")
    assert "WARNING (second-order)" in (duplicate.findtext("system-out") or "")
    # The suite's time is each delivery's once; within-budget sends nothing of its own.
    total = sum(delivery["latencyMs"] for delivery in document["deliveries"]) / 1000
    assert float(suite.attrib["time"]) == pytest.approx(total, abs=0.002)
    assert cases(suite)["within-budget"].attrib["time"] == "0.000"


def test_a_dead_receiver_gets_one_verdict_and_the_rest_skipped_in_junit(tmp_path: Path) -> None:
    with LoopbackReceiver(Partner()) as server:
        url = server.url
    result, suite = run_check(url, tmp_path)

    assert result.returncode == 1
    assert result.stdout.count("connection refused") == 1
    assert result.stdout.strip().splitlines()[-1] == (
        "0 passed, 1 failed, 1 warning, 8 not run — failed: valid-delivery (unreachable); warned: tls (plain-http)"
    )
    assert (suite.attrib["failures"], suite.attrib["skipped"]) == ("1", "8")
    skipped = [name for name, case in cases(suite).items() if case.find("skipped") is not None]
    assert skipped == CHECKS[1:-1]  # all but the tls check, which needs no delivery


def test_an_unwritable_junit_path_is_a_one_line_error_before_any_delivery(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with LoopbackReceiver(Partner(check=verifies_raw)) as server:
        result = subprocess.run(
            [*CLI, "check-receiver", server.url, "--secret", SECRET, "--junit-xml", str(blocker / "r.xml")],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert server.requests == []
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "cannot create the folder" in result.stderr
    assert "choose another path" in result.stderr


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


def test_ascii_escaped_json_means_the_same_document_in_ascii() -> None:
    body = '{"name":"Zoë 山田 🙏","n":1.50}'.encode()
    escaped = ascii_escaped(body)
    assert escaped.isascii()
    assert escaped == b'{"name":"Zo\\u00eb \\u5c71\\u7530 \\ud83d\\ude4f","n":1.50}'
    assert json.loads(escaped) == json.loads(body)
