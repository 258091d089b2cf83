"""Known deviations of the service from the contract (see ``deviations.py``), pinned as strict xfails.

Each test here states the contract for one case its property leaves out. It fails today; when the
service is fixed it passes, strict xfail reports that as a failure, and the deviation is removed from
``deviations.py`` (and the xfail from here) so the property covers the case again.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from contract_tests import deviations
from contract_tests import strategies as s
from contract_tests.adapters import ADAPTERS, with_mock
from contract_tests.checks import dispatch_answer, refusal
from contract_tests.jsontext import write
from contract_tests.seed import assert_matches, expected
from contract_tests.targets import Servers

ORDER: dict[str, Any] = {
    "orderRefNo": "DEVIATION-1",
    "deliveryMethod": "PICKUP",
    "createdAt": "2026-11-27T10:00:00+08:00",
    "currency": "SGD",
    "items": [
        {
            "plu": "101",
            "name": "Margherita Pizza",
            "quantity": 1,
            "unitPrice": Decimal("12.50"),
            "comboItems": [{"plu": "103", "name": "Iced Tea", "quantity": 1, "unitPrice": Decimal("0")}],
        }
    ],
    "totalPay": Decimal("12.50"),
}
MONEY_PATHS = ("totalPay", "items[].unitPrice", "items[].comboItems[].unitPrice")
PATH_2 = with_mock()


def _with(path: str, value: Any) -> dict[str, Any]:
    order = {
        **ORDER,
        "items": [{**ORDER["items"][0], "comboItems": [dict(ORDER["items"][0]["comboItems"][0])]}],
    }
    container: Any = order
    *parents, leaf = path.split(".")
    for segment in parents:
        container = container[segment.removesuffix("[]")]
        if segment.endswith("[]"):
            container = container[0]
    container[leaf] = value
    return order


@pytest.mark.xfail(
    deviations.MONEY_AS_STRING_ACCEPTED,
    strict=True,
    raises=AssertionError,
    reason="the service accepts money written as a JSON string; money is a JSON number",
)
@pytest.mark.parametrize("path", MONEY_PATHS)
def test_money_written_as_a_string_is_refused(servers: Servers, path: str) -> None:
    scenario = servers.scenario()
    scenario.webhook()

    response = scenario.dispatch(s.envelope(scenario.outlet_id, write(_with(path, "12.50"))))

    refusal(response)
    assert scenario.journal() == []


@pytest.mark.xfail(
    bool(deviations.STATUS_CODES_MISREPORTED),
    strict=True,
    raises=AssertionError,
    reason="a final 1xx answer is reported as the destination's HTTP status, not as a transport failure",
)
@pytest.mark.parametrize("code", sorted(deviations.STATUS_CODES_MISREPORTED) or [101])
@pytest.mark.parametrize("path", ["webhook", *PATH_2])
def test_1xx_answer_is_a_transport_failure(servers: Servers, path: str, code: int) -> None:
    scenario = servers.scenario()
    fault: dict[str, Any] = {"mode": "status", "code": code, "body": ""}
    if path == "webhook":
        scenario.webhook()
        scenario.fault({"target": scenario.receiver, **fault})
        body = s.envelope(scenario.outlet_id, write(ORDER))
    else:
        adapter = ADAPTERS[path]
        adapter.connect(scenario)
        order = {**ORDER, "orderRefNo": scenario.order_ref}
        scenario.fault(
            {"target": adapter.target, "match": adapter.fault_match(scenario), "times": 1, **fault}
        )
        body = s.envelope(scenario.outlet_id, write(order), transformer=path)

    answer = dispatch_answer(scenario.dispatch(body))

    assert_matches(answer, expected(path, fault, scenario.target.budget_s, None))
