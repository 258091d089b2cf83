"""Transport failures in the service's own words: the ``<detail>`` of ``http request failed: <detail>``.

The detail is chosen from the kind of failure (its exception type and errno), never copied from a
library's message, whose wording changes between releases and between the aiohttp and httpx paths.
Only a failure of no known kind falls back to its type name and text.
"""

from __future__ import annotations

import enum
import errno
import socket
import ssl

import aiohttp
import httpx

_ERRNO_WORDS = {
    errno.ECONNREFUSED: "connection refused",
    errno.ECONNRESET: "connection reset by peer",
    errno.ECONNABORTED: "connection aborted",
    errno.EPIPE: "connection closed while sending (broken pipe)",
    errno.ENETUNREACH: "network unreachable",
    errno.EHOSTUNREACH: "host unreachable",
    errno.ETIMEDOUT: "connection timed out",
    errno.EADDRNOTAVAIL: "address not available",
}
# Failures that mean no connection was made: nothing reached the receiver.
_NO_CONNECTION_ERRNOS = frozenset(
    {errno.ECONNREFUSED, errno.ENETUNREACH, errno.EHOSTUNREACH, errno.EADDRNOTAVAIL, errno.ETIMEDOUT}
)


_NO_CONNECTION_TYPES = (ssl.SSLError, socket.gaierror, aiohttp.ClientConnectorError, httpx.ConnectError)

# The TLS words other modules name (trigger's expectations): each is followed by " (host:port)".
TLS_EXPIRED = "TLS certificate has expired"
TLS_OTHER_HOST = "TLS certificate is for another host"
TLS_SELF_SIGNED = "TLS certificate is self-signed"
TLS_UNTRUSTED_ROOT = "TLS certificate chain ends at an untrusted authority"
TLS_INCOMPLETE = (
    "TLS certificate chain is incomplete: an intermediate certificate is missing or its issuer is unknown"
)
TLS_OLD_PROTOCOL = "TLS protocol version refused (the server offers nothing from TLS 1.2 on)"
TLS_HANDSHAKE_RESET = "TLS handshake cut off: the server reset the connection"
# OpenSSL's X509_V_ERR_* codes (``SSLCertVerificationError.verify_code``), in the service's words.
_VERIFY_WORDS = {
    9: "TLS certificate is not valid yet",
    10: TLS_EXPIRED,
    18: TLS_SELF_SIGNED,
    19: TLS_UNTRUSTED_ROOT,
    2: TLS_INCOMPLETE,
    20: TLS_INCOMPLETE,
    21: TLS_INCOMPLETE,
    62: TLS_OTHER_HOST,
    64: TLS_OTHER_HOST,
}
# OpenSSL reasons meaning client and server share no protocol version (the client requires TLS 1.2+).
_VERSION_REASONS = frozenset(
    {"TLSV1_ALERT_PROTOCOL_VERSION", "UNSUPPORTED_PROTOCOL", "WRONG_SSL_VERSION", "NO_PROTOCOLS_AVAILABLE"}
)


class FailureKind(enum.Enum):
    """What kind of trouble ended an exchange without an HTTP answer."""

    TIMEOUT = "timeout"  # the budget ran out, connected or not
    NO_CONNECTION = "no-connection"  # refused, DNS, unreachable, TLS: nothing reached the receiver
    BROKEN = "broken"  # connected, then reset, closed or garbled before a complete answer
    NOT_SENT = "not-sent"  # the request was never attempted (an invalid URL, a refused destination)


def describe_failure(exc: BaseException, url: str = "", *, connecting: bool = False) -> str:
    """One line saying what went wrong, for any exception an outbound exchange can raise.

    ``connecting`` says the failure came while connecting (a bare socket's error carries no sign of it,
    unlike the transports' connect errors)."""
    where = _host_port(url)
    chain = _chain(exc)

    def find(kind: type[BaseException] | tuple[type[BaseException], ...]) -> BaseException | None:
        return next((link for link in chain if isinstance(link, kind)), None)

    verify = next((link for link in chain if isinstance(getattr(link, "verify_code", None), int)), None)
    if isinstance(verify, ssl.SSLCertVerificationError):
        words = _VERIFY_WORDS.get(verify.verify_code)
        if words is not None:
            return f"{words}{where}"
        return f"TLS certificate verification failed{where}: {verify.verify_message or 'not trusted'}"
    tls = _tls_words(chain, url, connecting)
    if tls is not None:
        return f"{tls}{where}"
    if find(socket.gaierror) is not None:
        return f"DNS lookup failed for {_host(url) or 'the host'}"
    for link in chain:
        if isinstance(link, OSError) and link.errno in _ERRNO_WORDS:
            return f"{_ERRNO_WORDS[link.errno]}{where}"
    if find((aiohttp.ServerDisconnectedError, httpx.RemoteProtocolError)) is not None:
        return f"connection closed by the server before a complete answer{where}"
    if find((aiohttp.ClientPayloadError, httpx.DecodingError)) is not None:
        return f"the answer's body could not be read (cut short or badly encoded){where}"
    if find(aiohttp.ClientResponseError) is not None:
        return f"malformed HTTP answer{where}"
    if find(httpx.ConnectError) is not None:
        return f"could not connect{where}"
    root = chain[-1]
    text = str(root).strip().splitlines()[0] if str(root).strip() else ""
    return f"{type(root).__name__}: {text}" if text else type(root).__name__


def _tls_words(chain: list[BaseException], url: str, connecting: bool) -> str | None:
    """A TLS handshake's failure other than an untrusted certificate, or ``None``."""
    handshake = next((link for link in chain if isinstance(getattr(link, "reason", None), str)), None)
    if handshake is not None and getattr(handshake, "reason", None) in _VERSION_REASONS:
        return TLS_OLD_PROTOCOL
    https = url.lower().startswith("https:")
    connecting = connecting or any(
        isinstance(link, (aiohttp.ClientConnectorError, httpx.ConnectError)) for link in chain
    )
    if https and connecting:
        # Cut while connecting to an https URL: TCP had connected (else: refused), so in the handshake.
        if any(isinstance(link, OSError) and link.errno == errno.ECONNRESET for link in chain):
            return TLS_HANDSHAKE_RESET
        if any(isinstance(link, (ssl.SSLEOFError, ConnectionResetError)) for link in chain):
            return "TLS handshake cut off: the server closed the connection"
    if isinstance(handshake, ssl.SSLError):
        return f"TLS handshake failed: {(handshake.reason or 'error').lower().replace('_', ' ')}"
    return None


def failure_kind(exc: BaseException) -> FailureKind:
    """Whether ``exc`` (raised by an exchange) came before a connection was made or after."""
    for link in _chain(exc):
        if isinstance(link, _NO_CONNECTION_TYPES):
            return FailureKind.NO_CONNECTION
        if isinstance(link, OSError) and link.errno in _NO_CONNECTION_ERRNOS:
            return FailureKind.NO_CONNECTION
    return FailureKind.BROKEN


def _chain(exc: BaseException) -> list[BaseException]:
    """The exception and its causes, outermost first (transports wrap the OS error)."""
    seen: list[BaseException] = []
    link: BaseException | None = exc
    while link is not None and link not in seen:
        seen.append(link)
        link = link.__cause__ or link.__context__
    return seen


def _host(url: str) -> str:
    try:
        return httpx.URL(url).host
    except (httpx.InvalidURL, TypeError):
        return ""


def _host_port(url: str) -> str:
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError):
        return ""
    if not parsed.host:
        return ""
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    return f" ({parsed.host}:{port})"
