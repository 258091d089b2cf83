"""Property 10 — the service's second sender puts the same delivery on the wire.

The service sends straight through aiohttp; with any other outbound transport (a test's, an embedder's)
or with proxies in the environment it sends through httpx instead (``delivery.Sender``). That sender is
held to the same guarantees: the order's exact bytes with the seed's five headers on Path 1, and the
seed's table of outcomes for every fast fault, a trickled answer and an over-budget one, on both paths.
Run against a second in-process service built with httpx's own transport (fixture ``fallback_servers``);
skipped in live mode, where the service's transport is its own business.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from contract_tests import deviations
from contract_tests import strategies as s
from contract_tests.adapters import ADAPTERS, with_mock
from contract_tests.checks import (
    assert_attempt_evidence,
    assert_names_the_destination,
    assert_timestamp,
    delivery_id,
    dispatch_answer,
    only_header,
    signature,
)
from contract_tests.jsontext import write
from contract_tests.profiles import examples
from contract_tests.seed import assert_matches, expected
from contract_tests.targets import Servers, body_of

PATH_2 = with_mock()
VARIANTS = (*s.QUICK_FAULTS, f"trickle-{s.UNDER_BUDGET}", f"delay-{s.OVER_BUDGET}")
SLOW = (f"trickle-{s.UNDER_BUDGET}", f"delay-{s.OVER_BUDGET}")


@settings(max_examples=examples("fallback"))
@given(written=s.written_orders(s.OrderShape(max_items=2)), how=s.envelope_styles())
def test_fallback_delivery_is_the_order_bytes_with_the_seeds_headers(
    fallback_servers: Servers, written: s.WrittenOrder, how: s.EnvelopeStyle
) -> None:
    scenario = fallback_servers.scenario()
    secret = scenario.webhook()

    answer = dispatch_answer(scenario.dispatch(s.envelope(scenario.outlet_id, written.text, how)))

    assert (answer["dispatched"], answer["externalOrderId"]) == (True, f"{scenario.receiver}-1"), answer
    [entry] = scenario.journal()
    assert entry["method"] == "POST", entry["method"]
    assert body_of(entry) == written.text
    assert only_header(entry, "Content-Type") == "application/json"
    assert only_header(entry, "X-Cata-Event") == "order.paid"
    assert only_header(entry, "X-Cata-Signature") == signature(secret, written.text)
    delivery_id(entry)
    assert_timestamp(only_header(entry, "X-Cata-Timestamp"), entry, fallback_servers.target.clock_tolerance_s)


def _examples(variant: str) -> int:
    return examples("fallback_slow" if variant in SLOW else "fallback")


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("path", ["webhook", *PATH_2])
def test_fallback_failure_reasons_are_the_seeds(fallback_servers: Servers, path: str, variant: str) -> None:
    servers = fallback_servers
    catalogue = None if path == "webhook" else ADAPTERS[path].catalogue(servers.scenario())

    @settings(max_examples=_examples(variant))
    @given(order=s.orders(s.OrderShape(catalogue=catalogue, max_items=1)), data=st.data())
    def prop(order: dict[str, Any], data: st.DataObject) -> None:
        scenario = servers.scenario()
        fault = data.draw(
            s.faults(variant, servers.target.budget_s, redirect_to=scenario.receiver_url), "fault"
        )
        assume(not (fault["mode"] == "status" and fault["code"] in deviations.STATUS_CODES_MISREPORTED))
        if fault["mode"] == "trickle":
            # In pieces apart in time, so the sender reads more than once and must join what it read.
            fault["chunks"] = max(fault["chunks"], 2)
            fault["seconds"] = max(fault["seconds"], 0.1)
        if path == "webhook":
            scenario.webhook()
            scenario.fault({"target": scenario.receiver, **fault})
            answer = dispatch_answer(scenario.dispatch(s.envelope(scenario.outlet_id, write(order))))
            assert_matches(answer, expected(path, fault, servers.target.budget_s, f"{scenario.receiver}-1"))
            assert_names_the_destination(answer, fault, servers.target.mock_url)
            assert len(scenario.journal()) == 1
            [attempt] = scenario.stored_order(answer["orderId"])["attempts"]
            assert_attempt_evidence(attempt, fault, servers.target.budget_s)
            return
        adapter = ADAPTERS[path]
        adapter.connect(scenario)
        order = {**order, "orderRefNo": scenario.order_ref}
        match = adapter.fault_match(scenario)
        created = scenario.fault({"target": adapter.target, "match": match, "times": 1, **fault})
        try:
            answer = dispatch_answer(
                scenario.dispatch(s.envelope(scenario.outlet_id, write(order), transformer=path))
            )
        finally:
            scenario.remove_fault(created["id"])
        assert_matches(answer, expected(path, fault, servers.target.budget_s, None))
        assert_names_the_destination(answer, fault, servers.target.mock_url)

    prop()


@pytest.mark.parametrize("path", ["webhook", *PATH_2])
def test_fallback_reads_an_answer_longer_than_the_body_cap(fallback_servers: Servers, path: str) -> None:
    """An error page longer than the service's response body cap (GET /api/v1/sandbox) still gets the
    seed's reason: the sender stops reading at the cap, it does not fail."""
    servers = fallback_servers
    cap = int(servers.cata.get("/api/v1/sandbox").json()["responseBodyCap"])
    catalogue = None if path == "webhook" else ADAPTERS[path].catalogue(servers.scenario())

    @settings(max_examples=1)
    @given(order=s.orders(s.OrderShape(catalogue=catalogue, max_items=1)))
    def prop(order: dict[str, Any]) -> None:
        scenario = servers.scenario()
        fault = {"mode": "status", "code": 500, "body": "x" * (cap + 4096)}
        if path == "webhook":
            scenario.webhook()
            scenario.fault({"target": scenario.receiver, **fault})
            answer = dispatch_answer(scenario.dispatch(s.envelope(scenario.outlet_id, write(order))))
        else:
            adapter = ADAPTERS[path]
            adapter.connect(scenario)
            order = {**order, "orderRefNo": scenario.order_ref}
            match = adapter.fault_match(scenario)
            created = scenario.fault({"target": adapter.target, "match": match, "times": 1, **fault})
            try:
                answer = dispatch_answer(
                    scenario.dispatch(s.envelope(scenario.outlet_id, write(order), transformer=path))
                )
            finally:
                scenario.remove_fault(created["id"])
        assert_matches(answer, expected(path, fault, servers.target.budget_s, None))

    prop()
