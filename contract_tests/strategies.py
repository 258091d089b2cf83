"""Every hypothesis strategy of the contract suite: orders, their wire text, faults, broken requests.

Orders are valid Cata Order JSON (v1) values — dicts whose money is ``Decimal`` and whose quantities are
``int`` — with realistic people, menus and notes from a seeded Faker (the seed and the locale are drawn by
hypothesis, so examples replay and shrink), mixed with arbitrary unicode, exact prices up to six decimal
places and large magnitudes, modifiers, combos, optional fields present or absent, and unknown fields
holding arbitrary JSON. How an order is *written* is drawn separately (:func:`wire_styles`, see
``jsontext``), so byte preservation is tested on text no encoder would produce.
"""

from __future__ import annotations

import functools
import json
import string
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from faker import Faker
from hypothesis import strategies as st

from contract_tests.jsontext import RawJSON, Style, write

# --- the schema's vocabulary ---------------------------------------------------------------------

DELIVERY_METHODS = ("PICKUP", "DELIVERY", "DINE_IN")
ORDER_FIELDS = frozenset(
    {
        "orderRefNo",
        "deliveryMethod",
        "createdAt",
        "currency",
        "items",
        "totalPay",
        "expectedPickupAt",
        "customer",
        "deliveryAddress",
        "subtotal",
        "tax",
        "serviceCharge",
        "deliveryFee",
        "discount",
        "tip",
        "payment",
        "notes",
    }
)
ITEM_FIELDS = frozenset({"plu", "name", "quantity", "unitPrice", "notes", "modifiers", "comboItems"})
MODIFIER_FIELDS = frozenset({"plu", "name", "groupName", "quantity", "unitPrice"})
OPTIONAL_MONEY = ("subtotal", "tax", "serviceCharge", "deliveryFee", "discount", "tip")
# The service refuses amounts of 1e15 and more (a POS, and arithmetic on money, would not take them).
MONEY_LIMIT = 10**15
# The mock's notes directive (``mock:<mode>``) must only appear where a test puts it on purpose.
DIRECTIVE_MARK = "mock:"

LOCALES = (
    "en_US",
    "en_GB",
    "en_IN",
    "ja_JP",
    "zh_CN",
    "zh_TW",
    "ko_KR",
    "th_TH",
    "de_DE",
    "fr_FR",
    "es_ES",
    "pt_BR",
    "ru_RU",
    "el_GR",
    "ar_AA",
    "he_IL",
    "hi_IN",
)
_FAKER = Faker(list(LOCALES))

# Faker has no food provider: a café-and-kitchen menu with the modifier groups POS menus use.
MENU = (
    "Flat White",
    "Long Black",
    "Iced Latte",
    "Matcha Latte",
    "Masala Chai",
    "Hainanese Chicken Rice",
    "Nasi Lemak",
    "Char Kway Teow",
    "Laksa",
    "Pad Thai",
    "Tom Yum Soup",
    "Bibimbap",
    "Tonkotsu Ramen",
    "Salmon Nigiri (2 pc)",
    "Margherita Pizza",
    "Caesar Salad",
    "Croque Monsieur",
    "Bánh Mì",
    "Falafel Wrap",
    "Butter Chicken",
    "Chocolate Cake",
    "Crème Brûlée",
    "Mango Sticky Rice",
    "Lunch Combo",
    "Kids Meal",
)
MODIFIER_GROUPS: dict[str, tuple[str, ...]] = {
    "Milk": ("Oat milk", "Soy milk", "Almond milk", "Skim milk"),
    "Size": ("Regular", "Large", "Extra large"),
    "Spice level": ("Mild", "Medium", "Hot", "Thai hot"),
    "Extras": ("Extra cheese", "Fried egg", "Bacon", "Avocado", "Extra shot"),
    "Remove": ("No onion", "No coriander", "No peanuts", "No ice"),
}


# --- text and numbers ----------------------------------------------------------------------------


