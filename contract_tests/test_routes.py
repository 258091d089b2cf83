"""Property 9 — the request picks the path.

An outlet with both a registered webhook and a POS mapping keeps both working: ``builtInTransformer`` on
the request sends that dispatch to the POS (the receiver sees nothing), and a request without it (or with
it null) sends the order to the webhook (the POS sees nothing) — "Coexists with Path 1".
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
from contract_tests.targets import Servers, body_of

PATH_2 = with_mock()


@pytest.mark.parametrize("slug", PATH_2)
def test_built_in_transformer_on_the_request_picks_the_path(servers: Servers, slug: str) -> None:
    adapter = ADAPTERS[slug]
    catalogue = adapter.catalogue(servers.scenario())

    @settings(max_examples=examples("routes"))
    @given(
        order=s.orders(s.OrderShape(catalogue=catalogue, max_items=2)),
        picks=st.lists(st.sampled_from(("webhook", "null", slug)), min_size=1, max_size=3),
    )
    def prop(order: dict[str, Any], picks: list[str]) -> None:
        scenario = servers.scenario()
        scenario.webhook()
        adapter.connect(scenario)
        text = write({**order, "orderRefNo": scenario.order_ref})

        for pick in picks:
            how = s.EnvelopeStyle(explicit_null_transformer=pick == "null")
            transformer = slug if pick == slug else None
            answer = dispatch_answer(
                scenario.dispatch(s.envelope(scenario.outlet_id, text, how, transformer=transformer))
            )
            assert answer["dispatched"] is True, (pick, answer)

        to_webhook = picks.count("webhook") + picks.count("null")
        received = scenario.journal()
        assert len(received) == to_webhook, f"{picks}: the receiver got {len(received)}"
        assert all(body_of(entry) == text for entry in received)
        at_pos = [e for e in scenario.journal(adapter.target) if scenario.order_ref.encode() in body_of(e)]
        assert len(at_pos) == picks.count(slug), f"{picks}: the POS got {len(at_pos)}"

    prop()
