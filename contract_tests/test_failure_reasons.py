"""Property 3 — failure reasons.

For any fault mode of mock_pos, with its parameters drawn over their whole range (any status code in
100-599, answers whose body is not UTF-8 — mostly 2xx, which a script's ``interpret`` reads as text with
U+FFFD and the seed's rules as not JSON —, each error-body shape with any message, delays and trickles on either side of the dispatch
budget, resets, malformed and HTML bodies, redirects), the dispatch answer's ``dispatched`` and ``reason``
are exactly what the seed's table prescribes, on both paths: Path 1 (webhook to a mock receiver) and
Path 2 (``builtInTransformer`` against a POS mock). The expected values are written here from the seed,
not computed by the service's code. The TLS faults (each an HTTPS site of mock_pos) are the seed's
"transport-level failure (DNS, TCP, TLS, timeout)": ``http request failed: <detail>``, the detail
naming TLS.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from contract_tests import deviations
from contract_tests import strategies as s
from contract_tests.adapters import ADAPTERS, RevelAdapter, with_mock
from contract_tests.checks import assert_names_the_destination, dispatch_answer
from contract_tests.jsontext import write
from contract_tests.profiles import examples
from contract_tests.script_readers import assert_wanted
from contract_tests.seed import (
    SLOW_MODES,
    TRANSPORT_FAILURE,
    TRANSPORT_PREFIX,
    assert_matches,
    expected,
    expected_for_status,
)
from contract_tests.targets import Servers

# The order matters little here (property 1 covers it); smaller orders keep the fault examples quick.
ORDER_SHAPE = s.OrderShape(max_items=2)
PATH_2 = with_mock()
# Property 3 on every POS mock, the ones whose script reads the answer included (adapter.expected).
PATH_2_ALL = with_mock(scripted=True)


def _examples(variant: str, *, scripted: bool = False) -> int:
    prop = "reasons_scripted" if scripted else "reasons"
    return examples(f"{prop}_slow" if variant.endswith(s.OVER_BUDGET) else prop)


def _known_deviation(fault: dict[str, Any]) -> bool:
    return fault["mode"] == "status" and fault["code"] in deviations.STATUS_CODES_MISREPORTED


@pytest.mark.parametrize("variant", s.FAULT_VARIANTS)
def test_webhook_failure_reasons_are_the_seeds(servers: Servers, variant: str) -> None:
    servers.skip_unless_budget_known(variant)

    @settings(max_examples=_examples(variant))
    @given(written=s.written_orders(ORDER_SHAPE), data=st.data())
    def prop(written: s.WrittenOrder, data: st.DataObject) -> None:
        scenario = servers.scenario()
        scenario.webhook()
        fault = data.draw(
            s.faults(variant, servers.target.budget_s, redirect_to=scenario.receiver_url), "fault"
        )
        assume(not _known_deviation(fault))
        scenario.fault({"target": scenario.receiver, **fault})

        answer = dispatch_answer(scenario.dispatch(s.envelope(scenario.outlet_id, written.text)))

        assert_matches(answer, expected("webhook", fault, servers.target.budget_s, f"{scenario.receiver}-1"))
        assert_names_the_destination(answer, fault, servers.target.mock_url)
        # Exactly one request: nothing retried, no redirect followed.
        assert len(scenario.journal()) == 1

    prop()


@pytest.mark.parametrize("variant", s.FAULT_VARIANTS)
@pytest.mark.parametrize("slug", PATH_2_ALL)
def test_pos_failure_reasons_are_the_seeds(servers: Servers, slug: str, variant: str) -> None:
    servers.skip_unless_budget_known(variant)
    adapter = ADAPTERS[slug]
    catalogue = adapter.catalogue(servers.scenario())
    shape = adapter.order_shape(catalogue, max_items=2)

    @settings(max_examples=_examples(variant, scripted=adapter.reads_answers))
    @given(order=s.orders(shape), style=s.wire_styles(), data=st.data())
    def prop(order: dict[str, Any], style: Any, data: st.DataObject) -> None:
        scenario = servers.scenario()
        adapter.connect(scenario)
        order = adapter.prepare({**order, "orderRefNo": scenario.order_ref})
        fault = data.draw(
            s.faults(variant, servers.target.budget_s, redirect_to=scenario.receiver_url), "fault"
        )
        assume(not _known_deviation(fault))
        created = scenario.fault(
            {"target": adapter.target, "match": adapter.fault_match(scenario), "times": 1, **fault}
        )
        try:
            answer = dispatch_answer(
                scenario.dispatch(s.envelope(scenario.outlet_id, write(order, style), transformer=slug))
            )
        finally:
            scenario.remove_fault(created["id"])

        assert_wanted(answer, adapter.expected(fault, servers.target.budget_s))
        assert_names_the_destination(answer, fault, servers.target.mock_url)
        if answer["dispatched"] and fault["mode"] in SLOW_MODES:
            record = adapter.accepted(scenario, answer)
            assert record is not None, answer
            assert adapter.pos_view(record, order).reference == adapter.want(order, answer).reference

    prop()


@pytest.mark.parametrize("mode", s.TLS_FAULTS)
@pytest.mark.parametrize("path", ["webhook", "revel"])
def test_tls_failure_reasons_are_the_seeds(servers: Servers, path: str, mode: str) -> None:
    revel = RevelAdapter()
    webhook = path == "webhook"
    shape = (
        ORDER_SHAPE if webhook else s.OrderShape(catalogue=revel.catalogue(servers.scenario()), max_items=2)
    )

    @settings(max_examples=examples("reasons_tls"))
    @given(order=s.orders(shape), style=s.wire_styles())
    def prop(order: dict[str, Any], style: Any) -> None:
        scenario = servers.scenario()
        site = scenario.tls_site(mode)
        if webhook:
            scenario.webhook(base_url=site)
        else:
            revel.connect(scenario, base_url=site)
        body = s.envelope(
            scenario.outlet_id, write(order, style), transformer=None if webhook else revel.slug
        )
        answer = dispatch_answer(scenario.dispatch(body))

        assert_matches(answer, TRANSPORT_FAILURE)
        assert answer["reason"].startswith(f"{TRANSPORT_PREFIX}TLS "), answer
        if webhook:  # nothing reached the receiver: the handshake failed before the request
            assert scenario.journal() == []

    prop()


def _shape(servers: Servers, path: str) -> s.OrderShape:
    catalogue = None if path == "webhook" else ADAPTERS[path].catalogue(servers.scenario())
    return s.OrderShape(catalogue=catalogue, max_items=1)


def _answer_under_fault(
    servers: Servers, path: str, order: dict[str, Any], fault: dict[str, Any]
) -> dict[str, Any]:
    """The dispatch answer on ``path`` ("webhook" or a transformer slug) while its destination has ``fault``."""
    scenario = servers.scenario()
    if path == "webhook":
        scenario.webhook()
        scenario.fault({"target": scenario.receiver, **fault})
        return dispatch_answer(scenario.dispatch(s.envelope(scenario.outlet_id, write(order))))
    adapter = ADAPTERS[path]
    adapter.connect(scenario)
    order = {**order, "orderRefNo": scenario.order_ref}
    match = adapter.fault_match(scenario)
    created = scenario.fault({"target": adapter.target, "match": match, "times": 1, **fault})
    try:
        return dispatch_answer(
            scenario.dispatch(s.envelope(scenario.outlet_id, write(order), transformer=path))
        )
    finally:
        scenario.remove_fault(created["id"])


# 2xx codes that carry a body (204 and 205 cannot), the edges of the range among them.
BODY_2XX = (200, 201, 202, 203, 206, 226, 299)


@pytest.mark.parametrize("path", ["webhook", *PATH_2])
def test_2xx_answer_bodies_are_read_as_the_seed_says(servers: Servers, path: str) -> None:
    """Error bodies with the message in any of its places (and decoys before it), success bodies with
    the id under any of its keys (and non-ids before it), JSON that is no object: the seed's outcome."""
    shape = _shape(servers, path)

    @settings(max_examples=examples("bodies"))
    @given(
        order=s.orders(shape),
        code=st.sampled_from(BODY_2XX),
        document=st.one_of(s.error_documents(), s.success_documents(), s.json_values()),
    )
    def prop(order: dict[str, Any], code: int, document: Any) -> None:
        body = write(document).decode("utf-8")
        fault = {"mode": "status", "code": code, "body": body}
        answer = _answer_under_fault(servers, path, order, fault)
        assert_matches(answer, expected_for_status(path, code, body.encode("utf-8")))

    prop()


