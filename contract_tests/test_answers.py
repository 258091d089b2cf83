"""Property 8 — every answer.

Every dispatch answer has exactly the seed's fields with the seed's types (``code`` 200, ``isSuccess``
true, ``message`` text, ``orderId`` a UUID, ``externalOrderId`` text, ``dispatched`` a boolean, ``reason``
empty exactly when dispatched), whatever the destination did and whether a route exists; every 4xx of the
API uses the error envelope (``code`` equal to the HTTP status, ``isSuccess`` false, a message); and the
``POS returned HTTP <code>: <body>`` reason carries the POS's body cut at 200 characters, marked ``...``
(bytes that are not UTF-8 shown as U+FFFD).
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from contract_tests import strategies as s
from contract_tests.adapters import ADAPTERS, with_mock
from contract_tests.checks import dispatch_answer
from contract_tests.jsontext import write
from contract_tests.profiles import examples
from contract_tests.seed import NO_ROUTE, POS_NON_2XX, REASON_BODY_CHARS, truncated
from contract_tests.targets import Scenario, Servers

PATH_2 = with_mock()
UNKNOWN_ORDER = "00000000-0000-4000-8000-000000000000"


@settings(max_examples=examples("answers"))
@given(
    written=s.written_orders(s.OrderShape(max_items=2)),
    route=st.sampled_from(("webhook", "none")),
    mode=st.sampled_from((None, *s.QUICK_FAULTS)),
    data=st.data(),
)
def test_every_dispatch_answer_has_the_seeds_fields_and_types(
    servers: Servers, written: s.WrittenOrder, route: str, mode: str | None, data: st.DataObject
) -> None:
    scenario = servers.scenario()
    if route == "webhook":
        scenario.webhook()
        if mode is not None:
            fault = data.draw(s.faults(mode, servers.target.budget_s, redirect_to=scenario.receiver_url))
            scenario.fault({"target": scenario.receiver, **fault})

    answer = dispatch_answer(scenario.dispatch(s.envelope(scenario.outlet_id, written.text)))

    if answer["dispatched"]:
        assert answer["message"] == "order dispatched", answer
    if route == "none":
        assert (answer["dispatched"], answer["reason"], answer["externalOrderId"]) == (False, NO_ROUTE, "")


def _envelope(response: httpx.Response) -> dict[str, Any]:
    assert 400 <= response.status_code < 500, (response.status_code, response.text)
    assert response.headers.get("content-type", "").startswith("application/json"), response.headers
    answer: dict[str, Any] = response.json()
    assert isinstance(answer, dict), answer
    assert {"code", "isSuccess", "message"} <= set(answer), answer
    assert answer["code"] == response.status_code, answer
    assert type(answer["code"]) is int, answer
    assert answer["isSuccess"] is False, answer
    assert isinstance(answer["message"], str), answer
    assert answer["message"].strip(), answer
    return answer


def _without_key(scenario: Scenario, key: str | None) -> httpx.Response:
    headers = {"Content-Type": "application/json"} if key is None else {"X-Api-Key": key}
    with httpx.Client(base_url=scenario.target.cata_url, timeout=30) as bare:
        return bare.post(
            "/api/v1/orders/dispatch", content=s.envelope(scenario.outlet_id, b"{}"), headers=headers
        )


# Each way a caller can get a 4xx from the API, with the status the seed or the API reference fixes.
REFUSALS: dict[str, tuple[int, Callable[[Scenario], httpx.Response]]] = {
    "no-api-key": (401, lambda sc: _without_key(sc, None)),
    "unknown-api-key": (401, lambda sc: _without_key(sc, "cata_sk_not-a-key")),
    "malformed-dispatch": (400, lambda sc: sc.dispatch(b'{"outletId": "x", "event": ')),
    "unknown-order": (404, lambda sc: sc.cata.get(f"/api/v1/orders/{UNKNOWN_ORDER}")),
    "status-of-unknown-order": (
        404,
        lambda sc: sc.cata.post(f"/api/v1/orders/{UNKNOWN_ORDER}/status", json={"status": "ACCEPTED"}),
    ),
    "redispatch-of-unknown-order": (
        404,
        lambda sc: sc.cata.post(f"/api/v1/orders/{UNKNOWN_ORDER}/redispatch"),
    ),
    "unknown-webhook": (404, lambda sc: sc.cata.get("/api/v1/webhooks/999999999")),
    "register-without-url": (
        400,
        lambda sc: sc.cata.post("/api/v1/webhooks/register", json={"outletId": "x"}),
    ),
    "malformed-registration": (
        400,
        lambda sc: sc.cata.post(
            "/api/v1/webhooks/register",
            content=b'{"outletId": ',
            headers={"Content-Type": "application/json"},
        ),
    ),
}
# The refusals of a body that lacks a field name that field by its JSON path.
NAMES_THE_FIELD = {"register-without-url": " - at `$.callbackUrl`"}


@pytest.mark.parametrize("case", sorted(REFUSALS))
def test_every_refusal_uses_the_error_envelope(servers: Servers, case: str) -> None:
    status, call = REFUSALS[case]
    response = call(servers.scenario())
    assert response.status_code == status, (response.status_code, response.text)
    answer = _envelope(response)
    if case in NAMES_THE_FIELD:
        assert NAMES_THE_FIELD[case] in answer["message"], answer


@st.composite
def long_bodies(draw: st.DrawFn) -> bytes:
    """POS error bodies on both sides of the 200-character cut, multi-byte characters included, and bytes
    that are not UTF-8 (Latin-1 text, a stray 0xFF, a multi-byte character cut short): the reason shows
    each invalid sequence as U+FFFD (the README), so the body is still cut at 200 characters of text."""
    length = draw(
        st.sampled_from((0, 1, REASON_BODY_CHARS - 1, REASON_BODY_CHARS, REASON_BODY_CHARS + 1, 1000))
    )
    alphabet = draw(st.sampled_from(("x", "é", "漢", "😀")))
    raw = draw(st.text(alphabet=alphabet, min_size=length, max_size=length)).encode()
    spoil = draw(st.sampled_from(("none", "latin-1", "stray", "cut")))
    if spoil == "latin-1":
        raw = raw.decode().encode("latin-1", errors="replace")
    elif spoil == "stray":
        at = draw(st.integers(min_value=0, max_value=len(raw)))
        raw = raw[:at] + b"\xff" + raw[at:]
    elif spoil == "cut" and raw and raw[-1] >= 0x80:
        raw = raw[:-1]
    return raw


@pytest.mark.parametrize("slug", PATH_2)
def test_pos_non_2xx_reason_carries_the_body_cut_at_200_characters(servers: Servers, slug: str) -> None:
    adapter = ADAPTERS[slug]
    catalogue = adapter.catalogue(servers.scenario())

    @settings(max_examples=examples("answers"))
    @given(
        order=s.orders(s.OrderShape(catalogue=catalogue, max_items=1)),
        code=st.sampled_from((400, 404, 422, 500, 503)),
        body=long_bodies(),
    )
    def prop(order: dict[str, Any], code: int, body: bytes) -> None:
        scenario = servers.scenario()
        adapter.connect(scenario)
        order = {**order, "orderRefNo": scenario.order_ref}
        fault = {"mode": "status", "code": code, "bodyBase64": base64.b64encode(body).decode()}
        created = scenario.fault({"target": adapter.target, "match": adapter.fault_match(scenario), **fault})
        try:
            answer = dispatch_answer(
                scenario.dispatch(s.envelope(scenario.outlet_id, write(order), transformer=slug))
            )
        finally:
            scenario.remove_fault(created["id"])

        shown = body.decode("utf-8", errors="replace")
        assert answer["reason"] == POS_NON_2XX.format(code=code, body=truncated(shown)), answer
        assert answer["dispatched"] is False, answer

    prop()
