"""The run of ``check-receiver``: which deliveries go out, in which order, and when the run stops early.

Every delivery is the engine's webhook request (:func:`cata_sandbox.delivery.webhook_request`) sent by
the engine's :class:`~cata_sandbox.delivery.Sender`: one budget for the whole exchange, no redirects,
the engine's body cap. A receiver that cannot be reached ends the run after the first delivery; one that
stops accepting valid deliveries after a hostile one ends it after the liveness delivery.
"""

from __future__ import annotations

import asyncio
import secrets
import uuid
from collections.abc import Callable

import httpx

from cata_sandbox import signing
from cata_sandbox.clock import SYSTEM_CLOCK, Clock
from cata_sandbox.delivery import Sender, attempt_headers, outbound_client, webhook_request
from cata_sandbox.net.failures import FailureKind
from cata_sandbox.net.transport import AiohttpTransport, trust
from cata_sandbox.partner.check_receiver import judge, tls_check
from cata_sandbox.partner.check_receiver.bodies import (
    ascii_escaped,
    non_ascii_order,
    tamper_one_byte,
    unusual_json,
)
from cata_sandbox.partner.check_receiver.model import Answer, Certification, CheckResult, Verdict
from cata_sandbox.partner.fake_orders import FakeOrder, OrderFactory, encode_order
from cata_sandbox.settings import Settings

EVENT = "order.paid"
CERTIFY_SEED = 20261127
DEFAULTS = Settings()
TITLES = {
    "valid-delivery": "a correctly signed delivery gets 2xx",
    "forged-signature": "a delivery with a forged signature is refused",
    "tampered-byte": "a delivery with one byte changed after signing is refused",
    "missing-signature": "a delivery without X-Cata-Signature is refused",
    "wrong-secret": "a delivery signed with another secret is refused",
    "still-accepting": "after the hostile deliveries, a new valid delivery is still accepted",
    "raw-bytes": "verifies over the raw bytes: unusually formatted, correctly signed JSON is accepted",
    "non-ascii": "an order with non-ASCII names and notes (raw UTF-8) is accepted",
    "duplicate-delivery": "the same order again (new delivery id) is answered 2xx, as the same order",
    "within-budget": "every delivery is answered, to the last byte, within the budget",
    tls_check.NAME: tls_check.TITLE,
}
# The ten checks of every run; still-accepting is reported only when the receiver failed it. The tls
# check, last, runs even when the deliveries cannot (it says why an https:// receiver was unreachable).
CHECKS = [name for name in TITLES if name != "still-accepting"]
DELIVERY_CHECKS = CHECKS[:-1]
AFTER_LIVENESS = ["raw-bytes", "non-ascii", "duplicate-delivery"]
Progress = Callable[[CheckResult], None]


