"""The UTF-8 check every endpoint shares, and the JSON path it names."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cata_sandbox.bodytext import check_utf8, json_path_at
from cata_sandbox.errors import InvalidRequest

MARKER = "MARKER-7f3a"

keys = st.text(st.characters(codec="utf-8", exclude_characters='\x00"\\'), max_size=6)
scalars = st.none() | st.booleans() | st.integers() | st.text(max_size=5)
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=4),
    max_leaves=12,
)


def _member(key: str) -> str:
    return (
        f".{key}" if key.isidentifier() and key.isascii() else "[" + json.dumps(key, ensure_ascii=False) + "]"
    )


@st.composite
def documents_with_a_marked_string(draw: st.DrawFn) -> tuple[Any, str]:
    """A JSON document with the string MARKER at some place, and that place's JSON path."""
    value = draw(json_values)
    path = "$"
    if not isinstance(value, dict | list):
        return MARKER, path
    node: Any = value
    while True:
        if isinstance(node, dict) and node and draw(st.booleans()):
            key = draw(st.sampled_from(sorted(node)))
            step = _member(key)
        elif isinstance(node, list) and node and draw(st.booleans()):
            key = draw(st.integers(0, len(node) - 1))
            step = f"[{key}]"
        else:
            break
        if not isinstance(node[key], dict | list) or draw(st.booleans()):
            node[key] = MARKER
            return value, path + step
        node, path = node[key], path + step
    if isinstance(node, dict):
        node["m"] = MARKER
        return value, path + ".m"
    node.append(MARKER)
    return value, path + f"[{len(node) - 1}]"


@given(
    marked=documents_with_a_marked_string(), indent=st.none() | st.integers(0, 3), ascii_only=st.booleans()
)
def test_a_bad_byte_inside_a_string_is_placed_at_that_strings_path(
    marked: tuple[Any, str], indent: int | None, ascii_only: bool
) -> None:
    value, path = marked
    text = json.dumps(value, indent=indent, ensure_ascii=ascii_only).encode("utf-8")
    assert text.count(MARKER.encode()) == 1
    body = text.replace(MARKER.encode(), b"MARK\xffER")

    with pytest.raises(InvalidRequest) as refused:
        check_utf8(body)

    offset = body.index(b"\xff")
    assert refused.value.detail == (
        f"request body is not valid UTF-8: invalid byte at offset {offset} - at `{path}`"
    )


@pytest.mark.parametrize(
    ("prefix", "path"),
    [
        ("", "$"),
        ('{"a', "$"),  # inside a key: the object the key belongs to
        ('{"a": [1, {"b": "', "$.a[1].b"),
        ('{"a\\u0041": "', "$.aA"),
        ('{"x": {}, "y": "', "$.y"),
        ('{"a": "q\\"uote", "b": "', "$.b"),
        ('{"a": 1}', None),  # after the document: no path
    ],
)
def test_json_path_at(prefix: str, path: str | None) -> None:
    assert json_path_at(prefix) == path


def test_valid_utf8_passes() -> None:
    check_utf8('{"name": "Zoë 山田 🙏"}'.encode())
