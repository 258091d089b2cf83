"""What Lightspeed's ``interpret(response)`` makes of a 2xx answer: property 3's expectation.

A non-2xx is the seed's, whatever the script: ``POS returned HTTP <code>: <the POS's body cut at 200>``
(the engine asks ``interpret`` about 2xx answers only, README "Lightspeed and Atlas in the service").
A 2xx is read by the script: Lightspeed's is accepted only as ``{"status":"ok"}`` (no id: the outcome
comes later by notification), any other is ``POS returned 2xx but body indicated error: Lightspeed did
not accept the order: <the body>``. (Atlas's script has no ``interpret``: the seed's rules read it.) The
reading is written here from the scripts' documented rules (their header comments
and the README), not by running them, so a script that reads differently from what it documents is caught.

Lightspeed quotes the body as ``text(body)``: the text itself, or JavaScript's ``JSON.stringify`` of the
parsed JSON. That spelling is computed here only where it is certain (strings, integers below 2^53,
floats whose shortest digits both languages write alike, objects without array-index keys, which
JavaScript would put first); otherwise only the words before it are fixed (about 1 % of drawn faults):
a guess at V8's number spelling would test this file, not the service.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import msgspec

from contract_tests.seed import NO_CONTENT, NO_MESSAGE, POS_ERROR_BODY, Expected, assert_matches, expected

_MISSING = object()
_INDEX_KEY = re.compile(r"^(0|[1-9][0-9]*)$")
_SAFE = 2**53


@dataclass(frozen=True, slots=True)
class Said:
    """A message as far as it is known: ``exact`` False means more (unknown) text follows ``text``."""

    text: str
    exact: bool = True

    def __add__(self, other: Said | str) -> Said:
        if not self.exact:
            return self
        if isinstance(other, str):
            return Said(self.text + other)
        return Said(self.text + other.text, other.exact)


@dataclass(frozen=True, slots=True)
class Prefixed:
    """Not dispatched, the reason starting with ``prefix`` (the rest is JavaScript's spelling)."""

    prefix: str


Want = Expected | Prefixed

UNKNOWN = Said("", exact=False)


def _number(value: int | float) -> Said:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int):
        return Said(str(value)) if abs(value) < _SAFE else UNKNOWN
    # Python's repr and JavaScript's String agree on the shortest digits; they spell exponents apart.
    return Said(repr(value)) if 1e-4 <= abs(value) < 1e16 else UNKNOWN


def stringify(value: Any) -> Said:
    """``JSON.stringify(value)`` of a decoded JSON value."""
    if value is None:
        return Said("null")
    if isinstance(value, bool):
        return Said("true" if value else "false")
    if isinstance(value, int | float):
        return _number(value)
    if isinstance(value, str):
        return Said(_quote(value))
    if isinstance(value, list):
        out = Said("[")
        for index, item in enumerate(value):
            out = out + ("," if index else "") + stringify(item)
        return out + "]"
    assert isinstance(value, dict)
    if any(_INDEX_KEY.match(key) for key in value):
        return UNKNOWN  # JavaScript puts array-index keys first
    out = Said("{")
    for index, (key, item) in enumerate(value.items()):
        out = out + ("," if index else "") + _quote(key) + ":" + stringify(item)
    return out + "}"


def _quote(text: str) -> str:
    """A JSON string as JSON.stringify writes it: only ``"``, ``\\`` and C0 controls escaped."""
    short = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t"}
    out = []
    for char in text:
        if char in short:
            out.append(short[char])
        elif ord(char) < 0x20:
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def text(value: Any) -> Said:
    """The scripts' ``text(value)``: a string as it is, anything else ``JSON.stringify``-ed."""
    return Said(value) if isinstance(value, str) else stringify(value)


def parsed_body(body: bytes) -> Any:
    """``response.body`` as the pipeline hands it to ``interpret``: parsed JSON, else the text."""
    if body.strip():
        try:
            return msgspec.json.decode(body)
        except (msgspec.DecodeError, UnicodeDecodeError):
            pass
    return body.decode("utf-8", errors="replace")


def _get(document: Any, key: str) -> Any:
    return document.get(key, _MISSING) if isinstance(document, dict) else _MISSING


def refused_2xx(said: Said) -> Want:
    if said.exact:
        return Expected(False, POS_ERROR_BODY.format(message=said.text or NO_MESSAGE), "")
    return Prefixed(POS_ERROR_BODY.format(message=said.text))


def answered(fault: dict[str, Any]) -> tuple[int, bytes] | None:
    """The status and body the service reads for a fault that replaces the answer (None: it does not)."""
    from mock_pos.faults import FaultSpec, fault_reply

    if fault["mode"] not in ("status", "error_body", "malformed", "html", "redirect"):
        return None
    if fault["mode"] == "status" and fault["code"] < 200:
        return fault["code"], b""  # no final answer: the seed's transport failure
    spec = msgspec.convert({"target": "x", **fault}, FaultSpec)  # type: ignore[arg-type]
    reply = fault_reply(spec)  # type: ignore[arg-type]
    return reply.status, b"" if reply.status in NO_CONTENT else reply.body


def expected_by_script(
    slug: str,
    fault: dict[str, Any],
    budget_s: float,
    healthy: Expected,
    read: Any,
    *,
    retries_401: bool = False,
) -> Want:
    """The answer for ``fault`` when the script's ``read(code, parsed) -> Want`` reads a 2xx; any other
    answer is the seed's (:func:`contract_tests.seed.expected`).

    ``retries_401``: the connection's OAuth token is refreshable, so the service refreshes it and sends
    once more after a 401 (ADR 0006); the fault answers one request only, so the retry gets the
    healthy answer."""
    replaced = answered(fault)
    if replaced is None:  # delays, trickles, resets: the seed's, with this POS's healthy answer
        return expected(slug, fault, budget_s, healthy.external_order_id)
    code, body = replaced
    if code == 401 and retries_401:
        return healthy
    if not 200 <= code < 300:
        return expected(slug, fault, budget_s, None)
    result: Want = read(code, parsed_body(body))
    return result


def assert_wanted(answer: dict[str, Any], want: Want) -> None:
    if isinstance(want, Expected):
        assert_matches(answer, want)
        return
    assert answer["dispatched"] is False, answer
    reason: str = answer["reason"]
    assert reason.startswith(want.prefix), (want.prefix, answer)
    assert len(reason) > len(want.prefix), answer
    assert answer["externalOrderId"] == "", answer


def lightspeed_read(code: int, body: Any) -> Want:
    """adapters/scripts/lightspeed/order_dispatch.js ``interpret`` of a 2xx."""
    if _get(body, "status") == "ok":
        return Expected(dispatched=True, reason="", external_order_id="")
    return refused_2xx(Said("Lightspeed did not accept the order: ") + text(body))
