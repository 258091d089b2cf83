"""check-receiver's verdicts against receivers that fooled it once: each gets the verdict its fault deserves.

Every receiver is a real HTTP server on loopback (``tests/receivers/loopback.py``); the checks run
in-process through :func:`cata_sandbox.partner.check_receiver.check_receiver`, the function the CLI calls.
"""

from __future__ import annotations

import json
import time
from decimal import Decimal

import httpx
import pytest

from cata_sandbox.clock import SYSTEM_CLOCK
from cata_sandbox.partner.check_receiver import (
    CHECKS,
    Certification,
    CheckResult,
    Verdict,
    check_receiver,
    summary_line,
)
from cata_sandbox.partner.check_receiver.runner import CERTIFY_SEED
from cata_sandbox.partner.fake_orders import OrderFactory, encode_order
from cata_sandbox.signing import sign, verify
from tests.support.receivers.loopback import LoopbackReceiver, Reply, Request
from tests.support.receivers.partners import (
    SECRET,
    Partner,
    skips_verification,
    verifies_latin1_text,
    verifies_reserialized,
)

HOSTILE = ["forged-signature", "tampered-byte", "missing-signature", "wrong-secret"]


def certify(partner: Partner | LoopbackReceiver, budget_s: float = 5.0) -> Certification:
    if isinstance(partner, LoopbackReceiver):
        return check_receiver(partner.url, SECRET, budget_s=budget_s)
    with LoopbackReceiver(partner) as server:
        return check_receiver(server.url, SECRET, budget_s=budget_s)


def results(certification: Certification) -> dict[str, CheckResult]:
    return {result.name: result for result in certification.results}


def verdicts(certification: Certification) -> dict[str, Verdict]:
    return {result.name: result.verdict for result in certification.results}


def test_a_correct_deduplicating_receiver_passes_all_nine_checks_cleanly() -> None:
    certification = certify(Partner())
    assert [r.name for r in certification.results] == CHECKS
    found = verdicts(certification)
    assert found.pop("tls") is Verdict.WARN  # plain http:// on loopback: production callbacks must be HTTPS
    assert set(found.values()) == {Verdict.PASS}, certification.results
    assert certification.passed


def test_a_receiver_that_trickles_its_body_past_the_budget_fails_within_budget() -> None:
    """Status line at once, body over 2 s: the engine's budget covers the whole exchange, so it is late."""

    partner = Partner()

    def trickles(request: Request) -> Reply:
        reply = partner(request)
        return Reply(reply.status, reply.body, trickle_s=2.0) if reply.status == 200 else reply

    with LoopbackReceiver(trickles) as server:
        certification = check_receiver(server.url, SECRET, budget_s=1.0)
    found = results(certification)
    budget = found["within-budget"]
    assert budget.verdict is Verdict.FAIL
    assert budget.kind == "over-budget"
    assert "valid-delivery (timeout after 1s, at " in budget.explanation
    assert "budget 1s" in budget.explanation
    assert "slowest complete answer" in budget.explanation
    assert budget.latency_ms is not None
    assert budget.latency_ms >= 1000, "the latency shown is the longest exchange, the one cut off"
    valid = found["valid-delivery"]
    assert valid.verdict is Verdict.FAIL
    assert "http request failed: timeout after 1s" in valid.explanation
    assert "do slow POS work after" in valid.explanation
    assert {found[name].verdict for name in HOSTILE} == {Verdict.PASS}, "refusals came at once"
    assert not certification.passed


@pytest.mark.parametrize(
    ("leak", "evidence"),
    [
        pytest.param(lambda body: "expected " + sign(SECRET, body), "the valid signature", id="sha256-form"),
        pytest.param(
            lambda body: "digest " + sign(SECRET, body).removeprefix("sha256=").upper(),
            "the valid signature's hex digest",
            id="bare-hex-any-case",
        ),
        pytest.param(lambda body: f"secret {SECRET} did not match", "the webhook secret", id="the-secret"),
    ],
)
def test_a_refusal_that_gives_away_the_signature_fails_as_leaks_signature(
    leak: object, evidence: str
) -> None:
    """Like flask-github-signature 0.1.1: a 400 whose body holds the HMAC the receiver expected."""

    def refusal(request: Request) -> Reply:
        text = leak(request.body)  # type: ignore[operator]
        return Reply(400, json.dumps({"error": f"Signature mismatch: {text}"}).encode())

    certification = certify(Partner(refusal=refusal))
    found = results(certification)
    for name in HOSTILE:
        assert found[name].verdict is Verdict.FAIL, name
        assert found[name].kind == "leaks-signature"
        assert found[name].explanation.startswith("leaks-signature: HTTP 400")
        assert evidence in found[name].explanation
        assert "anyone can forge" in found[name].explanation
    assert "failed: forged-signature (leaks-signature)" in summary_line(certification)
    assert not certification.passed


