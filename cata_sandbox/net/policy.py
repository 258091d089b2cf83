"""Which network destinations the service may call: address classification and name resolution.

``callback_policy = "allow-private"`` (the sandbox default) calls any host: partners run their receivers
on loopback and private networks. ``public-only`` is what a production webhook sender needs against
server-side request forgery: loopback, private, link-local, carrier-grade NAT, unspecified, multicast,
reserved and cloud metadata destinations are refused, for IP literals and for every address a host name
resolves to. The engine checks again right before each send, so a name that resolved to a public address
at registration and to a private one later (DNS rebinding) is still refused. ``public-only`` also refuses
plain ``http://`` (production Cata calls HTTPS only), after the address checks, so a private ``http://``
destination is refused for what it leads to.

``resolve_host`` is the one seam for name resolution; tests replace it to control what a name resolves to.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable
from typing import TypeAlias
from urllib.parse import urlsplit

from cata_sandbox.settings import CallbackPolicy

Address: TypeAlias = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver: TypeAlias = Callable[[str, int], Awaitable[list[str]]]

PUBLIC_ONLY: CallbackPolicy = "public-only"
PLAIN_HTTP_REFUSED = (
    "plain http:// is not allowed by callback_policy public-only (production Cata calls HTTPS only):"
    " use an https:// URL"
)

# Instance metadata services: AWS/GCP/Azure/OpenStack (IPv4 and AWS's IPv6), AWS ECS task metadata,
# Alibaba Cloud. Most are link-local anyway; naming them makes the refusal say what they are.
METADATA_ADDRESSES: frozenset[Address] = frozenset(
    ipaddress.ip_address(a) for a in ("169.254.169.254", "fd00:ec2::254", "169.254.170.2", "100.100.100.200")
)
METADATA_HOSTS = frozenset({"metadata.google.internal", "metadata.goog", "metadata"})

_CGNAT = ipaddress.ip_network("100.64.0.0/10")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


class DestinationRefused(Exception):
    """``public-only`` refuses this destination; the message says which address and why."""

    def __init__(self, message: str, *, address: str) -> None:
        super().__init__(message)
        self.address = address


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one carries (mapped, 6to4, NAT64), which is where it really leads."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def refusal(address: Address) -> str | None:
    """Why ``public-only`` refuses ``address`` (a short category), or ``None`` for a public address."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(address)
        if embedded is not None:
            return refusal(embedded)
        address = ipaddress.IPv6Address(address.compressed.split("%", 1)[0])
    checks: tuple[tuple[bool, str], ...] = (
        (address in METADATA_ADDRESSES, "cloud metadata"),
        (address.is_unspecified, "unspecified"),
        (address.is_loopback, "loopback"),
        (address.is_link_local, "link-local"),
        (address.is_multicast, "multicast"),
        (isinstance(address, ipaddress.IPv4Address) and address in _CGNAT, "carrier-grade NAT"),
        (address.is_private, "private"),
        (address.is_reserved, "reserved"),
        (not address.is_global, "not public"),
    )
    return next((why for refused, why in checks if refused), None)


async def system_resolve(host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to, through the operating system's resolver."""
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return sorted({str(info[4][0]) for info in infos})


resolve_host: Resolver = system_resolve


def _literal(host: str) -> Address | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


async def check_destination(url: str, policy: CallbackPolicy) -> None:
    """Raise :class:`DestinationRefused` when ``policy`` forbids calling ``url``; resolves host names.

    Under ``allow-private`` this returns at once, without resolving anything.
    """
    if policy != PUBLIC_ONLY:
        return
    parts = urlsplit(url)
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise DestinationRefused("destination has no host", address="")
    if host in METADATA_HOSTS:
        raise DestinationRefused(
            f"destination host {host} (cloud metadata) is not allowed by callback_policy public-only",
            address=host,
        )
    literal = _literal(host)
    if literal is not None:
        candidates = [str(literal)]
    else:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        try:
            candidates = await resolve_host(host, port)
        except OSError as exc:
            raise DestinationRefused(
                f"destination host {host} does not resolve: {exc}", address=host
            ) from exc
        if not candidates:
            raise DestinationRefused(f"destination host {host} does not resolve", address=host)
    for candidate in candidates:
        address = _literal(candidate)
        why = "unparsable" if address is None else refusal(address)
        if why is not None:
            raise DestinationRefused(
                f"destination address {candidate} ({why}) is not allowed by callback_policy public-only",
                address=candidate,
            )
    if parts.scheme.lower() != "https":
        raise DestinationRefused(PLAIN_HTTP_REFUSED, address=host)
