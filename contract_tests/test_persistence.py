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
from contract_tests.checks import assert_attempt_evidence, delivery_id, dispatch_answer
from contract_tests.profiles import examples
from contract_tests.targets import Servers, decode

HEALTHY = "none"


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
        assert [(o["orderId"], o["status"]) for o in seen] == [(answer["orderId"], "pending")], seen

        stored = scenario.stored_order(answer["orderId"])
        assert stored["outletId"] == scenario.outlet_id
        assert stored["status"] == ("dispatched" if answer["dispatched"] else "failed"), stored
        assert (stored["reason"], stored["externalOrderId"]) == (answer["reason"], answer["externalOrderId"])
        [attempt] = stored["attempts"]
        assert (attempt["dispatched"], attempt["reason"]) == (answer["dispatched"], answer["reason"]), attempt
        assert attempt["deliveryId"] == delivery_id(entry)
        assert_attempt_evidence(attempt, fault, servers.target.budget_s)
        # The stored order is the request's bytes, not a re-encoding of them.
        raw = scenario.cata.get(f"/api/v1/orders/{answer['orderId']}").content
        assert written.text in raw

    prop()