@functools.cache
def unicode_text(min_size: int = 0, max_size: int = 30) -> st.SearchStrategy[str]:
    """Any unicode a JSON string can carry, never a mock_pos directive.

    Lone surrogates cannot be UTF-8; NUL is refused by the service on purpose (PostgreSQL text cannot
    hold it), which the validation property checks separately.
    """
    return st.text(
        st.characters(exclude_categories=["Cs"], exclude_characters="\x00"),
        min_size=min_size,
        max_size=max_size,
    ).filter(lambda text: DIRECTIVE_MARK not in text)


@functools.cache
def money(*, max_places: int = 6, max_value: int = MONEY_LIMIT - 1) -> st.SearchStrategy[Decimal]:
    """A non-negative exact amount with 0..``max_places`` decimal places, small or very large."""
    small = [st.decimals(min_value=0, max_value=1000, places=places) for places in range(max_places + 1)]
    large = [st.decimals(min_value=0, max_value=max_value, places=places) for places in range(max_places + 1)]
    return st.one_of(*small, *large)


@functools.cache
def json_values() -> st.SearchStrategy[Any]:
    """Arbitrary JSON (numbers as ``int`` or exact ``Decimal``), for unknown fields."""
    scalars = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(min_value=-(2**70), max_value=2**70),
        st.decimals(allow_nan=False, allow_infinity=False),
        unicode_text(max_size=20),
    )
    return st.recursive(
        scalars,
        lambda children: st.one_of(
            st.lists(children, max_size=4),
            st.dictionaries(unicode_text(max_size=10), children, max_size=4),
        ),
        max_leaves=8,
    )


@functools.cache
def unknown_fields(known: frozenset[str]) -> st.SearchStrategy[dict[str, Any]]:
    """Fields the schema does not know yet (the schema only grows); they must be forwarded untouched."""
    names = unicode_text(min_size=1, max_size=12).filter(lambda name: name not in known)
    return st.dictionaries(names, json_values(), max_size=3)


@st.composite
def rfc3339(draw: st.DrawFn) -> str:
    """An RFC 3339 timestamp with an offset, in the spellings the format allows."""
    moment = draw(st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2099, 12, 31)))
    offset_minutes = draw(st.integers(-12 * 4, 14 * 4)) * 15
    text = moment.strftime("%Y-%m-%d") + draw(st.sampled_from("Tt")) + moment.strftime("%H:%M:%S")
    digits = draw(st.integers(0, 9))
    if digits:
        text += "." + f"{moment.microsecond:06d}{draw(st.integers(0, 999)):03d}"[:digits]
    if offset_minutes == 0 and draw(st.booleans()):
        return text + draw(st.sampled_from("Zz"))
    sign = "-" if offset_minutes < 0 else "+"
    hours, minutes = divmod(abs(offset_minutes), 60)
    return f"{text}{sign}{hours:02d}:{minutes:02d}"


# --- orders ----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Product:
    """A POS catalogue entry an order may name by ``plu`` (for transformer contracts)."""

    plu: str
    name: str
    modifiers: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Catalogue:
    products: tuple[Product, ...]

    def by_plu(self, plu: str) -> Product:
        return next(product for product in self.products if product.plu == plu)


@dataclass(frozen=True, slots=True)
class OrderShape:
    """Knobs of :func:`orders`: what a test needs the order to contain."""

    catalogue: Catalogue | None = None
    unknown_fields: bool = True
    arbitrary_text: bool = True
    max_items: int = 4
    max_places: int = 6
    max_value: int = MONEY_LIMIT - 1
    need_modifier: bool = False
    need_combo: bool = False


# Built once: constructing strategies inside every draw costs more than drawing from them.
_BOOLEANS = st.booleans()
_LOCALE = st.sampled_from(LOCALES)
_SEED = st.integers(0, 2**32 - 1)
_ONE_IN_FOUR = st.integers(0, 3)
_MENU = st.sampled_from(MENU)
_GROUP = st.sampled_from(sorted(MODIFIER_GROUPS))
_GROUP_CHOICE = {group: st.sampled_from(choices) for group, choices in MODIFIER_GROUPS.items()}
_QUANTITY = st.one_of(st.integers(1, 5), st.integers(1, 10**6))
_MODIFIER_QUANTITY = st.integers(1, 5)
_MODIFIER_COUNT = st.integers(0, 3)
_CURRENCY = st.sampled_from(("SGD", "USD", "EUR", "JPY", "GBP", "THB", "AUD", "INR", "KWD"))
_METHOD = st.sampled_from(DELIVERY_METHODS)
_PAYMENT_METHOD = st.sampled_from(("CARD", "CASH", "PAYNOW", "APPLE_PAY"))


