"""Every hypothesis strategy of the contract suite: orders, their wire text, faults, broken requests.

One public face over private modules: ``_vocabulary`` (the schema's words, text, numbers, JSON),
``_orders``, ``_wire`` (wire styles, envelopes), ``_faults`` and ``_broken``; import from here.

Orders are valid Cata Order JSON (v1) values — dicts whose money is ``Decimal`` and whose quantities are
``int`` — with realistic people, menus and notes from a seeded Faker (the seed and the locale are drawn by
hypothesis, so examples replay and shrink), mixed with arbitrary unicode, exact prices up to six decimal
places and large magnitudes, modifiers, combos, optional fields present or absent, and unknown fields
holding arbitrary JSON. How an order is *written* is drawn separately (:func:`wire_styles`, see
``jsontext``), so byte preservation is tested on text no encoder would produce.
"""

from __future__ import annotations

from contract_tests.strategies._broken import (
    INVALID_VALUES,
    MALFORMED_KINDS,
    NUMERIC_STRINGS,
    REQUIRED_FIELDS,
    BrokenOrder,
    broken_orders,
    invalid_value_kind,
    malformed_envelopes,
)
from contract_tests.strategies._faults import (
    ERROR_SHAPES,
    FAST_FRACTION,
    FAULT_VARIANTS,
    OVER_BUDGET,
    QUICK_FAULTS,
    SLOW_MARGIN,
    STATUS_CODES,
    TLS_FAULTS,
    UNDER_BUDGET,
    error_documents,
    error_messages,
    faults,
    response_bodies,
    success_documents,
)
from contract_tests.strategies._orders import Catalogue, OrderShape, Product, orders
from contract_tests.strategies._vocabulary import (
    DELIVERY_METHODS,
    DIRECTIVE_MARK,
    ITEM_FIELDS,
    LOCALES,
    MENU,
    MODIFIER_FIELDS,
    MODIFIER_GROUPS,
    MONEY_LIMIT,
    OPTIONAL_MONEY,
    ORDER_FIELDS,
    json_values,
    money,
    rfc3339,
    unicode_text,
    unknown_fields,
)
from contract_tests.strategies._wire import (
    EnvelopeStyle,
    WrittenOrder,
    envelope,
    envelope_styles,
    one_byte_changes,
    wire_styles,
    written_orders,
)

__all__ = [
    "DELIVERY_METHODS",
    "DIRECTIVE_MARK",
    "ERROR_SHAPES",
    "FAST_FRACTION",
    "FAULT_VARIANTS",
    "INVALID_VALUES",
    "ITEM_FIELDS",
    "LOCALES",
    "MALFORMED_KINDS",
    "MENU",
    "MODIFIER_FIELDS",
    "MODIFIER_GROUPS",
    "MONEY_LIMIT",
    "NUMERIC_STRINGS",
    "OPTIONAL_MONEY",
    "ORDER_FIELDS",
    "OVER_BUDGET",
    "QUICK_FAULTS",
    "REQUIRED_FIELDS",
    "SLOW_MARGIN",
    "STATUS_CODES",
    "TLS_FAULTS",
    "UNDER_BUDGET",
    "BrokenOrder",
    "Catalogue",
    "EnvelopeStyle",
    "OrderShape",
    "Product",
    "WrittenOrder",
    "broken_orders",
    "envelope",
    "envelope_styles",
    "error_documents",
    "error_messages",
    "faults",
    "invalid_value_kind",
    "json_values",
    "malformed_envelopes",
    "money",
    "one_byte_changes",
    "orders",
    "response_bodies",
    "rfc3339",
    "success_documents",
    "unicode_text",
    "unknown_fields",
    "wire_styles",
    "written_orders",
]
