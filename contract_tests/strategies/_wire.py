"""How an order and its dispatch envelope are written on the wire, and one-byte changes of that text."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from hypothesis import strategies as st

from contract_tests.jsontext import RawJSON, Style, write
from contract_tests.strategies._orders import OrderShape, orders
from contract_tests.strategies._vocabulary import unknown_fields

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


# --- small helpers tests share -----------------------------------------------------------------------


@st.composite
def one_byte_changes(draw: st.DrawFn, text: bytes) -> bytes:
    """``text`` with exactly one byte changed."""
    index = draw(st.integers(0, len(text) - 1))
    flip = draw(st.integers(1, 255))
    return text[:index] + bytes([text[index] ^ flip]) + text[index + 1 :]