def _seeded_faker(draw: st.DrawFn) -> Any:
    locale = draw(_LOCALE)
    _FAKER.seed_instance(draw(_SEED))
    return _FAKER[locale]


def _text(draw: st.DrawFn, shape: OrderShape, realistic: str, *, min_size: int = 0) -> str:
    if shape.arbitrary_text and draw(_ONE_IN_FOUR) == 0:
        return draw(unicode_text(min_size=min_size))
    return realistic


def _maybe(draw: st.DrawFn) -> bool:
    return draw(_BOOLEANS)


def _modifier(draw: st.DrawFn, fake: Any, shape: OrderShape, plu: str | None) -> dict[str, Any]:
    group = draw(_GROUP)
    realistic = draw(_GROUP_CHOICE[group])
    modifier: dict[str, Any] = {
        "plu": plu if plu is not None else _text(draw, shape, str(fake.random_int(200, 999))),
        "name": _text(draw, shape, realistic),
    }
    if _maybe(draw):
        modifier["groupName"] = _text(draw, shape, group)
    if _maybe(draw):
        modifier["quantity"] = draw(_MODIFIER_QUANTITY)
    if _maybe(draw):
        modifier["unitPrice"] = draw(money(max_places=shape.max_places, max_value=shape.max_value))
    if shape.unknown_fields and draw(_ONE_IN_FOUR) == 0:
        modifier.update(draw(unknown_fields(MODIFIER_FIELDS)))
    return modifier


def _item(draw: st.DrawFn, fake: Any, shape: OrderShape, *, depth: int, combo: bool) -> dict[str, Any]:
    product = draw(st.sampled_from(shape.catalogue.products)) if shape.catalogue else None
    plu = product.plu if product else _text(draw, shape, str(fake.random_int(100, 99999)))
    name = product.name if product else _text(draw, shape, draw(_MENU))
    item: dict[str, Any] = {
        "plu": plu,
        "name": name,
        "quantity": draw(_QUANTITY),
        "unitPrice": draw(money(max_places=shape.max_places, max_value=shape.max_value)),
    }
    if _maybe(draw):
        item["notes"] = _text(draw, shape, fake.sentence(nb_words=4))
    allowed = product.modifiers if product else None
    if allowed is None or allowed:
        count = draw(_MODIFIER_COUNT)
        if shape.need_modifier and depth == 0 and not combo:
            count = max(count, 1)
        if count:
            item["modifiers"] = [
                _modifier(draw, fake, shape, draw(st.sampled_from(allowed)) if allowed else None)
                for _ in range(count)
            ]
    if depth == 0 and (shape.need_combo or _maybe(draw)):
        count = draw(st.integers(1 if shape.need_combo else 0, 2))
        if count:
            item["comboItems"] = [_item(draw, fake, shape, depth=depth + 1, combo=True) for _ in range(count)]
    if shape.unknown_fields and _maybe(draw):
        item.update(draw(unknown_fields(ITEM_FIELDS)))
    return item


def _line_total(item: dict[str, Any]) -> Decimal:
    modifiers = sum(
        (m.get("unitPrice", Decimal(0)) * m.get("quantity", 1) for m in item.get("modifiers", [])),
        Decimal(0),
    )
    unit: Decimal = item["unitPrice"]
    quantity: int = item["quantity"]
    return (unit + modifiers) * quantity


