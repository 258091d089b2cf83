"""Serve any ASGI app over real loopback sockets, with the connection handles some faults need.

Two things live here, both importable by other packages' tests:

- :class:`ServerThread` runs an ASGI app under uvicorn in a daemon thread with its own event loop, on a
  socket it binds itself (so ``port=0`` gives a known ephemeral port before the server starts). Timeouts,
  resets and slow bodies only exist on real sockets; ``httpx.ASGITransport`` cannot show them.
- :class:`TransportTrackingH11Protocol` is uvicorn's h11 protocol plus a per-server registry of live
  connections, so an app can drop a TCP connection (``reset``) or write a status line h11 refuses to
  produce (a final 1xx) — things plain ASGI gives an app no handle for. :func:`find_transport` is the app
  side of that registry.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from types import TracebackType
from typing import TYPE_CHECKING, Any, Literal

import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

if TYPE_CHECKING:
    from mock_pos.tls import TlsSites

TRANSPORTS_STATE_KEY = "mock_pos.transports"
"""Key of the connection registry inside uvicorn's lifespan state (and so inside every ``scope["state"]``)."""

Peer = tuple[str, int]
LifespanMode = Literal["on", "off", "auto"]


class TransportTrackingH11Protocol(H11Protocol):
    """uvicorn's h11 protocol that publishes each connection's transport, keyed by the peer address.

    Why the registry sits in ``app_state``: uvicorn gives every protocol instance of one server the same
    lifespan-state dict and shallow-copies it into each request's ``scope["state"]``. A registry stored in
    it is therefore per server — two mock servers in one process never see each other's connections — and
    reaches the app through the scope with no module-level globals. The peer address is what the app can
    see of its connection (``scope["client"]``), and it is unique among a server's live connections.
    """

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        # asyncio sets TCP_NODELAY only on sockets whose proto is IPPROTO_TCP, and sockets bound with
        # proto 0 (uvicorn's own binding does that) pass it on to accepted connections. With Nagle on,
        # h11's separate header and body writes cost every response a ~40 ms delayed-ACK stall.
        sock = transport.get_extra_info("socket")
        if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if self.client is not None:
            registry: dict[Peer, asyncio.Transport] = self.app_state.setdefault(TRANSPORTS_STATE_KEY, {})
            registry[self.client] = transport

    def connection_lost(self, exc: Exception | None) -> None:
        registry: dict[Peer, asyncio.Transport] | None = self.app_state.get(TRANSPORTS_STATE_KEY)
        if registry is not None and self.client is not None and registry.get(self.client) is self.transport:
            del registry[self.client]
        super().connection_lost(exc)


def find_transport(scope: Mapping[str, Any]) -> asyncio.Transport | None:
    """The transport of the connection that carries ``scope``, if it is served by the tracking protocol."""
    state = scope.get("state")
    client = scope.get("client")
    if not isinstance(state, Mapping) or client is None:
        return None
    registry = state.get(TRANSPORTS_STATE_KEY)
    if not isinstance(registry, Mapping):
        return None
    transport = registry.get((client[0], client[1]))
    return transport if isinstance(transport, asyncio.Transport) else None


def build_config(
    app: Callable[..., Any],
    *,
    host: str,
    port: int,
    lifespan: LifespanMode = "on",
    log_level: str = "warning",
    embedded: bool = True,
    drain_s: float = 1.0,
    ssl_context: ssl.SSLContext | None = None,
) -> uvicorn.Config:
    """The uvicorn config every mock server uses, embedded in tests or started by ``mock-pos serve``.

    ``loop="asyncio"`` because resets set SO_LINGER on the asyncio transport's socket; ``proxy_headers``
    is off so a test's ``X-Forwarded-For`` header cannot rewrite ``scope["client"]`` (the registry key);
    ``ws="none"`` keeps the websockets library (and its deprecation warnings) out. Embedded servers leave
    the process's logging configuration alone; ``mock-pos serve`` logs in the line format of
    :mod:`mock_pos.logs`. ``drain_s`` is how long a shutdown lets requests in flight finish
    (:class:`MockServer`). ``ssl_context`` serves HTTPS with that context (:mod:`mock_pos.tls`).
    """
    from mock_pos.logs import log_config

    extra: dict[str, Any] = (
        {"log_config": None, "access_log": False} if embedded else {"log_config": log_config(log_level)}
    )
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        lifespan=lifespan,
        log_level=log_level,
        http=TransportTrackingH11Protocol,
        ws="none",
        loop="asyncio",
        proxy_headers=False,
        # MockServer aborts what is left after drain_s; uvicorn's own cancelling is only the last resort.
        timeout_graceful_shutdown=int(drain_s) + 2,
        ssl_context_factory=(lambda _config, _default: ssl_context) if ssl_context is not None else None,
        **extra,
    )


