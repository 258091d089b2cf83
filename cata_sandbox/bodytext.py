"""Request bodies as text: the one UTF-8 check every endpoint shares, in the service's own words.

A JSON body must be UTF-8 (RFC 8259 §8.1). The message is written here, not taken from a decoder's
exception (whose wording changes between releases): ``request body is not valid UTF-8: invalid byte at
offset 57 - at `$.order.items[0].name```, with the JSON path when the bytes before the bad one show where
it falls.
"""

from __future__ import annotations

import json

from cata_sandbox.errors import InvalidRequest

_ESCAPES = {"\\": "\\", '"': '"', "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}


def check_utf8(body: bytes) -> None:
    """:class:`InvalidRequest` when ``body`` is not UTF-8, naming the first bad byte and its JSON path."""
    try:
        body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise not_utf8(body, exc.start) from None


def not_utf8(body: bytes, offset: int) -> InvalidRequest:
    message = f"request body is not valid UTF-8: invalid byte at offset {offset}"
    path = json_path_at(body[:offset].decode("utf-8", errors="replace"))
    return InvalidRequest(f"{message} - at `{path}`" if path else message)


def json_path_at(prefix: str) -> str | None:
    """The JSON path of the value that the text after ``prefix`` belongs to, or None when unclear.

    ``{"order": {"items": [{"name": "Fla`` → ``$.order.items[0].name``. A byte inside an object key is
    placed at the object. Only the prefix's structure is read; the prefix need not be valid JSON.
    """
    # One frame per open container: [kind, key or index, whether a value is expected (objects only)].
    frames: list[list[object]] = []
    text: list[str] | None = None  # the string being read, when inside one
    index = 0
    while index < len(prefix):
        char = prefix[index]
        index += 1
        if text is not None:
            if char == '"':
                # \u escapes of a surrogate pair join into one character, as a decoder would read them.
                last_string = "".join(text).encode("utf-16", "surrogatepass").decode("utf-16", "replace")
                text = None
                if frames and frames[-1][0] == "{" and not frames[-1][2]:
                    frames[-1][1] = last_string
            elif char == "\\" and index < len(prefix):
                escaped = prefix[index]
                index += 1
                if escaped == "u":
                    text.append(chr(int(prefix[index : index + 4], 16)) if _hex4(prefix, index) else "?")
                    index += 4
                else:
                    text.append(_ESCAPES.get(escaped, escaped))
            else:
                text.append(char)
        elif char == '"':
            text = []
        elif char in "{[":
            frames.append([char, None if char == "{" else 0, False])
        elif char in "}]":
            if not frames:
                return None
            frames.pop()
        elif char == ":" and frames and frames[-1][0] == "{":
            frames[-1][2] = True
        elif char == "," and frames:
            if frames[-1][0] == "[":
                frames[-1][1] = int(str(frames[-1][1])) + 1
            else:
                frames[-1][1], frames[-1][2] = None, False
    if not frames and text is None:
        return "$" if prefix.strip() == "" else None
    path = "$"
    for kind, position, in_value in frames:
        if kind == "[":
            path += f"[{position}]"
        elif in_value:
            path += _member(str(position))
    return path


def _member(key: str) -> str:
    plain = key.isidentifier() and key.isascii()
    return f".{key}" if plain else f"[{json.dumps(key, ensure_ascii=False)}]"


def _hex4(text: str, start: int) -> bool:
    digits = text[start : start + 4]
    return len(digits) == 4 and all(c in "0123456789abcdefABCDEF" for c in digits)
