"""Mock Atlas's order validation (``pos-apis.md`` §3.2) and the order object it answers with (§3.3).

Every problem is collected as ``{field, message}`` for the ``422`` ``ApiError``'s ``details``. Money is
integer cents: ``1500`` is good, ``15.5``, ``1500.0`` or ``"1500"`` are not.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from mock_pos.atlas_config import MenuItem

FULFILMENT_TYPES = ("dine_in", "pickup", "delivery")
TIMESLOT_TYPES = ("asap", "available_timeslots")
DAY_SECONDS = 86400
INT32_MAX = 2**31 - 1
MAX_NESTING = 10  # sub_items inside sub_items; deeper is refused, never recursed into
MONEY_FIELDS = (
    "subtotal",
    "delivery_fee",
    "surcharge",
    "discount",
    "admin_discount",
    "tax",
    "total",
    "total_including_tax",
)


def is_int(value: Any) -> bool:
    """A JSON integer (not a bool, not a number with a fraction or exponent part)."""
    return isinstance(value, int) and not isinstance(value, bool)


class AtlasCheck:
    """Validate one parsed order body against the menu; ``details`` holds the problems found."""

    def __init__(self, menu: dict[int, MenuItem]) -> None:
        self.menu = menu
        self.details: list[dict[str, str]] = []

    def fail(self, field: str, message: str) -> None:
        self.details.append({"field": field, "message": message})

    def run(self, body: dict[str, Any]) -> None:
        fulfilment = body.get("fulfilment_type")
        if fulfilment is None:
            self.fail("fulfilment_type", "is required")
        elif fulfilment not in FULFILMENT_TYPES:
            self.fail("fulfilment_type", "must be one of dine_in, pickup, delivery")
        self.serving_date(body.get("serving_date"))
        start, end = self.seconds(body, "timeslot_start"), self.seconds(body, "timeslot_end")
        if start is not None and end is not None and end < start:
            self.fail("timeslot_end", "must not be before timeslot_start")
        if "timeslot_type" in body and body["timeslot_type"] not in TIMESLOT_TYPES:
            self.fail("timeslot_type", "must be one of asap, available_timeslots")
        if fulfilment == "delivery" and not isinstance(body.get("address_line1"), str):
            self.fail("address_line1", "is required for delivery")
        for name in ("external_order_id", "external_order_short_code", "notes", "contact_name"):
            if body.get(name) is not None and not isinstance(body[name], str):
                self.fail(name, "must be a string")
        for name in MONEY_FIELDS:
            if name in body and not is_int(body[name]):
                self.fail(name, "must be an integer amount in cents")
        if "is_paid" in body and not isinstance(body["is_paid"], bool):
            self.fail("is_paid", "must be true or false")
        payments = body.get("order_payments", [])
        if not isinstance(payments, list):
            self.fail("order_payments", "must be a list")
        else:
            for index, payment in enumerate(payments):
                if not isinstance(payment, dict) or not is_int(payment.get("amount")):
                    self.fail(f"order_payments[{index}].amount", "must be an integer amount in cents")
        items = body.get("order_items")
        if not isinstance(items, list) or not items:
            self.fail("order_items", "must contain at least one item")
        else:
            for index, item in enumerate(items):
                self.item(item, f"order_items[{index}]", 0)

    def serving_date(self, value: Any) -> None:
        if value is None:
            self.fail("serving_date", "is required")
            return
        try:
            if not isinstance(value, str) or len(value) != 10:
                raise ValueError(value)
            dt.date.fromisoformat(value)
        except ValueError:
            self.fail("serving_date", "must be a date as YYYY-MM-DD")

    def seconds(self, body: dict[str, Any], name: str) -> int | None:
        value = body.get(name)
        if value is None:
            self.fail(name, "is required")
            return None
        if not is_int(value) or not 0 <= value <= DAY_SECONDS:
            self.fail(name, f"must be whole seconds from midnight, 0 to {DAY_SECONDS}")
            return None
        return int(value)

    def item(self, item: Any, where: str, depth: int) -> None:
        if depth > MAX_NESTING:
            self.fail(where, f"sub_items may be nested at most {MAX_NESTING} deep")
            return
        if not isinstance(item, dict):
            self.fail(where, "must be an object")
            return
        item_id = item.get("item_id")
        if item_id is None:
            self.fail(f"{where}.item_id", "is required")
        elif not is_int(item_id) or item_id not in self.menu:
            self.fail(f"{where}.item_id", f"item {item_id} is not on the menu")
        quantity = item.get("quantity")
        if quantity is None:
            self.fail(f"{where}.quantity", "is required")
        elif not is_int(quantity) or not 1 <= quantity <= INT32_MAX:
            self.fail(f"{where}.quantity", f"must be an integer from 1 to {INT32_MAX}")
        price = item.get("price_cents")
        if price is None:
            self.fail(f"{where}.price_cents", "is required")
        elif not is_int(price):
            self.fail(f"{where}.price_cents", "must be an integer amount in cents")
        if item.get("notes") is not None and not isinstance(item["notes"], str):
            self.fail(f"{where}.notes", "must be a string")
        subs = item.get("sub_items", [])
        if not isinstance(subs, list):
            self.fail(f"{where}.sub_items", "must be a list")
            return
        for index, sub in enumerate(subs):
            self.item(sub, f"{where}.sub_items[{index}]", depth + 1)


def _clock(seconds: int) -> str:
    hours, minutes = divmod(seconds // 60, 60)
    return f"{(hours % 12) or 12}:{minutes:02d}{'AM' if hours % 24 < 12 else 'PM'}"


def build_order(
    body: dict[str, Any], ids: Any, menu: dict[int, MenuItem], context: dict[str, Any]
) -> dict[str, Any]:
    """The full order object Atlas answers with; ``ids`` yields line ids, ``context`` the server's fields."""

    def line(item: dict[str, Any], currency: str) -> dict[str, Any]:
        line_id = next(ids)  # the parent's id comes before its sub-items'
        subs = [line(sub, currency) for sub in item.get("sub_items", [])]
        inner = sum(sub["calculated_subtotal"] for sub in subs)
        return {
            "id": line_id,
            "item_id": item["item_id"],
            "name": menu[item["item_id"]].name,
            "quantity": item["quantity"],
            "currency": currency,
            "price_cents": item["price_cents"],
            "calculated_subtotal": (item["price_cents"] + inner) * item["quantity"],
            "discount": 0,
            "notes": item.get("notes"),
            "sub_items": subs,
        }

    items = [line(item, context["currency"]) for item in body["order_items"]]
    subtotal = sum(item["calculated_subtotal"] for item in items)
    start, end = body["timeslot_start"], body["timeslot_end"]
    order = {key: value for key, value in body.items() if key != "order_items"}
    order.update(
        id=context["id"],
        identifier=context["identifier"],
        user_id=None,
        channel_id=context["channel_id"],
        outlet_id=context["outlet_id"],
        brand_id=body.get("brand_id"),
        state="paid" if body.get("is_paid") is True else "unpaid",
        timeslot_range=f"{_clock(start)}\u2013{_clock(end)}",  # an en dash, as Atlas writes it
        external_order_id=body.get("external_order_id"),
        is_paid=body.get("is_paid", False),
        subtotal=body.get("subtotal", subtotal),
        tax=body.get("tax", 0),
        total=body.get("total", subtotal),
        order_items=items,
        order_payments=body.get("order_payments", []),
        created_at=context["now"],
        updated_at=context["now"],
    )
    return order
