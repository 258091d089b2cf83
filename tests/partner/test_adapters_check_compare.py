"""The kit's comparison: each difference under the property it breaks, amounts quantised to the minor unit."""

from __future__ import annotations

from decimal import Decimal

from cata_sandbox.partner.adapters_check.compare import differences, json_differences


def view(price: str, modifiers: int = 1, first_name: str = "Mei") -> dict[str, object]:
    return {
        "reference": "CATA-1",
        "items": [
            {
                "product": "101",
                "quantity": 2,
                "price": Decimal(price),
                "modifiers": [{"product": "201", "quantity": 1, "price": Decimal("1.5")}] * modifiers,
                "combo": [],
            }
        ],
        "total": Decimal("13.50"),
        "tip": Decimal(0),
        "customer": {"first_name": first_name},
    }


def test_amounts_equal_at_the_minor_unit_are_the_same() -> None:
    assert differences(view("5.50"), view("5.5"), 2) == []
    assert differences(view("5.504"), view("5.5"), 2) == []
    assert differences(view("5.4"), view("5"), 0) == []


def test_a_price_off_by_a_minor_unit_is_a_price_difference_shown_quantised() -> None:
    [found] = differences(view("10.055"), view("10"), 2)
    assert (found.prop, str(found)) == ("prices", "$.items[0].price: expected 10.06, got 10")


def test_a_missing_modifier_is_one_modifier_difference() -> None:
    [found] = differences(view("5.5"), view("5.5", modifiers=0), 2)
    assert (found.prop, str(found)) == (
        "modifiers",
        "$.items[0].modifiers: expected 1 entries, got 0 entries",
    )


def test_customer_fields_are_the_customer_property() -> None:
    [found] = differences(view("5.5"), view("5.5", first_name="May"), 2)
    assert (found.prop, str(found)) == ("customer", '$.customer.first_name: expected "Mei", got "May"')


def test_json_differences_compare_numbers_exactly_and_name_extra_and_missing_keys() -> None:
    expected = {"a": [Decimal("5.5"), 1], "b": "x", "c": True}
    got = {"a": [Decimal("5.49"), Decimal(1)], "c": 1, "d": None}
    assert json_differences(expected, got) == [
        "$.a[0]: expected 5.5, got 5.49",
        '$.b: expected "x", got nothing',
        "$.c: expected true, got 1",
        "$.d: not expected, got null",
    ]