def test_a_leaked_signature_really_forges_an_order_on_that_receiver() -> None:
    """The evidence is real: sending the leaked value back gets a forged order accepted."""
    partner = Partner(refusal=lambda r: Reply(400, f"expected {sign(SECRET, r.body)}".encode()))
    forged = b'{"orderRefNo":"FORGED-1","totalPay":0}'
    with LoopbackReceiver(partner) as server:
        first = httpx.post(server.url, content=forged, headers={"X-Cata-Signature": "sha256=00"})
        leaked = first.text.removeprefix("expected ")
        second = httpx.post(server.url, content=forged, headers={"X-Cata-Signature": leaked})
    assert (first.status_code, second.status_code) == (400, 200)


def test_a_gateway_in_front_of_a_dead_app_gets_warnings_and_the_liveness_verdict() -> None:
    """The app dies on the first forged delivery; the gateway then answers 502 to everything."""
    app = LoopbackReceiver(Partner(refusal=Reply(crash="instead-of-answer")))

    async def gateway(request: Request) -> Reply:
        headers = {n: v for n, v in request.raw_headers if n.lower() not in ("host", "content-length")}
        try:
            async with httpx.AsyncClient() as client:
                answer = await client.post(app.url, content=request.body, headers=headers)
        except httpx.TransportError:
            return Reply(502, b"<html><body><h1>502 Bad Gateway</h1>nginx</body></html>", "text/html")
        return Reply(answer.status_code, answer.content)

    with app, LoopbackReceiver(gateway) as front:
        certification = certify(front)
    found = results(certification)
    assert found["valid-delivery"].verdict is Verdict.PASS
    for name in HOSTILE:
        assert found[name].verdict is Verdict.WARN, name
        assert found[name].kind == "weak-refusal"
        assert "HTTP 502" in found[name].explanation
        assert "a crash or a gateway in front of a dead app answers the same" in found[name].explanation
    liveness = found["still-accepting"]
    assert liveness.verdict is Verdict.FAIL
    assert "stopped accepting valid deliveries after forged-signature" in liveness.explanation
    assert "HTTP 502" in liveness.explanation
    assert {found[n].verdict for n in ("raw-bytes", "non-ascii", "duplicate-delivery")} == {Verdict.NOT_RUN}
    assert found["within-budget"].verdict is Verdict.PASS  # a 502 is still a prompt answer
    assert not certification.passed


def test_a_refusal_with_http_200_and_an_error_body_passes_as_the_engine_reads_it() -> None:
    refusal = Reply(200, b'{"status":"ERROR","error":{"message":"invalid signature"}}')
    certification = certify(Partner(refusal=refusal))
    found = results(certification)
    for name in HOSTILE:
        assert found[name].verdict is Verdict.PASS, found[name]
        assert "HTTP 200" in found[name].explanation
        assert "with an error body ('invalid signature')" in found[name].explanation
    assert certification.passed


@pytest.mark.parametrize("status", [500, 401])
def test_a_receiver_crashing_after_missing_signature_gets_the_liveness_verdict_naming_it(status: int) -> None:
    """It answers the unsigned delivery (a 500 from its framework, or a 401) and then its process is gone."""

    def refusal(request: Request) -> Reply:
        if "x-cata-signature" not in request.headers:
            return Reply(status, b'{"error":"KeyError: x-cata-signature"}', crash="after-answer")
        return Reply(401, b'{"error":"invalid signature"}')

    certification = certify(Partner(refusal=refusal))
    found = results(certification)
    liveness = found["still-accepting"]
    assert liveness.verdict is Verdict.FAIL
    assert liveness.kind == "stopped-accepting"
    assert "stopped accepting valid deliveries after missing-signature" in liveness.explanation
    assert "connection refused" in liveness.explanation
    assert found["missing-signature"].verdict is (Verdict.WARN if status >= 500 else Verdict.PASS)
    wrong = found["wrong-secret"]
    assert wrong.verdict is Verdict.FAIL
    assert "the receiver had stopped after missing-signature" in wrong.explanation
    for name in ("raw-bytes", "non-ascii", "duplicate-delivery"):
        assert found[name].verdict is Verdict.NOT_RUN, "not blamed for the crash"
        assert "after missing-signature" in found[name].explanation
    budget = found["within-budget"]
    assert budget.verdict is Verdict.FAIL, "unanswered deliveries fail the budget"
    assert "wrong-secret (connection refused" in budget.explanation


def test_a_dead_url_ends_after_one_delivery_with_one_verdict() -> None:
    with LoopbackReceiver(Partner()) as server:
        url = server.url  # the port was live a moment ago; now nothing listens on it
    started = time.monotonic()
    certification = check_receiver(url, SECRET, budget_s=30.0)
    elapsed = time.monotonic() - started
    assert len(certification.answers) == 1
    (failed,) = certification.with_verdict(Verdict.FAIL)
    assert failed.kind == "unreachable"
    assert "connection refused (127.0.0.1:" in failed.explanation
    assert "the other 8 checks were not run" in failed.explanation
    assert len(certification.with_verdict(Verdict.NOT_RUN)) == 8
    assert elapsed < 5, f"a dead receiver took {elapsed:.1f} s"


