"""``cata-sandbox check-receiver``: certify a partner's webhook receiver with deliveries sent as Cata does.

Every delivery is a POST of Cata Order JSON bytes with ``Content-Type: application/json``,
``X-Cata-Signature: sha256=<hex>``, ``X-Cata-Event: order.paid``, a new ``X-Cata-Delivery-ID`` and
``X-Cata-Timestamp`` — the headers the dispatch engine sends. Some deliveries are correct and must be
accepted; some are forged, tampered or unsigned and must be refused. Each check is named, passes or
fails, and says why in one line.
"""

from __future__ import annotations

import json
import secrets
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx

from cata_sandbox import signing
from cata_sandbox.classify import interpret_generic
from cata_sandbox.clock import SYSTEM_CLOCK, Clock
from cata_sandbox.fake_orders import OrderFactory, encode_order

EVENT = "order.paid"
CERTIFY_SEED = 20261127
SUITE_NAME = "cata-sandbox check-receiver"


@dataclass(frozen=True, slots=True)
class Answer:
    """What the receiver did with one delivery."""

    status: int | None
    body: bytes
    latency_ms: float
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300

    def described(self) -> str:
        if self.status is None:
            return f"no HTTP answer ({self.error})"
        return f"HTTP {self.status} in {self.latency_ms:.0f} ms"


@dataclass(frozen=True, slots=True)
class CheckResult:
    name: str
    title: str
    passed: bool
    explanation: str
    latency_ms: float | None = None
    required: bool = True


@dataclass(slots=True)
class Certification:
    url: str
    timeout_s: float
    results: list[CheckResult] = field(default_factory=list)

    @property
    def failed(self) -> list[CheckResult]:
        return [r for r in self.results if not r.passed]

    @property
    def passed(self) -> bool:
        return not any(r.required and not r.passed for r in self.results)


def tamper_one_byte(body: bytes) -> bytes:
    """``body`` with one byte of ``orderRefNo`` changed: still valid JSON, no longer what was signed."""
    marker = b'"orderRefNo":"'
    at = body.index(marker) + len(marker)
    original = body[at : at + 1]
    replacement = b"X" if original != b"X" else b"Y"
    return body[:at] + replacement + body[at + 1 :]


def unusual_json(value: Any, depth: int = 0) -> str:
    """Valid JSON a re-serializer would never produce: odd whitespace, keys reversed, every string \\u-escaped
    beyond ASCII and ``/`` escaped, decimals with their trailing zeros."""
    pad = "\n" + "\t" * depth + "  "
    if isinstance(value, dict):
        members = [f"{json.dumps(key)} :{pad}{unusual_json(item, depth + 1)}" for key, item in value.items()]
        return "{ " + (" ,\r\n" + "\t" * depth).join(reversed(members)) + "\n" + "\t" * depth + "}"
    if isinstance(value, list):
        return "[" + pad + ("," + pad).join(unusual_json(item, depth + 1) for item in value) + " ]"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=True).replace("/", "\\/")
    if isinstance(value, datetime):
        return json.dumps(value.isoformat())
    if isinstance(value, Decimal):
        return str(value)
    return json.dumps(value)


def non_ascii_order(base: dict[str, Any]) -> dict[str, Any]:
    """``base`` with names, items and notes in several scripts (sent as raw UTF-8, not escaped)."""
    order = dict(base)
    order["orderRefNo"] = f"{base['orderRefNo']}-ÜNI"
    order["customer"] = {
        "firstName": "Zoë",
        "lastName": "Łukasiewicz-山田",
        "phone": "+65 9123 4567",
        "email": "zoe@example.com",
    }
    first = dict(base["items"][0])
    first["name"] = f"{first['name']} — crème brûlée edition ☕"
    first["notes"] = "不要辣, ไม่ใส่ผักชี, без лука 🙏"
    order["items"] = [first, *base["items"][1:]]
    order["notes"] = "Café “door” code: 1234 — danke schön"
    return order


