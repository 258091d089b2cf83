"""``cata-sandbox trigger``: fire generated paid orders at a running sandbox and judge each outcome.

A ``--fault tls:<problem>`` is no directive (the handshake fails before any request is read): the
orders go to their own outlet (``outlet-webhook-tls`` or ``outlet-revel-tls``) pointed at mock_pos's
HTTPS site of that fault (:mod:`cata_sandbox.partner.trigger_tls`). Any other ``--fault`` is planted as
mock_pos's notes directive (``mock:<mode>[:<arg>]``) in the order's ``notes``:
the webhook receivers read it there, and the Revel transformer carries ``notes`` into
``orderInfo.notes``, where mock Revel reads it. With ``--fault-times N`` it is an admin fault instead
(:func:`admin_fault`), matched on each order's ``orderRefNo`` for its next N requests, so a replay after
them succeeds. Each fault has the outcome the seed prescribes; the expectation below is that rule, with
the running service's dispatch budget deciding delays, so a partner can read what Cata would report and
why.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from typing import get_args

import httpx

from cata_sandbox.dispatch import WEBHOOK_ROUTE
from cata_sandbox.net import failures
from cata_sandbox.net.transport import pool_limits
from cata_sandbox.partner.client import API_KEY_HEADER, DispatchResult, dispatch_body, dispatch_one
from cata_sandbox.partner.fake_orders import FakeOrder
from mock_pos.faults import FAULT_MODES, ErrorShape
from mock_pos.tls import TLS_FAULT_MODES

# mock_pos owns its fault modes and error-body shapes; trigger plants them, so it reads them from there.
ERROR_SHAPES: tuple[str, ...] = get_args(ErrorShape)
# The outlets `cata-sandbox up` seeds: one per path.
OUTLET_WEBHOOK = "outlet-webhook"
OUTLET_REVEL = "outlet-revel"
MOCK_DEFAULT_DELAY_S = 5.0
MOCK_DEFAULT_TRICKLE_S = 2.0
MOCK_DEFAULT_ERROR = "mock error"
# What each TLS fault of mock_pos makes the service say (followed by " (host:port)").
TLS_WORDS = {
    "tls:expired": failures.TLS_EXPIRED,
    "tls:wrong-host": failures.TLS_OTHER_HOST,
    "tls:self-signed": failures.TLS_SELF_SIGNED,
    "tls:untrusted-ca": failures.TLS_UNTRUSTED_ROOT,
    "tls:missing-intermediate": failures.TLS_INCOMPLETE,
    "tls:old-protocol": failures.TLS_OLD_PROTOCOL,
    "tls:handshake-reset": failures.TLS_HANDSHAKE_RESET,
}


class FaultError(ValueError):
    """A ``--fault`` value that is not a mock_pos directive."""


@dataclass(frozen=True, slots=True)
class Fault:
    """A mock_pos fault requested per order: ``mode``, optional ``.shape`` (error_body), optional ``arg``."""

    mode: str
    arg: str = ""
    shape: str | None = None

    @property
    def directive(self) -> str:
        shape = f".{self.shape}" if self.shape else ""
        arg = f":{self.arg}" if self.arg else ""
        return f"mock:{self.mode}{shape}{arg}"

    def number(self) -> float | None:
        word = self.arg.split()[0] if self.arg.split() else ""
        return float(word) if word else None


def parse_fault(text: str) -> Fault:
    """``status:503``, ``error_body:Sold out``, ``error_body.errorMsg:Sold out``, ``delay:40``, ``reset``."""
    raw = text.strip()
    if raw.startswith("mock:"):
        raw = raw[len("mock:") :]
    if raw.startswith("tls:"):
        if raw not in TLS_FAULT_MODES:
            raise FaultError(f"unknown TLS fault {raw!r} (one of {', '.join(TLS_FAULT_MODES)})")
        return Fault(mode=raw)
    head, _, arg = raw.partition(":")
    mode, _, shape = head.partition(".")
    if mode not in FAULT_MODES:
        modes = ", ".join((*FAULT_MODES, *TLS_FAULT_MODES))
        raise FaultError(f"unknown fault mode {mode!r} (one of {modes})")
    if shape and mode != "error_body":
        raise FaultError(f"only error_body takes a shape suffix, not {mode}.{shape}")
    if shape and shape not in ERROR_SHAPES:
        raise FaultError(f"unknown error_body shape {shape!r} (one of {', '.join(ERROR_SHAPES)})")
    fault = Fault(mode=mode, arg=arg.strip(), shape=shape or None)
    if mode == "error_body":
        return fault
    try:
        value = fault.number()
    except ValueError:
        raise FaultError(f"{mode}: {fault.arg!r} is not a number") from None
    if mode == "status" and value is None:
        raise FaultError("status needs a code, e.g. --fault status:503")
    if mode in ("status", "html", "redirect") and value is not None and value != int(value):
        raise FaultError(f"{mode}: {fault.arg!r} is not an HTTP status code")
    return fault


@dataclass(frozen=True, slots=True)
class Expectation:
    """What Cata must answer for an order: dispatched or not (None: either), and the reason or its start."""

    dispatched: bool | None
    rule: str
    reason: str | None = None
    reason_prefix: str | None = None

    def met_by(self, result: DispatchResult) -> bool:
        if result.error is not None:
            return False
        if self.dispatched is None:
            return result.dispatched or result.reason.startswith(TIMEOUT_PREFIX)
        if result.dispatched != self.dispatched:
            return False
        if self.reason is not None:
            return result.reason == self.reason
        if self.reason_prefix is not None:
            return result.reason.startswith(self.reason_prefix)
        return True

    @property
    def shown(self) -> str:
        if self.dispatched is None:
            return f'dispatched: true, or false with reason "{TIMEOUT_PREFIX}..."'
        if self.dispatched:
            return "dispatched: true"
        if self.reason is not None:
            return f'dispatched: false, reason "{self.reason}"'
        return f'dispatched: false, reason "{self.reason_prefix}..."'


TIMEOUT_PREFIX = "http request failed: timeout after "
# An answer this close to the budget may land on either side of it (scheduling, the request itself).
BUDGET_MARGIN_S = 0.25


def _timed(fault: Fault, who: str, budget_s: float) -> Expectation:
    """``delay`` and ``trickle``: the answer is complete after ``seconds``; the budget decides."""
    number = fault.number()
    default = MOCK_DEFAULT_DELAY_S if fault.mode == "delay" else MOCK_DEFAULT_TRICKLE_S
    seconds = number if number is not None else default
    how = "answers after" if fault.mode == "delay" else "sends its body slowly, the last byte after"
    if seconds >= budget_s:
        return Expectation(
            False,
            f"{who} {how} {seconds:g}s, past the sandbox's {budget_s:g}s dispatch budget:"
            " the call is abandoned, a transport failure",
            reason=f"{TIMEOUT_PREFIX}{budget_s:g}s",
        )
    if seconds > budget_s - BUDGET_MARGIN_S:
        return Expectation(
            None, f"{who} {how} {seconds:g}s, too close to the {budget_s:g}s budget to call: either outcome"
        )
    return Expectation(
        True, f"{who} {how} {seconds:g}s, within the sandbox's {budget_s:g}s dispatch budget: dispatched"
    )


def expectation(fault: Fault | None, route: str, budget_s: float) -> Expectation:
    """The seed's rule for ``fault`` on ``route`` (``webhook`` or a transformer slug such as ``revel``).

    ``budget_s`` is the running service's dispatch budget (``GET /api/v1/sandbox``): it decides delays.
    """
    webhook = route == WEBHOOK_ROUTE
    who = "the webhook" if webhook else "the POS"
    if fault is None:
        return Expectation(True, f"{who} answers 2xx: dispatched, reason empty")
    if fault.mode in TLS_WORDS:
        return Expectation(
            False,
            f"{who} is on mock_pos's {fault.mode} HTTPS site: the TLS handshake fails, a transport failure",
            reason_prefix=f"http request failed: {TLS_WORDS[fault.mode]} (",
        )
    if fault.mode == "error_body":
        message = fault.arg or MOCK_DEFAULT_ERROR
        prefix = "callback" if webhook else "POS"
        return Expectation(
            False,
            f"{who} answers HTTP 200 with a body whose status is ERROR: a body-level failure",
            reason=f"{prefix} returned 2xx but body indicated error: {message}",
        )
    if fault.mode in ("delay", "trickle"):
        return _timed(fault, who, budget_s)
    code = fault.number()
    if fault.mode == "malformed":
        return Expectation(
            True,
            "a 2xx whose body is not JSON cannot say it failed: dispatched, no externalOrderId",
        )
    if fault.mode == "reset":
        return Expectation(
            False, f"{who} drops the connection: a transport failure", reason_prefix="http request failed: "
        )
    status = int(code) if code is not None else {"html": 502, "redirect": 302}.get(fault.mode, 500)
    if status < 200:
        return Expectation(
            False,
            f"{who} sends {status} and closes the connection: a transport failure",
            reason_prefix="http request failed: ",
        )
    if 200 <= status < 300:
        return Expectation(True, f"{who} answers HTTP {status}: dispatched")
    what = {"html": "an HTML error page", "redirect": "a redirect (never followed)"}.get(
        fault.mode, f"HTTP {status}"
    )
    if webhook:
        return Expectation(
            False, f"the webhook answers {what}: non-2xx", reason=f"callback returned HTTP {status}"
        )
    return Expectation(
        False,
        f"the POS answers {what}: non-2xx, with the first 200 characters of its body",
        reason_prefix=f"POS returned HTTP {status}: ",
    )


def admin_fault(fault: Fault, *, target: str, order_ref_no: str, times: int) -> dict[str, object]:
    """The mock_pos admin fault (``POST /__admin/faults``) that acts ``fault`` out on one order's next
    ``times`` requests, matched on its ``orderRefNo``."""
    spec: dict[str, object] = {
        "target": target,
        "mode": fault.mode,
        "times": times,
        "match": {"orderRefNo": order_ref_no},
    }
    number = fault.number() if fault.mode != "error_body" else None
    if fault.mode == "error_body":
        spec["shape"] = fault.shape or "nested"
        spec["message"] = fault.arg or MOCK_DEFAULT_ERROR
    elif fault.mode in ("delay", "trickle") and number is not None:
        spec["seconds"] = number
    elif fault.mode in ("status", "html", "redirect") and number is not None:
        spec["code"] = int(number)
    return spec


@dataclass(frozen=True, slots=True)
class Fired:
    order: FakeOrder
    result: DispatchResult
    as_expected: bool


async def fire(
    url: str,
    api_key: str,
    orders: list[FakeOrder],
    *,
    outlet_id: str,
    transformer: str | None,
    concurrency: int,
    expected: Expectation,
    on_done: Callable[[int, int], None] | None = None,
) -> list[Fired]:
    """Dispatch every order, at most ``concurrency`` at a time; results keep the orders' order."""
    gate = asyncio.Semaphore(concurrency)
    done = 0
    # The service answers only after its own dispatch budget at worst; the client must outwait it.
    timeout = httpx.Timeout(600.0, connect=10.0)
    async with httpx.AsyncClient(
        base_url=url.rstrip("/"),
        headers={API_KEY_HEADER: api_key},
        limits=pool_limits(concurrency),
        timeout=timeout,
    ) as client:

        async def one(order: FakeOrder) -> Fired:
            nonlocal done
            async with gate:
                result = await dispatch_one(client, dispatch_body(outlet_id, order.body, transformer))
            done += 1
            if on_done is not None:
                on_done(done, len(orders))
            return Fired(order, result, expected.met_by(result))

        return list(await asyncio.gather(*(one(order) for order in orders)))
