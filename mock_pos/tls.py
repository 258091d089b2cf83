"""mock_pos over HTTPS: the valid site and one HTTPS port per TLS fault, served beside the HTTP port.

A TLS fault happens before any HTTP request is read, so it cannot be chosen per request by a notes
directive or an admin fault matched on an order: each TLS fault has its own port instead, and a client
selects it by its URL (``GET /__admin/tls`` lists them). The certificate sites serve the same app as
the HTTP port (a client that ignores the problem reaches the normal answers).

- ``https``: a certificate from the sandbox CA for localhost/127.0.0.1/::1, sent with its intermediate.
- ``tls:expired``: the same chain, its certificate's validity ended yesterday.
- ``tls:wrong-host``: a valid chain for ``wrong-host.invalid`` only.
- ``tls:self-signed``: a certificate signed by its own key.
- ``tls:untrusted-ca``: a chain ending at a root that is not the sandbox CA (trusted by nobody).
- ``tls:missing-intermediate``: the valid certificate without its intermediate.
- ``tls:old-protocol``: the valid chain, TLS 1.0 and 1.1 only (OpenSSL's security level 0 allows them).
  Its handshake runs on memory buffers so the ``protocol_version`` alert reaches a refusing client (an
  asyncio TLS server drops it); a client that accepts TLS 1.1 gets one fixed answer naming the version.
- ``tls:handshake-reset``: a TCP port that reads the ClientHello and resets the connection.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import socket
import ssl
import struct
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mock_pos import certs

VALID_SITE = "https"
DEFAULT_TLS_PORT = 8443  # the valid site; the TLS faults on the seven ports after it
TLS_FAULT_MODES = (
    "tls:expired",
    "tls:wrong-host",
    "tls:self-signed",
    "tls:untrusted-ca",
    "tls:missing-intermediate",
    "tls:old-protocol",
    "tls:handshake-reset",
)
SITES = (VALID_SITE, *TLS_FAULT_MODES)
# Sites not served by the app's HTTP server but by a protocol of their own (below).
RAW_SITES = frozenset({"tls:old-protocol", "tls:handshake-reset"})
WRONG_HOST = "wrong-host.invalid"
_SITE_FILES = "sites"


def server_context(leaf: certs.Leaf, path: Path, *, old_protocol: bool = False) -> ssl.SSLContext:
    """A server context serving ``leaf`` (its chain and key written to ``path``, which it loads)."""
    path.write_bytes(leaf.key_pem() + leaf.chain_pem())
    path.chmod(0o600)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    if old_protocol:
        # OpenSSL 3 refuses TLS 1.0/1.1 at its default security level; level 0 allows them again.
        context.set_ciphers("DEFAULT:@SECLEVEL=0")
        with warnings.catch_warnings():  # deprecated on purpose: this site exists to be outdated
            warnings.simplefilter("ignore", DeprecationWarning)
            context.minimum_version = ssl.TLSVersion.TLSv1
            context.maximum_version = ssl.TLSVersion.TLSv1_1
    context.load_cert_chain(path)
    return context


def site_leaves(authority: certs.Authority, hosts: Sequence[str]) -> dict[str, certs.Leaf]:
    """The certificate each site serves (``tls:handshake-reset`` serves none)."""
    from mock_pos import certs  # cryptography is loaded only where certificates are made

    now = dt.datetime.now(dt.UTC)
    stranger = certs.new_root("Untrusted Test CA (not the sandbox CA)")
    return {
        VALID_SITE: certs.valid_leaf(authority, hosts),
        "tls:expired": certs.valid_leaf(
            authority, hosts, not_before=now - dt.timedelta(days=30), not_after=now - dt.timedelta(days=1)
        ),
        "tls:wrong-host": certs.valid_leaf(authority, [WRONG_HOST]),
        "tls:self-signed": certs.issue_leaf(None, hosts),
        "tls:untrusted-ca": certs.issue_leaf(stranger, hosts, chain=(stranger.cert,)),
        "tls:missing-intermediate": certs.issue_leaf(authority.intermediate, hosts),
        "tls:old-protocol": certs.valid_leaf(authority, hosts),
    }


def site_contexts(authority: certs.Authority, hosts: Sequence[str]) -> dict[str, ssl.SSLContext | None]:
    folder = authority.directory / _SITE_FILES
    folder.mkdir(exist_ok=True)
    contexts: dict[str, ssl.SSLContext | None] = {"tls:handshake-reset": None}
    for name, leaf in site_leaves(authority, hosts).items():
        path = folder / f"{name.replace(':', '-')}.pem"
        contexts[name] = server_context(leaf, path, old_protocol=name == "tls:old-protocol")
    return contexts


@dataclass
class TlsSites:
    """The HTTPS sites of one mock_pos: their bound sockets (ports known before serving) and contexts."""

    authority: certs.Authority
    host: str
    sockets: dict[str, socket.socket]
    contexts: dict[str, ssl.SSLContext | None]
    _raw_servers: list[asyncio.Server] = field(default_factory=list)

    @classmethod
    def bind(
        cls, directory: Path, host: str = "127.0.0.1", base_port: int = 0, hosts: Sequence[str] = ()
    ) -> TlsSites:
        """Load (or make) the CA in ``directory`` and bind one port per site: ``base_port`` and the
        ports after it, or ephemeral ports when ``base_port`` is 0."""
        from mock_pos import certs
        from mock_pos.server import bind_socket

        authority = certs.load_or_create_authority(directory)
        names = tuple(
            dict.fromkeys((*certs.DEFAULT_HOSTS, *hosts, *([host] if host not in ("0.0.0.0", "::") else [])))
        )
        sockets: dict[str, socket.socket] = {}
        try:
            for offset, name in enumerate(SITES):
                sockets[name] = bind_socket(host, base_port + offset if base_port else 0)
        except BaseException:
            for sock in sockets.values():
                sock.close()
            raise
        return cls(authority, host, sockets, site_contexts(authority, names))

    def port(self, site: str) -> int:
        return int(self.sockets[site].getsockname()[1])

    def url(self, site: str = VALID_SITE) -> str:
        host = {"0.0.0.0": "127.0.0.1", "::": "::1"}.get(self.host, self.host)
        shown = f"[{host}]" if ":" in host else host
        return f"https://{shown}:{self.port(site)}"

    def describe(self) -> dict[str, Any]:
        """What ``GET /__admin/tls`` answers: the CA file to trust and each site's base URL."""
        return {
            "caFile": str(self.authority.ca_file),
            "url": self.url(),
            "faults": {name: self.url(name) for name in TLS_FAULT_MODES},
        }

    def app_sites(self) -> dict[str, ssl.SSLContext]:
        """The sites the app's HTTP server serves, with their contexts."""
        return {n: c for n, c in self.contexts.items() if c is not None and n not in RAW_SITES}

    async def start_raw_sites(self) -> None:
        """Serve ``tls:handshake-reset`` and ``tls:old-protocol`` in the running loop."""
        loop = asyncio.get_running_loop()
        old = self.contexts["tls:old-protocol"]
        assert old is not None
        factories: dict[str, Callable[[], asyncio.Protocol]] = {
            "tls:handshake-reset": _ResetOnHello,
            "tls:old-protocol": lambda: _MemoryHandshake(old),
        }
        for name, factory in factories.items():
            sock = self.sockets[name]
            sock.listen(100)
            self._raw_servers.append(await loop.create_server(factory, sock=sock))

    def close_raw_sites(self) -> None:
        for server in self._raw_servers:
            server.close()


class _ResetOnHello(asyncio.Protocol):
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        sock = self.transport.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.transport.abort()


class _MemoryHandshake(asyncio.Protocol):
    """A TLS server on memory buffers: every alert OpenSSL writes is sent before the connection closes."""

    def __init__(self, context: ssl.SSLContext) -> None:
        self.incoming, self.outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
        self.tls = context.wrap_bio(self.incoming, self.outgoing, server_side=True)
        self.shaken = False
        self.request = b""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.incoming.write(data)
        try:
            if not self.shaken:
                self.tls.do_handshake()
                self.shaken = True
            self.request += self.tls.read(65536)
        except ssl.SSLWantReadError:
            pass
        except ssl.SSLError:
            self._flush()
            self.transport.close()
            return
        if self.shaken and b"\r\n\r\n" in self.request:
            body = json.dumps({"tlsVersion": self.tls.version(), "mock": "tls:old-protocol"}).encode()
            head = f"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {len(body)}\r\n"
            self.tls.write(head.encode() + b"connection: close\r\n\r\n" + body)
            self._flush()
            self.transport.close()
            return
        self._flush()

    def _flush(self) -> None:
        pending = self.outgoing.read()
        if pending:
            self.transport.write(pending)