class ReceiverChecker:
    """Runs the checks against one receiver URL with the partner's secret."""

    def __init__(
        self,
        url: str,
        secret: str,
        *,
        timeout_s: float = 30.0,
        clock: Clock = SYSTEM_CLOCK,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.url = url
        self.secret = secret
        self.timeout_s = timeout_s
        self.clock = clock
        self.http = httpx.Client(timeout=timeout_s, follow_redirects=False, transport=transport)
        self.answers: dict[str, Answer] = {}

    def close(self) -> None:
        self.http.close()

    def headers(self, body: bytes, *, signature: str | None) -> dict[str, str]:
        headers = {
            "Content-Type": "application/json",
            "X-Cata-Event": EVENT,
            "X-Cata-Delivery-ID": str(uuid.uuid4()),
            "X-Cata-Timestamp": str(int(self.clock.now().timestamp())),
        }
        if signature is not None:
            headers[signing.SIGNATURE_HEADER] = signature
        return headers

    def deliver(self, name: str, body: bytes, *, signature: str | None) -> Answer:
        started = self.clock.monotonic()
        try:
            response = self.http.post(self.url, content=body, headers=self.headers(body, signature=signature))
            answer = Answer(response.status_code, response.content, (self.clock.monotonic() - started) * 1000)
        except httpx.TimeoutException:
            elapsed = (self.clock.monotonic() - started) * 1000
            answer = Answer(None, b"", elapsed, f"no answer within {self.timeout_s:g}s")
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            elapsed = (self.clock.monotonic() - started) * 1000
            answer = Answer(None, b"", elapsed, f"{type(exc).__name__}: {exc}")
        self.answers[name] = answer
        return answer

    def run(self, progress: Callable[[CheckResult], None] | None = None) -> Certification:
        factory = OrderFactory()
        now = self.clock.now()
        base = factory.order(CERTIFY_SEED, 0, now=now)
        other = factory.order(CERTIFY_SEED, 1, now=now).order
        certification = Certification(url=self.url, timeout_s=self.timeout_s)

        def record(result: CheckResult) -> None:
            certification.results.append(result)
            if progress is not None:
                progress(result)

        valid = base.body
        record(self._accepted("valid-delivery", "a correctly signed delivery gets 2xx", valid, first=True))
        record(
            self._refused(
                "forged-signature",
                "a delivery with a forged signature is refused",
                valid,
                "sha256=" + secrets.token_hex(32),
            )
        )
        record(
            self._refused(
                "tampered-byte",
                "a delivery with one byte changed after signing is refused",
                tamper_one_byte(valid),
                signing.sign(self.secret, valid),
            )
        )
        record(
            self._refused("missing-signature", "a delivery without X-Cata-Signature is refused", valid, None)
        )
        record(
            self._refused(
                "wrong-secret",
                "a delivery signed with another secret is refused",
                valid,
                signing.sign("whsec_" + secrets.token_urlsafe(32), valid),
            )
        )
        unusual = unusual_json(other).encode("utf-8")
        record(
            self._accepted(
                "raw-bytes",
                "verifies over the raw bytes: unusually formatted, correctly signed JSON is accepted",
                unusual,
                hint=(
                    "a correctly signed body with odd whitespace, key order and \\u escapes was refused: "
                    "compute the HMAC over the raw request bytes, never over re-serialized JSON"
                ),
            )
        )
        record(
            self._accepted(
                "non-ascii",
                "an order with non-ASCII names and notes (raw UTF-8) is accepted",
                encode_order(non_ascii_order(base.order)),
                hint="read the body as bytes and decode it as UTF-8; sign and verify the bytes, not text",
            )
        )
        record(self._duplicate(valid))
        record(self._within_budget())
        return certification

    def _accepted(
        self, name: str, title: str, body: bytes, *, first: bool = False, hint: str = ""
    ) -> CheckResult:
        answer = self.deliver(name, body, signature=signing.sign(self.secret, body))
        if not answer.ok:
            why = hint or "a delivery signed with the registered secret over its exact bytes was refused"
            return CheckResult(name, title, False, f"{answer.described()}: {why}", answer.latency_ms)
        outcome = interpret_generic(answer.status or 200, answer.body)
        if not outcome.dispatched:
            return CheckResult(
                name,
                title,
                False,
                f"{answer.described()} but the body says it failed ({outcome.message}); "
                "Cata would record the order as not dispatched",
                answer.latency_ms,
            )
        detail = answer.described()
        if first:
            detail += (
                f"; returned externalOrderId {outcome.external_order_id!r}"
                if outcome.external_order_id
                else "; no externalOrderId in the answer (optional: Cata stores it for reconciliation)"
            )
        return CheckResult(name, title, True, detail, answer.latency_ms)

    def _refused(self, name: str, title: str, body: bytes, signature: str | None) -> CheckResult:
        answer = self.deliver(name, body, signature=signature)
        if answer.status is None:
            return CheckResult(
                name,
                title,
                False,
                f"{answer.described()}: a refusal must still be an HTTP answer (e.g. 401)",
                answer.latency_ms,
            )
        if answer.ok:
            return CheckResult(
                name,
                title,
                False,
                f"accepted it with HTTP {answer.status}: the receiver must check X-Cata-Signature "
                "(HMAC-SHA256 of the raw body with its secret) and answer non-2xx when it does not match",
                answer.latency_ms,
            )
        return CheckResult(name, title, True, f"refused with HTTP {answer.status}", answer.latency_ms)

    def _duplicate(self, body: bytes) -> CheckResult:
        name, title = "duplicate-delivery", "the same order delivered again (new delivery id) is answered 2xx"
        answer = self.deliver(name, body, signature=signing.sign(self.secret, body))
        if not answer.ok:
            return CheckResult(
                name,
                title,
                False,
                f"{answer.described()}: a repeated delivery must be answered 2xx (dedupe on "
                "X-Cata-Delivery-ID or orderRefNo, but do not fail it)",
                answer.latency_ms,
            )
        first = self.answers.get("valid-delivery")
        now_id = interpret_generic(answer.status or 200, answer.body).external_order_id
        was_id = interpret_generic(first.status or 200, first.body).external_order_id if first else ""
        same = " (same externalOrderId as the first delivery)" if now_id and now_id == was_id else ""
        return CheckResult(name, title, True, f"{answer.described()}{same}", answer.latency_ms)

    def _within_budget(self) -> CheckResult:
        name, title = "within-budget", f"every delivery is answered within the {self.timeout_s:g}s budget"
        late = [
            check
            for check, answer in self.answers.items()
            if answer.error and "no answer within" in answer.error
        ]
        answered = [(a.latency_ms, check) for check, a in self.answers.items() if a.status is not None]
        slowest = max(answered) if answered else None
        if late:
            return CheckResult(
                name,
                title,
                False,
                f"no answer within {self.timeout_s:g}s to: {', '.join(late)} (Cata gives up and records "
                "`http request failed`); answer first, do slow POS work after",
                slowest[0] if slowest else None,
            )
        if slowest is None:
            return CheckResult(name, title, False, "the receiver never answered", None)
        return CheckResult(
            name,
            title,
            True,
            f"slowest answer {slowest[0]:.0f} ms ({slowest[1]}), budget {self.timeout_s:g}s",
            slowest[0],
        )


def check_receiver(
    url: str,
    secret: str,
    *,
    timeout_s: float = 30.0,
    progress: Callable[[CheckResult], None] | None = None,
) -> Certification:
    checker = ReceiverChecker(url, secret, timeout_s=timeout_s)
    try:
        return checker.run(progress)
    finally:
        checker.close()


def junit_xml(certification: Certification, now: datetime | None = None) -> bytes:
    """One ``testcase`` per check; a failed check carries a ``failure`` with its explanation."""
    stamp = (now or SYSTEM_CLOCK.now()).astimezone(UTC).replace(microsecond=0, tzinfo=None)
    total_s = sum((r.latency_ms or 0.0) for r in certification.results) / 1000
    suites = ET.Element("testsuites", name=SUITE_NAME)
    suite = ET.SubElement(
        suites,
        "testsuite",
        name=SUITE_NAME,
        tests=str(len(certification.results)),
        failures=str(len(certification.failed)),
        errors="0",
        skipped="0",
        time=f"{total_s:.3f}",
        timestamp=stamp.isoformat(),
        hostname="cata-sandbox",
    )
    properties = ET.SubElement(suite, "properties")
    ET.SubElement(properties, "property", name="receiverUrl", value=certification.url)
    ET.SubElement(properties, "property", name="budgetSeconds", value=f"{certification.timeout_s:g}")
    for result in certification.results:
        case = ET.SubElement(
            suite,
            "testcase",
            classname="check-receiver",
            name=result.name,
            time=f"{(result.latency_ms or 0.0) / 1000:.3f}",
        )
        if not result.passed:
            failure = ET.SubElement(case, "failure", message=result.explanation, type="ReceiverCheckFailed")
            failure.text = f"{result.title}: {result.explanation}"
        else:
            ET.SubElement(case, "system-out").text = result.explanation
    ET.indent(suites)
    document: bytes = ET.tostring(suites, encoding="utf-8", xml_declaration=True)
    return document


def write_junit(certification: Certification, path: Path) -> None:
    path.write_bytes(junit_xml(certification))
