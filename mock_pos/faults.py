"""Fault injection: the fault kinds, which request a fault applies to, notes directives, and acting one out.

A fault replaces (or disturbs) the answer a mocked counterparty would normally give. Faults come from
two places: the admin API (``POST /__admin/faults``, a :data:`FaultSpec`) and a ``mock:<mode>[:<arg>]``
directive in the order's own notes, which needs no admin call and wins over admin faults.
"""

from __future__ import annotations

import base64
import binascii
import http
import re
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Literal, assert_never

import msgspec

from mock_pos.wire import Exchange, Reply

StatusCode = Annotated[int, msgspec.Meta(ge=100, le=599)]
FinalStatusCode = Annotated[int, msgspec.Meta(ge=200, le=599)]
RedirectCode = Annotated[int, msgspec.Meta(ge=300, le=399)]
Seconds = Annotated[float, msgspec.Meta(ge=0, le=3600)]
ErrorShape = Literal["nested", "details", "errorMsg", "string"]

MALFORMED_BODY = b"<<not json>>"


class FaultMatch(msgspec.Struct, forbid_unknown_fields=True, rename="camel", omit_defaults=True):
    """Which requests a fault applies to; every given key must match."""

    order_ref_no: str | None = None
    establishment_id: int | str | None = None
    outlet_id: int | str | None = None
    header: dict[str, str] | None = None


class _Fault(msgspec.Struct, tag_field="mode", forbid_unknown_fields=True, kw_only=True, rename="camel"):
    target: Annotated[str, msgspec.Meta(min_length=1)]
    times: Annotated[int, msgspec.Meta(ge=1)] | None = None
    match: FaultMatch | None = None


class StatusFault(_Fault, tag="status"):
    """Answer with any status; a 1xx is written raw and the connection closed (no final answer).

    ``body`` is text (sent as UTF-8); ``bodyBase64`` is any bytes, for a POS that answers in another
    encoding (Latin-1, cut multi-byte characters). At most one of the two.
    """

    code: StatusCode
    body: str | None = None
    body_base64: str | None = None
    content_type: str | None = None

    def given_body(self) -> bytes | None:
        """The body the fault was given (checked by :func:`check_fault`), or None for the default one."""
        if self.body_base64 is not None:
            return base64.b64decode(self.body_base64, validate=True)
        return self.body.encode() if self.body is not None else None


class ErrorBodyFault(_Fault, tag="error_body"):
    """HTTP 200 with one of the error body shapes POS APIs use."""

    shape: ErrorShape = "nested"
    message: str = "mock error"


class DelayFault(_Fault, tag="delay"):
    """Answer normally after ``seconds`` (without holding other requests back)."""

    seconds: Seconds = 5.0


class ResetFault(_Fault, tag="reset"):
    """Drop the TCP connection with a reset and no response."""


class MalformedFault(_Fault, tag="malformed"):
    """HTTP 200, ``application/json``, with a body that is not JSON."""


class HtmlFault(_Fault, tag="html"):
    """An HTML error page, like a proxy or web server in front of the API."""

    code: FinalStatusCode = 502


class TrickleFault(_Fault, tag="trickle"):
    """The normal answer, its body sent in ``chunks`` pieces over ``seconds``."""

    seconds: Seconds = 2.0
    chunks: Annotated[int, msgspec.Meta(ge=1, le=1000)] = 10


class RedirectFault(_Fault, tag="redirect"):
    """A redirect with an empty body."""

    code: RedirectCode = 302
    location: str = "http://127.0.0.1:9/elsewhere"


FaultSpec = (
    StatusFault
    | ErrorBodyFault
    | DelayFault
    | ResetFault
    | MalformedFault
    | HtmlFault
    | TrickleFault
    | RedirectFault
)
FAULT_MODES = ("status", "error_body", "delay", "reset", "malformed", "html", "trickle", "redirect")


