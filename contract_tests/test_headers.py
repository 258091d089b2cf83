"""Property 7 — delivery headers.

Path 1: every webhook delivery carries the seed's five headers, each exactly once and exactly as the seed
writes it — ``Content-Type: application/json``, ``X-Cata-Event`` equal to the request's ``event``,
``X-Cata-Timestamp`` a decimal integer of Unix seconds close to the moment mock_pos received the request
(``--clock-tolerance`` covers the clock difference of live machines), ``X-Cata-Delivery-ID`` a UUID and
``X-Cata-Signature`` the HMAC of the body. Path 2: none of the ``X-Cata-*`` headers ("no HMAC headers —
auth is whatever the script returned"), the POS's documented auth header, and exactly the headers the
service recorded for the attempt — nothing added on the wire, nothing dropped — besides the ones every
HTTP client writes itself.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings

from contract_tests import strategies as s
from contract_tests.adapters import ADAPTERS, with_mock
from contract_tests.checks import assert_timestamp, delivery_id, dispatch_answer, only_header, signature
from contract_tests.jsontext import write
from contract_tests.profiles import examples
from contract_tests.targets import Scenario, Servers, body_of, headers_of

CATA_HEADERS = ("x-cata-signature", "x-cata-event", "x-cata-delivery-id", "x-cata-timestamp")
# Written by the HTTP client or the connection, not by a transformer: present or not, they say nothing
# about what the script returned.
TRANSPORT_HEADERS = frozenset(
    {"host", "content-length", "connection", "user-agent", "accept", "accept-encoding", "transfer-encoding"}
)
REDACTED = "[redacted]"
PATH_2 = with_mock()


@settings(max_examples=examples("headers"))
@given(written=s.written_orders(s.OrderShape(max_items=2)), how=s.envelope_styles())
def test_webhook_delivery_carries_the_seeds_headers_exactly(
    servers: Servers, written: s.WrittenOrder, how: s.EnvelopeStyle
) -> None:
    scenario = servers.scenario()
    secret = scenario.webhook()

    answer = dispatch_answer(scenario.dispatch(s.envelope(scenario.outlet_id, written.text, how)))

    assert answer["dispatched"] is True, answer
    [entry] = scenario.journal()
    assert entry["method"] == "POST", entry["method"]
    assert only_header(entry, "Content-Type") == "application/json"
    assert only_header(entry, "X-Cata-Event") == "order.paid"
    assert only_header(entry, "X-Cata-Signature") == signature(secret, body_of(entry))
    delivery_id(entry)
    assert_timestamp(only_header(entry, "X-Cata-Timestamp"), entry, servers.target.clock_tolerance_s)


def _journal_entry_of(scenario: Scenario, target: str, answer: dict[str, Any]) -> dict[str, Any]:
    """The one request the POS mock got for this scenario's order (its reference or Cata id in the body)."""
    marks = (scenario.order_ref.encode(), answer["orderId"].encode())
    found = [e for e in scenario.journal(target) if any(mark in body_of(e) for mark in marks)]
    assert len(found) == 1, f"{len(found)} requests at {target} for {scenario.order_ref}"
    return found[0]


@pytest.mark.parametrize("slug", PATH_2)
def test_transformer_delivery_carries_only_the_transformers_headers(servers: Servers, slug: str) -> None:
    adapter = ADAPTERS[slug]
    catalogue = adapter.catalogue(servers.scenario())

    @settings(max_examples=examples("headers"))
    @given(order=s.orders(s.OrderShape(catalogue=catalogue, max_items=2)), style=s.wire_styles())
    def prop(order: dict[str, Any], style: Any) -> None:
        scenario = servers.scenario()
        adapter.connect(scenario)
        order = {**order, "orderRefNo": scenario.order_ref}

        answer = dispatch_answer(
            scenario.dispatch(s.envelope(scenario.outlet_id, write(order, style), transformer=slug))
        )

        assert answer["dispatched"] is True, answer
        entry = _journal_entry_of(scenario, adapter.target, answer)
        wire = headers_of(entry)
        leaked = [name for name in CATA_HEADERS if name in wire]
        assert not leaked, f"the transformer path carries no X-Cata-* headers, found {leaked}"
        for name, value in adapter.auth_headers.items():
            assert wire.get(name.lower()) == [value], f"{name}: {wire.get(name.lower())}"
        [attempt] = scenario.stored_order(answer["orderId"])["attempts"]
        recorded = {name.lower(): value for name, value in attempt["requestHeaders"].items()}
        written_here = {name: values for name, values in wire.items() if name not in TRANSPORT_HEADERS}
        assert set(written_here) == set(recorded) - TRANSPORT_HEADERS, (
            f"on the wire {sorted(written_here)}, recorded as the transformer's {sorted(recorded)}"
        )
        for name, values in written_here.items():
            assert len(values) == 1, f"{name} sent {len(values)} times"
            assert recorded[name] in (values[0], REDACTED), (
                f"{name}: sent {values[0]!r}, recorded {recorded[name]!r}"
            )

    prop()
