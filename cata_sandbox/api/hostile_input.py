"""Hostile input at the HTTP edge: what every request is checked for before its handler runs.

- A NUL character (``%00`` in the path or query, ``\\u0000`` or a raw NUL byte in a body) is refused
  with 400 everywhere: PostgreSQL text cannot hold it, so letting it through would make the answer
  depend on the database (stored on SQLite, a 500 on PostgreSQL), and no POS wants it in an order.
- A body that is not UTF-8 is refused here, for every endpoint alike, in the service's own words
  (:mod:`cata_sandbox.bodytext`), before any decoder can word it its own way.
- JSON nested deeper than the decoder's recursion limit (``RecursionError``) is a decoding failure of
  the request: 400, not 500. It can only come from decoding input here: the service's own code does not
  recurse on data it did not receive.
- The body size limit (``request_max_body_size``, 413) is Litestar's, for bodies with and without
  Content-Length; :func:`too_large_message` says what the limit is.

Content-Type is not checked: every JSON endpoint decodes its body as JSON whatever the header says
(``curl -d`` sends ``application/x-www-form-urlencoded``), and a body that is not JSON is a 400.
"""

from __future__ import annotations

import re

from litestar import Request
from litestar.datastructures import State

from cata_sandbox.bodytext import check_utf8, not_utf8
from cata_sandbox.errors import InvalidRequest

_BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
# ``\u0000`` preceded by an even number of backslashes is a NUL escape; after an odd number it is text.
_NUL_ESCAPE = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000")


def _check_url_part(raw: bytes, where: str) -> None:
    if b"%00" in raw or b"\x00" in raw:
        raise InvalidRequest(f"NUL character (%00) is not allowed in the {where}")


def check_body(body: bytes) -> None:
    """400 when a JSON body carries a NUL: a raw NUL byte, or a ``\\u0000`` escape in a string."""
    offset = body.find(b"\x00")
    if offset >= 0:
        raise InvalidRequest(f"request body contains a NUL byte at offset {offset}")
    if b"\\u0000" in body:
        match = _NUL_ESCAPE.search(body)
        if match is not None:
            raise InvalidRequest(
                f"NUL character (\\u0000) is not allowed in JSON strings: found at byte {match.end() - 6}"
            )


async def refuse_hostile_input(request: Request[object, object, State]) -> None:
    """``before_request`` hook of the whole app: NUL in the path, the query or the body is a 400."""
    scope = request.scope
    _check_url_part(scope.get("raw_path") or scope["path"].encode("utf-8", "surrogateescape"), "path")
    _check_url_part(scope.get("query_string", b""), "query string")
    if request.method in _BODY_METHODS:
        # Litestar keeps the body it read, so the handler does not read the stream twice.
        body = await request.body()
        check_body(body)
        check_utf8(body)


def undecodable(exc: RecursionError | UnicodeDecodeError) -> InvalidRequest:
    """The 400 for a body the JSON decoder could not take apart (too deep, or not UTF-8)."""
    if isinstance(exc, UnicodeDecodeError):
        return not_utf8(bytes(exc.object), exc.start)
    return InvalidRequest("request body is nested too deeply: JSON deeper than the decoder's limit")


def too_large_message(limit: int | None) -> str:
    limit_text = f"{limit} bytes" if limit is not None else "the configured limit"
    return f"request body is larger than {limit_text} (setting max_request_bytes, CATA_MAX_REQUEST_BYTES)"