@st.composite
def orders(draw: st.DrawFn, shape: OrderShape = OrderShape()) -> dict[str, Any]:
    """A valid Cata order (v1) as a JSON value: dicts, lists, str, int, ``Decimal``, bool, None."""
    fake = _seeded_faker(draw)
    method = draw(_METHOD)
    items = [
        _item(draw, fake, shape, depth=0, combo=False) for _ in range(draw(st.integers(1, shape.max_items)))
    ]
    # Totals add up like a real receipt, except when a test wants arbitrary amounts.
    subtotal = sum((_line_total(item) for item in items), Decimal(0))
    order: dict[str, Any] = {
        "orderRefNo": _text(draw, shape, fake.bothify("CATA-########-??").upper(), min_size=1),
        "deliveryMethod": method,
        "createdAt": draw(rfc3339()),
        "currency": draw(_CURRENCY),
        "items": items,
    }
    extras: dict[str, Any] = {}
    if _maybe(draw):
        extras["expectedPickupAt"] = draw(rfc3339())
    if _maybe(draw):
        customer: dict[str, Any] = {}
        for key, value in (
            ("firstName", fake.first_name()),
            ("lastName", fake.last_name()),
            ("phone", fake.phone_number()),
            ("email", fake.email()),
        ):
            if _maybe(draw):
                customer[key] = _text(draw, shape, value) if draw(st.integers(0, 9)) else None
        extras["customer"] = customer
    if method == "DELIVERY" or _maybe(draw):
        extras["deliveryAddress"] = {
            "line1": _text(draw, shape, fake.street_address()),
            "city": fake.city(),
            "postalCode": fake.postcode(),
            "country": fake.current_country_code(),
            **({"instructions": _text(draw, shape, fake.sentence(nb_words=6))} if _maybe(draw) else {}),
        }
    for name in OPTIONAL_MONEY:
        if _maybe(draw):
            fits = name == "subtotal" and subtotal < MONEY_LIMIT
            extras[name] = subtotal if fits else draw(money(max_places=shape.max_places))
    if _maybe(draw):
        extras["payment"] = {
            "method": draw(_PAYMENT_METHOD),
            "transactionId": fake.uuid4(),
            "paidAt": draw(rfc3339()),
        }
    if _maybe(draw):
        extras["notes"] = _text(draw, shape, fake.sentence(nb_words=8))
    total = subtotal + extras.get("tip", Decimal(0)) + extras.get("deliveryFee", Decimal(0))
    adds_up = total < MONEY_LIMIT and draw(_ONE_IN_FOUR) != 0
    order["totalPay"] = total if adds_up else draw(money(max_places=shape.max_places))
    order.update(extras)
    if shape.unknown_fields and _maybe(draw):
        order.update(draw(unknown_fields(ORDER_FIELDS)))
    return order


# --- the wire ------------------------------------------------------------------------------------


def wire_styles() -> st.SearchStrategy[Style]:
    """How a JSON text is written; every knob shrinks towards compact, unescaped, insertion-ordered text."""
    rate = st.one_of(st.just(0.0), st.just(1.0), st.floats(0, 1))
    return st.builds(
        Style,
        seed=st.integers(0, 2**32 - 1),
        whitespace=rate,
        escapes=rate,
        surrogate_pairs=st.booleans(),
        escape_slash=st.booleans(),
        shuffle_keys=st.booleans(),
        respell_numbers=rate,
    )


@dataclass(frozen=True, slots=True)
class WrittenOrder:
    """An order value and the exact text it is sent as."""

    value: dict[str, Any]
    text: bytes
    style: Style


@st.composite
def written_orders(draw: st.DrawFn, shape: OrderShape = OrderShape()) -> WrittenOrder:
    value = draw(orders(shape))
    style = draw(wire_styles())
    return WrittenOrder(value, write(value, style), style)


@dataclass(frozen=True, slots=True)
class EnvelopeStyle:
    """How the dispatch envelope around the order is written, with unknown fields of its own."""

    style: Style = field(default_factory=Style)
    extra: dict[str, Any] = field(default_factory=dict)
    explicit_null_transformer: bool = False


def envelope_styles() -> st.SearchStrategy[EnvelopeStyle]:
    envelope_fields = frozenset({"outletId", "event", "order", "builtInTransformer"})
    return st.builds(
        EnvelopeStyle,
        style=wire_styles(),
        extra=st.one_of(st.just({}), unknown_fields(envelope_fields)),
        explicit_null_transformer=st.booleans(),
    )


