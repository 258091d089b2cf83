"""Mock Lightspeed's order validation and its Spring-style ``400`` body (``pos-apis.md`` §2.2-2.3).

Every field error is collected (Spring reports them all at once), each naming the field by its bean path
(``items[0].subItems[1].sku``). The order total — items at their catalogue (or ``customItemPrice``) price,
sub-items inside their parent, times quantities — plus ``payment.tipAmount`` must equal
``payment.paymentAmount`` exactly, in ``Decimal``.
"""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from mock_pos.lightspeed_config import LightspeedItem
from mock_pos.lightspeed_state import LightspeedStore

INT32_MAX = 2**31 - 1
MONEY_DIGITS = 15  # amounts below 10^15, at most 12 decimal places: beyond any order
MAX_NESTING = 10  # subItems inside subItems; deeper is refused, never recursed into
_JAVA_TYPES = {"NotNull": "java.lang.String", "Size": "java.lang.String", "Min": "java.lang.Integer"}
_INDEX = re.compile(r"\[\d+\]")


def spring_time(moment: datetime) -> str:
    """``2023-11-07T19:15:05.043+0000``, the timestamp format of Spring's error body."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}" + moment.strftime("%z")


def spring_error(status: int, error: str, message: str, path: str, now: datetime) -> dict[str, Any]:
    """Spring Boot's default error body, without field errors."""
    return {"timestamp": spring_time(now), "status": status, "error": error, "message": message, "path": path}


def field_error(object_name: str, field: str, code: str, message: str) -> dict[str, Any]:
    """One entry of ``errors``, shaped like Spring's ``FieldError``."""
    generic = _INDEX.sub("", field)
    leaf = generic.rsplit(".", 1)[-1]
    codes = [f"{code}.{object_name}.{field}", f"{code}.{field}"]
    if generic != field:
        codes.append(f"{code}.{generic}")
    codes += [f"{code}.{leaf}"] if leaf != field else []
    codes += [f"{code}.{_JAVA_TYPES.get(code, 'java.lang.Object')}", code]
    return {
        "codes": codes,
        "arguments": [{"codes": [f"{object_name}.{field}", field], "defaultMessage": field, "code": field}],
        "defaultMessage": message,
        "objectName": object_name,
        "field": field,
        "bindingFailure": False,
        "code": code,
    }


def validation_body(
    object_name: str, errors: list[dict[str, Any]], path: str, now: datetime
) -> dict[str, Any]:
    """The 400 body for a rejected order."""
    body = spring_error(
        400,
        "Bad Request",
        f"Validation failed for object='{object_name}'. Error count: {len(errors)}",
        path,
        now,
    )
    body["errors"] = errors
    return body


def as_decimal(value: Any) -> Decimal | None:
    """A JSON number or numeric string as an exact Decimal (Jackson reads both into BigDecimal)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | Decimal):
        return _bounded(Decimal(value))
    if isinstance(value, str):
        try:
            parsed = Decimal(value.strip())
        except InvalidOperation:
            return None
        return _bounded(parsed)
    return None


def _bounded(value: Decimal) -> Decimal | None:
    exponent = value.as_tuple().exponent
    if not value.is_finite() or not isinstance(exponent, int) or exponent < -12:
        return None
    # adjusted() needs no context, so a huge exponent cannot overflow here; below 10^15 sums stay exact
    return value if value.is_zero() or value.adjusted() < MONEY_DIGITS else None


def as_int(value: Any) -> int | None:
    """A JSON integer or an integral numeric string."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and re.fullmatch(r"-?\d+", value.strip()):
        return int(value)
    return None