class MockServer(uvicorn.Server):
    """uvicorn for mock_pos: a shutdown lets requests in flight finish for ``drain_s`` seconds, then aborts
    the connections still open, so a long ``delay`` fault ends quietly instead of being cancelled mid-way
    (which uvicorn reports with a traceback). ``own_signals=False`` leaves SIGINT/SIGTERM to the caller.
    With ``tls`` the same app is also served on every HTTPS site of :class:`mock_pos.tls.TlsSites`, in
    the same loop, started before this server reports ``started`` and stopped after it.
    """

    def __init__(
        self,
        config: uvicorn.Config,
        *,
        drain_s: float = 1.0,
        own_signals: bool = True,
        tls: TlsSites | None = None,
    ) -> None:
        super().__init__(config)
        self.drain_s = drain_s
        self.own_signals = own_signals
        self.tls = tls

    async def serve(self, sockets: list[socket.socket] | None = None) -> None:
        if self.tls is None:
            await super().serve(sockets)
            return
        sites = [
            (MockServer(self._https_config(context, self.tls.port(name)), own_signals=False), name)
            for name, context in self.tls.app_sites().items()
        ]
        tasks = [asyncio.create_task(site.serve([self.tls.sockets[name]])) for site, name in sites]
        try:
            await self.tls.start_raw_sites()
            deadline = asyncio.get_running_loop().time() + 10.0
            while not all(site.started for site, _ in sites):
                if any(task.done() for task in tasks) or asyncio.get_running_loop().time() > deadline:
                    raise RuntimeError("mock_pos's HTTPS sites did not start")
                await asyncio.sleep(0.005)
            await super().serve(sockets)
        finally:
            for site, _ in sites:
                site.should_exit = True
            await asyncio.gather(*tasks, return_exceptions=True)
            self.tls.close_raw_sites()

    def _https_config(self, context: ssl.SSLContext, port: int) -> uvicorn.Config:
        app: Callable[..., Any] = self.config.app  # type: ignore[assignment]  # the app object given
        return build_config(app, host=self.config.host, port=port, lifespan="off", ssl_context=context)

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        if self.own_signals:
            with super().capture_signals():
                yield
        else:
            yield

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        cut = asyncio.get_running_loop().call_later(self.drain_s, self._abort_open_connections)
        try:
            await super().shutdown(sockets)
        finally:
            cut.cancel()

    def _abort_open_connections(self) -> None:
        for connection in list(self.server_state.connections):
            transport = getattr(connection, "transport", None)
            if transport is not None:
                transport.abort()


def bind_socket(host: str, port: int) -> socket.socket:
    """A bound (not yet listening) TCP socket; binding before the server starts makes port 0 knowable."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
    except BaseException:
        sock.close()
        raise
    return sock


class ServerThread:
    """Run an ASGI app under uvicorn on loopback in a daemon thread; a context manager.

    >>> with ServerThread(app) as server:  # doctest: +SKIP
    ...     httpx.get(f"{server.url}/__admin/health")

    ``start()`` returns once uvicorn reports ``started`` (polled against a deadline) and raises if the
    server dies or does not start in time. ``stop()`` asks uvicorn to exit and joins the thread.
    """

    def __init__(
        self,
        app: Callable[..., Any],
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        lifespan: LifespanMode = "on",
        startup_timeout: float = 10.0,
        tls: TlsSites | None = None,
    ) -> None:
        self.app = app
        self.tls = tls
        self.host = host
        self._requested_port = port
        self._lifespan: LifespanMode = lifespan
        self._startup_timeout = startup_timeout
        self._server: MockServer | None = None
        self._thread: threading.Thread | None = None
        self._port: int | None = None
        self._failure: BaseException | None = None

    @property
    def port(self) -> int:
        """The bound port (known once started)."""
        if self._port is None:
            raise RuntimeError("ServerThread is not started")
        return self._port

    @property
    def url(self) -> str:
        """Base URL, e.g. ``http://127.0.0.1:54321``."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def start(self) -> ServerThread:
        """Bind, start uvicorn in a thread, and wait until it accepts connections."""
        if self._thread is not None:
            raise RuntimeError("ServerThread already started")
        sock = bind_socket(self.host, self._requested_port)
        port = int(sock.getsockname()[1])
        config = build_config(self.app, host=self.host, port=port, lifespan=self._lifespan)
        server = MockServer(config, tls=self.tls)
        thread = threading.Thread(
            target=self._run, args=(server, sock), name=f"mock-pos-server-{port}", daemon=True
        )
        self._server, self._thread, self._port = server, thread, port
        thread.start()
        deadline = time.monotonic() + self._startup_timeout
        while not server.started:
            if not thread.is_alive():
                sock.close()
                raise RuntimeError(
                    f"server on port {port} exited during startup (see the uvicorn log): {self._failure!r}"
                )
            if time.monotonic() > deadline:
                self.stop()
                raise TimeoutError(f"server on port {port} did not start within {self._startup_timeout}s")
            time.sleep(0.005)
        return self

    def _run(self, server: uvicorn.Server, sock: socket.socket) -> None:
        """Thread body: uvicorn ends a failed startup with SystemExit; keep it for start() to report."""
        try:
            server.run(sockets=[sock])
        except SystemExit as exc:
            self._failure = exc

    def stop(self, timeout: float = 5.0) -> None:
        """Ask uvicorn to exit and wait for the thread (uvicorn closes the socket on shutdown)."""
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout)
            if self._thread.is_alive():
                raise TimeoutError(f"server on port {self._port} did not stop within {timeout}s")

    def __enter__(self) -> ServerThread:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