def envelope(
    outlet_id: str,
    order_text: bytes,
    how: EnvelopeStyle = EnvelopeStyle(),
    *,
    transformer: str | None = None,
    event: str = "order.paid",
) -> bytes:
    """The dispatch request body with ``order_text`` spliced in byte for byte."""
    body: dict[str, Any] = {"outletId": outlet_id, "event": event, "order": RawJSON(order_text)}
    if transformer is not None:
        body["builtInTransformer"] = transformer
    elif how.explicit_null_transformer:
        body["builtInTransformer"] = None
    body.update(how.extra)
    return write(body, how.style)


# --- faults ------------------------------------------------------------------------------------------

# The budget decides the outcome of the timing modes, so each side of it is its own variant: a test
# parametrized over variants covers both whatever hypothesis happens to draw.
UNDER_BUDGET, OVER_BUDGET = "under-budget", "over-budget"
FAULT_VARIANTS = (
    "status",
    "error_body",
    f"delay-{UNDER_BUDGET}",
    f"delay-{OVER_BUDGET}",
    "reset",
    "malformed",
    "html",
    f"trickle-{UNDER_BUDGET}",
    f"trickle-{OVER_BUDGET}",
    "redirect",
)
ERROR_SHAPES = ("nested", "details", "errorMsg", "string")
# The faults that answer at once, so several attempts per example stay cheap.
QUICK_FAULTS = ("status", "error_body", "reset", "malformed", "html", "redirect")
# Seconds on either side of the dispatch budget: far enough that scheduling noise cannot flip the outcome.
FAST_FRACTION = 0.25
# Any code in 100-599, with the ones HTTP treats specially (1xx, no-content, redirects, edges) drawn often.
STATUS_CODES = st.one_of(
    st.sampled_from((100, 101, 102, 103, 199, 200, 201, 202, 204, 205, 206, 299, 300, 301, 302, 303, 304)),
    st.sampled_from((307, 308, 399, 400, 401, 403, 404, 409, 422, 429, 499, 500, 502, 503, 504, 599)),
    st.integers(100, 599),
)
SLOW_MARGIN = (0.4, 0.9)


def error_messages() -> st.SearchStrategy[str]:
    """What a POS might say, realistic or arbitrary (a message must have some text to be present)."""
    realistic = st.sampled_from(
        ("Item sold out", "Kitchen closed", "Invalid establishment", "Product 42 does not exist", "Ошибка")
    )
    return st.one_of(realistic, unicode_text(min_size=1, max_size=60))


@st.composite
def response_bodies(draw: st.DrawFn) -> str:
    """Bodies a destination may answer with: text, JSON successes with ids, JSON error bodies."""
    kind = draw(st.sampled_from(("text", "success", "error", "other-json")))
    if kind == "text":
        return draw(unicode_text(max_size=300))
    if kind == "success":
        key = draw(st.sampled_from(("externalOrderId", "orderId", "id")))
        value = draw(st.one_of(st.integers(0, 10**12), unicode_text(min_size=1, max_size=20)))
        extra = {"status": draw(st.sampled_from(("OK", "ok", True)))} if _maybe(draw) else {}
        return write({key: value, **extra}).decode("utf-8")
    if kind == "error":
        status = draw(st.sampled_from(("ERROR", "error", "Error", False)))
        message = draw(error_messages())
        where = draw(st.sampled_from((*ERROR_SHAPES, "message")))
        body: dict[str, Any] = {"status": status}
        if where == "nested":
            body["error"] = {"message": message}
        elif where == "details":
            body["error"] = {"details": {"message": message}}
        elif where == "errorMsg":
            body["errorMsg"] = message
        elif where == "string":
            body["error"] = message
        else:
            body["message"] = message
        return write(body).decode("utf-8")
    return write(draw(json_values())).decode("utf-8")


