"""schemathesis hooks of the fuzz run (loaded through ``SCHEMATHESIS_HOOKS=tests.fuzz.hooks``).

JSON Schema calls ``2.0`` an integer; the service's decoder (msgspec, strict) wants integers written as
integers (``quantity: 2``) and answers ``2.0`` with 400 "Expected `int`, got `float`", as the README
says. Generated integral floats are written as integers so that the "valid data is accepted" check tests
the rules the schema can express.
"""

from __future__ import annotations

from typing import Any

import schemathesis

_EXACT = 2**53


def _integers(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer() and abs(value) < _EXACT:
        return int(value)
    if isinstance(value, dict):
        return {key: _integers(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_integers(item) for item in value]
    return value


@schemathesis.hook
def map_body(context: schemathesis.HookContext, body: Any) -> Any:
    return _integers(body)