@pytest.mark.parametrize("code", [199, 200, 299, 300])
@pytest.mark.parametrize("path", ["webhook", *PATH_2])
def test_status_codes_at_the_edges_of_2xx(servers: Servers, path: str, code: int) -> None:
    """The last informational, the first and last success, the first redirect: every run, not by luck."""
    shape = _shape(servers, path)

    @settings(max_examples=examples("edges"))
    @given(order=s.orders(shape), body=s.response_bodies())
    def prop(order: dict[str, Any], body: str) -> None:
        answer = _answer_under_fault(servers, path, order, {"mode": "status", "code": code, "body": body})
        assert_matches(answer, expected_for_status(path, code, body.encode("utf-8")))

    prop()


# The README's places, each case one question a reading of the body must answer right: which message,
# which id, what is skipped. Every run asks every one (the drawn bodies above may miss a rare one).
PLACES: tuple[dict[str, Any], ...] = (
    {"status": "ERROR", "error": "a string error", "errorMsg": "later"},
    {"status": "ERROR", "error": {"message": "nested"}, "errorMsg": "later"},
    {"status": "ERROR", "error": {"message": "", "details": {"message": "details"}}, "message": "later"},
    {"status": "ERROR", "error": {"message": 5}, "errorMsg": "errorMsg", "message": "later"},
    {"status": "error", "error": "", "message": "message"},
    {"status": False, "error": None, "errorMsg": [], "message": "message"},
    {"status": "Error", "errorMsg": "", "message": ""},
    {"status": "ERROR"},
    {"status": "ERRORS", "message": "not an error status"},
    {"status": True, "error": "not an error status", "orderId": 3},
    {"orderId": 5},
    {"id": "only-id"},
    {"externalOrderId": "first", "orderId": 5, "id": 6},
    {"orderId": "second", "id": 6},
    {"externalOrderId": None, "orderId": 7},
    {"externalOrderId": True, "orderId": 8},
    {"externalOrderId": False, "orderId": None, "id": 9},
    {"externalOrderId": {"id": 1}, "id": "after-object"},
    {"externalOrderId": [1], "orderId": "after-array"},
    {"externalOrderId": "", "orderId": 10},
    {},
)


@pytest.mark.parametrize("path", ["webhook", *PATH_2])
def test_every_place_of_the_message_and_the_id(servers: Servers, path: str) -> None:
    shape = _shape(servers, path)

    @settings(max_examples=1)
    @given(order=s.orders(shape))
    def prop(order: dict[str, Any]) -> None:
        for document in PLACES:
            body = write(document).decode("utf-8")
            answer = _answer_under_fault(servers, path, order, {"mode": "status", "code": 200, "body": body})
            assert_matches(answer, expected_for_status(path, 200, body.encode("utf-8")))

    prop()
