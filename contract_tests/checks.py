"""Checks several properties share, written from the seed and independent of the code under test."""

from __future__ import annotations

import hashlib
import hmac
import re
import uuid
from datetime import datetime
from typing import Any

import httpx

from contract_tests.targets import headers_of

DECIMAL_INTEGER = re.compile(r"[0-9]+")
DISPATCH_ANSWER_KEYS = {"code", "isSuccess", "message", "orderId", "externalOrderId", "dispatched", "reason"}


def signature(secret: str, body: bytes) -> str:
    """``sha256=`` + lowercase hex HMAC-SHA256 of ``body`` keyed with the secret's UTF-8 bytes (the seed)."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def verifies(secret: str, body: bytes, header: str) -> bool:
    return hmac.compare_digest(signature(secret, body).encode(), header.encode("ascii", "replace"))


def dispatch_answer(response: httpx.Response) -> dict[str, Any]:
    """The dispatch endpoint's answer, checked against the seed's response shape."""
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    assert set(answer) == DISPATCH_ANSWER_KEYS, answer
    assert (answer["code"], answer["isSuccess"]) == (200, True), answer
    assert type(answer["code"]) is int, answer
    assert isinstance(answer["dispatched"], bool), answer
    for text in ("message", "orderId", "externalOrderId", "reason"):
        assert isinstance(answer[text], str), f"{text} is not a string: {answer}"
    assert answer["message"], answer
    assert str(uuid.UUID(answer["orderId"])) == answer["orderId"].lower(), answer
    assert answer["reason"] == "" if answer["dispatched"] else answer["reason"] != "", answer
    return answer


def refusal(response: httpx.Response) -> str:
    """The message of a 400 answer in the error envelope."""
    assert response.status_code == 400, (response.status_code, response.text)
    answer = response.json()
    assert set(answer) >= {"code", "isSuccess", "message"}, answer
    assert (answer["code"], answer["isSuccess"]) == (400, False), answer
    message: str = answer["message"]
    assert isinstance(message, str), answer
    assert message, answer
    return message


def only_header(entry: dict[str, Any], name: str) -> str:
    values = headers_of(entry).get(name.lower(), [])
    assert len(values) == 1, f"{name}: {values}"
    return values[0]


def delivery_id(entry: dict[str, Any]) -> str:
    """The request's ``X-Cata-Delivery-ID``, checked to be a UUID."""
    value = only_header(entry, "X-Cata-Delivery-ID")
    assert str(uuid.UUID(value)) == value.lower(), value
    return value


def received_at(entry: dict[str, Any]) -> float:
    """When mock_pos received the request, in Unix seconds (its journal's RFC 3339 UTC stamp)."""
    return datetime.fromisoformat(entry["receivedAt"].replace("Z", "+00:00")).timestamp()


def assert_timestamp(value: str, entry: dict[str, Any], tolerance_s: float) -> None:
    assert DECIMAL_INTEGER.fullmatch(value), f"X-Cata-Timestamp {value!r} is not a decimal integer"
    # Whole seconds: the stamp may be up to a second before the moment it describes.
    skew = int(value) - received_at(entry)
    assert -1 - tolerance_s <= skew <= tolerance_s, (
        f"X-Cata-Timestamp {value} is {skew:+.1f}s from when the request arrived ({entry['receivedAt']});"
        f" Unix seconds expected, within {tolerance_s}s (--clock-tolerance)"
    )


def assert_attempt_evidence(attempt: dict[str, Any], fault: dict[str, Any] | None, budget_s: float) -> None:
    """The stored attempt keeps what the destination answered (README, the attempt record): the status
    and Content-Type of a status fault's answer, and a duration in milliseconds covering any delay."""
    duration = attempt["durationMs"]
    assert isinstance(duration, int | float), attempt
    assert duration >= 0, attempt
    # Never longer than the budget, plus the time to write the record.
    assert duration <= (budget_s + 5) * 1000, f"durationMs {duration} for a {budget_s}s budget"
    if fault is None:
        return
    if fault["mode"] == "reset" or (fault["mode"] in ("delay", "trickle") and fault["seconds"] > budget_s):
        # No answer: nothing of one is kept.
        assert (attempt["responseStatus"], attempt["responseBody"]) == (None, ""), attempt
    if fault["mode"] == "status" and fault["code"] >= 200 and fault["code"] not in (204, 304):
        assert attempt["responseStatus"] == fault["code"], attempt
        content_type = fault.get("contentType") or "application/json"
        headers = {name.lower(): value for name, value in attempt["responseHeaders"].items()}
        assert headers.get("content-type", "").startswith(content_type), attempt
    if fault["mode"] == "delay":
        # Milliseconds from the send to the answer (or the budget): never less than the wait.
        waited = min(fault["seconds"], budget_s) * 1000
        assert duration >= waited * 0.95, f"durationMs {duration} for a {waited:.0f} ms wait"


def assert_names_the_destination(answer: dict[str, Any], fault: dict[str, Any], mock_url: str) -> None:
    """A reset's reason ends with the destination's ``(host:port)`` (README: ``connection reset by peer
    (host:port)``, ``connection closed by the server before a complete answer (host:port)``)."""
    if fault["mode"] == "reset":
        where = httpx.URL(mock_url)
        assert answer["reason"].endswith(f"({where.host}:{where.port})"), answer
