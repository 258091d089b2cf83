"""mock_pos faults drawn over their whole range: status codes, error bodies, timings around the budget."""

from __future__ import annotations

import base64
from typing import Any

from hypothesis import strategies as st

from contract_tests.jsontext import write
from contract_tests.strategies._orders import _maybe
from contract_tests.strategies._vocabulary import json_values, unicode_text

# --- faults ------------------------------------------------------------------------------------------

# The budget decides the outcome of the timing modes, so each side of it is its own variant: a test
# parametrized over variants covers both whatever hypothesis happens to draw.
UNDER_BUDGET, OVER_BUDGET = "under-budget", "over-budget"
# A status fault whose body is not UTF-8, mostly with a 2xx: the body a script's interpret(response) is
# given as text (README: each invalid sequence shown as U+FFFD), and that the seed's rules read as not JSON.
NOT_UTF8 = "not-utf8"
FAULT_VARIANTS = (
    "status",
    f"status-{NOT_UTF8}",
    "error_body",
    f"delay-{UNDER_BUDGET}",
    f"delay-{OVER_BUDGET}",
    "reset",
    "malformed",
    "html",
    f"trickle-{UNDER_BUDGET}",
    f"trickle-{OVER_BUDGET}",
    "redirect",
)
# The TLS faults: each is a site of mock_pos (an HTTPS port), not an admin fault; the handshake fails
# before any request is read, so they have no parameters to draw.
TLS_FAULTS = (
    "tls:expired",
    "tls:wrong-host",
    "tls:self-signed",
    "tls:untrusted-ca",
    "tls:missing-intermediate",
    "tls:old-protocol",
    "tls:handshake-reset",
)
ERROR_SHAPES = ("nested", "details", "errorMsg", "string")
# The faults that answer at once, so several attempts per example stay cheap.
QUICK_FAULTS = ("status", "error_body", "reset", "malformed", "html", "redirect")
# Seconds on either side of the dispatch budget: far enough that scheduling noise cannot flip the outcome.
FAST_FRACTION = 0.25
# Any code in 100-599, with the ones HTTP treats specially (1xx, no-content, redirects, edges) drawn often.
STATUS_CODES = st.one_of(
    st.sampled_from((100, 101, 102, 103, 199, 200, 201, 202, 204, 205, 206, 299, 300, 301, 302, 303, 304)),
    st.sampled_from((307, 308, 399, 400, 401, 403, 404, 409, 422, 429, 499, 500, 502, 503, 504, 599)),
    st.integers(100, 599),
)
SLOW_MARGIN = (0.4, 0.9)


def error_messages() -> st.SearchStrategy[str]:
    """What a POS might say, realistic or arbitrary (a message must have some text to be present)."""
    realistic = st.sampled_from(
        ("Item sold out", "Kitchen closed", "Invalid establishment", "Product 42 does not exist", "Ошибка")
    )
    return st.one_of(realistic, unicode_text(min_size=1, max_size=60))


# What is not a message where the seed looks for one, and not an id where it looks for an id: each must be
# skipped for the next candidate (README, "Dispatch answers").
NOT_A_MESSAGE = st.one_of(
    st.just(""), st.none(), st.booleans(), st.integers(-5, 5), st.just([]), st.just({"text": "x"})
)
NOT_AN_ID: st.SearchStrategy[Any] = st.sampled_from((None, True, False, [], {"id": 7}))
ID_KEYS = ("externalOrderId", "orderId", "id")
# A status that says "error" (any case, or false) and ones that only look close to it.
ERROR_STATUSES = ("ERROR", "error", "Error", "eRrOr", False)
OTHER_STATUSES = ("OK", "ok", True, "ERRORS", "ERROR ", "failed", 0, None)


MESSAGE_PLACES = ("error", "error.message", "error.details.message", "errorMsg", "message")


def _put(document: dict[str, Any], place: str, value: Any) -> None:
    """``value`` at ``place`` (a dotted path), making the objects on the way (``error`` was no string)."""
    *parents, leaf = place.split(".")
    node = document
    for name in parents:
        if not isinstance(node.get(name), dict):
            node[name] = {}
        node = node[name]
    node[leaf] = value


@st.composite
def error_documents(draw: st.DrawFn) -> dict[str, Any]:
    """A body whose ``status`` says error, with the first message in any of the seed's places (``error``
    as a string, ``error.message``, ``error.details.message``, ``errorMsg``, ``message``) or in none:
    the places before it absent or decoys (empty, not a string), the places after it maybe another
    message, so the first present one is told from the later ones."""
    document: dict[str, Any] = {"status": draw(st.sampled_from(ERROR_STATUSES))}
    first = draw(st.sampled_from((*range(len(MESSAGE_PLACES)), None)))
    for index, place in enumerate(MESSAGE_PLACES):
        if place == "error" and index != first and first is not None and first < 3:
            continue  # a string `error` would leave no room for error.message / error.details.message
        if first is not None and index == first:
            value: Any = draw(error_messages())
        else:
            kind = draw(st.sampled_from(("absent", "decoy", "message")))
            if kind == "absent" or (kind == "message" and (first is None or index < first)):
                continue
            value = draw(NOT_A_MESSAGE) if kind == "decoy" else draw(error_messages())
        if place == "error" and isinstance(value, dict):
            continue
        if "." in place and not isinstance(document.get("error", {}), dict):
            continue
        _put(document, place, value)
    return document


