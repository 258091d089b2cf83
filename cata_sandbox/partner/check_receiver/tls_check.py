"""The ``tls`` check of ``check-receiver``: the receiver's certificate and protocol, as the engine sees them.

An ``https://`` receiver is connected to with the engine's own TLS context (:func:`net.transport.trust`:
the system's authorities plus ``CATA_CA_BUNDLE``, hostname checked, TLS 1.2 or newer). A refused
handshake fails the check in the engine's words (the reason a dispatch would store); an accepted one
passes, with a warning when the certificate expires within :data:`EXPIRY_WARNING_DAYS`. The certificate
is then read again without verification, only to show its details (subject, issuer, names, validity).
An ``http://`` receiver gets a warning: production callbacks must be HTTPS.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import ssl
import time
import warnings
from dataclasses import dataclass
from urllib.parse import urlsplit

from cryptography import x509

from cata_sandbox.net.failures import describe_failure
from cata_sandbox.net.transport import trust
from cata_sandbox.partner.check_receiver.model import CheckResult, Verdict

NAME = "tls"
TITLE = "an https:// receiver presents a valid, trusted certificate for its host over TLS 1.2 or newer"
EXPIRY_WARNING_DAYS = 14
_MODERN = ("TLSv1.2", "TLSv1.3")


@dataclass(frozen=True, slots=True)
class Certificate:
    subject: str
    issuer: str
    names: tuple[str, ...]
    not_after: dt.datetime
    days_left: int

    def shown(self) -> str:
        days = abs(self.days_left)
        unit = "day" if days == 1 else "days"
        left = f"{days} {unit} left" if self.days_left >= 0 else f"expired {days} {unit} ago"
        return (
            f"certificate for {self.subject} (names: {', '.join(self.names) or 'none'}), issued by"
            f" {self.issuer}, valid until {self.not_after:%Y-%m-%d %H:%M} UTC ({left})"
        )


def read_certificate(der: bytes, now: dt.datetime) -> Certificate:
    cert = x509.load_der_x509_certificate(der)
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        names = (*san.get_values_for_type(x509.DNSName), *map(str, san.get_values_for_type(x509.IPAddress)))
    except x509.ExtensionNotFound:
        names = ()
    not_after = cert.not_valid_after_utc
    seconds = (not_after - now).total_seconds()
    days = int(seconds // 86400) if seconds >= 0 else -int(-seconds // 86400 or 1)
    return Certificate(cert.subject.rfc4514_string(), cert.issuer.rfc4514_string(), names, not_after, days)


async def _handshake(host: str, port: int, context: ssl.SSLContext, budget_s: float) -> tuple[str, bytes]:
    """(protocol version, the peer's certificate in DER) after a handshake with ``context``."""
    async with asyncio.timeout(budget_s):
        _, writer = await asyncio.open_connection(host, port, ssl=context, server_hostname=host)
    try:
        tls = writer.get_extra_info("ssl_object")
        return str(tls.version()), bytes(tls.getpeercert(binary_form=True) or b"")
    finally:
        writer.close()


def _unverified() -> ssl.SSLContext:
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    context.set_ciphers("DEFAULT:@SECLEVEL=0")
    with warnings.catch_warnings():  # to show an outdated server's certificate, accept its protocol
        warnings.simplefilter("ignore", DeprecationWarning)
        context.minimum_version = ssl.TLSVersion.TLSv1
    return context


async def tls_check(url: str, ca_bundle: str | None, budget_s: float) -> CheckResult:
    """The verdict on ``url``'s TLS; never raises for network trouble."""
    parts = urlsplit(url)
    if parts.scheme != "https":
        return CheckResult(
            NAME,
            TITLE,
            Verdict.WARN,
            "the receiver is plain http://: production callbacks must be HTTPS (Cata's callback_policy"
            " public-only refuses http:// URLs)",
            kind="plain-http",
        )
    host, port = parts.hostname or "", parts.port or 443
    started = time.perf_counter()
    now = dt.datetime.now(dt.UTC)
    try:
        version, der = await _handshake(host, port, trust(ca_bundle), budget_s)
    except (OSError, TimeoutError) as exc:
        problem = (
            "TLS handshake timed out"
            if isinstance(exc, TimeoutError)
            else describe_failure(exc, url, connecting=True)
        )
        details = await _details(host, port, now, budget_s)
        return CheckResult(
            NAME, TITLE, Verdict.FAIL, f"{problem}{details}", _ms(started), _ms(started), kind="tls-refused"
        )
    cert = read_certificate(der, now)
    shown = f"{version}, {cert.shown()}"
    if version not in _MODERN:  # the context requires 1.2+, so only a future change would get here
        return CheckResult(NAME, TITLE, Verdict.FAIL, f"old protocol {shown}", _ms(started), kind="tls-old")
    if cert.days_left < EXPIRY_WARNING_DAYS:
        return CheckResult(
            NAME,
            TITLE,
            Verdict.WARN,
            f"the certificate expires in {cert.days_left} days (under {EXPIRY_WARNING_DAYS}):"
            f" renew it; {shown}",
            _ms(started),
            _ms(started),
            kind="tls-expires-soon",
        )
    return CheckResult(NAME, TITLE, Verdict.PASS, f"trusted: {shown}", _ms(started), _ms(started))


async def _details(host: str, port: int, now: dt.datetime, budget_s: float) -> str:
    """What the refused certificate says (read without verifying), or nothing if even that fails."""
    try:
        version, der = await _handshake(host, port, _unverified(), budget_s)
    except (OSError, TimeoutError):
        return ""
    return f"; the server presents {version}, {read_certificate(der, now).shown()}" if der else ""


def _ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000
