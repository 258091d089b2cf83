"""What ``check-receiver`` found: each delivery's answer read by the engine's rules, each check's verdict."""

from __future__ import annotations

import enum
import json
from dataclasses import dataclass, field

from cata_sandbox.classify import NOT_DISPATCHED, Outcome, transport_reason, webhook_outcome, webhook_reason
from cata_sandbox.delivery import Exchange
from cata_sandbox.net.failures import FailureKind

PREVIEW_BYTES = 200


class Verdict(enum.Enum):
    """A check passes, passes with a warning (it holds, but weakly), fails, or was not run."""

    PASS = "pass"
    WARN = "warn"
    FAIL = "fail"
    NOT_RUN = "not-run"


@dataclass(frozen=True, slots=True)
class Answer:
    """What the receiver did with one delivery (``delivery`` names it), as the dispatch engine reads it."""

    delivery: str
    status: int | None
    body: bytes
    latency_ms: float
    error: str | None = None
    failure: FailureKind | None = None

    @classmethod
    def of(cls, delivery: str, exchange: Exchange) -> Answer:
        return cls(
            delivery,
            exchange.status,
            exchange.body,
            exchange.duration_ms,
            exchange.error,
            exchange.failure,
        )

    @property
    def answered(self) -> bool:
        return self.status is not None

    @property
    def outcome(self) -> Outcome:
        """The engine's reading: dispatched only for a 2xx whose body does not say it failed."""
        return NOT_DISPATCHED if self.status is None else webhook_outcome(self.status, self.body)

    @property
    def accepted(self) -> bool:
        return self.outcome.dispatched

    @property
    def cata_reason(self) -> str:
        """The reason Cata would store for this answer (empty when it counts as dispatched)."""
        if self.status is None:
            return transport_reason(self.error or "no answer")
        return webhook_reason(self.status, self.outcome)

    def headline(self) -> str:
        """``HTTP 401 in 3 ms``, or ``no HTTP answer after 3001 ms: timeout after 3s``."""
        if self.status is None:
            return f"no HTTP answer after {self.latency_ms:.0f} ms: {self.error}"
        return f"HTTP {self.status} in {self.latency_ms:.0f} ms"

    def described(self) -> str:
        """The headline with the first bytes of the body: the evidence a failing check shows."""
        if self.status is None:
            return self.headline()
        return f"{self.headline()}, body {body_preview(self.body)}"


def body_preview(body: bytes, limit: int = PREVIEW_BYTES) -> str:
    """The first ``limit`` bytes as one quoted line (invalid UTF-8 replaced), saying how much was cut."""
    if not body:
        return "(empty)"
    text = body[:limit].decode("utf-8", errors="replace").translate(_CONTROL_ESCAPES)
    return text if len(body) <= limit else f"{text}... ({len(body) - limit} more bytes)"


# Control characters written as escapes, so a body (an HTML page, say) stays on one line.
_CONTROL_ESCAPES = {
    code: json.dumps(chr(code))[1:-1] if code != 0x7F else "\\u007f" for code in (*range(0x20), 0x7F)
}


@dataclass(frozen=True, slots=True)
class CheckResult:
    """One named check. ``kind`` names what a failure or warning is (``leaks-signature``, ``no-answer``)."""

    name: str
    title: str
    verdict: Verdict
    explanation: str
    latency_ms: float | None = None  # the latency shown for the check
    time_ms: float = 0.0  # the time of the check's own deliveries, each counted once
    kind: str = ""

    @property
    def passed(self) -> bool:
        return self.verdict in (Verdict.PASS, Verdict.WARN)


@dataclass(slots=True)
class Certification:
    """Every check's result and every delivery's answer (each delivery once, in the order sent)."""

    url: str
    budget_s: float
    results: list[CheckResult] = field(default_factory=list)
    answers: list[Answer] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        """Nothing failed (warnings allowed): the exit code is 0."""
        return not self.with_verdict(Verdict.FAIL)

    def with_verdict(self, verdict: Verdict) -> list[CheckResult]:
        return [result for result in self.results if result.verdict is verdict]

    @property
    def total_ms(self) -> float:
        return sum(answer.latency_ms for answer in self.answers)
