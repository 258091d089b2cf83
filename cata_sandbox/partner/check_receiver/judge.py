"""Each check's verdict from the receiver's answers, by the engine's rules, with the evidence that decided it.

Pure functions: the runner sends, these judge. A hint is given only when the evidence supports it (a
probe's answer, the kind of transport failure), never because a check merely failed.
"""

from __future__ import annotations

import base64
import binascii

from cata_sandbox.net.failures import FailureKind
from cata_sandbox.partner.check_receiver.model import Answer, CheckResult, Verdict
from cata_sandbox.signing import PREFIX

SLOW_HINT = (
    "Cata gives up when the whole exchange, to the last byte of the answer, outlasts the budget: "
    "answer 2xx first and do slow POS work after"
)


def accepted_check(
    name: str, title: str, answer: Answer, *, hint: str = "", extra: tuple[Answer, ...] = ()
) -> CheckResult:
    """A correctly signed delivery must be accepted: a 2xx whose body does not say it failed."""
    time_ms = answer.latency_ms + sum(probe.latency_ms for probe in extra)
    if answer.accepted:
        return CheckResult(name, title, Verdict.PASS, answer.headline(), answer.latency_ms, time_ms)
    why = f"{answer.described()}; Cata would record the order as not dispatched: {answer.cata_reason}"
    if answer.failure is FailureKind.TIMEOUT:
        hint = hint or SLOW_HINT
    explanation = f"{why}. {hint}" if hint else why
    return CheckResult(
        name, title, Verdict.FAIL, explanation, answer.latency_ms, time_ms, kind=_not_accepted(answer)
    )


def valid_check(name: str, title: str, answer: Answer) -> CheckResult:
    """The first delivery: accepted, and whether the answer carried ``externalOrderId``."""
    hint = ""
    if answer.status in (401, 403):
        hint = (
            "check that --secret is the secret the receiver verifies with, and that it computes the "
            "HMAC-SHA256 over the raw request body"
        )
    result = accepted_check(name, title, answer, hint=hint)
    if result.verdict is not Verdict.PASS:
        return result
    external = answer.outcome.external_order_id
    detail = (
        f"returned externalOrderId {external!r}"
        if external
        else "no externalOrderId in the answer (optional: Cata stores it for reconciliation)"
    )
    return CheckResult(
        name, title, Verdict.PASS, f"{answer.headline()}; {detail}", answer.latency_ms, answer.latency_ms
    )


def unreachable_check(name: str, title: str, answer: Answer, not_run: int) -> CheckResult:
    """The first delivery got no connection or no answer at all: one verdict, nothing else is tried."""
    return CheckResult(
        name,
        title,
        Verdict.FAIL,
        f"the receiver cannot be reached: {answer.headline()}; the other {not_run} checks were not run. "
        "Start the receiver, or correct the URL (scheme, host, port, path)",
        answer.latency_ms,
        answer.latency_ms,
        kind="unreachable",
    )


def refusal_check(
    name: str,
    title: str,
    answer: Answer,
    *,
    valid_signature: str,
    secret: str,
    valid: Answer,
    stopped_after: str | None = None,
) -> CheckResult:
    """A hostile delivery must be refused: an answer Cata records as not dispatched, ideally a 4xx."""

    def result(verdict: Verdict, explanation: str, kind: str = "") -> CheckResult:
        return CheckResult(name, title, verdict, explanation, answer.latency_ms, answer.latency_ms, kind)

    leak = find_leak(answer.body, valid_signature, secret) if answer.answered else None
    if leak is not None:
        return result(
            Verdict.FAIL,
            f"leaks-signature: {answer.described()}: the answer contains {leak}, so anyone can forge a "
            "delivery by sending it back; never put the expected signature or the secret in an answer",
            "leaks-signature",
        )
    if not answer.answered:
        explanation = f"{answer.headline()}: a refusal must still be an HTTP answer (e.g. 401)"
        if stopped_after is not None:
            explanation += f"; the receiver had stopped after {stopped_after} (see still-accepting)"
        return result(Verdict.FAIL, explanation, "no-answer")
    if answer.accepted:
        return result(
            Verdict.FAIL,
            f"accepted it: {answer.described()}, which Cata records as dispatched; verify X-Cata-Signature "
            "(sha256= + HMAC-SHA256 of the raw body with the secret) and answer 401 when it does not match",
            "accepted",
        )
    refused = answer.headline()
    status = answer.status or 0
    if 200 <= status < 300:
        refused += f" with an error body ({answer.outcome.message!r}), which Cata records as not dispatched"
    if valid.answered and not valid.accepted:
        return result(
            Verdict.WARN,
            f"{refused}, but the valid delivery was refused too ({valid.headline()}), so this does not "
            "show that the signature is checked",
            "refuses-everything",
        )
    if status >= 500:
        return result(
            Verdict.WARN,
            f"{answer.described()}: a 5xx is a weak refusal, since a crash or a gateway in "
            "front of a dead app answers the same; answer a bad signature with 401",
            "weak-refusal",
        )
    if 300 <= status < 400:
        return result(
            Verdict.WARN,
            f"{refused}: Cata follows no redirect, so the order is not dispatched, but a redirect is not a "
            "refusal; answer a bad signature with 401",
            "weak-refusal",
        )
    return result(Verdict.PASS, refused)


