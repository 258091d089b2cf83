"""The bodies ``check-receiver`` sends besides plain orders: tampered, unusual, non-ASCII, escaped."""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal
from typing import Any


def tamper_one_byte(body: bytes) -> bytes:
    """``body`` with one byte of ``orderRefNo`` changed: still valid JSON, no longer what was signed."""
    marker = b'"orderRefNo":"'
    at = body.index(marker) + len(marker)
    original = body[at : at + 1]
    replacement = b"X" if original != b"X" else b"Y"
    return body[:at] + replacement + body[at + 1 :]


def unusual_json(value: Any, depth: int = 0) -> str:
    """Valid JSON a re-serializer would never produce: odd whitespace, keys reversed, every string \\u-escaped
    beyond ASCII and ``/`` escaped, decimals with their trailing zeros."""
    pad = "\n" + "\t" * depth + "  "
    if isinstance(value, dict):
        members = [f"{json.dumps(key)} :{pad}{unusual_json(item, depth + 1)}" for key, item in value.items()]
        return "{ " + (" ,\r\n" + "\t" * depth).join(reversed(members)) + "\n" + "\t" * depth + "}"
    if isinstance(value, list):
        return "[" + pad + ("," + pad).join(unusual_json(item, depth + 1) for item in value) + " ]"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=True).replace("/", "\\/")
    if isinstance(value, datetime):
        return json.dumps(value.isoformat())
    if isinstance(value, Decimal):
        return str(value)
    return json.dumps(value)


def non_ascii_order(base: dict[str, Any]) -> dict[str, Any]:
    """``base`` with names, items and notes in several scripts (sent as raw UTF-8, not escaped)."""
    order = dict(base)
    order["orderRefNo"] = f"{base['orderRefNo']}-ÜNI"
    order["customer"] = {
        "firstName": "Zoë",
        "lastName": "Łukasiewicz-山田",
        "phone": "+65 9123 4567",
        "email": "zoe@example.com",
    }
    first = dict(base["items"][0])
    first["name"] = f"{first['name']} — crème brûlée edition ☕"
    first["notes"] = "不要辣, ไม่ใส่ผักชี, без лука 🙏"
    order["items"] = [first, *base["items"][1:]]
    order["notes"] = "Café “door” code: 1234 — danke schön"
    return order


def ascii_escaped(body: bytes) -> bytes:
    """The same JSON with every non-ASCII character written as ``\\uXXXX`` (astral ones as surrogate pairs).

    Outside strings JSON is ASCII, so escaping every non-ASCII character keeps the document's meaning.
    """
    out: list[str] = []
    for char in body.decode("utf-8"):
        if ord(char) < 0x80:
            out.append(char)
            continue
        units = char.encode("utf-16-be")
        out.extend(f"\\u{int.from_bytes(units[i : i + 2], 'big'):04x}" for i in range(0, len(units), 2))
    return "".join(out).encode("ascii")