def mode_of(spec: FaultSpec) -> str:
    """The mode name of a fault (its tag)."""
    return str(type(spec).__struct_config__.tag)


class FaultSpecError(ValueError):
    """A fault that decodes but cannot apply as given."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{message} - at `$.{field}`")
        self.field = field


def check_fault(spec: FaultSpec) -> None:
    """Checks the types cannot express; raises :class:`FaultSpecError` naming the field."""
    if spec.match is not None and spec.match.establishment_id is not None and spec.target != "revel":
        raise FaultSpecError("match.establishmentId", "establishmentId matches only target 'revel'")
    if isinstance(spec, StatusFault) and spec.body_base64 is not None:
        if spec.body is not None:
            raise FaultSpecError("bodyBase64", "give body or bodyBase64, not both")
        try:
            base64.b64decode(spec.body_base64, validate=True)
        except binascii.Error:
            raise FaultSpecError("bodyBase64", "must be standard base64 (A-Z a-z 0-9 + /, padded)") from None


@dataclass(frozen=True, slots=True)
class RequestFacts:
    """What fault matching looks at in a request, already extracted by the target that received it."""

    target: str
    order_ref_no: str | None
    establishment_id: str | None
    outlet_id: str | None
    headers: Sequence[tuple[str, str]]


def matches(spec: FaultSpec, facts: RequestFacts) -> bool:
    """Whether ``spec`` applies to the request described by ``facts``."""
    if spec.target != facts.target:
        return False
    match = spec.match
    if match is None:
        return True
    expected = (
        (match.order_ref_no, facts.order_ref_no),
        (match.establishment_id, facts.establishment_id),
        (match.outlet_id, facts.outlet_id),
    )
    if any(want is not None and str(want) != got for want, got in expected):
        return False
    for name, value in (match.header or {}).items():
        wanted = name.lower()
        if not any(key == wanted and got == value for key, got in facts.headers):
            return False
    return True


def scalar_text(value: Any) -> str | None:
    """A JSON scalar as the text a match value is compared with (ids may arrive as numbers or strings)."""
    if isinstance(value, bool) or value is None or isinstance(value, dict | list):
        return None
    return str(value)


# --- notes directives ---------------------------------------------------------------------------

_DIRECTIVE = re.compile(
    rf"mock:(?P<mode>{'|'.join(FAULT_MODES)})(?:\.(?P<shape>[A-Za-z]+))?(?![A-Za-z_])(?::(?P<arg>[^\r\n]*))?"
)


_TLS_DIRECTIVE = re.compile(r"mock:(?P<mode>tls:[a-z-]+)")


class DirectiveError(ValueError):
    """A ``mock:`` directive was found but its argument does not make a fault."""


def find_directive(notes: Iterable[str], target: str) -> FaultSpec | None:
    """The fault requested by the first ``mock:<mode>[:<arg>]`` directive in ``notes``, if any.

    The directive may sit anywhere in a note; its argument runs to the end of the line. Numeric
    arguments use the first word of it, so ``mock:status:503 please`` means 503.
    """
    for note in notes:
        tls = _TLS_DIRECTIVE.search(note)
        if tls is not None:
            raise DirectiveError(
                f"mock:{tls['mode']} cannot act from the notes: the TLS handshake is over once they are read;"
                f" send to mock_pos's {tls['mode']} HTTPS site instead (GET /__admin/tls)"
            )
        found = _DIRECTIVE.search(note)
        if found is not None:
            return _directive_fault(found["mode"], found["shape"], (found["arg"] or "").strip(), target)
    return None


def _directive_fault(mode: str, shape: str | None, arg: str, target: str) -> FaultSpec:
    word = arg.split()[0] if arg.split() else ""
    params: dict[str, Any] = {"mode": mode, "target": target}
    if shape is not None and mode != "error_body":
        raise DirectiveError(f"mock:{mode} takes no .{shape} suffix")
    try:
        if mode == "status":
            if not word:
                raise DirectiveError("mock:status needs a code, e.g. mock:status:503")
            params["code"] = int(word)
        elif mode == "error_body":
            params["shape"] = shape or "nested"
            if arg:
                params["message"] = arg
        elif mode in ("delay", "trickle") and word:
            params["seconds"] = float(word)
        elif mode in ("html", "redirect") and word:
            params["code"] = int(word)
    except DirectiveError:
        raise
    except ValueError as exc:
        raise DirectiveError(f"mock:{mode}: {arg!r} is not a number") from exc
    try:
        spec: FaultSpec = msgspec.convert(params, FaultSpec)  # type: ignore[arg-type]
    except msgspec.ValidationError as exc:
        raise DirectiveError(f"mock:{mode}: {exc}") from exc
    return spec


# --- acting a fault out -------------------------------------------------------------------------

Answer = Callable[[], Awaitable[Reply]]


ReplacingFault = StatusFault | ErrorBodyFault | MalformedFault | HtmlFault | RedirectFault


def fault_reply(spec: ReplacingFault) -> Reply:
    """The answer that replaces the normal one, for faults that are just a different answer."""
    match spec:
        case StatusFault(code=code, content_type=content_type):
            given = spec.given_body()
            payload = given if given is not None else msgspec.json.encode({"error": f"mock status {code}"})
            return Reply(code, payload, content_type or "application/json")
        case ErrorBodyFault(shape=shape, message=message):
            return Reply.json(200, _error_body(shape, message))
        case MalformedFault():
            return Reply(200, MALFORMED_BODY, "application/json")
        case HtmlFault(code=code):
            title = f"{code} {_phrase(code)}".strip()
            return Reply.html(code, title, "The upstream server returned an error. (mock_pos html fault)")
        case RedirectFault(code=code, location=location):
            return Reply(code, b"", None, (("location", location),))
    assert_never(spec)


def _error_body(shape: ErrorShape, message: str) -> dict[str, Any]:
    if shape == "nested":
        return {"status": "ERROR", "error": {"message": message, "details": {"message": message}}}
    if shape == "details":
        return {"status": "ERROR", "error": {"details": {"message": message}}}
    if shape == "errorMsg":
        return {"status": "ERROR", "errorMsg": message}
    return {"status": "ERROR", "error": message}


def _phrase(code: int) -> str:
    try:
        return http.HTTPStatus(code).phrase
    except ValueError:
        return ""


async def perform(spec: FaultSpec | None, exchange: Exchange, answer: Answer) -> int | None:
    """Answer the request, disturbed by ``spec``; returns the status sent (None when none was)."""
    match spec:
        case None:
            return await _answer_normally(exchange, answer)
        case DelayFault(seconds=seconds):
            if not await exchange.pause(seconds):
                return None
            return await _answer_normally(exchange, answer)
        case TrickleFault(seconds=seconds, chunks=chunks):
            reply = await answer()
            await exchange.send_slowly(reply, seconds=seconds, chunks=chunks)
            return reply.status
        case ResetFault():
            return None if await exchange.reset() else await _connection_unreachable(exchange)
        case StatusFault(code=code) if code < 200:
            if await exchange.send_informational_and_close(code):
                return code
            return await _connection_unreachable(exchange)
        case StatusFault() | ErrorBodyFault() | MalformedFault() | HtmlFault() | RedirectFault():
            replacement = fault_reply(spec)
            await exchange.send_reply(replacement)
            return replacement.status
    assert_never(spec)


async def _answer_normally(exchange: Exchange, answer: Answer) -> int:
    reply = await answer()
    await exchange.send_reply(reply)
    return reply.status


async def _connection_unreachable(exchange: Exchange) -> int:
    """Without the tracking server protocol the app cannot touch its connection; say so loudly."""
    reply = Reply.json(
        500, {"error": "this fault needs the connection: serve mock_pos with mock_pos.server (ServerThread)"}
    )
    await exchange.send_reply(reply)
    return reply.status
