"""The mock's transport and HTTP fault modes through the pipeline: the reason must be the seed's.

Each case activates one mock_pos fault (``times: 1``, through the admin API) and dispatches a known-good
order; the outcome and reason the pipeline gives (:meth:`Harness.read`, worded by ``classify``) are
checked against ``contract_tests.seed``, the seed's table written independently of the service.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

import msgspec

from cata_sandbox.partner.adapters_check.harness import Harness
from cata_sandbox.partner.adapters_check.report import Report
from contract_tests import seed
from mock_pos.client import MockAdmin, MockAdminError

__all__ = ["FAULT_CASES", "check_faults"]

_SOLD_OUT = "Item sold out"
# (name, fault spec without its target): the modes that answer at once (mock_pos faults.QUICK_FAULTS).
FAULT_CASES: tuple[tuple[str, dict[str, Any]], ...] = (
    ("status 500", {"mode": "status", "code": 500, "body": '{"error":"kitchen on fire"}'}),
    ("status 404 text", {"mode": "status", "code": 404, "body": "no such route"}),
    ("status 503 long body", {"mode": "status", "code": 503, "body": "Überlastet " * 30}),
    (
        "status 201 error body",
        {"mode": "status", "code": 201, "body": '{"status":"ERROR","errorMsg":"Closed"}'},
    ),
    *(
        (f"error_body {shape}", {"mode": "error_body", "shape": shape, "message": _SOLD_OUT})
        for shape in ("nested", "details", "errorMsg", "string")
    ),
    ("reset", {"mode": "reset"}),
    ("malformed", {"mode": "malformed"}),
    ("html 502", {"mode": "html", "code": 502}),
    ("redirect 302", {"mode": "redirect", "code": 302, "location": "http://127.0.0.1:9/elsewhere"}),
)


def check_faults(
    report: Report,
    harness: Harness,
    admin: MockAdmin,
    target: str,
    provider: str,
    make_input: Callable[[bytes], dict[str, Any]],
    order: bytes | None,
    progress: Callable[[str], None],
) -> None:
    if order is None:
        report.prop("faults", "a known-good order").record(
            False, "no generated order was accepted by the mock"
        )
        return
    script = harness.catalog.get(provider, "order_dispatch")
    interprets = script is not None and script.has_interpret
    for number, (name, spec) in enumerate(FAULT_CASES, 1):
        fault = admin.add_fault({**spec, "target": target, "times": 1})
        try:
            sent = harness.dispatch(provider, make_input(order), order)
        finally:
            with contextlib.suppress(MockAdminError):
                admin.remove_fault(int(fault["id"]))
        want = seed.expected("pos", spec, harness.timeout, None)
        ok, why = _matches(sent.dispatched, sent.reason, want)
        answered = sent.answer.status if sent.answer is not None else None
        if not ok and interprets and want.reason is not None and answered is not None:
            # An answer is the script's to read (interpret): the pipeline's template must still hold.
            ok, why = _follows_template(answered, sent.dispatched, sent.reason)
            if ok:
                got, seeds = _shown(sent.dispatched, sent.reason), _shown(want.dispatched, want.reason or "")
                report.notes.append(
                    f"faults: {name}: read by {provider}'s interpret(): {got}"
                    f" (the seed's generic reading: {seeds})"
                )
        report.prop("faults", name).record(ok, why)
        progress(f"faults: {number}/{len(FAULT_CASES)} {name}")


_ERROR_2XX = seed.POS_ERROR_BODY.split("{", 1)[0]


def _follows_template(status: int, dispatched: bool, reason: str) -> tuple[bool, str]:
    """The seed's templates with the script's message: ``POS returned HTTP <code>: <message>`` for a
    non-2xx, and for a 2xx either dispatched with no reason or ``POS returned 2xx but body indicated
    error: <message>``."""
    if not 200 <= status < 300:
        prefix = seed.POS_NON_2XX.split("{body}", 1)[0].format(code=status)
        ok = not dispatched and reason.startswith(prefix)
        return ok, "" if ok else f"expected {prefix}<message>; got {_shown(dispatched, reason)}"
    if dispatched:
        return reason == "", "" if reason == "" else f"dispatched, yet the reason is {_shown(True, reason)}"
    ok = reason.startswith(_ERROR_2XX) and len(reason) > len(_ERROR_2XX)
    return ok, "" if ok else f"expected {_ERROR_2XX}<message>; got {_shown(False, reason)}"


def _shown(dispatched: bool, reason: str) -> str:
    return f"dispatched={dispatched}, reason {msgspec.json.encode(reason).decode()}"


def _matches(dispatched: bool, reason: str, want: seed.Expected) -> tuple[bool, str]:
    got = f"got dispatched={dispatched}, reason {msgspec.json.encode(reason).decode()}"
    if dispatched is not want.dispatched:
        return False, f"expected dispatched={want.dispatched}; {got}"
    if want.reason is None:
        ok = reason.startswith(seed.TRANSPORT_PREFIX) and len(reason) > len(seed.TRANSPORT_PREFIX)
        return ok, "" if ok else f"expected {seed.TRANSPORT_PREFIX}<detail>; {got}"
    ok = reason == want.reason
    return ok, "" if ok else f"expected reason {msgspec.json.encode(want.reason).decode()}; {got}"