class OrderCheck:
    """Validate a parsed toGo/local order: ``errors`` gets Spring field errors, ``total`` the item total."""

    def __init__(self, store: LightspeedStore, object_name: str, *, dine_in: bool) -> None:
        self.store = store
        self.object_name = object_name
        self.dine_in = dine_in
        self.errors: list[dict[str, Any]] = []
        self.total = Decimal(0)
        self.location_id: int | None = None

    def fail(self, field: str, code: str, message: str) -> None:
        self.errors.append(field_error(self.object_name, field, code, message))

    def text(self, body: dict[str, Any], name: str, where: str, low: int, high: int) -> str | None:
        value = body.get(name)
        if value is None:
            self.fail(where, "NotNull", "must not be null")
            return None
        if not isinstance(value, str) or not low <= len(value) <= high:
            self.fail(where, "Size", f"size must be between {low} and {high}")
            return None
        return value

    def run(self, body: dict[str, Any]) -> None:
        location = body.get("businessLocationId")
        catalogue: dict[str, LightspeedItem] | None = None
        if location is None:
            self.fail("businessLocationId", "NotNull", "must not be null")
        elif (location_id := as_int(location)) is None:
            self.fail("businessLocationId", "typeMismatch", "must be an integer (int64)")
        elif (catalogue := self.store.catalogue(location_id)) is None:
            self.fail("businessLocationId", "Invalid", f"unknown business location {location_id}")
        else:
            self.location_id = location_id
        self.text(body, "thirdPartyReference", "thirdPartyReference", 1, 48)
        endpoint = self.text(body, "endpointId", "endpointId", 1, 255)
        if endpoint is not None and endpoint not in self.store.webhooks:
            self.fail("endpointId", "Invalid", f"no webhook registered with endpointId {endpoint}")
        customer = body.get("customerInfo")
        if not isinstance(customer, dict):
            self.fail("customerInfo", "NotNull", "must not be null")
        else:
            self.text(customer, "firstName", "customerInfo.firstName", 1, 128)
        if self.dine_in and body.get("tableNumber") is None:
            self.fail("tableNumber", "NotNull", "must not be null")
        account = body.get("accountIdentifier")
        if self.dine_in and account is not None and not self.store.account_orders(str(account)):
            self.fail("accountIdentifier", "Invalid", f"no open account {account}")
        if "clientCount" in body and ((count := as_int(body["clientCount"])) is None or count < 1):
            self.fail("clientCount", "Min", "must be greater than or equal to 1")
        items = body.get("items")
        if not isinstance(items, list) or not items:
            self.fail("items", "NotEmpty", "must not be empty")
        else:
            self.total = sum(
                (self.item(catalogue, item, f"items[{index}]", 0) for index, item in enumerate(items)),
                Decimal(0),
            )
        if "payment" in body:
            self.payment(body["payment"])

    def item(self, catalogue: dict[str, LightspeedItem] | None, item: Any, where: str, depth: int) -> Decimal:
        """Check one item (and its sub-items); returns its line total (0 where it cannot be priced)."""
        if depth > MAX_NESTING:
            self.fail(where, "Size", f"subItems may be nested at most {MAX_NESTING} deep")
            return Decimal(0)
        if not isinstance(item, dict):
            self.fail(where, "typeMismatch", "must be an object")
            return Decimal(0)
        sku = self.text(item, "sku", f"{where}.sku", 1, 25)
        known = catalogue.get(sku) if catalogue is not None and sku is not None else None
        if sku is not None and catalogue is not None and known is None:
            self.fail(f"{where}.sku", "Invalid", f"unknown sku {sku}")
        quantity = as_int(item.get("quantity"))
        if item.get("quantity") is None:
            self.fail(f"{where}.quantity", "NotNull", "must not be null")
        elif quantity is None or quantity < 1:
            self.fail(f"{where}.quantity", "Min", "must be greater than or equal to 1")
        elif quantity > INT32_MAX:
            self.fail(f"{where}.quantity", "Max", f"must be less than or equal to {INT32_MAX}")
            quantity = None
        unit = known.price if known is not None else Decimal(0)
        if "customItemPrice" in item:
            custom = as_decimal(item["customItemPrice"])
            if custom is None:
                self.fail(f"{where}.customItemPrice", "typeMismatch", "must be a decimal number")
            else:
                unit = custom
        modifiers = item.get("modifiers") or []
        if not isinstance(modifiers, list):
            self.fail(f"{where}.modifiers", "typeMismatch", "must be a list")
            modifiers = []
        for index, modifier in enumerate(modifiers):
            self.modifier(modifier, f"{where}.modifiers[{index}]")
        subs = item.get("subItems") or []
        if not isinstance(subs, list):
            self.fail(f"{where}.subItems", "typeMismatch", "must be a list")
            subs = []
        inner = sum(
            (self.item(catalogue, sub, f"{where}.subItems[{i}]", depth + 1) for i, sub in enumerate(subs)),
            Decimal(0),
        )
        return (unit + inner) * (quantity if quantity is not None and quantity > 0 else 0)

    def modifier(self, modifier: Any, where: str) -> None:
        modifier_id = modifier.get("modifierId") if isinstance(modifier, dict) else None
        if modifier_id is None:
            self.fail(f"{where}.modifierId", "NotNull", "must not be null")
        elif self.location_id is not None and str(modifier_id) not in self.store.modifiers(self.location_id):
            self.fail(f"{where}.modifierId", "Invalid", f"unknown modifier {modifier_id}")

    def payment(self, payment: Any) -> None:
        if not isinstance(payment, dict):
            self.fail("payment", "typeMismatch", "must be an object")
            return
        tip = Decimal(0)
        if payment.get("tipAmount") is not None:
            parsed_tip = as_decimal(payment["tipAmount"])
            if parsed_tip is None or parsed_tip < 0:
                self.fail("payment.tipAmount", "DecimalMin", "must be a decimal number of at least 0")
            else:
                tip = parsed_tip
        if payment.get("paymentAmount") is None:
            self.fail("payment.paymentAmount", "NotNull", "must not be null")
            return
        amount = as_decimal(payment["paymentAmount"])
        if amount is None or amount < tip:
            self.fail(
                "payment.paymentAmount", "DecimalMin", "must be a decimal number including the tipAmount"
            )
        elif self.store.config.check_payment_total and not self.errors and amount != self.total + tip:
            self.fail(
                "payment.paymentAmount",
                "PaymentAmount",
                f"must equal the order total including tips: {self.total + tip} (items {self.total}"
                f" + tipAmount {tip})",
            )