@st.composite
def faults(draw: st.DrawFn, variant: str, budget_s: float, *, redirect_to: str) -> dict[str, Any]:
    """A mock_pos fault of ``variant`` (a mode, or ``<mode>-under-budget``/``<mode>-over-budget`` for
    delay and trickle), without its target, with parameters drawn over the whole range."""
    mode, _, side = variant.partition("-")
    if mode == "status":
        spec: dict[str, Any] = {"mode": mode, "code": draw(STATUS_CODES)}
        spec["body"] = draw(response_bodies())
        if _maybe(draw):
            spec["contentType"] = draw(st.sampled_from(("application/json", "text/plain", "text/html")))
        return spec
    if mode == "error_body":
        return {"mode": mode, "shape": draw(st.sampled_from(ERROR_SHAPES)), "message": draw(error_messages())}
    if mode in ("delay", "trickle"):
        slow = draw(st.booleans()) if not side else side == OVER_BUDGET
        if slow:
            low, high = SLOW_MARGIN
            seconds = budget_s + draw(st.floats(low, high))
        else:
            seconds = draw(st.floats(0, budget_s * FAST_FRACTION))
        spec = {"mode": mode, "seconds": round(seconds, 3)}
        if mode == "trickle":
            spec["chunks"] = draw(st.integers(1, 8))
        return spec
    if mode == "html":
        return {"mode": mode, "code": draw(st.integers(200, 599))}
    if mode == "redirect":
        location = draw(st.sampled_from((redirect_to, "http://127.0.0.1:9/elsewhere", "/relative/path")))
        return {"mode": mode, "code": draw(st.integers(300, 399)), "location": location}
    return {"mode": mode}


# --- broken requests ------------------------------------------------------------------------------

# Required fields, as paths into the order; ``[]`` is an index drawn among the elements present.
REQUIRED_FIELDS = (
    "orderRefNo",
    "deliveryMethod",
    "createdAt",
    "currency",
    "items",
    "totalPay",
    "items[].plu",
    "items[].name",
    "items[].quantity",
    "items[].unitPrice",
    "items[].modifiers[].plu",
    "items[].modifiers[].name",
    "items[].comboItems[].plu",
    "items[].comboItems[].name",
    "items[].comboItems[].quantity",
    "items[].comboItems[].unitPrice",
)

_NOT_STRINGS = st.one_of(
    st.integers(-5, 10**6),
    st.decimals(min_value=-100, max_value=100, places=2),
    st.booleans(),
    st.none(),
    st.lists(st.integers(0, 9), max_size=2),
    st.just({}),
)
_NOT_NUMBERS = st.one_of(
    st.booleans(),
    st.none(),
    st.lists(st.integers(0, 9), max_size=2),
    st.just({"amount": 1}),
    unicode_text(max_size=8).filter(lambda text: not _is_number_text(text)),
)
# Money is a JSON number (ARCHITECTURE.md): a price written as a string is the classic mistype.
NUMERIC_STRINGS = st.decimals(min_value=0, max_value=1000, places=2).map(str)

INVALID_VALUES: dict[str, st.SearchStrategy[Any]] = {
    "orderRefNo": st.one_of(_NOT_STRINGS, st.just("")),
    "deliveryMethod": st.one_of(
        _NOT_STRINGS,
        st.sampled_from(("pickup", "TAKEAWAY", "Delivery", "DINE-IN", "")),
        unicode_text(max_size=10).filter(lambda text: text not in DELIVERY_METHODS),
    ),
    "createdAt": st.one_of(
        _NOT_STRINGS,
        st.datetimes(min_value=datetime(2000, 1, 1)).map(lambda moment: moment.isoformat()),
        st.sampled_from(("yesterday", "2026-11-27", "27/11/2026 10:00", "", "2026-13-45T99:99:99Z")),
    ),
    "currency": st.one_of(
        _NOT_STRINGS,
        st.sampled_from(("sgd", "SG", "SGDX", "S1D", "", "€")),
        st.text(string.ascii_letters, min_size=0, max_size=6).filter(
            lambda text: not (len(text) == 3 and text.isupper())
        ),
    ),
    "items": st.one_of(
        _NOT_STRINGS.filter(lambda value: value != [] and not isinstance(value, list)),
        st.just([]),
        st.lists(st.one_of(st.integers(), unicode_text(max_size=5), st.none()), min_size=1, max_size=2),
    ),
    "money": st.one_of(
        _NOT_NUMBERS,
        NUMERIC_STRINGS,
        st.decimals(min_value=-(10**15), max_value=Decimal("-0.000001"), places=6),
    ),
    "quantity": st.one_of(
        _NOT_NUMBERS,
        NUMERIC_STRINGS,
        st.integers(max_value=0),
        st.decimals(min_value=Decimal("0.01"), max_value=100, places=2).filter(
            lambda d: d != d.to_integral()
        ),
        st.integers(1, 100).map(lambda n: Decimal(n).quantize(Decimal("0.0"))),
    ),
    "plu": _NOT_STRINGS,
    "name": _NOT_STRINGS,
}