class ReceiverChecker:
    """Runs the checks against one receiver URL with the partner's secret."""

    def __init__(
        self,
        url: str,
        secret: str,
        *,
        budget_s: float = DEFAULTS.dispatch_timeout_s,
        clock: Clock = SYSTEM_CLOCK,
        transport: httpx.AsyncBaseTransport | None = None,
        ca_bundle: str | None = None,
    ) -> None:
        self.url = url
        self.ca_bundle = ca_bundle
        self.secret = secret
        self.budget_s = budget_s
        self.clock = clock
        self._transport = transport
        self._certification = Certification(url=url, budget_s=budget_s)
        self._sender: Sender | None = None
        self._progress: Progress | None = None

    async def run(self, progress: Progress | None = None) -> Certification:
        transport = self._transport or AiohttpTransport(ssl_context=trust(self.ca_bundle))
        client = outbound_client(self.budget_s, transport)
        self._sender = Sender(
            client=client,
            transport=transport,
            budget_s=self.budget_s,
            body_cap=DEFAULTS.response_body_cap,
            clock=self.clock,
        )
        self._progress = progress
        try:
            await self._checks()
            self._record(await tls_check.tls_check(self.url, self.ca_bundle, self.budget_s))
        finally:
            await client.aclose()
        return self._certification

    async def _checks(self) -> None:
        factory = OrderFactory()
        now = self.clock.now()
        first, other, fresh = (factory.order(CERTIFY_SEED, index, now=now) for index in range(3))
        valid = first.body
        answer = await self._signed("valid-delivery", valid)
        if not answer.answered and answer.failure is not FailureKind.TIMEOUT:
            rest = DELIVERY_CHECKS[1:]
            self._record(
                judge.unreachable_check("valid-delivery", TITLES["valid-delivery"], answer, len(rest))
            )
            self._not_run(rest, "the receiver cannot be reached")
            return
        self._record(judge.valid_check("valid-delivery", TITLES["valid-delivery"], answer))
        hostile = [
            ("forged-signature", valid, "sha256=" + secrets.token_hex(32)),
            ("tampered-byte", tamper_one_byte(valid), signing.sign(self.secret, valid)),
            ("missing-signature", valid, None),
            ("wrong-secret", valid, signing.sign("whsec_" + secrets.token_urlsafe(32), valid)),
        ]
        refusals = [await self._deliver(name, body, signature) for name, body, signature in hostile]
        # Liveness: did a hostile delivery break a receiver that accepted the valid one?
        alive = await self._signed("still-accepting", fresh.body) if answer.accepted else None
        stopped_after = judge.culprit(answer, refusals) if alive and not alive.accepted else None
        for (name, body, _), refusal in zip(hostile, refusals, strict=True):
            self._record(
                judge.refusal_check(
                    name,
                    TITLES[name],
                    refusal,
                    valid_signature=signing.sign(self.secret, body),
                    secret=self.secret,
                    valid=answer,
                    stopped_after=stopped_after,
                )
            )
        if alive is not None and stopped_after is not None:
            liveness = judge.liveness_check(
                "still-accepting", TITLES["still-accepting"], alive, stopped_after, AFTER_LIVENESS
            )
            self._record(liveness)
            self._not_run(
                AFTER_LIVENESS, f"the receiver stopped accepting valid deliveries after {stopped_after}"
            )
        else:
            compact = [a for a in (answer, alive) if a is not None and a.accepted]
            self._record(await self._raw_bytes(other, compact))
            self._record(await self._non_ascii(first, compact))
            repeat = await self._signed("duplicate-delivery", valid)
            name = "duplicate-delivery"
            self._record(judge.duplicate_check(name, TITLES[name], answer, repeat, first.order_ref_no))
        answers = self._certification.answers
        self._record(judge.budget_check("within-budget", TITLES["within-budget"], answers, self.budget_s))

    async def _raw_bytes(self, order: FakeOrder, compact: list[Answer]) -> CheckResult:
        """Unusual formatting refused: would the compact bytes of the same order have been accepted, and
        were the compact bytes of other orders (``compact``)?"""
        answer = await self._signed("raw-bytes", unusual_json(order.order).encode("utf-8"))
        if not answer.answered or answer.accepted:
            return judge.accepted_check("raw-bytes", TITLES["raw-bytes"], answer)
        probe = await self._signed("raw-bytes, compact probe", order.body)
        if probe.accepted:
            hint = (
                f"the same order as compact JSON was accepted ({probe.headline()}), so the receiver checks "
                "the signature of re-serialized JSON: compute the HMAC over the raw request bytes"
            )
        elif compact:
            hint = (
                f"the same order as compact JSON was refused too ({probe.headline()}), while other compact "
                f"orders were accepted ({_names(compact)}): the receiver refuses this order whatever its "
                "formatting; if it verifies re-serialized JSON, that also rewrites numbers such as 12.50: "
                "compute the HMAC over the raw request bytes"
            )
        else:
            hint = f"the same order as compact JSON was refused too ({probe.headline()})"
        return judge.accepted_check("raw-bytes", TITLES["raw-bytes"], answer, hint=hint, extra=(probe,))

    async def _non_ascii(self, base: FakeOrder, compact: list[Answer]) -> CheckResult:
        """Raw UTF-8 refused: would the same order with ``\\u`` escapes have been accepted?"""
        body = encode_order(non_ascii_order(base.order))
        answer = await self._signed("non-ascii", body)
        if not answer.answered or answer.accepted:
            return judge.accepted_check("non-ascii", TITLES["non-ascii"], answer)
        probe = await self._signed("non-ascii, escaped probe", ascii_escaped(body))
        if probe.accepted:
            hint = (
                f"the same order with its non-ASCII text as \\u escapes was accepted ({probe.headline()}): "
                "read the body as raw bytes, verify the HMAC over them, and decode them as UTF-8"
            )
        elif compact:
            hint = (
                f"the same order with \\u escapes was refused too ({probe.headline()}), while other orders "
                f"were accepted ({_names(compact)}): the cause is this order's text, not the raw UTF-8"
            )
        else:
            hint = f"the same order with \\u escapes was refused too ({probe.headline()})"
        return judge.accepted_check("non-ascii", TITLES["non-ascii"], answer, hint=hint, extra=(probe,))

    async def _signed(self, name: str, body: bytes) -> Answer:
        return await self._deliver(name, body, signing.sign(self.secret, body))

    async def _deliver(self, name: str, body: bytes, signature: str | None) -> Answer:
        """One delivery exactly as the engine sends it, with its own delivery id and timestamp."""
        assert self._sender is not None
        request = webhook_request(
            self.url, body, signature, event=EVENT, timestamp=int(self.clock.now().timestamp())
        )
        headers = attempt_headers(request, str(uuid.uuid4()))
        exchange = await self._sender.exchange(request.method, request.url, headers, request.body)
        answer = Answer.of(name, exchange)
        self._certification.answers.append(answer)
        return answer

    def _record(self, result: CheckResult) -> None:
        self._certification.results.append(result)
        if self._progress is not None:
            self._progress(result)

    def _not_run(self, names: list[str], why: str) -> None:
        for name in names:
            self._certification.results.append(
                CheckResult(name, TITLES[name], Verdict.NOT_RUN, f"not run: {why}")
            )


def _names(answers: list[Answer]) -> str:
    return ", ".join(answer.delivery for answer in answers)


def check_receiver(
    url: str,
    secret: str,
    *,
    budget_s: float = DEFAULTS.dispatch_timeout_s,
    progress: Progress | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    ca_bundle: str | None = None,
) -> Certification:
    """Certify the receiver at ``url`` (blocking): every check's verdict and every delivery's answer."""
    checker = ReceiverChecker(url, secret, budget_s=budget_s, transport=transport, ca_bundle=ca_bundle)
    return asyncio.run(checker.run(progress))