def test_a_receiver_that_creates_a_second_order_on_a_duplicate_gets_a_warning() -> None:
    certification = certify(Partner(dedupe=False))
    duplicate = results(certification)["duplicate-delivery"]
    assert duplicate.verdict is Verdict.WARN
    assert duplicate.kind == "second-order"
    assert "externalOrderId 'pos-" in duplicate.explanation
    assert "your receiver created a second order for SBX-" in duplicate.explanation
    assert "dedupe on the order (orderRefNo), not only on X-Cata-Delivery-ID" in duplicate.explanation
    assert certification.passed, "a warning is not a failure"


def test_a_valid_delivery_refused_shows_the_receivers_status_and_body() -> None:
    refusal = Reply(401, b'{"message":"X-Hub-Signature does not match blob signature"}')
    certification = certify(Partner(check=lambda body, sig: False, refusal=refusal))
    found = results(certification)
    valid = found["valid-delivery"]
    assert valid.verdict is Verdict.FAIL
    assert "HTTP 401 in" in valid.explanation
    assert "X-Hub-Signature does not match blob signature" in valid.explanation
    assert "callback returned HTTP 401" in valid.explanation
    for name in HOSTILE:
        assert found[name].verdict is Verdict.WARN, "refusing everything proves nothing"
        assert found[name].kind == "refuses-everything"
    raw = found["raw-bytes"]
    assert raw.verdict is Verdict.FAIL
    assert "the same order as compact JSON was refused too (HTTP 401" in raw.explanation
    assert "re-serialized" not in raw.explanation, "no such hint: nothing at all was accepted"
    non_ascii = found["non-ascii"]
    assert "the same order with \\u escapes was refused too (HTTP 401" in non_ascii.explanation
    assert "UTF-8" not in non_ascii.explanation.split("refused too")[1]


def test_a_receiver_verifying_re_serialized_json_is_told_to_check_the_raw_body() -> None:
    """JSON.stringify(JSON.parse(body)) style: 12.50 becomes 12.5, so even compact orders are refused."""
    found = results(certify(Partner(check=verifies_reserialized)))
    valid = found["valid-delivery"]
    assert valid.verdict is Verdict.FAIL
    assert "computes the HMAC-SHA256 over the raw request body" in valid.explanation
    assert found["raw-bytes"].verdict is Verdict.FAIL


def test_a_receiver_refusing_one_order_in_any_formatting_gets_no_formatting_verdict() -> None:
    """Compact orders pass, the raw-bytes order is refused however written: its content, not its bytes."""
    refused_ref = json.loads(OrderFactory().order(CERTIFY_SEED, 1, now=SYSTEM_CLOCK.now()).body)["orderRefNo"]

    def refuses_one_order(body: bytes, signature: str | None) -> bool:
        return verify(SECRET, body, signature) and json.loads(body)["orderRefNo"] != refused_ref

    raw = results(certify(Partner(check=refuses_one_order)))["raw-bytes"]
    assert raw.verdict is Verdict.FAIL
    assert "while other compact orders were accepted (valid-delivery, still-accepting)" in raw.explanation
    assert "the receiver refuses this order whatever its formatting" in raw.explanation


def test_the_re_serialized_json_hint_names_the_compact_probe_when_that_was_accepted() -> None:
    """A receiver that re-serializes exactly like our compact encoder: the probe itself is accepted."""

    def reserializes_with_decimals(body: bytes, signature: str | None) -> bool:
        document = json.loads(body, parse_float=Decimal)
        return verify(SECRET, encode_order(document), signature)

    raw = results(certify(Partner(check=reserializes_with_decimals)))["raw-bytes"]
    assert raw.verdict is Verdict.FAIL
    assert "the same order as compact JSON was accepted (HTTP 200" in raw.explanation
    assert "re-serialized JSON" in raw.explanation


def test_the_raw_utf8_hint_comes_with_its_evidence() -> None:
    found = results(certify(Partner(check=verifies_latin1_text)))
    non_ascii = found["non-ascii"]
    assert non_ascii.verdict is Verdict.FAIL
    assert "as \\u escapes was accepted (HTTP 200" in non_ascii.explanation
    assert "decode them as UTF-8" in non_ascii.explanation
    assert found["raw-bytes"].verdict is Verdict.PASS


def test_a_receiver_that_skips_verification_fails_every_refusal_with_the_engines_reading() -> None:
    found = results(certify(Partner(check=skips_verification)))
    for name in HOSTILE:
        assert found[name].verdict is Verdict.FAIL
        assert found[name].kind == "accepted"
        assert "which Cata records as dispatched" in found[name].explanation
        assert 'body {"externalOrderId": "pos-' in found[name].explanation
