"""Property 4 — validation up front.

For any order with a required field removed or given a value of the wrong type or out of its domain,
and for any malformed envelope, the answer is 400 with the error envelope, the receiver's journal stays
empty, and no order is stored.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from contract_tests import strategies as s
from contract_tests.adapters import registered_slugs
from contract_tests.checks import refusal
from contract_tests.jsontext import Style, write
from contract_tests.profiles import examples
from contract_tests.targets import Scenario, Servers

# The malformed envelopes whose problem is one field of the envelope: the 400 names it by its JSON path.
ENVELOPE_FIELD_KINDS = ("missing-envelope-field", "bad-outlet-id", "bad-event", "order-not-an-object")
ENVELOPE_FIELD = re.compile(r" - at `\$\.(outletId|event|order)`")
CASES = [(path, how) for path in s.REQUIRED_FIELDS for how in ("missing", "invalid")]
# Money below zero or at the limit is a JSON number of the right type: the bounds are checked apart from
# the types; money written as a string is the classic mistype (ARCHITECTURE.md).
MONEY_PATHS = [p for p in s.REQUIRED_FIELDS if s.invalid_value_kind(p) == "money"]
CASES += [
    (p, how)
    for p in [*MONEY_PATHS, "items[].modifiers[].unitPrice"]
    for how in ("negative", "at-limit", "numeric-string")
]


def _nothing_happened(scenario: Scenario, total_before: int | None) -> None:
    assert scenario.journal() == [], "the receiver was called"
    assert scenario.stored_orders() == [], "an order was stored"
    if total_before is not None:
        assert scenario.tenant_order_total() == total_before, "an order was stored"


def _total(servers: Servers, scenario: Scenario) -> int | None:
    # Tenant-wide counts only mean something when nobody else uses the service.
    return scenario.tenant_order_total() if servers.target.exclusive else None


@pytest.mark.parametrize(("path", "how"), CASES, ids=[f"{path}-{how}" for path, how in CASES])
def test_order_with_a_broken_required_field_is_refused_before_anything(
    servers: Servers, path: str, how: str
) -> None:
    @settings(max_examples=examples("validation_field"))
    @given(broken=s.broken_orders(path, how), style=s.wire_styles())
    def prop(broken: s.BrokenOrder, style: Style) -> None:
        scenario = servers.scenario()
        scenario.webhook()
        before = _total(servers, scenario)

        message = refusal(scenario.dispatch(s.envelope(scenario.outlet_id, write(broken.value, style))))

        # The message ends in the JSON path of what is wrong, the missing field's name included (README:
        # "every 400 names the field itself"); a wrong element of `items` is named under it.
        # The README's error envelope: "invalid order: <what> - at `$.order.<path>`".
        assert message.startswith("invalid order: "), message
        where = f" - at `$.order.{broken.concrete_path}"
        assert where in message, f"{message!r} does not name {where}`"
        _nothing_happened(scenario, before)

    prop()


@pytest.mark.parametrize("kind", s.MALFORMED_KINDS)
def test_malformed_envelope_is_refused_before_anything(servers: Servers, kind: str) -> None:
    known = registered_slugs()

    @settings(max_examples=examples("validation_envelope"))
    @given(data=st.data())
    def prop(data: st.DataObject) -> None:
        scenario = servers.scenario()
        scenario.webhook()
        before = _total(servers, scenario)
        body = data.draw(s.malformed_envelopes(kind, scenario.outlet_id, known), "body")

        message = refusal(scenario.dispatch(body))

        if kind in ENVELOPE_FIELD_KINDS:
            assert ENVELOPE_FIELD.search(message), f"{message!r} does not name the envelope's field"
        _nothing_happened(scenario, before)

    prop()
