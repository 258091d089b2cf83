"""Precision findings: every price the POS received against the order's exact decimal, in minor units."""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

import msgspec

__all__ = ["MINOR_UNITS", "PrecisionFinding", "precision_findings"]

# ISO 4217 minor units of the currencies Cata's markets use; any other currency is taken as 2.
MINOR_UNITS: dict[str, int] = {
    "SGD": 2,
    "MYR": 2,
    "USD": 2,
    "AUD": 2,
    "THB": 2,
    "PHP": 2,
    "HKD": 2,
    "IDR": 0,
    "VND": 0,
    "JPY": 0,
    "KRW": 0,
}
# A step is a key, ``[*]`` / ``[n]``, or ``(a|b)``: the lists under keys a and b, one after the other.
_STEP = re.compile(r"\(([^()]+)\)|([^.\[\]()]+)|\[(\*|\d+)\]")
_MISSING = object()
# Every JSON number with a fraction or an exponent read as the exact decimal it is written as.
_exact = msgspec.json.Decoder(float_hook=Decimal)


@dataclass(frozen=True, slots=True)
class PrecisionFinding:
    """One price that reached the POS different from the order's, after quantising both to minor units."""

    order_path: str
    body_path: str
    order_text: str  # the order's exact decimal, as written in the order bytes
    expected: Decimal  # quantised to the currency's minor unit (half up)
    received: str  # what the POS got, as text ("missing" when the path is absent)

    def __str__(self) -> str:
        return (
            f"{self.body_path}: the POS received {self.received}, the order says {self.order_text} "
            f"({self.expected} at {self.order_path})"
        )


def precision_findings(
    order_bytes: bytes, sent_body: bytes, mapping: Iterable[tuple[str, ...]]
) -> list[PrecisionFinding]:
    """One finding per mapped price that differs. ``mapping`` pairs an order path with a body path;
    ``[*]`` steps pair up index by index (``items[*].unitPrice`` → ``items[*].price``). An order step
    ``(modifiers|comboItems)`` walks both lists as one, in that order (one body list holding both). A
    third element ``"minor"`` says the body carries integer minor units (Atlas's ``price_cents``)."""
    order = _exact.decode(order_bytes)
    body = _exact.decode(sent_body)
    places = MINOR_UNITS.get(str(order.get("currency", "")) if isinstance(order, dict) else "", 2)
    unit = Decimal(1).scaleb(-places)
    findings: list[PrecisionFinding] = []
    for order_path, body_path, *scale in mapping:
        minor = scale == ["minor"]
        for indices, where, value in _walk(order, _steps(order_path), (), ""):
            if isinstance(value, bool) or not isinstance(value, (int, Decimal)):
                continue
            expected = Decimal(value).quantize(unit, rounding=ROUND_HALF_UP)
            concrete = _fill(body_path, indices)
            got = _at(body, _steps(concrete))
            received = _as_decimal(got)
            if minor and received is not None:
                received = received.scaleb(-places) if received == received.to_integral_value() else None
            if received is not None and received.quantize(unit, rounding=ROUND_HALF_UP) == expected:
                continue
            shown = _text(got)
            findings.append(
                PrecisionFinding(
                    order_path=where,
                    body_path=concrete,
                    order_text=str(value),
                    expected=expected,
                    received=f"{shown} minor units" if minor and got is not _MISSING else shown,
                )
            )
    return findings


_Step = str | int | tuple[str, ...]


@functools.lru_cache(maxsize=1024)
def _steps(path: str) -> tuple[_Step, ...]:
    """A path's steps, parsed once per path (a script's mapping is the same for every order)."""
    steps: list[_Step] = []
    for keys, name, index in _STEP.findall(path):
        if keys:
            steps.append(tuple(keys.split("|")))
        elif name:
            steps.append(name)
        else:
            steps.append(-1 if index == "*" else int(index))
    return tuple(steps)


def _walk(
    node: Any, steps: tuple[_Step, ...], indices: tuple[int, ...], where: str
) -> Iterator[tuple[tuple[int, ...], str, Any]]:
    """Every value the path reaches, with the ``[*]`` indices taken and its concrete order path."""
    if not steps:
        yield indices, where, node
        return
    step, rest = steps[0], steps[1:]
    if isinstance(step, tuple):  # (a|b) then an index step: the two lists as one
        if not isinstance(node, dict) or not rest or not isinstance(rest[0], int):
            return
        joined = [
            (f"{where}.{key}[{i}]" if where else f"{key}[{i}]", child)
            for key in step
            if isinstance(node.get(key), list)
            for i, child in enumerate(node[key])
        ]
        if rest[0] == -1:
            for j, (label, child) in enumerate(joined):
                yield from _walk(child, rest[1:], (*indices, j), label)
        elif rest[0] < len(joined):
            label, child = joined[rest[0]]
            yield from _walk(child, rest[1:], indices, label)
    elif step == -1:
        if isinstance(node, list):
            for i, child in enumerate(node):
                yield from _walk(child, rest, (*indices, i), f"{where}[{i}]")
    elif isinstance(step, int):
        if isinstance(node, list) and step < len(node):
            yield from _walk(node[step], rest, indices, f"{where}[{step}]")
    elif isinstance(node, dict) and step in node:
        yield from _walk(node[step], rest, indices, f"{where}.{step}" if where else step)


def _fill(path: str, indices: tuple[int, ...]) -> str:
    supply = iter(indices)
    return re.sub(r"\[\*\]", lambda _: f"[{next(supply, 0)}]", path)


def _at(node: Any, steps: tuple[_Step, ...]) -> Any:
    for step in steps:
        if isinstance(step, int) and isinstance(node, list) and 0 <= step < len(node):
            node = node[step]
            continue
        if isinstance(step, str) and isinstance(node, dict) and step in node:
            node = node[step]
            continue
        return _MISSING
    return node


def _text(value: Any) -> str:
    if value is _MISSING:
        return "missing"
    if isinstance(value, (int, Decimal)) and not isinstance(value, bool):
        return str(value)
    return json.dumps(value, default=str)


def _as_decimal(value: Any) -> Decimal | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, Decimal)):
        return Decimal(value)
    if isinstance(value, str):
        try:
            number = Decimal(value.strip())
        except InvalidOperation:
            return None
        return number if number.is_finite() else None
    return None