def find_leak(body: bytes, valid_signature: str, secret: str) -> str | None:
    """Where ``body`` gives away the signature that would have been valid, or the secret; None if nowhere."""
    digest = valid_signature.removeprefix(PREFIX)
    lowered = body.lower()
    forms: list[tuple[bytes, bytes, str]] = [
        (lowered, valid_signature.lower().encode(), "the valid signature"),
        (lowered, digest.lower().encode(), "the valid signature's hex digest"),
        (body, base64.b64encode(binascii.unhexlify(digest)), "the valid signature's digest in base64"),
        (body, secret.encode("utf-8"), "the webhook secret"),
    ]
    for haystack, needle, what in forms:
        at = haystack.find(needle) if needle else -1
        if at >= 0:
            return f"{what} (at byte {at})"
    return None


def liveness_check(name: str, title: str, probe: Answer, culprit: str, not_run: list[str]) -> CheckResult:
    """After the hostile deliveries a new valid one was not accepted: the receiver broke on one of them."""
    return CheckResult(
        name,
        title,
        Verdict.FAIL,
        f"the receiver stopped accepting valid deliveries after {culprit}: a new, correctly signed order "
        f"then got {probe.described()}; {', '.join(not_run)} were not run. Refuse a bad delivery and keep "
        "serving: no request may take the receiver down",
        probe.latency_ms,
        probe.latency_ms,
        kind="stopped-accepting",
    )


def culprit(valid: Answer, hostile: list[Answer]) -> str:
    """The delivery after which the receiver stopped working, from how each hostile one was answered.

    A delivery answered with a 5xx, or cut off after connecting, broke it itself; a refused connection
    means it was already down, so the delivery before broke it. Otherwise the last hostile one is named.
    """
    previous = valid.delivery
    for answer in hostile:
        if answer.failure is FailureKind.NO_CONNECTION:
            return previous
        if not answer.answered or (answer.status or 0) >= 500:
            return answer.delivery
        previous = answer.delivery
    return previous


def duplicate_check(name: str, title: str, first: Answer, repeat: Answer, order_ref: str) -> CheckResult:
    """The same order again (new delivery id) gets 2xx, and the same ``externalOrderId`` when it had one."""
    hint = ""
    if first.accepted and repeat.answered:
        hint = (
            "the same bytes were accepted the first time: a repeated delivery must be answered 2xx "
            "(dedupe it, but do not fail it)"
        )
    result = accepted_check(name, title, repeat, hint=hint)
    if result.verdict is not Verdict.PASS:
        return result
    was, now = first.outcome.external_order_id, repeat.outcome.external_order_id
    if was and now and was != now:
        return CheckResult(
            name,
            title,
            Verdict.WARN,
            f"{repeat.headline()}, but with externalOrderId {now!r} where the first delivery got {was!r}: "
            f"your receiver created a second order for {order_ref}; dedupe on the order (orderRefNo), not "
            "only on X-Cata-Delivery-ID, which is new for every attempt",
            repeat.latency_ms,
            repeat.latency_ms,
            kind="second-order",
        )
    same = f" (the same externalOrderId {now!r} as the first delivery)" if now and now == was else ""
    if not (was and now):
        same = "; no externalOrderId to compare, so a second order would not show here"
    return CheckResult(
        name, title, Verdict.PASS, f"{repeat.headline()}{same}", repeat.latency_ms, repeat.latency_ms
    )


def budget_check(name: str, title: str, answers: list[Answer], budget_s: float) -> CheckResult:
    """Every delivery is answered, to its last body byte, within the budget; the slowest is named."""
    answered = [answer for answer in answers if answer.answered]
    slowest = max(answered, key=lambda answer: answer.latency_ms, default=None)
    longest = max((answer.latency_ms for answer in answers), default=None)
    slowest_text = (
        f"slowest complete answer {slowest.latency_ms:.0f} ms ({slowest.delivery})"
        if slowest
        else "no delivery answered"
    )
    missing = [answer for answer in answers if not answer.answered]
    over = [answer for answer in answered if answer.latency_ms > budget_s * 1000]
    if missing or over:
        late = ", ".join(
            f"{a.delivery} ({a.error or 'answered'}, at {a.latency_ms:.0f} ms)" for a in [*missing, *over]
        )
        return CheckResult(
            name,
            title,
            Verdict.FAIL,
            f"{len(missing) + len(over)} of {len(answers)} deliveries got no complete answer within the "
            f"{budget_s:g}s budget: {late}; {slowest_text}, budget {budget_s:g}s",
            longest,
            kind="over-budget",
        )
    return CheckResult(
        name,
        title,
        Verdict.PASS,
        f"{slowest_text}, budget {budget_s:g}s",
        longest,
    )


def _not_accepted(answer: Answer) -> str:
    if not answer.answered:
        return "no-answer"
    return "error-body" if 200 <= (answer.status or 0) < 300 else "refused"
