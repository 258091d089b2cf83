"""What a script call gives back (value or :class:`ScriptError`, log lines, timings), and request checks."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

import msgspec

__all__ = [
    "DispatchRequest",
    "HostHttp",
    "HttpAnswer",
    "RunResult",
    "ScriptError",
    "Timings",
    "dispatch_request",
]

HttpAnswer = tuple[int, dict[str, str], bytes]
_METHODS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE"})


class HostHttp(Protocol):
    """The parent's outbound HTTP, used for a script's ``context.http`` calls (policy, caps, budget apply)."""

    async def request(
        self, method: str, url: str, headers: dict[str, str], body: bytes | None, *, timeout: float
    ) -> HttpAnswer:
        """One exchange; raise an exception whose ``str`` is the reason the script sees on failure."""
        ...


@dataclass(frozen=True, slots=True)
class ScriptError:
    """A call that failed: the sandbox's own message, and what kind of failure it was."""

    message: str
    # throw, deadline, memory, stack, size, engine, invalid, crash
    kind: str

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True, slots=True)
class Timings:
    """Wall time seen by the parent and CPU time spent in the worker, in seconds."""

    wall: float
    worker_cpu: float
    http: int = 0


@dataclass(frozen=True, slots=True)
class DispatchRequest:
    """A valid ``order_dispatch`` result. ``body`` None is the standard sentinel: send the order bytes."""

    url: str  # "" when the standard script found no webhook
    method: str
    headers: dict[str, str]
    body: bytes | None


@dataclass(frozen=True, slots=True)
class RunResult:
    """One call: ``value`` (decoded JSON) and ``text`` (its JSON as the engine wrote it), or ``error``."""

    value: Any = None
    text: bytes = b""
    error: ScriptError | None = None
    logs: list[str] = field(default_factory=list)
    timings: Timings = Timings(0.0, 0.0)
    request: DispatchRequest | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


class _RawRequest(msgspec.Struct):
    url: Any = None
    method: Any = None
    headers: Any = None
    body: msgspec.Raw = msgspec.Raw(b"null")


def dispatch_request(text: bytes) -> DispatchRequest | ScriptError:
    """The script's JSON checked as ``{url, method, headers, body}``; an object body keeps its JSON text."""
    try:
        raw = msgspec.json.decode(text, type=_RawRequest)
    except msgspec.ValidationError:
        return ScriptError(
            "script returned something that is not a request object {url, method, headers, body}", "invalid"
        )
    # "" is the standard script's "no webhook registered": the engine stores the order and sends nothing.
    if not isinstance(raw.url, str) or not (raw.url == "" or raw.url.startswith(("http://", "https://"))):
        return ScriptError(
            f"script returned an invalid request: url must be an http(s) URL, got {_show(raw.url)}", "invalid"
        )
    if not isinstance(raw.method, str) or raw.method.upper() not in _METHODS:
        return ScriptError(
            f"script returned an invalid request: method must be one of {', '.join(sorted(_METHODS))}, "
            f"got {_show(raw.method)}",
            "invalid",
        )
    headers = {} if raw.headers is None else raw.headers
    if not isinstance(headers, dict) or not all(isinstance(v, str) for v in headers.values()):
        return ScriptError(
            "script returned an invalid request: headers must be an object of strings", "invalid"
        )
    for name, value in headers.items():
        if not name or any(c in name for c in " :\r\n\t") or any(c in value for c in "\r\n\x00"):
            return ScriptError(
                f"script returned an invalid request: header {_show(name)} is not a valid header", "invalid"
            )
    body_text = bytes(raw.body)
    if not body_text.startswith((b"{", b"[", b'"', b"null")):
        return ScriptError(
            "script returned an invalid request: body must be null, a string or an object", "invalid"
        )
    body: bytes | None
    if body_text == b"null":
        body = None
    elif body_text.startswith(b'"'):
        body = msgspec.json.decode(body_text, type=str).encode()  # a string body is sent as is
    else:
        body = body_text  # an object body, as the engine's JSON.stringify wrote it
    return DispatchRequest(url=raw.url, method=raw.method.upper(), headers=dict(headers), body=body)


def _show(value: Any) -> str:
    text = msgspec.json.encode(value).decode() if value is not None else "null"
    return text if len(text) <= 80 else text[:80] + "..."
