"""Property 3 — failure reasons.

For any fault mode of mock_pos, with its parameters drawn over their whole range (any status code in
100-599, each error-body shape with any message, delays and trickles on either side of the dispatch
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
from contract_tests.checks import dispatch_answer
from contract_tests.jsontext import write
from contract_tests.profiles import examples
from contract_tests.seed import SLOW_MODES, TRANSPORT_FAILURE, TRANSPORT_PREFIX, assert_matches, expected
from contract_tests.targets import Servers

# The order matters little here (property 1 covers it); smaller orders keep the fault examples quick.
ORDER_SHAPE = s.OrderShape(max_items=2)
PATH_2 = with_mock()


def _examples(variant: str) -> int:
    return examples("reasons_slow" if variant.endswith(s.OVER_BUDGET) else "reasons")


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
        # Exactly one request: nothing retried, no redirect followed.
        assert len(scenario.journal()) == 1

    prop()


@pytest.mark.parametrize("variant", s.FAULT_VARIANTS)
@pytest.mark.parametrize("slug", PATH_2)
def test_pos_failure_reasons_are_the_seeds(servers: Servers, slug: str, variant: str) -> None:
    servers.skip_unless_budget_known(variant)
    adapter = ADAPTERS[slug]
    catalogue = adapter.catalogue(servers.scenario())
    shape = s.OrderShape(catalogue=catalogue, max_items=2)

    @settings(max_examples=_examples(variant))
    @given(order=s.orders(shape), style=s.wire_styles(), data=st.data())
    def prop(order: dict[str, Any], style: Any, data: st.DataObject) -> None:
        scenario = servers.scenario()
        adapter.connect(scenario)
        order = {**order, "orderRefNo": scenario.order_ref}
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

        assert_matches(answer, expected(slug, fault, servers.target.budget_s, None))
        if answer["dispatched"] and fault["mode"] in SLOW_MODES:
            record = adapter.accepted(scenario, answer["externalOrderId"])
            assert record is not None, answer
            assert adapter.pos_view(record).reference == scenario.order_ref

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
