"""The two-tier script pipeline of ADR 0002, run by the engine after the order is committed.

``_standard/order_dispatch.js`` always runs first; with ``builtInTransformer`` the provider's
``order_dispatch.js`` runs next with ``input.standard`` and owns url, method, headers and body. The POS's
answer is read by the seed's rules, or by the provider script's optional ``interpret(response)`` (called
for every HTTP answer, 2xx or not). ``context.http`` goes through the service's own :class:`Sender`, so the
callback policy, the body cap and the remaining dispatch budget apply to it (see the README, "Adapter
scripts in the engine").
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from typing import Any

import msgspec

from cata_sandbox.adapters import AdapterRuntime, RunResult, precision_findings
from cata_sandbox.adapters.library import AdapterLibrary
from cata_sandbox.adapters.results import DispatchRequest, HttpAnswer
from cata_sandbox.classify import Outcome, interpret_generic, pos_reason
from cata_sandbox.delivery import Sender, webhook_request
from cata_sandbox.signing import SIGNATURE_HEADER
from cata_sandbox.transformers import OutboundRequest

__all__ = [
    "STANDARD",
    "TRANSFORMER_FAILED",
    "Reading",
    "ScriptBuild",
    "ScriptPipeline",
    "SenderHttp",
    "secret_config_values",
    "standard_request",
]

STANDARD = "_standard"
TOPIC = "order_dispatch"
TRANSFORMER_FAILED = "transformer failed: "
# Config keys whose values are credentials: redacted like apiKey and apiSecret.
_SECRET_KEY = re.compile(r"(?i)(secret|token|password|apikey)")
_CATA_HEADERS = ("X-Cata-Signature", "X-Cata-Event", "X-Cata-Timestamp")
_encoder = msgspec.json.Encoder()


class HostHttpFailed(Exception):
    """A ``context.http`` exchange that got no HTTP answer; the message is the service's own words."""


class SenderHttp:
    """``context.http`` on the service's outbound path: :class:`Sender` with its policy, cap and budget."""

    def __init__(self, sender: Sender) -> None:
        self.sender = sender

    async def request(
        self, method: str, url: str, headers: dict[str, str], body: bytes | None, *, timeout: float
    ) -> HttpAnswer:
        exchange = await self.sender.exchange(method, url, headers, body or b"", budget=timeout)
        if exchange.status is None:
            raise HostHttpFailed(exchange.error or "no answer")
        return exchange.status, exchange.headers, exchange.body


def secret_config_values(config: dict[str, Any]) -> list[str]:
    return [str(v) for k, v in config.items() if _SECRET_KEY.search(k) and isinstance(v, (str, int))]