def invalid_value_kind(path: str) -> str:
    leaf = path.rsplit(".", 1)[-1]
    return "money" if leaf in ("totalPay", "unitPrice") else leaf


@dataclass(frozen=True, slots=True)
class BrokenOrder:
    """A valid order with one required field removed or given an invalid value."""

    value: dict[str, Any]
    path: str
    concrete_path: str
    how: str


def _locate(order: dict[str, Any], path: str, draw: st.DrawFn) -> tuple[Any, str, str]:
    """The container holding ``path``'s leaf, the leaf name, and the concrete path (indices drawn)."""
    container: Any = order
    concrete = ""
    segments = path.split(".")
    for segment in segments[:-1]:
        name = segment.removesuffix("[]")
        container = container[name]
        concrete += f".{name}"
        if segment.endswith("[]"):
            index = draw(st.integers(0, len(container) - 1))
            container = container[index]
            concrete += f"[{index}]"
    return container, segments[-1], f"{concrete}.{segments[-1]}".lstrip(".")


@st.composite
def broken_orders(draw: st.DrawFn, path: str, how: str) -> BrokenOrder:
    """An order whose field at ``path`` is removed (``how="missing"``), invalid (``"invalid"``), or, for
    money, a number written as a string (``"numeric-string"``)."""
    needs = OrderShape(need_modifier="modifiers" in path, need_combo="comboItems" in path)
    order = draw(orders(needs))
    container, leaf, concrete = _locate(order, path, draw)
    if how == "missing":
        del container[leaf]
    elif how == "numeric-string":
        container[leaf] = draw(NUMERIC_STRINGS)
    else:
        container[leaf] = draw(INVALID_VALUES[invalid_value_kind(path)])
    return BrokenOrder(order, path, concrete, how)


MALFORMED_KINDS = (
    "not-json",
    "nul-character",
    "truncated",
    "trailing-garbage",
    "invalid-utf8",
    "not-an-object",
    "missing-envelope-field",
    "bad-outlet-id",
    "bad-event",
    "order-not-an-object",
    "order-syntax-error",
    "unknown-transformer",
)