@st.composite
def success_documents(draw: st.DrawFn) -> dict[str, Any]:
    """A body that does not say error, with the id under any of the three keys or none: the keys before
    it absent or not an id (null, a boolean, an object, an array), the keys after it maybe another id;
    maybe a status that only looks like an error, maybe an error message where no error is claimed."""
    document: dict[str, Any] = {}
    first = draw(st.sampled_from((*range(len(ID_KEYS)), None)))
    ids = st.one_of(st.integers(0, 10**12), unicode_text(min_size=1, max_size=20))
    for index, key in enumerate(ID_KEYS):
        if index == first:
            document[key] = draw(ids)
            continue
        # Before the id mostly a non-id (to be skipped), after it maybe another id (to be ignored).
        kind = draw(st.sampled_from(("not-an-id", "not-an-id", "not-an-id", "absent", "id")))
        if kind == "not-an-id":
            document[key] = draw(NOT_AN_ID)
        elif kind == "id" and first is not None and index > first:
            document[key] = draw(ids)
    if _maybe(draw):
        document["status"] = draw(st.sampled_from(OTHER_STATUSES))
    if _maybe(draw):
        document[draw(st.sampled_from(("message", "errorMsg", "error")))] = draw(error_messages())
    return document


@st.composite
def response_bodies(draw: st.DrawFn) -> str:
    """Bodies a destination may answer with: text, JSON successes with ids, JSON error bodies."""
    kind = draw(st.sampled_from(("text", "success", "error", "other-json")))
    if kind == "text":
        return draw(unicode_text(max_size=300))
    if kind == "success":
        return write(draw(success_documents())).decode("utf-8")
    if kind == "error":
        return write(draw(error_documents())).decode("utf-8")
    return write(draw(json_values())).decode("utf-8")


@st.composite
def not_utf8_bodies(draw: st.DrawFn) -> bytes:
    """A body a destination may answer with (text, JSON), spoilt into bytes that are not UTF-8: a byte
    that cannot start or continue a character, a Latin-1 letter, a lead byte left without its tail."""
    raw = draw(response_bodies()).encode("utf-8")
    at = draw(st.integers(0, len(raw)))
    raw = raw[:at] + draw(st.sampled_from((b"\xff", b"\xe9", b"\xc3", b"\x80", b"\xed\xa0\x80"))) + raw[at:]
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw
    return raw + b"\xff"  # the insertion completed a character: spoil the end instead


@st.composite
def faults(draw: st.DrawFn, variant: str, budget_s: float, *, redirect_to: str) -> dict[str, Any]:
    """A mock_pos fault of ``variant`` (a mode, ``<mode>-under-budget``/``<mode>-over-budget`` for delay
    and trickle, or ``status-not-utf8``), without its target, with parameters drawn over the whole range."""
    mode, _, side = variant.partition("-")
    if mode == "status" and side == NOT_UTF8:
        code = draw(st.sampled_from((200, 201, 202, 299, 400, 503)))
        return {"mode": mode, "code": code, "bodyBase64": base64.b64encode(draw(not_utf8_bodies())).decode()}
    if mode == "status":
        spec: dict[str, Any] = {"mode": mode, "code": draw(STATUS_CODES)}
        spec["body"] = draw(response_bodies())
        if _maybe(draw):
            spec["contentType"] = draw(st.sampled_from(("application/json", "text/plain", "text/html")))
        return spec
    if mode == "error_body":
        return {"mode": mode, "shape": draw(st.sampled_from(ERROR_SHAPES)), "message": draw(error_messages())}
    if mode in ("delay", "trickle"):
        slow = draw(st.booleans()) if not side else side == OVER_BUDGET
        if slow:
            low, high = SLOW_MARGIN
            seconds = budget_s + draw(st.floats(low, high))
        else:
            seconds = draw(st.floats(0, budget_s * FAST_FRACTION))
        spec = {"mode": mode, "seconds": round(seconds, 3)}
        if mode == "trickle":
            spec["chunks"] = draw(st.integers(1, 8))
        return spec
    if mode == "html":
        return {"mode": mode, "code": draw(st.integers(200, 599))}
    if mode == "redirect":
        location = draw(st.sampled_from((redirect_to, "http://127.0.0.1:9/elsewhere", "/relative/path")))
        return {"mode": mode, "code": draw(st.integers(300, 399)), "location": location}
    return {"mode": mode}
