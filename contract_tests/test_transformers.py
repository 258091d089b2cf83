"""Property 5 — the transformer contract.

For every registered transformer that has a mock in mock_pos (an entry in ``adapters.ADAPTERS``), any
valid order whose products are in the mock's catalogue is accepted by the mock, and the mock's view of
it — items, quantities, prices, modifiers, combos, totals, every amount an exact decimal — equals the
Cata order's. Adding a POS (transformer + mock + adapter) adds it here: Revel, Lightspeed and Atlas
(each adapter states what its POS holds and how its orders are restricted, ``adapters_scripted``).
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from contract_tests import strategies as s
from contract_tests.adapters import ADAPTERS, registered_slugs, with_mock
from contract_tests.checks import dispatch_answer
from contract_tests.jsontext import Style, write
from contract_tests.profiles import examples
from contract_tests.targets import Servers

REGISTERED = registered_slugs()
WITH_MOCK = with_mock(scripted=True)


def test_every_adapter_names_a_registered_transformer() -> None:
    """An adapter for a slug the service does not register would silently test nothing."""
    assert set(ADAPTERS) <= set(REGISTERED), (
        f"adapters without a transformer: {set(ADAPTERS) - set(REGISTERED)}"
    )


@pytest.mark.parametrize("slug", WITH_MOCK)
def test_pos_mock_accepts_the_order_and_holds_what_it_says(servers: Servers, slug: str) -> None:
    adapter = ADAPTERS[slug]
    catalogue = adapter.catalogue(servers.scenario())
    # Realistic magnitudes: the POS's own arithmetic is not under test, its copy of the order is.
    shape = adapter.order_shape(catalogue, max_places=6, max_value=10**9)

    @settings(max_examples=examples("transformer_scripted" if adapter.reads_answers else "transformer"))
    @given(order=s.orders(shape), style=s.wire_styles(), data=st.data())
    def prop(order: dict[str, Any], style: Style, data: st.DataObject) -> None:
        scenario = servers.scenario()
        adapter.connect(scenario)
        order = adapter.prepare({**order, "orderRefNo": scenario.order_ref})

        answer = dispatch_answer(
            scenario.dispatch(s.envelope(scenario.outlet_id, write(order, style), transformer=slug))
        )

        assert answer["dispatched"] is True, answer
        record = adapter.accepted(scenario, answer)
        assert record is not None, f"{slug} mock holds no order for {answer}"
        assert adapter.pos_view(record, order) == adapter.want(order, answer)

    prop()