@dataclass(frozen=True, slots=True)
class ScriptBuild:
    """The request the scripts built, or the reason they could not (``transformer failed: ...``)."""

    request: DispatchRequest | None
    error: str = ""
    logs: tuple[str, ...] = ()
    findings: tuple[dict[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class Reading:
    """What the answer meant; ``error`` is set when ``interpret`` itself failed."""

    outcome: Outcome
    reason: str
    error: str = ""
    logs: tuple[str, ...] = field(default=())


def standard_request(
    built: DispatchRequest, order_bytes: bytes, signature: str, *, event: str, timestamp: int
) -> OutboundRequest:
    """Path 1's request from the standard script: body null is the order's bytes with the X-Cata-* headers."""
    if built.body is not None:
        return OutboundRequest(
            method=built.method, url=built.url, headers=dict(built.headers), body=built.body
        )
    base = webhook_request(built.url, order_bytes, signature, event=event, timestamp=timestamp)
    headers = dict(built.headers)
    for name, value in base.headers.items():
        if name in _CATA_HEADERS or name == SIGNATURE_HEADER:
            headers[name] = value
        else:
            headers.setdefault(name, value)
    return OutboundRequest(method=built.method, url=built.url, headers=headers, body=order_bytes)


def _failed(result: RunResult, logs: list[str]) -> ScriptBuild:
    return ScriptBuild(None, TRANSFORMER_FAILED + str(result.error), tuple(logs + result.logs))


class ScriptPipeline:
    """Runs the dispatch scripts and ``interpret`` in the runtime's worker pool."""

    def __init__(self, library: AdapterLibrary, runtime: AdapterRuntime) -> None:
        self.library = library
        self.runtime = runtime

    def providers(self) -> list[str]:
        return self.library.providers()

    def has(self, provider: str) -> bool:
        return self.library.catalog.get(provider, TOPIC) is not None

    def standard_is_builtin(self) -> bool:
        return self.library.standard_is_builtin()

    def _sync(self) -> None:
        self.library.refresh_if_changed()
        self.runtime.catalog = self.library.catalog

    async def call(
        self, provider: str, topic: str, input: bytes, *, deadline: float, function: str = "transform"
    ) -> RunResult:
        """One call of any script (the inbound status flow's), with the current scripts."""
        self._sync()
        return await self.runtime.run(provider, topic, input, deadline=deadline, function=function)

    async def build(
        self, provider: str, input: dict[str, Any], order_bytes: bytes, *, deadline: float
    ) -> ScriptBuild:
        """The standard script, then (unless ``provider`` is ``_standard``) the provider's script."""
        self._sync()
        call = {**input, "payload": msgspec.Raw(order_bytes)}
        if provider != STANDARD and self.has(provider):
            # Both scripts in one worker message: the standard's request becomes input.standard there.
            chained = await self.runtime.run(
                STANDARD, TOPIC, _encoder.encode(call), deadline=deadline, then=provider
            )
            return self._built(provider, order_bytes, chained, [])
        standard = await self.runtime.run(STANDARD, TOPIC, _encoder.encode(call), deadline=deadline)
        if not standard.ok:
            return _failed(standard, [])
        logs = list(standard.logs)
        if provider == STANDARD:
            return ScriptBuild(standard.request, logs=tuple(logs))
        call["standard"] = msgspec.Raw(standard.text)
        result = await self.runtime.run(provider, TOPIC, _encoder.encode(call), deadline=deadline)
        return self._built(provider, order_bytes, result, logs)

    def _built(self, provider: str, order_bytes: bytes, result: RunResult, logs: list[str]) -> ScriptBuild:
        if not result.ok or result.request is None:
            return _failed(result, logs)
        logs += result.logs
        request = result.request
        if request.url == "":
            return ScriptBuild(None, TRANSFORMER_FAILED + "script returned an empty url", tuple(logs))
        return ScriptBuild(request, logs=tuple(logs), findings=self._findings(provider, order_bytes, request))

    def _findings(
        self, provider: str, order_bytes: bytes, request: DispatchRequest
    ) -> tuple[dict[str, str], ...]:
        script = self.library.catalog.get(provider, TOPIC)
        if script is None or not script.prices or request.body is None:
            return ()
        try:
            found = precision_findings(order_bytes, request.body, script.prices)
        except ValueError:  # a body that is not JSON carries no prices the sandbox can read
            return ()
        return tuple(
            {
                "orderPath": f.order_path,
                "bodyPath": f.body_path,
                "order": f.order_text,
                "expected": str(f.expected),
                "received": f.received,
                "message": str(f),
            }
            for f in found
        )

    async def read(
        self, provider: str, status: int, headers: dict[str, str], body: bytes, *, deadline: float
    ) -> Reading:
        """The POS's answer by the seed's rules; a 2xx by the script's ``interpret(response)`` if it has one.

        A 401 to a connection with a refreshable OAuth token (ADR 0006) is read here like any answer;
        the engine then refreshes the token and builds and sends once more (``Dispatcher._deliver``,
        ``oauth_tokens``).
        """
        script = self.library.catalog.get(provider, TOPIC)
        if not 200 <= status < 300:
            # The seed's reason for a non-2xx is the POS's own body (cut at 200 characters): binding, so no
            # script rewrites it; interpret(response) reads 2xx answers only (body-level errors, the id).
            return Reading(Outcome(dispatched=False), pos_reason(status, body, Outcome(dispatched=False)))
        if script is None or not script.has_interpret:
            outcome = interpret_generic(status, body)
            return Reading(outcome, pos_reason(status, body, outcome))
        json_body = body.strip() and _is_json(body)
        parsed: Any = msgspec.Raw(body) if json_body else body.decode("utf-8", "replace")
        response = _encoder.encode({"statusCode": status, "headers": headers, "body": parsed})
        result = await self.runtime.run(provider, TOPIC, response, deadline=deadline, function="interpret")
        if not result.ok:
            failed = Outcome(dispatched=False)
            return Reading(
                failed,
                TRANSFORMER_FAILED + f"interpret: {result.error}",
                str(result.error),
                tuple(result.logs),
            )
        value = result.value if isinstance(result.value, dict) else {}
        dispatched = value.get("dispatched")
        if not isinstance(dispatched, bool):
            message = "interpret(response) must return {dispatched: true|false, message?, externalOrderId?}"
            return Reading(
                Outcome(dispatched=False), TRANSFORMER_FAILED + message, message, tuple(result.logs)
            )
        said = value.get("message")
        message = said if isinstance(said, str) else ""
        given = value.get("externalOrderId")
        external = str(given) if isinstance(given, (str, int)) and not isinstance(given, bool) else ""
        if not dispatched:
            outcome = Outcome(dispatched=False, message=message or "no error message in the response body")
        else:
            outcome = Outcome(dispatched=True, external_order_id=external)
        return Reading(outcome, pos_reason(status, body, outcome), logs=tuple(result.logs))


def _is_json(body: bytes) -> bool:
    try:
        msgspec.json.decode(body)
    except (msgspec.DecodeError, UnicodeDecodeError):
        return False
    return True


def remaining_deadline(budget_s: float, spent_s: float) -> float:
    """The runtime's deadline (a ``time.monotonic()`` instant) for what is left of the dispatch budget."""
    return time.monotonic() + max(0.0, budget_s - spent_s)
