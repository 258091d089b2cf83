"""Precision findings: each price the POS got, against the order's exact decimal in the currency's minor unit."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from cata_sandbox.adapters import load_catalog, precision_findings
from tests.support.revel_orders import FULL_ORDER, SMALL_ORDER, script_input
from tests.support.script_runtime import SyncRuntime

PRICES = (("items[*].unitPrice", "items[*].price"), ("totalPay", "payment.amount"))


def order(currency: str, *prices: str, total: str = "10") -> bytes:
    items = ",".join(
        f'{{"plu":"{i + 1}","name":"x","quantity":1,"unitPrice":{p}}}' for i, p in enumerate(prices)
    )
    return f'{{"currency":"{currency}","items":[{items}],"totalPay":{total}}}'.encode()


def test_equal_prices_in_minor_units_give_no_finding() -> None:
    raw = order("SGD", "5.50", "0.30000000000000004", "1.005", total="6.805")
    sent = b'{"items":[{"price":5.5},{"price":0.3},{"price":1.005}],"payment":{"amount":"6.81"}}'
    assert precision_findings(raw, sent, PRICES) == []


def test_each_difference_is_one_finding_with_both_sides() -> None:
    raw = order("SGD", "5.50", "1.005", "27.00", total="123456789012345678.01")
    sent = b'{"items":[{"price":5},{"price":1.00},{}],"payment":{"amount":123456789012345680}}'
    found = precision_findings(raw, sent, PRICES)
    assert [(f.order_path, f.body_path, f.order_text, f.expected, f.received) for f in found] == [
        ("items[0].unitPrice", "items[0].price", "5.50", Decimal("5.50"), "5"),
        ("items[1].unitPrice", "items[1].price", "1.005", Decimal("1.01"), "1.00"),
        ("items[2].unitPrice", "items[2].price", "27.00", Decimal("27.00"), "missing"),
        (
            "totalPay",
            "payment.amount",
            "123456789012345678.01",
            Decimal("123456789012345678.01"),
            "123456789012345680",
        ),
    ]
    assert (
        str(found[0])
        == "items[0].price: the POS received 5, the order says 5.50 (5.50 at items[0].unitPrice)"
    )


def test_idr_has_no_minor_unit() -> None:
    raw = order("IDR", "15000", "15000.4", total="30000.6")
    sent = b'{"items":[{"price":15000},{"price":15000}],"payment":{"amount":30000}}'
    found = precision_findings(raw, sent, PRICES)
    assert [(f.body_path, f.expected) for f in found] == [("payment.amount", Decimal("30001"))]


def test_the_shipped_revel_script_carries_ordinary_prices_exactly() -> None:

    catalog = load_catalog()
    revel = catalog.get("revel", "order_dispatch")
    assert revel is not None
    js = SyncRuntime(catalog)
    try:
        result = js.run(
            "revel", "order_dispatch", script_input(FULL_ORDER, productIdByPlu={"MUSH": 204, "COMBO-L": 104})
        )
    finally:
        js.close()
    assert result.request is not None
    assert result.request.body is not None
    # 1.005 and 56.615 are sent as the doubles' shortest text, which is still the order's text.
    assert precision_findings(FULL_ORDER, result.request.body, revel.prices) == []


def test_a_script_that_rounds_prices_is_caught(tmp_path: Path) -> None:
    source = (load_catalog().get("revel", "order_dispatch").source or "").replace(  # type: ignore[union-attr]
        "price: item.unitPrice }", "price: Math.round(item.unitPrice) }"
    )
    target = tmp_path / "revel" / "order_dispatch.js"
    target.parent.mkdir()
    target.write_text(source)
    catalog = load_catalog(tmp_path)

    js = SyncRuntime(catalog)
    try:
        result = js.run("revel", "order_dispatch", script_input(SMALL_ORDER))
    finally:
        js.close()
    assert result.request is not None
    assert result.request.body is not None
    script = catalog.get("revel", "order_dispatch")
    assert script is not None
    found = precision_findings(SMALL_ORDER, result.request.body, script.prices)
    assert [str(f) for f in found] == [
        "items[0].price: the POS received 6, the order says 5.50 (5.50 at items[0].unitPrice)"
    ]


def test_an_alternation_step_walks_two_order_lists_as_one_body_list() -> None:
    raw = (
        b'{"currency":"SGD","items":[{"unitPrice":1,"modifiers":[{"unitPrice":0.50}],'
        b'"comboItems":[{"unitPrice":2.25,"modifiers":[{"unitPrice":0.10}]}]}],"totalPay":3}'
    )
    mapping = [
        ("items[*].(modifiers|comboItems)[*].unitPrice", "items[*].subItems[*].price"),
        (
            "items[*].(modifiers|comboItems)[*].modifiers[*].unitPrice",
            "items[*].subItems[*].subItems[*].price",
        ),
    ]
    sent = b'{"items":[{"subItems":[{"price":0.5},{"price":2.25,"subItems":[{"price":0.1}]}]}]}'
    assert precision_findings(raw, sent, mapping) == []
    wrong = b'{"items":[{"subItems":[{"price":0.5},{"price":2.2,"subItems":[{"price":0.2}]}]}]}'
    found = precision_findings(raw, wrong, mapping)
    assert [(f.order_path, f.body_path, f.received) for f in found] == [
        ("items[0].comboItems[0].unitPrice", "items[0].subItems[1].price", "2.2"),
        ("items[0].comboItems[0].modifiers[0].unitPrice", "items[0].subItems[1].subItems[0].price", "0.2"),
    ]


def test_minor_unit_prices_compare_as_cents_and_name_the_unit() -> None:
    raw = order("SGD", "15.00", "0.29", "1.005", total="16.30")
    mapping = [("items[*].unitPrice", "items[*].cents", "minor"), ("totalPay", "total", "minor")]
    sent = b'{"items":[{"cents":1500},{"cents":29},{"cents":101}],"total":1630}'
    assert precision_findings(raw, sent, mapping) == []
    sent = b'{"items":[{"cents":15},{"cents":28.5},{"cents":100}]}'
    found = precision_findings(raw, sent, mapping)
    assert [str(f) for f in found] == [
        "items[0].cents: the POS received 15 minor units, the order says 15.00 (15.00 at items[0].unitPrice)",
        "items[1].cents: the POS received 28.5 minor units, the order says 0.29 (0.29 at items[1].unitPrice)",
        "items[2].cents: the POS received 100 minor units, the order says 1.005 (1.01 at items[2].unitPrice)",
        "total: the POS received missing, the order says 16.30 (16.30 at totalPay)",
    ]
    idr = order("IDR", "15000", total="15000")
    assert precision_findings(idr, b'{"items":[{"cents":15000}],"total":15000}', mapping) == []
