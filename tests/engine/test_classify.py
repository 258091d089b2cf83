from __future__ import annotations

import pytest

from cata_sandbox.classify import (
    Outcome,
    body_error_message,
    interpret_generic,
    pos_reason,
    truncate_for_reason,
    webhook_reason,
)


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"status": "ERROR", "error": "sold out"}, "sold out"),
        ({"status": "error", "error": {"message": "m1", "details": {"message": "m2"}}}, "m1"),
        ({"status": "Error", "error": {"details": {"message": "m2"}}}, "m2"),
        ({"status": "ERROR", "errorMsg": "m3"}, "m3"),
        ({"status": False, "message": "m4"}, "m4"),
        ({"status": "ERROR"}, "no error message in the response body"),
        ({"status": "OK", "error": "ignored"}, None),
        ({"status": True}, None),
        ({}, None),
    ],
)
def test_body_error_message(document: dict[str, object], message: str | None) -> None:
    assert body_error_message(document) == message


@pytest.mark.parametrize(
    ("body", "outcome"),
    [
        (b'{"externalOrderId": "E1", "orderId": 2}', Outcome(True, "", "E1")),
        (b'{"orderId": 42}', Outcome(True, "", "42")),
        (b'{"id": "x"}', Outcome(True, "", "x")),
        (b"not json", Outcome(True, "", "")),
        (b"[1, 2]", Outcome(True, "", "")),
        (b'{"status": "ERROR", "error": "nope"}', Outcome(False, "nope", "")),
    ],
)
def test_interpret_generic(body: bytes, outcome: Outcome) -> None:
    assert interpret_generic(200, body) == outcome


def test_reasons_are_worded_as_the_seed() -> None:
    assert webhook_reason(503, Outcome(False)) == "callback returned HTTP 503"
    assert webhook_reason(200, Outcome(False, "x")) == "callback returned 2xx but body indicated error: x"
    assert webhook_reason(204, Outcome(True)) == ""
    assert pos_reason(500, b"boom", Outcome(False)) == "POS returned HTTP 500: boom"
    assert pos_reason(200, b"", Outcome(False, "y")) == "POS returned 2xx but body indicated error: y"


def test_reason_bodies_are_truncated() -> None:
    assert truncate_for_reason(b"a" * 500) == "a" * 200 + "..."
    assert truncate_for_reason(b"\xff ok") == "\ufffd ok"
