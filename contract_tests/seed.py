"""The seed's table of outcomes, as expectations: what a dispatch must answer for a given destination answer.

Written from ``order-dispatch-seed.txt`` (and the README where the seed leaves a detail open, e.g. where the
body in a POS reason is cut), never by calling the service's code, so a change to ``classify.py`` that
breaks the table is caught rather than copied.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

import msgspec

TRANSPORT_PREFIX = "http request failed: "
TIMEOUT = TRANSPORT_PREFIX + "timeout after {budget:g}s"
NO_ROUTE = "no dispatch route configured for this outlet/provider"
# The seed's table.
WEBHOOK_NON_2XX = "callback returned HTTP {code}"
WEBHOOK_ERROR_BODY = "callback returned 2xx but body indicated error: {message}"
POS_NON_2XX = "POS returned HTTP {code}: {body}"
POS_ERROR_BODY = "POS returned 2xx but body indicated error: {message}"
# "<body, truncated>": the README fixes the cut at 200 characters, marked with an ellipsis.
REASON_BODY_CHARS = 200
# The README's words for an error body that names no message (the seed says only "the error message").
NO_MESSAGE = "no error message in the response body"
# HTTP itself: these answers have no content, whatever the server meant to send.
NO_CONTENT = (204, 304)

SLOW_MODES = ("delay", "trickle")


@dataclass(frozen=True, slots=True)
class Expected:
    """What the seed says the answer must be. ``reason=None`` means "any ``http request failed: ...``"."""

    dispatched: bool
    reason: str | None
    # None: the seed does not fix it for this answer (e.g. an id that is not a string or an integer).
    external_order_id: str | None = None


TRANSPORT_FAILURE = Expected(dispatched=False, reason=None, external_order_id="")


def truncated(body: str) -> str:
    return body if len(body) <= REASON_BODY_CHARS else body[:REASON_BODY_CHARS] + "..."


def _error_message(document: dict[str, Any]) -> str | None:
    """The seed: first present of ``error`` (a string), ``error.message``, ``error.details.message``,
    ``errorMsg``, ``message``. None when no candidate is a non-empty string (then the README's NO_MESSAGE)."""
    error = document.get("error")
    candidates = [error if isinstance(error, str) else None]
    if isinstance(error, dict):
        details = error.get("details")
        candidates += [error.get("message"), details.get("message") if isinstance(details, dict) else None]
    candidates += [document.get("errorMsg"), document.get("message")]
    return next((c for c in candidates if isinstance(c, str) and c), None)


def _external_id(document: dict[str, Any]) -> str | None:
    """The README: the first of ``externalOrderId``, ``orderId``, ``id`` that is a string or a number;
    null, booleans, objects and arrays are skipped. None for a fractional number (its spelling is open)."""
    for key in ("externalOrderId", "orderId", "id"):
        value = document.get(key)
        if value is None or isinstance(value, bool | dict | list):
            continue
        return str(value) if isinstance(value, str | int) else None
    return ""


def expected_for_2xx(path: str, body: bytes) -> Expected:
    """A 2xx is dispatched unless its body is a JSON object whose ``status`` is "ERROR" (any case) or false."""
    try:
        document = msgspec.json.decode(body)
    except (msgspec.DecodeError, UnicodeDecodeError):
        document = None
    if not isinstance(document, dict):
        return Expected(dispatched=True, reason="", external_order_id="")
    status = document.get("status")
    if status is False or (isinstance(status, str) and status.upper() == "ERROR"):
        message = _error_message(document)
        template = WEBHOOK_ERROR_BODY if path == "webhook" else POS_ERROR_BODY
        return Expected(
            dispatched=False, reason=template.format(message=message or NO_MESSAGE), external_order_id=""
        )
    external = _external_id(document) if path == "webhook" else None
    return Expected(dispatched=True, reason="", external_order_id=external)


def expected_for_status(path: str, code: int, body: bytes) -> Expected:
    """The answer for a response with ``code`` and ``body`` in place of the destination's normal one."""
    if code < 200:
        # A 1xx is never a final answer: the exchange fails at the transport.
        return TRANSPORT_FAILURE
    sent = b"" if code in NO_CONTENT else body
    if 200 <= code < 300:
        return expected_for_2xx(path, sent)
    if path == "webhook":
        return Expected(dispatched=False, reason=WEBHOOK_NON_2XX.format(code=code), external_order_id="")
    text = sent.decode("utf-8", errors="replace")
    return Expected(
        dispatched=False, reason=POS_NON_2XX.format(code=code, body=truncated(text)), external_order_id=""
    )


def html_page(code: int) -> bytes:
    """The page mock_pos's html fault answers with (mock_pos is the instrument here, not the subject)."""
    from mock_pos.faults import FaultSpec, fault_reply

    spec = msgspec.convert({"mode": "html", "target": "x", "code": code}, FaultSpec)  # type: ignore[arg-type]
    return fault_reply(spec).body  # type: ignore[arg-type]


def status_body(fault: dict[str, Any]) -> bytes:
    """The bytes a status fault answers with: ``body`` as UTF-8, or ``bodyBase64`` decoded."""
    if "bodyBase64" in fault:
        return base64.b64decode(fault["bodyBase64"])
    return str(fault["body"]).encode("utf-8")


def expected(path: str, fault: dict[str, Any], budget_s: float, normal_external_id: str | None) -> Expected:
    """The seed's answer for ``fault`` on ``path``; ``normal_external_id`` is what a healthy answer carries."""
    mode = fault["mode"]
    if mode == "status":
        return expected_for_status(path, fault["code"], status_body(fault))
    if mode == "error_body":
        template = WEBHOOK_ERROR_BODY if path == "webhook" else POS_ERROR_BODY
        return Expected(
            dispatched=False, reason=template.format(message=fault["message"]), external_order_id=""
        )
    if mode in SLOW_MODES:
        if fault["seconds"] > budget_s:
            # The README's detail for a blown budget, with the budget as the service states it.
            return Expected(dispatched=False, reason=TIMEOUT.format(budget=budget_s), external_order_id="")
        return Expected(dispatched=True, reason="", external_order_id=normal_external_id)
    if mode == "reset":
        return TRANSPORT_FAILURE
    if mode == "malformed":
        # 2xx with a body that is not JSON: nothing in it says "error".
        return Expected(dispatched=True, reason="", external_order_id="")
    if mode == "html":
        return expected_for_status(path, fault["code"], html_page(fault["code"]))
    if mode == "redirect":
        # Redirects are not followed: the 3xx is the answer, with an empty body.
        return expected_for_status(path, fault["code"], b"")
    raise AssertionError(f"no expectation for mode {mode!r}")


def assert_matches(answer: dict[str, Any], want: Expected) -> None:
    """``answer`` (a dispatch response body) is what ``want`` says, as far as the seed fixes it."""
    assert answer["dispatched"] is want.dispatched, answer
    if want.reason is None:
        assert answer["reason"].startswith(TRANSPORT_PREFIX), answer
        assert len(answer["reason"]) > len(TRANSPORT_PREFIX), answer
    else:
        assert answer["reason"] == want.reason, answer
    if want.external_order_id is not None:
        assert answer["externalOrderId"] == want.external_order_id, answer
