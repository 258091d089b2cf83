"""Property 12 — replay.

The seed keeps every order, failed or not, "so you can investigate or replay later";
``POST /api/v1/orders/{id}/redispatch`` "send[s] the stored order again through its route; answers like a
dispatch" (README, HTTP API). So a replay goes where the order's own dispatch went — to the POS for an order
sent with ``builtInTransformer``, to the webhook for one sent without — and a replay whose route is gone
(the outlet's webhook deleted) answers like a dispatch with no route: ``dispatched: false``, the seed's
``no dispatch route configured for this outlet/provider``, nothing sent, and the order stays stored as
failed with that reason ("order persisted as failed").
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from contract_tests import strategies as s
from contract_tests.adapters import ADAPTERS, with_mock
from contract_tests.checks import dispatch_answer
from contract_tests.jsontext import write
from contract_tests.profiles import examples
from contract_tests.seed import NO_ROUTE
from contract_tests.targets import Scenario, Servers, body_of

PATH_2 = with_mock()


def _replayed(scenario: Scenario, order_id: str) -> dict[str, Any]:
    answer = dispatch_answer(scenario.redispatch(order_id))
    assert answer["orderId"] == order_id, answer
    return answer


@pytest.mark.parametrize("slug", PATH_2)
def test_redispatch_takes_the_path_the_order_was_dispatched_on(
    servers: Servers, redispatch_available: None, slug: str
) -> None:
    adapter = ADAPTERS[slug]
    catalogue = adapter.catalogue(servers.scenario())

    @settings(max_examples=examples("replay"))
    @given(
        order=s.orders(s.OrderShape(catalogue=catalogue, max_items=1)),
        picks=st.lists(st.sampled_from(("webhook", slug)), min_size=1, max_size=2),
    )
    def prop(order: dict[str, Any], picks: list[str]) -> None:
        scenario = servers.scenario()
        scenario.webhook()
        adapter.connect(scenario)
        text = write({**order, "orderRefNo": scenario.order_ref})
        sent = []
        for pick in picks:
            transformer = slug if pick == slug else None
            envelope = s.envelope(scenario.outlet_id, text, transformer=transformer)
            sent.append(dispatch_answer(scenario.dispatch(envelope))["orderId"])

        for order_id in sent:
            _replayed(scenario, order_id)

        # Each order reached its destination twice (dispatch, replay) and the other destination never.
        received = scenario.journal()
        assert len(received) == 2 * picks.count("webhook"), f"{picks}: the receiver got {len(received)}"
        assert all(body_of(entry) == text for entry in received)
        at_pos = [e for e in scenario.journal(adapter.target) if scenario.order_ref.encode() in body_of(e)]
        assert len(at_pos) == 2 * picks.count(slug), f"{picks}: the POS got {len(at_pos)}"

    prop()


def _delete_webhooks(scenario: Scenario) -> None:
    listing = scenario.cata.get("/api/v1/webhooks", params={"outletId": scenario.outlet_id})
    assert listing.status_code == 200, listing.text
    hooks = listing.json()["webhooks"]
    assert hooks, listing.text
    for hook in hooks:
        deleted = scenario.cata.delete(f"/api/v1/webhooks/{hook['id']}")
        assert deleted.status_code == 200, deleted.text


@settings(max_examples=examples("replay"))
@given(written=s.written_orders(s.OrderShape(max_items=2)), first_fails=st.booleans())
def test_redispatch_without_a_route_is_the_no_route_answer_and_the_order_stays_failed(
    servers: Servers, redispatch_available: None, written: s.WrittenOrder, first_fails: bool
) -> None:
    scenario = servers.scenario()
    scenario.webhook()
    if first_fails:
        scenario.fault({"target": scenario.receiver, "times": 1, "mode": "status", "code": 503, "body": ""})
    first = dispatch_answer(scenario.dispatch(s.envelope(scenario.outlet_id, written.text)))
    assert first["dispatched"] is not first_fails, first
    _delete_webhooks(scenario)

    answer = _replayed(scenario, first["orderId"])

    assert (answer["dispatched"], answer["reason"], answer["externalOrderId"]) == (False, NO_ROUTE, ""), (
        answer
    )
    assert len(scenario.journal()) == 1, "the replay with no route sent the order"
    stored = scenario.stored_order(first["orderId"])
    assert (stored["status"], stored["reason"]) == ("failed", NO_ROUTE), stored
    assert len(stored["attempts"]) == 1, stored["attempts"]
