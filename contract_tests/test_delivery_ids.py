"""Property 6 — delivery ids.

Every attempt carries a new ``X-Cata-Delivery-ID`` (a UUID never sent before, also the stored attempt's
id), whatever the receiver answered; a redispatch of a stored order sends the identical bytes, signed
again, with a fresh id.
"""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from contract_tests import strategies as s
from contract_tests.checks import delivery_id, dispatch_answer, only_header, verifies
from contract_tests.profiles import examples
from contract_tests.targets import Servers, body_of

# Every delivery id seen in this session: "new" means never seen before, not only within one example.
SEEN: set[str] = set()


def _fresh(ids: list[str]) -> None:
    assert len(set(ids)) == len(ids), f"a delivery id was reused within the example: {ids}"
    reused = SEEN.intersection(ids)
    assert not reused, f"delivery ids reused from earlier deliveries: {reused}"
    SEEN.update(ids)


@st.composite
def attempt_plans(draw: st.DrawFn, budget_s: float) -> list[dict[str, Any] | None]:
    """For each attempt, the fault the receiver answers with (None: a healthy answer)."""
    modes = draw(st.lists(st.sampled_from((None, *s.QUICK_FAULTS)), min_size=2, max_size=4))
    return [
        None if mode is None else draw(s.faults(mode, budget_s, redirect_to="http://127.0.0.1:9/x"))
        for mode in modes
    ]


@settings(max_examples=examples("delivery_ids"))
@given(written=s.written_orders(s.OrderShape(max_items=2)), data=st.data())
def test_every_attempt_carries_a_new_delivery_id(
    servers: Servers, written: s.WrittenOrder, data: st.DataObject
) -> None:
    scenario = servers.scenario()
    scenario.webhook()
    plan = data.draw(attempt_plans(servers.target.budget_s), "plan")

    answers = []
    for fault in plan:
        if fault is not None:
            scenario.fault({"target": scenario.receiver, "times": 1, **fault})
        answers.append(dispatch_answer(scenario.dispatch(s.envelope(scenario.outlet_id, written.text))))

    entries = scenario.journal()
    assert len(entries) == len(plan)
    ids = [delivery_id(entry) for entry in entries]
    _fresh(ids)
    for answer, sent in zip(answers, ids, strict=True):
        [attempt] = scenario.stored_order(answer["orderId"])["attempts"]
        assert attempt["deliveryId"] == sent


@settings(max_examples=examples("redispatch"))
@given(written=s.written_orders(s.OrderShape(max_items=2)), data=st.data())
def test_redispatch_sends_identical_bytes_with_a_fresh_delivery_id(
    servers: Servers, redispatch_available: None, written: s.WrittenOrder, data: st.DataObject
) -> None:
    scenario = servers.scenario()
    secret = scenario.webhook()
    first_fails = data.draw(st.booleans(), "first attempt fails")
    if first_fails:
        scenario.fault({"target": scenario.receiver, "times": 1, "mode": "status", "code": 503, "body": ""})
    answer = dispatch_answer(scenario.dispatch(s.envelope(scenario.outlet_id, written.text)))
    again = data.draw(st.integers(1, 2), "redispatches")

    for _ in range(again):
        response = scenario.redispatch(answer["orderId"])
        assert response.status_code == 200, response.text
        assert response.json()["orderId"] == answer["orderId"]

    entries = scenario.journal()
    assert len(entries) == 1 + again
    for entry in entries:
        assert body_of(entry) == written.text
        assert verifies(secret, body_of(entry), only_header(entry, "X-Cata-Signature"))
    ids = [delivery_id(entry) for entry in entries]
    _fresh(ids)
    stored = scenario.stored_order(answer["orderId"])
    assert sorted(a["deliveryId"] for a in stored["attempts"]) == sorted(ids)
