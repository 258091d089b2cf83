"""Self-checks of the suite's own instruments (no servers): the wire writer and the order generator.

If the writer produced invalid JSON or changed a value, property 1 would blame the service for it.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from hypothesis import event, given, settings

from contract_tests import strategies as s
from contract_tests.jsontext import write
from contract_tests.profiles import examples


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _decode(text: bytes) -> Any:
    return json.loads(text, parse_float=Decimal, parse_constant=_no_constants)


@settings(max_examples=examples("hmac"))
@given(written=s.written_orders())
def test_wire_text_is_the_same_value_however_it_is_written(written: s.WrittenOrder) -> None:
    plain = write(written.value)

    assert _decode(written.text) == _decode(plain) == written.value
    assert written.text.startswith(b"{")
    assert written.text.endswith(b"}")
    event("text differs from the plain encoding" if written.text != plain else "plain text")
