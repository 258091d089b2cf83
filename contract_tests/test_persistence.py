"""Property 2 — persistence first.

For any order and any fault, the order was stored before the receiver saw the request, and after the
dispatch its stored status, reason, external id and attempt match the answer. The receiver observes the
service mid-delivery: its ``probe`` GETs ``/api/v1/orders?outletId=<the scenario's outlet>`` with the API
key before answering, and mock_pos's journal records what it saw.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from contract_tests import strategies as s
from contract_tests.adapters import ADAPTERS, with_mock
from contract_tests.checks import assert_attempt_evidence, delivery_id, dispatch_answer
from contract_tests.jsontext import write
from contract_tests.profiles import examples
from contract_tests.seed import NO_ROUTE
from contract_tests.targets import Servers, body_of, decode

HEALTHY = "none"
# The order's and the attempt's `route` (README, the order record): "webhook" for Path 1, else the
# transformer's slug; null for an order that found no route.
WEBHOOK_ROUTE = "webhook"


@pytest.mark.parametrize("variant", [HEALTHY, *s.FAULT_VARIANTS])
def test_order_is_stored_before_sending_and_its_record_matches_the_answer(
    servers: Servers, variant: str
) -> None:
    servers.skip_unless_budget_known(variant)
    budget = examples("persistence_slow" if variant.endswith(s.OVER_BUDGET) else "persistence")

    @settings(max_examples=budget)
    @given(written=s.written_orders(s.OrderShape(max_items=2)), data=st.data())
    def prop(written: s.WrittenOrder, data: st.DataObject) -> None:
        scenario = servers.scenario()
        scenario.webhook(probe=True)
        fault: dict[str, Any] | None = None
        if variant != HEALTHY:
            fault = data.draw(
                s.faults(variant, servers.target.budget_s, redirect_to=scenario.receiver_url), "fault"
            )
            scenario.fault({"target": scenario.receiver, **fault})

        answer = dispatch_answer(scenario.dispatch(s.envelope(scenario.outlet_id, written.text)))

        [entry] = scenario.journal()
        probe = entry.get("probe")
        assert probe is not None, "the receiver did not probe"
        assert probe.get("status") == 200, probe
        seen = decode(probe["body"])["orders"]
        # Mid-delivery the record is the order on its way: pending, routed, no reason or external id yet.
        assert [(o["orderId"], o["status"], o["route"], o["reason"], o["externalOrderId"]) for o in seen] == [
            (answer["orderId"], "pending", WEBHOOK_ROUTE, "", "")
        ], seen

        stored = scenario.stored_order(answer["orderId"])
        assert (stored["outletId"], stored["route"]) == (scenario.outlet_id, WEBHOOK_ROUTE), stored
        assert stored["status"] == ("dispatched" if answer["dispatched"] else "failed"), stored
        assert (stored["reason"], stored["externalOrderId"]) == (answer["reason"], answer["externalOrderId"])
        [attempt] = stored["attempts"]
        assert (attempt["dispatched"], attempt["reason"]) == (answer["dispatched"], answer["reason"]), attempt
        assert attempt["route"] == WEBHOOK_ROUTE, attempt
        assert attempt["deliveryId"] == delivery_id(entry)
        assert_attempt_evidence(attempt, fault, servers.target.budget_s)
        # The stored order is the request's bytes, not a re-encoding of them.
        raw = scenario.cata.get(f"/api/v1/orders/{answer['orderId']}").content
        assert written.text in raw

    prop()


# README, "Adapter scripts in the engine" (Failures): a script that throws gives `dispatched: false` with
# `transformer failed: <message>`; the order stays stored (failed) and its attempt has no request.
SCRIPT_FAILED = "transformer failed: "
# The shipped Revel script's own words for a plu that is no Revel product id (no productIdByPlu mapping).
NO_PRODUCT_ID = "no Revel product id: the plu is not numeric and the outlet has no productIdByPlu"


@settings(max_examples=examples("persistence"))
@given(order=s.orders(s.OrderShape(max_items=2)))
def test_a_script_that_fails_is_a_failed_dispatch_kept_as_evidence(
    servers: Servers, order: dict[str, Any]
) -> None:
    if "revel" not in with_mock():
        pytest.skip("needs the revel transformer and its mock")
    scenario = servers.scenario()
    ADAPTERS["revel"].connect(scenario)
    first, *rest = order["items"]
    text = write({**order, "orderRefNo": scenario.order_ref, "items": [{**first, "plu": "ct-no-id"}, *rest]})

    answer = dispatch_answer(scenario.dispatch(s.envelope(scenario.outlet_id, text, transformer="revel")))

    assert answer["dispatched"] is False, answer
    assert answer["reason"].startswith(SCRIPT_FAILED), answer
    assert NO_PRODUCT_ID in answer["reason"], answer
    sent = [e for e in scenario.journal("revel") if scenario.order_ref.encode() in body_of(e)]
    assert sent == [], "a script that failed still sent a request"
    stored = scenario.stored_order(answer["orderId"])
    assert (stored["status"], stored["reason"], stored["route"]) == ("failed", answer["reason"], "revel"), (
        stored
    )
    [attempt] = stored["attempts"]
    assert (attempt["dispatched"], attempt["reason"]) == (False, answer["reason"]), attempt
    assert (attempt["requestUrl"], attempt["responseStatus"]) == ("", None), attempt
    assert NO_PRODUCT_ID in attempt["scriptError"], attempt


@settings(max_examples=examples("persistence"))
@given(
    written=s.written_orders(s.OrderShape(max_items=2)),
    transformer=st.sampled_from((None, *with_mock(scripted=True))),
    mapped=st.sampled_from((None, *with_mock(scripted=True))),
)
def test_an_order_with_no_route_is_stored_failed_with_the_seeds_reason(
    servers: Servers, written: s.WrittenOrder, transformer: str | None, mapped: str | None
) -> None:
    """No webhook for the outlet (Path 1), or the outlet not mapped to the requested transformer (not
    mapped at all, or to another POS): the order is still stored, failed, with the answer's reason and
    no attempt (each request sent is an attempt)."""
    if transformer is not None and mapped == transformer:
        mapped = None
    scenario = servers.scenario()
    if mapped is not None:
        ADAPTERS[mapped].connect(scenario)

    answer = dispatch_answer(
        scenario.dispatch(s.envelope(scenario.outlet_id, written.text, transformer=transformer))
    )

    assert (answer["dispatched"], answer["reason"]) == (False, NO_ROUTE), answer
    stored = scenario.stored_order(answer["orderId"])
    assert (stored["status"], stored["reason"], stored["route"]) == ("failed", NO_ROUTE, None), stored
    assert (stored["outletId"], stored["externalOrderId"], stored["attempts"]) == (
        scenario.outlet_id,
        "",
        [],
    ), stored
    raw = scenario.cata.get(f"/api/v1/orders/{answer['orderId']}").content
    assert written.text in raw
