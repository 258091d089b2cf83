"""Write a JSON value as text no encoder would produce: the wire side of the byte-for-byte guarantee.

An encoder writes one canonical text per value. Partners receive whatever text the caller sent, so the
contract suite writes the same value many ways — whitespace between any two tokens, keys in any order,
any character as a ``\\uXXXX`` escape (astral characters as surrogate pairs, hex digits in either case),
``\\/`` for ``/``, and numbers respelled (``1.5``, ``1.50``, ``15e-1``, ``0.15E+1``) — and checks that the
service forwards exactly that text. Every choice is made by a :class:`Style`; a style with every knob at
zero writes compact JSON in insertion order, so hypothesis shrinks formatting towards the plain text.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

WHITESPACE = " \t\n\r"
SHORT_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


@dataclass(frozen=True, slots=True)
class RawJSON:
    """JSON text spliced in verbatim (the order inside its envelope)."""

    text: bytes


@dataclass(frozen=True, slots=True)
class Style:
    """How to write one JSON text. Probabilities are in [0, 1]; ``seed`` drives every per-token choice."""

    seed: int = 0
    whitespace: float = 0.0
    escapes: float = 0.0
    surrogate_pairs: bool = False
    escape_slash: bool = False
    shuffle_keys: bool = False
    respell_numbers: float = 0.0

    @property
    def plain(self) -> bool:
        return self == Style(seed=self.seed)


def write(value: Any, style: Style = Style()) -> bytes:
    """The JSON text of ``value`` (dict, list, str, int, Decimal, bool, None, :class:`RawJSON`) in ``style``."""
    writer = _Writer(style)
    writer.value(value)
    return b"".join(writer.parts)


class _Writer:
    def __init__(self, style: Style) -> None:
        self.style = style
        self.rng = random.Random(style.seed)
        self.parts: list[bytes] = []

    def emit(self, text: str) -> None:
        self.parts.append(text.encode("utf-8"))

    def space(self) -> None:
        if self.style.whitespace and self.rng.random() < self.style.whitespace:
            self.emit("".join(self.rng.choice(WHITESPACE) for _ in range(self.rng.randint(1, 3))))

    def value(self, value: Any) -> None:
        if isinstance(value, RawJSON):
            self.parts.append(value.text)
        elif value is None:
            self.emit("null")
        elif value is True:
            self.emit("true")
        elif value is False:
            self.emit("false")
        elif isinstance(value, int):
            # JSON has one spelling per integer that still decodes as an integer (2.0 is a float).
            self.emit(str(value))
        elif isinstance(value, Decimal):
            self.emit(self.decimal(value))
        elif isinstance(value, str):
            self.emit(self.string(value))
        elif isinstance(value, dict):
            self.object(value)
        elif isinstance(value, list):
            self.array(value)
        else:
            raise TypeError(f"cannot write {type(value).__name__} as JSON")

    def object(self, value: dict[str, Any]) -> None:
        keys = list(value)
        if self.style.shuffle_keys:
            self.rng.shuffle(keys)
        self.emit("{")
        for index, key in enumerate(keys):
            if index:
                self.space()
                self.emit(",")
            self.space()
            self.emit(self.string(key))
            self.space()
            self.emit(":")
            self.space()
            self.value(value[key])
        self.space()
        self.emit("}")

    def array(self, value: list[Any]) -> None:
        self.emit("[")
        for index, element in enumerate(value):
            if index:
                self.space()
                self.emit(",")
            self.space()
            self.value(element)
        self.space()
        self.emit("]")

    def string(self, text: str) -> str:
        out = ['"']
        for char in text:
            out.append(self.char(char))
        out.append('"')
        return "".join(out)

    def char(self, char: str) -> str:
        code = ord(char)
        forced = char in '"\\' or code < 0x20
        chosen = self.style.escapes > 0 and self.rng.random() < self.style.escapes
        if char == "/" and self.style.escape_slash and self.rng.random() < 0.5:
            return "\\/"
        if not forced and not chosen:
            return char
        if char in SHORT_ESCAPES and self.rng.random() < 0.5:
            return SHORT_ESCAPES[char]
        if code > 0xFFFF:
            if not self.style.surrogate_pairs:
                return char
            code -= 0x10000
            return self.hex_escape(0xD800 + (code >> 10)) + self.hex_escape(0xDC00 + (code & 0x3FF))
        return self.hex_escape(code)

    def hex_escape(self, code: int) -> str:
        digits = f"{code:04x}"
        return "\\u" + "".join(d.upper() if self.rng.random() < 0.5 else d for d in digits)

    def decimal(self, value: Decimal) -> str:
        if not value.is_finite():
            raise ValueError("JSON has no NaN or Infinity")
        if not self.style.respell_numbers or self.rng.random() >= self.style.respell_numbers:
            return _plain(value)
        if self.rng.random() < 0.4:
            return _plain(value) + self.trailing_zeros(value)
        return self.exponent_form(value)

    def trailing_zeros(self, value: Decimal) -> str:
        zeros = "0" * self.rng.randint(1, 3)
        return zeros if "." in _plain(value) else "." + zeros

    def exponent_form(self, value: Decimal) -> str:
        sign, digit_tuple, exponent = value.as_tuple()
        assert isinstance(exponent, int)
        digits = "".join(map(str, digit_tuple)) + "0" * self.rng.randint(0, 2)
        exponent -= len(digits) - len("".join(map(str, digit_tuple)))
        # Put the point anywhere in the digits (or before them, as 0.xyz) and move the exponent to match.
        point = self.rng.randint(0, len(digits))
        whole, fraction = digits[: len(digits) - point], digits[len(digits) - point :]
        whole = whole.lstrip("0") or "0"
        mantissa = whole + ("." + fraction if fraction else "")
        shift = exponent + point
        marker = self.rng.choice("eE")
        sign_text = "-" if shift < 0 else self.rng.choice(["", "+"])
        # JSON allows leading zeros in an exponent (1e05), never in the integer part.
        zeros = "0" if self.rng.random() < 0.2 else ""
        power = sign_text + zeros + str(abs(shift))
        return ("-" if sign else "") + mantissa + marker + power


def _plain(value: Decimal) -> str:
    """Positional notation of the exact value, e.g. ``Decimal("1E+3")`` → ``1000``, ``4.50`` → ``4.50``."""
    return format(value, "f")
