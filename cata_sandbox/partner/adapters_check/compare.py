"""Field-by-field comparison of two views, each difference filed under the property it breaks."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

__all__ = ["FIELD_PROPERTIES", "Difference", "differences", "json_differences"]

# The properties an accepted order is checked for, in report order.
FIELD_PROPERTIES = ("items", "quantities", "prices", "modifiers", "combos", "customer", "refs")
_LEAF = {
    "product": "items",
    "quantity": "quantities",
    "price": "prices",
    "total": "prices",
    "tip": "prices",
    "reference": "refs",
}
_LIST = {"items": "items", "modifiers": "modifiers", "combo": "combos"}


@dataclass(frozen=True, slots=True)
class Difference:
    prop: str
    path: str
    expected: Any
    got: Any

    def __str__(self) -> str:
        return f"{self.path}: expected {_show(self.expected)}, got {_show(self.got)}"


def differences(expected: Any, got: Any, places: int) -> list[Difference]:
    """Every path where ``got`` (the POS's copy) is not ``expected`` (the Cata order's view); amounts
    are compared quantised to ``places`` (the currency's minor unit), half up."""
    found: list[Difference] = []
    _walk(expected, got, "$", None, Decimal(1).scaleb(-places), found)
    return found


def _walk(expected: Any, got: Any, path: str, prop: str | None, unit: Decimal, out: list[Difference]) -> None:
    key = path.rsplit(".", 1)[-1].split("[", 1)[0]
    here = prop or ("customer" if key == "customer" else None)
    if isinstance(expected, dict) and isinstance(got, dict):
        for name in expected.keys() | got.keys():
            _walk(expected.get(name), got.get(name), f"{path}.{name}", here, unit, out)
        return
    if isinstance(expected, list) and isinstance(got, list):
        if len(expected) != len(got):  # a missing or extra entry: pairing up the rest would be noise
            out.append(
                Difference(
                    _LIST.get(key, here or "items"), path, f"{len(expected)} entries", f"{len(got)} entries"
                )
            )
            return
        for index, (want, have) in enumerate(zip(expected, got, strict=False)):
            _walk(want, have, f"{path}[{index}]", here, unit, out)
        return
    leaf = here or _LEAF.get(key, "items")
    if isinstance(expected, Decimal) and isinstance(got, Decimal):
        want = expected.quantize(unit, ROUND_HALF_UP)
        if want != got.quantize(unit, ROUND_HALF_UP):
            out.append(Difference(leaf, path, want, got))
        return
    if expected != got:
        out.append(Difference(leaf, path, expected, got))


def json_differences(expected: Any, got: Any, path: str = "$") -> list[str]:
    """Path-by-path differences of two JSON values (numbers as Decimal, exactly), for ``--samples``."""
    if isinstance(expected, dict) and isinstance(got, dict):
        lines: list[str] = []
        for name in sorted(expected.keys() | got.keys()):
            if name not in got:
                lines.append(f"{path}.{name}: expected {_show(expected[name])}, got nothing")
            elif name not in expected:
                lines.append(f"{path}.{name}: not expected, got {_show(got[name])}")
            else:
                lines += json_differences(expected[name], got[name], f"{path}.{name}")
        return lines
    if isinstance(expected, list) and isinstance(got, list):
        lines = []
        if len(expected) != len(got):
            lines.append(f"{path}: expected {len(expected)} entries, got {len(got)}")
        for index, (want, have) in enumerate(zip(expected, got, strict=False)):
            lines += json_differences(want, have, f"{path}[{index}]")
        return lines
    same = type(expected) is type(got) or (_number(expected) and _number(got))
    if not same or expected != got:
        return [f"{path}: expected {_show(expected)}, got {_show(got)}"]
    return []


def _number(value: Any) -> bool:
    return isinstance(value, int | Decimal) and not isinstance(value, bool)


def _show(value: Any) -> str:
    import json

    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, str) and value.endswith(" entries"):
        return value
    text = json.dumps(value, default=str, ensure_ascii=False)
    return text if len(text) <= 80 else text[:80] + "..."