@st.composite
def malformed_envelopes(
    draw: st.DrawFn, kind: str, outlet_id: str, known_transformers: Sequence[str]
) -> bytes:
    """A dispatch body that must be refused before anything happens; it names ``outlet_id`` when it can."""
    written = draw(written_orders(OrderShape(unknown_fields=False)))
    how = draw(envelope_styles())
    good = envelope(outlet_id, written.text, how)
    if kind == "not-json":
        return draw(
            st.one_of(
                st.binary(max_size=40).filter(lambda data: not _is_json_object(data)),
                st.sampled_from((b"", b"null", b"{", b"}", b"outletId=x&event=order.paid", b"{'a': 1}")),
            )
        )
    if kind == "nul-character":
        # Refused on purpose (cata_sandbox/api/hostile_input.py): PostgreSQL text cannot hold NUL, no POS wants it.
        where = draw(st.sampled_from(("orderRefNo", "notes", "name")))
        value = dict(written.value)
        if where == "name":
            value["items"] = [{**value["items"][0], "name": "Flat\x00White"}, *value["items"][1:]]
        else:
            value[where] = draw(unicode_text(max_size=5)) + "\x00" + draw(unicode_text(max_size=5))
        return envelope(outlet_id, write(value, written.style), how)
    if kind == "truncated":
        last = good.rindex(b"}")
        return good[: draw(st.integers(0, last))]
    if kind == "trailing-garbage":
        return good + draw(st.sampled_from((b"x", b"{}", b",", b"]", b'"', b"\x00", b"}")))
    if kind == "invalid-utf8":
        bad = draw(
            st.sampled_from((b"\xff", b"\xc3\x28", b"\xed\xa0\x80", b"\xe2\x82", b"\xf8\x88\x80\x80\x80"))
        )
        marker = b'"orderRefNo"'
        at = written.text.index(b":", written.text.index(marker) if marker in written.text else 0)
        quote = written.text.index(b'"', at) + 1
        text = written.text[:quote] + bad + written.text[quote:]
        return envelope(outlet_id, text, how)
    if kind == "not-an-object":
        return write(draw(st.one_of(st.lists(json_values(), max_size=3), unicode_text(), st.integers())))
    if kind == "missing-envelope-field":
        missing = draw(st.sampled_from(("outletId", "event", "order")))
        body: dict[str, Any] = {"outletId": outlet_id, "event": "order.paid", "order": RawJSON(written.text)}
        del body[missing]
        return write(body, how.style)
    if kind == "bad-outlet-id":
        wrong = draw(st.one_of(st.just(""), st.integers(), st.none(), st.just([outlet_id])))
        return write({"outletId": wrong, "event": "order.paid", "order": RawJSON(written.text)}, how.style)
    if kind == "bad-event":
        event = draw(
            st.one_of(
                unicode_text(max_size=15).filter(lambda text: text != "order.paid"),
                st.sampled_from(("order.Paid", "ORDER.PAID", "order.paid ", "order.refunded")),
            )
        )
        if draw(st.integers(0, 3)) == 0:
            return write(
                {"outletId": outlet_id, "event": draw(_NOT_STRINGS), "order": RawJSON(written.text)},
                how.style,
            )
        return envelope(outlet_id, written.text, how, event=event)
    if kind == "order-not-an-object":
        order = draw(st.one_of(st.lists(json_values(), max_size=3), unicode_text(), st.integers(), st.none()))
        return envelope(outlet_id, write(order), how)
    if kind == "order-syntax-error":
        text = written.text
        broken = draw(
            st.sampled_from(
                (
                    text[:-1] + b",}",
                    text.replace(b":", b"=", 1),
                    text.replace(b'"orderRefNo"', b"orderRefNo", 1),
                    text[:-1] + b',"tip":NaN}',
                    text[:-1] + b',"tip":Infinity}',
                    text[:-1] + b',"tip":01}',
                    text[:-1] + b',"tip":.5}',
                    text[:-1] + b',"x":"\\x"}',
                )
            ).filter(lambda candidate: candidate != text)
        )
        return envelope(outlet_id, broken, how)
    if kind == "unknown-transformer":
        name = draw(
            st.one_of(
                unicode_text(max_size=12).filter(lambda text: text not in known_transformers),
                st.sampled_from(("Revel", "REVEL", "lightspeed", "atlas", "")),
            ).filter(lambda text: text not in known_transformers)
        )
        return envelope(outlet_id, written.text, how, transformer=name)
    raise ValueError(f"unknown malformed kind {kind!r}")


def _is_number_text(text: str) -> bool:
    try:
        Decimal(text)
    except ArithmeticError:
        return False
    return True


def _is_json_object(data: bytes) -> bool:
    try:
        return isinstance(json.loads(data), dict)
    except ValueError:
        return False


# --- small helpers tests share -----------------------------------------------------------------------


@st.composite
def one_byte_changes(draw: st.DrawFn, text: bytes) -> bytes:
    """``text`` with exactly one byte changed."""
    index = draw(st.integers(0, len(text) - 1))
    flip = draw(st.integers(1, 255))
    return text[:index] + bytes([text[index] ^ flip]) + text[index + 1 :]
