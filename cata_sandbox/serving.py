"""Running the service under uvicorn: one log format, and a shutdown that drains in order.

On SIGINT/SIGTERM uvicorn stops accepting connections, lets the requests in flight finish (up to
``timeout_graceful_shutdown``: the dispatch budget plus a margin, so every dispatch in flight ends with its
true outcome recorded) and then runs the app's shutdown. An attempt stream never finishes by itself, so
:class:`OrderlyServer` ends the streams first; otherwise one open ``listen`` would hold the shutdown until
uvicorn gives up and cancels everything, dispatches included.
"""

from __future__ import annotations

import contextlib
import socket
from collections.abc import Iterator
from typing import Any

import uvicorn
from uvicorn.supervisors import multiprocess

from cata_sandbox.api.attempt_stream import end_streams

LOG_FORMATTER = "cata_sandbox.asgi.LineFormatter"
# Beyond the dispatch budget: the answer to the caller and the attempt's commit come after the send.
DRAIN_MARGIN_S = 5


def log_config(level: str) -> dict[str, Any]:
    """uvicorn's own records in the service's line format (``<time> <level> <logger>: <message>``)."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"line": {"()": LOG_FORMATTER}},
        "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "line"}},
        "loggers": {
            "uvicorn": {"handlers": ["stderr"], "level": level.upper(), "propagate": False},
            "uvicorn.access": {"handlers": ["stderr"], "level": level.upper(), "propagate": False},
        },
        "root": {"handlers": ["stderr"], "level": "WARNING"},
    }


def drain_seconds(dispatch_timeout_s: float) -> int:
    """How long a shutdown waits for requests in flight: the longest a dispatch can take, and a margin."""
    return int(dispatch_timeout_s + 0.999) + DRAIN_MARGIN_S


class OrderlyServer(uvicorn.Server):
    """A uvicorn server that ends the attempt streams before it drains the requests in flight.

    ``own_signals=False`` leaves SIGINT and SIGTERM to the caller (``up`` stops its two servers itself).
    """

    def __init__(self, config: uvicorn.Config, *, own_signals: bool = True) -> None:
        super().__init__(config)
        self.own_signals = own_signals

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        if self.own_signals:
            with super().capture_signals():
                yield
        else:
            yield

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        if self.config.loaded:
            end_streams(self.config.loaded_app)
        await super().shutdown(sockets)


class OrderlyProcess(multiprocess.Process):
    """A uvicorn worker process whose server is an :class:`OrderlyServer`."""

    @property
    def server(self) -> uvicorn.Server:
        if self._server is None:
            self._server = OrderlyServer(config=self.config)
        return self._server


def run(config: uvicorn.Config) -> None:
    """Serve ``config`` in the foreground, with worker processes when ``config.workers > 1``."""
    if config.workers > 1:
        # uvicorn's supervisor makes its workers' servers itself (a plain uvicorn.Server); this is the one
        # place its worker class can be swapped. Workers are spawned: they unpickle OrderlyProcess by name.
        multiprocess.Process = OrderlyProcess  # type: ignore[misc]
        sock = config.bind_socket()
        multiprocess.Multiprocess(config, sockets=[sock]).run()
        return
    OrderlyServer(config).run()
