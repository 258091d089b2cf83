"""Turning a destination's answer into an outcome: body-level errors, external ids, the exact reasons.

The reason strings are the contract (the seed's table); tests compare them byte for byte.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import msgspec

__all__ = [
    "NOT_DISPATCHED",
    "NO_ROUTE",
    "REASON_BODY_CHARS",
    "Outcome",
    "body_error_message",
    "decode_json_object",
    "external_id_from",
    "interpret_generic",
    "pos_reason",
    "transport_reason",
    "truncate_for_reason",
    "webhook_outcome",
    "webhook_reason",
]


NO_ROUTE = "no dispatch route configured for this outlet/provider"
REASON_BODY_CHARS = 200


@dataclass(frozen=True, slots=True)
class Outcome:
    """What a response meant: accepted or not, the body's own error message, the destination's order id."""

    dispatched: bool
    message: str = ""
    external_order_id: str = ""


NOT_DISPATCHED = Outcome(dispatched=False)


def decode_json_object(body: bytes) -> dict[str, Any] | None:
    try:
        value = msgspec.json.decode(body)
    except (msgspec.DecodeError, UnicodeDecodeError):
        return None
    return value if isinstance(value, dict) else None


def body_error_message(document: dict[str, Any]) -> str | None:
    """The error message when the body says it failed (``status`` "ERROR", any case, or false), else None."""
    status = document.get("status")
    failed = status is False or (isinstance(status, str) and status.upper() == "ERROR")
    if not failed:
        return None
    error = document.get("error")
    candidates: list[Any] = []
    if isinstance(error, str):
        candidates.append(error)
    if isinstance(error, dict):
        candidates.append(error.get("message"))
        details = error.get("details")
        if isinstance(details, dict):
            candidates.append(details.get("message"))
    candidates += [document.get("errorMsg"), document.get("message")]
    for candidate in candidates:
        if isinstance(candidate, str) and candidate:
            return candidate
    return "no error message in the response body"


def external_id_from(document: dict[str, Any], *keys: str) -> str:
    """The first present of ``keys``, stringified (POS ids are ints, UUIDs or anything else)."""
    for key in keys or ("externalOrderId", "orderId", "id"):
        value = document.get(key)
        if value is None or isinstance(value, (dict, list)):
            continue
        if isinstance(value, bool):
            continue
        return str(value)
    return ""


def interpret_generic(status: int, body: bytes) -> Outcome:
    """Default reading of a 2xx answer: error body or success, with ``externalOrderId``/``orderId``/``id``."""
    document = decode_json_object(body)
    if document is None:
        return Outcome(dispatched=True)
    message = body_error_message(document)
    if message is not None:
        return Outcome(dispatched=False, message=message)
    return Outcome(dispatched=True, external_order_id=external_id_from(document))


def webhook_outcome(status: int, body: bytes) -> Outcome:
    """What the engine records for a webhook's answer: only a 2xx without an error body is dispatched."""
    if not 200 <= status < 300:
        return NOT_DISPATCHED
    return interpret_generic(status, body)


def truncate_for_reason(body: bytes, limit: int = REASON_BODY_CHARS) -> str:
    text = body.decode("utf-8", errors="replace")
    return text if len(text) <= limit else text[:limit] + "..."


def webhook_reason(status: int, outcome: Outcome) -> str:
    if not 200 <= status < 300:
        return f"callback returned HTTP {status}"
    if not outcome.dispatched:
        return f"callback returned 2xx but body indicated error: {outcome.message}"
    return ""


def pos_reason(status: int, body: bytes, outcome: Outcome) -> str:
    if not 200 <= status < 300:
        return f"POS returned HTTP {status}: {truncate_for_reason(body)}"
    if not outcome.dispatched:
        return f"POS returned 2xx but body indicated error: {outcome.message}"
    return ""


def transport_reason(detail: str) -> str:
    return f"http request failed: {detail}"
